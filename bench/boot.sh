#!/usr/bin/env bash
# bench/boot.sh: how fast a umlab guest is ready, against the floor.
#
#   bench/boot.sh [RUNS]        (default 7 runs of each)
#
# Prints the median time from process start (guest-launch) to the ready
# marker for one guest on the default model filesystem with an empty startup
# file, the same for the floor (same kernel and image, init= a script that
# only writes the marker: share/guest/floor-init), their ratio, and the host
# memory (PSS of each address space of the guest's host processes, once) of one idle guest.
# Every run boots a fresh COW, as a lab's first lstart does.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}
mkfs=${UMLAB_MKFS:-$here/templates/umlab-mkfs}
image=$("$mkfs" --print-path) || {
	echo "boot.sh: no model filesystem; run umlab-mkfs first" >&2
	exit 1
}
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$here/share/guest-launch}
# The kernel lstart boots by default (share/doc/kernel.md), or KERNEL.
kernel=${KERNEL:-$("$here/templates/umlab-mkkernel" --print-path 2>/dev/null || command -v linux.uml)}
export IMAGE=$image RUNS=$runs KERNEL=$kernel
exec python3 - <<'EOF'
import os, shutil, statistics, subprocess, tempfile, time

image, runs = os.environ["IMAGE"], int(os.environ["RUNS"])
launch = os.environ["UMLAB_GUEST_LAUNCH"]
top = tempfile.mkdtemp(prefix="umlab-bench-", dir="/tmp")
lab, wd, run = (os.path.join(top, d) for d in ("lab", "wd", "run"))
for d in (lab, wd, os.path.join(run, "uml")):
    os.makedirs(d)
open(os.path.join(lab, "b1.startup"), "w").close()


def start(init):
    for f in ("b1.ready", "b1.disk"):
        if os.path.exists(os.path.join(wd, f)):
            os.unlink(os.path.join(wd, f))
    shutil.rmtree(os.path.join(run, "uml", "b1"), ignore_errors=True)
    argv = [launch, "--lab", lab, "--wd", wd, "--run", run, "--fs", image,
            "--kernel", os.environ["KERNEL"], "--",
            "umid=b1", "uml_dir=" + os.path.join(run, "uml"), "mem=64M",
            "ubd0=/umlab/wd/b1.disk,/umlab/fs/" + os.path.basename(image),
            "root=/dev/ubda", "rw", "init=" + init, "con=null", "con0=fd:0,fd:1",
            "quiet", "umlab.host=b1", "umlab.lab=/umlab/lab", "umlab.wd=/umlab/wd"]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    marker = os.path.join(wd, "b1.ready")
    # A benchmark may poll: 2 ms steps, 60 s at most.
    while not os.path.exists(marker):
        if time.monotonic() - t0 > 60 or p.poll() is not None:
            raise SystemExit("guest did not get ready")
        time.sleep(0.002)
    return p, time.monotonic() - t0


def stop(p):
    p.kill()
    p.wait()


def tree(pid):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        q = todo.pop()
        out.append(q)
        todo += kids.get(q, [])
    return out


def same_vm(a, b):
    # UML's helper processes are CLONE_VM clones: one address space, several
    # pids. kcmp(2) (syscall 312 on x86-64, KCMP_VM = 1) tells them apart.
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(312, a, b, 1, 0, 0) == 0


def pss_kib(pid):
    total = 0
    seen = []
    for q in tree(pid):
        if any(same_vm(q, s) for s in seen):
            continue
        try:
            with open("/proc/%d/smaps_rollup" % q) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            seen.append(q)
        except OSError:
            pass
    return total


res = {}
for name, init in (("umlab init", "/usr/lib/umlab/init"), ("floor", "/usr/lib/umlab/floor-init")):
    times = []
    for _ in range(runs):
        p, t = start(init)
        times.append(t)
        stop(p)
    res[name] = statistics.median(times)
    print("%-11s median %5.0f ms to ready (min %4.0f, max %4.0f, %d runs)"
          % (name, res[name] * 1000, min(times) * 1000, max(times) * 1000, runs))
print("ratio       %.2f (umlab init / floor)" % (res["umlab init"] / res["floor"]))
p, _ = start("/usr/lib/umlab/init")
time.sleep(3)  # let the idle guest settle before measuring
print("memory      %.1f MiB PSS for one idle guest (mem=64M)" % (pss_kib(p.pid) / 1024))
stop(p)
shutil.rmtree(top, ignore_errors=True)
EOF
