#!/usr/bin/env python3
"""Times the TUI's start in a real pseudo-terminal (120x40): from exec to the first frame,
to pane 1's tree (drawn from the cached outline before the catalog is loaded, or from the
catalog when there is no outline) and to the whole catalog loaded. Prints
`first_ms tree_ms loaded_ms`, each the median of RUNS starts.
Usage: scripts/first_frame.py BIN STORE [RUNS]"""
import os, pty, select, signal, struct, sys, time, fcntl, termios

def start(binary, store):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(LANG="zh_CN.UTF-8", TERM="xterm-256color")
        os.execv(binary, [binary, "--db", store])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, fd

def once(binary, store):
    t0 = time.monotonic()
    pid, fd = start(binary, store)
    seen, first, tree, loaded = b"", None, None, None
    deadline = t0 + 120
    while loaded is None and time.monotonic() < deadline:
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
        # "材料" shows (status bar counts, item detail) only once the catalog is in
        if tree is not None and "材料".encode() in seen:
            loaded = now
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    if first is None or tree is None or loaded is None:
        sys.exit("the TUI did not draw (output: %r)" % seen[-300:])
    return [(t - t0) * 1000 for t in (first, tree, loaded)]

def main():
    binary, store = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times = [once(binary, store) for _ in range(runs)]
    medians = [sorted(t[i] for t in times)[runs // 2] for i in range(3)]
    print("%.0f %.0f %.0f" % tuple(medians))

main()
