#!/usr/bin/env python3
"""Times the TUI's start in a real pseudo-terminal (120x40) and reads its memory.

With the catalog loaded at start (`load_catalog = "at-start"`): from exec to the first frame,
to pane 1's tree (drawn from the cached outline before the catalog is loaded, or from the
catalog when there is no outline) and to the whole catalog loaded, then the resident memory
(VmRSS) a second later. With the catalog on demand (`load_catalog = "on-demand"`): from exec
to the selected item's detail read from the store, and the resident memory a second later.
Prints `first_ms tree_ms loaded_ms loaded_rss_mib detail_ms on_demand_rss_mib`, each the
median of RUNS starts.
Usage: scripts/first_frame.py BIN STORE [RUNS]"""
import os, pty, re, select, signal, struct, sys, tempfile, time, fcntl, termios

def start(binary, store, config_home):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(LANG="zh_CN.UTF-8", TERM="xterm-256color", XDG_CONFIG_HOME=config_home)
        os.execv(binary, [binary, "--db", store])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, fd

def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def config(load):
    home = tempfile.mkdtemp()
    os.makedirs(os.path.join(home, "yibiao"))
    with open(os.path.join(home, "yibiao", "config.toml"), "w") as f:
        f.write('load_catalog = "%s"\n' % load)
    return home

# the status bar counts "材料 227" only once the catalog is in (the detail says "材料 (2)")
LOADED = re.compile("材料 [0-9]".encode())
# the detail of a record (its code's label), read from the store before the catalog is loaded
ON_DEMAND = "编码".encode()

def once(binary, store, home, until):
    t0 = time.monotonic()
    pid, fd = start(binary, store, home)
    seen, first, tree, done = b"", None, None, None
    deadline = t0 + 120
    while done is None and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        now = time.monotonic()
        if first is None and b"yibiao" in seen:
            first = now
        # the tree's title names its grouping ("事项 [按层级] …")
        if tree is None and "按层级".encode() in seen:
            tree = now
        if tree is not None and until(seen):
            done = now
    rss = float("nan")
    if done is not None:
        # what it holds once it has settled (the output is drained meanwhile)
        settle = time.monotonic() + 1.0
        while time.monotonic() < settle:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
        rss = rss_mib(pid)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    if first is None or tree is None or done is None:
        sys.exit("the TUI did not draw (output: %r)" % seen[-300:])
    return [(t - t0) * 1000 for t in (first, tree, done)] + [rss]

def main():
    binary, store = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    at_start, on_demand = config("at-start"), config("on-demand")
    loaded = [once(binary, store, at_start, lambda s: LOADED.search(s)) for _ in range(runs)]
    browse = [once(binary, store, on_demand, lambda s: ON_DEMAND in s) for _ in range(runs)]
    median = lambda rows, i: sorted(r[i] for r in rows)[runs // 2]
    print("%.0f %.0f %.0f %.0f %.0f %.0f" % (
        median(loaded, 0), median(loaded, 1), median(loaded, 2), median(loaded, 3),
        median(browse, 2), median(browse, 3)))

main()
