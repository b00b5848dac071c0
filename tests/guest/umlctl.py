#!/usr/bin/env python3
"""Tiny UML mconsole client and notify listener for the guest tests.

  umlctl.py cmd SOCKET COMMAND...      send one mconsole request, print the reply
  umlctl.py wait-exit PID SECONDS      block until process PID exits (pidfd)

As a module: Notify (binds the notify socket, waits for guest messages) and
command(). The reply socket is bound at a path next to the mconsole socket:
guests run in their own network namespace (guest-launch), where the usual
abstract reply address of uml_mconsole is unreachable.
"""
import os
import select
import socket
import struct
import sys
import time

MAGIC = 0xCAFEBABE
VERSION = 2


def command(sock_path, cmd, timeout=10.0):
    """Send cmd to the mconsole at sock_path; return (err, reply text)."""
    data = cmd.encode()
    if len(data) >= 512:
        raise ValueError("mconsole command too long")
    reply_path = os.path.join(os.path.dirname(sock_path), ".umlctl-%d" % os.getpid())
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        if os.path.exists(reply_path):
            os.unlink(reply_path)
        s.bind(reply_path)
        s.settimeout(timeout)
        s.sendto(struct.pack("=III", MAGIC, VERSION, len(data)) + data, sock_path)
        text, err, more = "", 0, 1
        while more:
            pkt = s.recv(12 + 512)
            e, more, length = struct.unpack("=III", pkt[:12])
            err = err or e
            text += pkt[12:12 + length].rstrip(b"\0").decode(errors="replace")
        return err, text
    finally:
        s.close()
        try:
            os.unlink(reply_path)
        except FileNotFoundError:
            pass


class Notify:
    """The mconsole notify socket (mconsole=notify:PATH): bind before boot."""

    def __init__(self, path):
        self.path = path
        self.seen = []  # user notifications received, oldest first
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)

    def _take(self, prefix):
        for i, text in enumerate(self.seen):
            if text.startswith(prefix):
                return self.seen.pop(i)
        return None

    def wait_for(self, prefix, timeout, pid=None):
        """Wait for a user notification starting with prefix (also one that
        came earlier while waiting for another); its text, or None on timeout
        or when process pid exits first."""
        deadline = time.monotonic() + timeout
        fds = [self.sock]
        pidfd = os.pidfd_open(pid) if pid else None
        if pidfd is not None:
            fds.append(pidfd)
        try:
            while True:
                found = self._take(prefix)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                ready, _, _ = select.select(fds, [], [], left)
                if self.sock in ready:
                    pkt = self.sock.recv(16 + 512)
                    _, _, kind, length = struct.unpack("=IIiI", pkt[:16])
                    if kind == 3:
                        self.seen.append(pkt[16:16 + length].rstrip(b"\0").decode(errors="replace").strip())
                elif pidfd is not None and pidfd in ready:
                    # Exited: a notification it sent may still be queued.
                    self.sock.setblocking(False)
                    try:
                        while True:
                            pkt = self.sock.recv(16 + 512)
                            _, _, kind, length = struct.unpack("=IIiI", pkt[:16])
                            if kind == 3:
                                self.seen.append(pkt[16:16 + length].rstrip(b"\0").decode(errors="replace").strip())
                    except BlockingIOError:
                        pass
                    finally:
                        self.sock.setblocking(True)
                    return self._take(prefix)
        finally:
            if pidfd is not None:
                os.close(pidfd)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def wait_exit(pid, timeout):
    """Block until process pid exits (it need not be our child); True if it did."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        return bool(ready)
    finally:
        os.close(fd)


def main(argv):
    if len(argv) >= 3 and argv[0] == "cmd":
        err, text = command(argv[1], " ".join(argv[2:]))
        print(("ERR " if err else "OK ") + text)
        return 1 if err else 0
    if len(argv) == 3 and argv[0] == "wait-exit":
        return 0 if wait_exit(int(argv[1]), float(argv[2])) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
