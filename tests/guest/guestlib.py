"""Boot umlab guests directly (guest-launch + the default kernel, the command line of
share/doc/guest-contract.md) for the guest tests; no dependency on lstart.

Readiness is event-driven: the guest init sends "umlab-ready NAME STATUS" on
the mconsole notify socket after writing its marker; stops are waited for on
the process itself. Every wait has a deadline.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import umlctl

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))


def find_image():
    """The default model filesystem, via umlab-mkfs --print-path; exit 77 if none."""
    mkfs = os.environ.get("UMLAB_MKFS", os.path.join(SRC, "templates", "umlab-mkfs"))
    r = subprocess.run([mkfs, "--print-path"], capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        print("SKIP: no model filesystem built for the current recipe; run "
              "'umlab-mkfs' (or 'sudo umlab-mkfs --system') first", file=sys.stderr)
        sys.exit(SKIP)
    return r.stdout.strip()


def find_kernel():
    """The kernel the runtime boots when nothing names one (rt/include/locate.h):
    $UMLAB_KERNEL (a path, a kernel umlab-mkkernel built, or a program in
    PATH), else umlab-mkkernel's current kernel, else Debian's linux.uml."""
    want = os.environ.get("UMLAB_KERNEL")
    if want and "/" in want:
        return want
    if want:
        for d in (os.environ.get("UMLAB_KERNEL_DIR"),
                  os.path.join(os.environ.get("XDG_DATA_HOME") or
                               os.path.expanduser("~/.local/share"), "umlab", "kernels"),
                  "/var/lib/umlab/kernels"):
            if d and os.access(os.path.join(d, want, "linux.uml"), os.X_OK):
                return os.path.join(d, want, "linux.uml")
        return shutil.which(want)
    mk = os.path.join(SRC, "templates", "umlab-mkkernel")
    r = subprocess.run([mk, "--print-path"], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        return r.stdout.strip()
    return shutil.which("linux.uml")


def kernel_config(kernel, option):
    """Whether kernel --showconfig has option=y."""
    r = subprocess.run([kernel, "--showconfig"], capture_output=True, text=True)
    return ("\n%s=y\n" % option) in ("\n" + r.stdout)


def guest_launch():
    return os.environ.get("UMLAB_GUEST_LAUNCH", os.path.join(SRC, "share", "guest-launch"))


def read_marker(path):
    """Parse a ready marker (key=value lines) into a dict."""
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


class Lab:
    """A scratch lab: lab dir, host working dir and runtime dir in one temp dir."""

    def __init__(self):
        self.top = tempfile.mkdtemp(prefix="umlab-gt-", dir="/tmp")
        self.lab = os.path.join(self.top, "lab")
        self.wd = os.path.join(self.top, "wd")
        self.run = os.path.join(self.top, "run")
        for d in (self.lab, self.wd, self.run, os.path.join(self.run, "uml")):
            os.makedirs(d)
        self.notify = umlctl.Notify(os.path.join(self.run, "notify"))
        self.image = find_image()
        self.kernel = find_kernel()
        self.guests = []
        self.hubs = []

    def write(self, rel, text, mode=0o644):
        path = os.path.join(self.lab, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def hub(self, name):
        """Start a hub for a collision domain; its directory (for eth=vde).
        Our hub ($UMLAB_HUB) reports readiness by returning from --daemon;
        vde_switch, the fallback, does not, so its control socket is polled
        (bounded) until it accepts connections."""
        d = os.path.join(self.run, "hub", name)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        hub = os.environ.get("UMLAB_HUB")
        if hub and os.access(hub, os.X_OK):
            pidfile = d + ".pid"
            subprocess.run([hub, "--daemon", "--pidfile", pidfile, d], check=True,
                           stdin=subprocess.DEVNULL)
            with open(pidfile) as f:
                self.hubs.append(int(f.read().strip()))
            return d
        p = subprocess.Popen(["vde_switch", "--hub", "-s", d], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, start_new_session=True)
        self.hubs.append(p.pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and p.poll() is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(os.path.join(d, "ctl"))
                return d
            except OSError:
                time.sleep(0.02)
            finally:
                s.close()
        raise AssertionError("vde_switch did not come up in %s" % d)

    def guest(self, name, *extra, mem="64M"):
        g = Guest(self, name, list(extra), mem)
        self.guests.append(g)
        return g

    def close(self):
        for g in self.guests:
            g.kill()
        for pid in self.hubs:
            try:
                os.kill(pid, 15)
                umlctl.wait_exit(pid, 10)
            except ProcessLookupError:
                pass
        self.notify.close()
        if not os.environ.get("UMLAB_KEEP"):
            shutil.rmtree(self.top, ignore_errors=True)


class Guest:
    """One UML guest of a Lab, booted by guest-launch."""

    def __init__(self, lab, name, extra, mem):
        self.lab, self.name, self.extra, self.mem = lab, name, extra, mem
        self.proc = None
        self.marker = os.path.join(lab.wd, name + ".ready")

    def argv(self):
        image = os.path.basename(self.lab.image)
        return [guest_launch(), "--lab", self.lab.lab, "--wd", self.lab.wd,
                "--run", self.lab.run, "--fs", self.lab.image,
                "--kernel", self.lab.kernel, "--",
                "umid=" + self.name, "uml_dir=" + os.path.join(self.lab.run, "uml"),
                "mem=" + self.mem,
                "ubd0=/umlab/wd/%s.disk,/umlab/fs/%s" % (self.name, image),
                "root=/dev/ubda", "rw", "init=/usr/lib/umlab/init",
                "mconsole=notify:" + self.lab.notify.path,
                "con=null", "con0=fd:0,fd:1", "quiet",
                "umlab.host=" + self.name, "umlab.lab=/umlab/lab",
                "umlab.wd=/umlab/wd"] + self.extra

    def start(self):
        if os.path.exists(self.marker):
            os.unlink(self.marker)
        self.console = open(os.path.join(self.lab.wd, self.name + ".console.log"), "ab")
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=self.console, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def wait_ready(self, timeout=90):
        """Block until the guest reports ready; its marker as a dict."""
        msg = self.lab.notify.wait_for("umlab-ready %s " % self.name, timeout, self.proc.pid)
        if msg is None:
            raise AssertionError("%s: no ready notification within %d s (exit %s); console:\n%s"
                                 % (self.name, timeout, self.proc.poll(), self.console_text()))
        return read_marker(self.marker)

    def mconsole(self, cmd):
        return umlctl.command(os.path.join(self.lab.run, "uml", self.name, "mconsole"), cmd)

    def wait_exit(self, timeout=60):
        """Block until the UML process exits; its exit status."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s did not exit within %d s" % (self.name, timeout))

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.mconsole("halt")
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def wd_file(self, suffix):
        with open(os.path.join(self.lab.wd, self.name + suffix), errors="replace") as f:
            return f.read()

    def console_text(self):
        try:
            return self.wd_file(".console.log")[-3000:]
        except OSError:
            return ""


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)
