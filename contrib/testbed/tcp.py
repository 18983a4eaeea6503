#!/usr/bin/env python3
"""Real TCP for firewall tests.

  tcp.py listen PORT...            listen on 0.0.0.0 on every PORT, print "ready", accept until killed
  tcp.py probe HOST PORT [SECONDS] exit 0 if a connection is accepted, 1 if refused or timed out
"""
import selectors
import socket
import sys


def listen(ports):
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            conn, _ = key.fileobj.accept()
            conn.close()


def probe(host, port, seconds):
    try:
        with socket.create_connection((host, port), timeout=seconds):
            return 0
    except OSError:
        return 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "listen":
        listen([int(p) for p in sys.argv[2:]])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "probe":
        sys.exit(probe(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) == 5 else 0.5))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
