#!/usr/bin/env python3
"""tests/hub/bess.py: a client of the hub's DIR/bess, as UML's vector driver
is one (transport=bess): bind SRC if given, connect DIR/bess (SOCK_SEQPACKET),
then run the actions: `send N` (N frames of 60 bytes, broadcast, numbered),
`recv N` (wait up to 10 s for N frames, print each frame's number),
`hold` (wait for stdin to close). Prints `connected` once connected."""
import socket
import sys

hubdir, src, actions = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
if src != "-":
    s.bind(src)
s.connect(hubdir + "/bess")
print("connected", flush=True)
i = 0
while i < len(actions):
    act = actions[i]
    if act == "send":
        for k in range(int(actions[i + 1])):
            frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x07" + b"\x88\xb5" + bytes([k]) * 46
            s.send(frame)
        i += 2
    elif act == "recv":
        s.settimeout(10)
        for _ in range(int(actions[i + 1])):
            f = s.recv(65536)
            print("frame", len(f), f[14], flush=True)
        i += 2
    elif act == "hold":
        sys.stdin.read()
        i += 1
    else:
        sys.exit("unknown action " + act)
s.close()
