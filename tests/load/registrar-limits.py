#!/usr/bin/env python3
"""Hostile connections against `sipactors registrar` on loopback, and what they cost it.

Opens, against a registrar already running on 127.0.0.1 (TCP and WS listeners):
  - idle TCP connections that never send a byte,
  - WS connections that finish the upgrade and then stay silent,
  - TCP connections holding ~60 KB of a header that never ends,
  - slowloris clients sending one header byte a second,
  - one request whose header is complete but whose body never comes,
then holds them for --hold seconds while it samples the registrar's descriptors (/proc/PID/fd)
and resident memory (VmRSS), counts how many of each kind the registrar closed, and checks that
a connection opened before the flood still gets answers (OPTIONS every 2 s) and that UDP is
answered too. Loopback only; every loop is bounded by --hold. Prints one JSON object.

  python3 tests/load/registrar-limits.py --pid PID --tcp 25160 --ws 25180 --udp 25160 --hold 60
"""
import argparse
import base64
import json
import os
import selectors
import socket
import time

HOST = "127.0.0.1"


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def connect(port):
    s = socket.create_connection((HOST, port), timeout=5)
    s.setblocking(False)
    return s


def ws_upgrade(port):
    s = socket.create_connection((HOST, port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    s.setblocking(False)
    return s, head.startswith(b"HTTP/1.1 101")


def options(branch, port, transport):
    return (f"OPTIONS sip:{HOST} SIP/2.0\r\nVia: SIP/2.0/{transport} {HOST}:{port};branch=z9hG4bK{branch}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:probe@{HOST}>;tag=p{branch}\r\nTo: <sip:{HOST}>\r\n"
            f"Call-ID: probe-{branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--pid", type=int, required=True, help="the registrar's process id")
    a.add_argument("--tcp", type=int, required=True)
    a.add_argument("--ws", type=int, required=True)
    a.add_argument("--udp", type=int, required=True)
    a.add_argument("--idle-tcp", type=int, default=1000)
    a.add_argument("--idle-ws", type=int, default=1000)
    a.add_argument("--unfinished", type=int, default=1000)
    a.add_argument("--slowloris", type=int, default=20)
    a.add_argument("--hold", type=float, default=60)
    o = a.parse_args()

    samples = []
    def sample(label):
        samples.append({"t": round(time.monotonic() - start, 1), "at": label, "fds": fds(o.pid), "rssMiB": rss_mib(o.pid)})

    start = time.monotonic()
    sample("baseline")

    # A client that was there first and keeps talking: it must be served throughout.
    regular = socket.create_connection((HOST, o.tcp), timeout=5)
    regular_port = regular.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((HOST, 0))
    udp.settimeout(2)

    kinds = {"idleTcp": [], "idleWs": [], "unfinishedHeader": [], "slowloris": [], "bodyNeverComes": []}
    refused = {k: 0 for k in kinds}
    def open_kind(kind, n, make):
        for _ in range(n):
            try:
                kinds[kind].append(make())
            except OSError:
                refused[kind] += 1

    open_kind("idleTcp", o.idle_tcp, lambda: connect(o.tcp))
    upgraded = 0
    for _ in range(o.idle_ws):
        try:
            s, ok = ws_upgrade(o.ws)
            upgraded += ok
            kinds["idleWs"].append(s)
        except OSError:
            refused["idleWs"] += 1
    pad = "".join(f"X-Pad-{i}: {'a' * 1000}\r\n" for i in range(60))
    unfinished = f"REGISTER sip:{HOST} SIP/2.0\r\nVia: SIP/2.0/TCP {HOST}:1;branch=z9hG4bKu\r\n{pad}".encode()
    def unfinished_conn():
        s = connect(o.tcp)
        try:
            s.send(unfinished)
        except OSError:
            pass
        return s
    open_kind("unfinishedHeader", o.unfinished, unfinished_conn)
    open_kind("slowloris", o.slowloris, lambda: connect(o.tcp))
    body = (f"MESSAGE sip:alice@{HOST} SIP/2.0\r\nVia: SIP/2.0/TCP {HOST}:1;branch=z9hG4bKb\r\nMax-Forwards: 70\r\n"
            f"From: <sip:x@{HOST}>;tag=b\r\nTo: <sip:alice@{HOST}>\r\nCall-ID: body\r\nCSeq: 1 MESSAGE\r\n"
            f"Content-Type: text/plain\r\nContent-Length: 10000\r\n\r\n").encode()
    def body_conn():
        s = connect(o.tcp)
        s.send(body)
        return s
    open_kind("bodyNeverComes", 1, body_conn)
    sample("flood open")

    sel = selectors.DefaultSelector()
    closed = {k: 0 for k in kinds}
    for kind, socks in kinds.items():
        for s in socks:
            sel.register(s, selectors.EVENT_READ, kind)
    slow_line = f"REGISTER sip:{HOST} SIP/2.0\r\nVia: SIP/2.0/TCP {HOST}:1;branch=z9hG4bKs\r\nX-Slow: " + "a" * 4000
    slow_at = 0
    probes = {"tcpAnswered": 0, "tcpFailed": 0, "udpAnswered": 0, "udpFailed": 0}
    next_probe = time.monotonic()
    next_sample = time.monotonic() + 5
    n = 0
    end = time.monotonic() + o.hold
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            try:
                data = key.fileobj.recv(65536)
            except (ConnectionResetError, OSError):
                data = b""
            if not data:
                closed[key.data] += 1
                sel.unregister(key.fileobj)
                key.fileobj.close()
        now = time.monotonic()
        if now >= next_probe:
            next_probe = now + 2
            n += 1
            try:
                regular.sendall(options(f"t{n}", regular_port, "TCP"))
                got = regular.recv(65536)
                probes["tcpAnswered" if got.startswith(b"SIP/2.0 200") else "tcpFailed"] += 1
            except OSError:
                probes["tcpFailed"] += 1
            try:
                udp.sendto(options(f"u{n}", udp.getsockname()[1], "UDP"), (HOST, o.udp))
                got, _ = udp.recvfrom(65536)
                probes["udpAnswered" if got.startswith(b"SIP/2.0 200") else "udpFailed"] += 1
            except OSError:
                probes["udpFailed"] += 1
            # One more byte for each slowloris client.
            if slow_at < len(slow_line):
                for s in kinds["slowloris"]:
                    try:
                        s.send(slow_line[slow_at:slow_at + 2].encode())
                    except OSError:
                        pass
                slow_at += 2
        if now >= next_sample:
            next_sample = now + 5
            sample("hold")
    sample("end of hold")
    for kind, socks in kinds.items():
        for s in socks:
            try:
                s.close()
            except OSError:
                pass
    regular.close()
    time.sleep(3)
    sample("after the clients left")
    print(json.dumps({
        "opened": {k: len(v) for k, v in kinds.items()},
        "refusedAtConnect": refused,
        "wsUpgraded": upgraded,
        "closedByRegistrar": closed,
        "probes": probes,
        "samples": samples,
    }, indent=1))


if __name__ == "__main__":
    main()
