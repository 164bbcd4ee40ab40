#!/usr/bin/env python3
"""Holds many half-open connections against a running `newsdesk serve`.

A slow client (slowloris) sends a request line and then one header line a
second, never finishing the request; when the server cuts a connection the
script opens a new one, so the pressure stays up for the whole run. Run a
normal load (`wrk`) beside it and compare its latency with an unloaded run:

    python3 tests/load/halfopen.py 127.0.0.1:PORT 2000 60 &
    wrk -t2 -c64 -d30s --latency "http://127.0.0.1:PORT/api/search?q=council"

Prints how many connections it opened and how many were still open at the
end. Standard library only.
"""

import socket
import sys
import time


def connect(host, port):
    s = socket.create_connection((host, port), timeout=2)
    s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: load\r\n")
    return s


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    host, _, port = sys.argv[1].rpartition(":")
    port, count, seconds = int(port), int(sys.argv[2]), float(sys.argv[3])
    socks = []
    for _ in range(count):
        try:
            socks.append(connect(host, port))
        except OSError:
            pass
    print("open", len(socks), flush=True)
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(1)
        alive = []
        for s in socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                alive.append(s)
            except OSError:
                s.close()
                try:
                    alive.append(connect(host, port))
                except OSError:
                    pass
        socks = alive
    print("still open", len(socks), flush=True)


if __name__ == "__main__":
    main()
