#!/usr/bin/env python3
"""Times the TUI's start in a real pseudo-terminal (120x40): from exec to the first frame,
and to the full UI (catalog loaded, pane bar drawn). Prints `first_ms usable_ms`, each the
median of RUNS starts. Usage: scripts/first_frame.py BIN STORE [RUNS]"""
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
    seen, first, usable = b"", None, None
    deadline = t0 + 120
    while usable is None and time.monotonic() < deadline:
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
        # the pane bar ("… 5 统计") is drawn by the main loop only, not by the loading frame
        if first is not None and "统计".encode() in seen:
            usable = now
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    if first is None or usable is None:
        sys.exit("the TUI did not draw (output: %r)" % seen[-300:])
    return (first - t0) * 1000, (usable - t0) * 1000

def main():
    binary, store = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times = sorted(once(binary, store) for _ in range(runs))
    firsts = sorted(t[0] for t in times)
    usables = sorted(t[1] for t in times)
    print("%.0f %.0f" % (firsts[len(firsts) // 2], usables[len(usables) // 2]))

main()
