#!/usr/bin/env python3
"""Send SIP OPTIONS over UDP until any SIP response arrives (or the deadline passes).

Usage: sip_ping.py HOST PORT [--timeout SECONDS] [--domain DOMAIN]
Exit status 0 and the status line on stdout when a response arrived, 1 otherwise.
Python 3 standard library only.
"""
import argparse
import os
import socket
import sys
import time


def ping(host, port, timeout, domain):
    deadline = time.monotonic() + timeout
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, 0))
    lport = sock.getsockname()[1]
    n = 0
    try:
        while time.monotonic() < deadline and n < 1000:
            n += 1
            branch = "z9hG4bK-ping-%d-%d" % (os.getpid(), n)
            msg = (
                "OPTIONS sip:%s:%d SIP/2.0\r\n"
                "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:ping@%s>;tag=ping%d\r\n"
                "To: <sip:%s:%d>\r\n"
                "Call-ID: ping-%d-%d@%s\r\n"
                "CSeq: %d OPTIONS\r\n"
                "Accept: application/sdp\r\n"
                "Content-Length: 0\r\n\r\n"
            ) % (host, port, host, lport, branch, domain, os.getpid(), host, port,
                 os.getpid(), n, host, n)
            try:
                sock.sendto(msg.encode("ascii"), (host, port))
            except OSError:
                pass
            sock.settimeout(max(0.05, min(0.5, deadline - time.monotonic())))
            try:
                data, _ = sock.recvfrom(65535)
            except (socket.timeout, ConnectionRefusedError, OSError):
                time.sleep(0.2)
                continue
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            if line.startswith("SIP/2.0 "):
                print(line)
                return True
        return False
    finally:
        sock.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--domain", default="bench.carephone.test")
    a = p.parse_args()
    return 0 if ping(a.host, a.port, a.timeout, a.domain) else 1


if __name__ == "__main__":
    sys.exit(main())
