#!/bin/bash
# bench/kernel.sh: the old guest kernel against the new one, side by side.
#
#   bench/kernel.sh [BIN [RUNS [N]]]   (default: build/cmd, 5 runs, N = 20 hosts)
#
# OLD (default: Debian's linux.uml) and NEW (default: the current kernel of
# `umlab-mkkernel --print-path`) are UML kernel paths. In the same run, with
# the two kernels alternating so that other load on the machine hits both:
#   - one guest to ready: guest-launch with the default model filesystem, the
#     umlab init and an empty startup file, a fresh COW file each run, from
#     process start to the ready marker (median of RUNS);
#   - lstart of N hosts (a chain h0 -L0- h1 -L1- ...), first boot, to its
#     exit (every guest ready), `defaults: kernel:` in the generated lab.yaml;
#     then the memory per guest once ready (PSS, from lstatus --json).
# Prints a Markdown table with new/old ratios and the load average. Needs a
# model filesystem (umlab-mkfs) holding both kernels' module directories.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$here/build/cmd}
runs=${2:-5}
nhosts=${3:-20}
export PATH="$BIN:$PATH"
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$here/share/guest-launch}
[ -n "${UMLAB_HUB:-}" ] || export UMLAB_HUB="$BIN/../hub/hub"
mkfs=${UMLAB_MKFS:-$here/templates/umlab-mkfs}
mkkernel=${UMLAB_MKKERNEL:-$here/templates/umlab-mkkernel}

old=${OLD:-$(command -v linux.uml || true)}
new=${NEW:-$("$mkkernel" --print-path 2>/dev/null || true)}
[ -x "$old" ] || { echo "kernel.sh: no old kernel (install user-mode-linux or set OLD)" >&2; exit 77; }
[ -x "$new" ] || { echo "kernel.sh: no new kernel (run umlab-mkkernel or set NEW)" >&2; exit 77; }
old=$(readlink -f "$old") new=$(readlink -f "$new")
img=$("$mkfs" --print-path) || { echo "kernel.sh: no model filesystem; run umlab-mkfs" >&2; exit 77; }

T=$(mktemp -d /tmp/umlab-bench-kernel.XXXXXX)
export UMLAB_RUNDIR=$T/run
pids=()
cleanup() {
	[ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null || true
	for l in "$T"/lab-*; do
		[ -d "$l" ] && lclean -d "$l" -w "$T/wd-${l##*/lab-}" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }

# boot KERNEL: seconds from guest-launch to the ready marker of one guest.
boot() {
	local k=$1 lab=$T/blab wd=$T/bwd run=$T/brun t0 i
	rm -rf "$wd" "$run"
	mkdir -p "$lab" "$wd" "$run/uml"
	: >"$lab/b1.startup"
	t0=$(now)
	"$UMLAB_GUEST_LAUNCH" --lab "$lab" --wd "$wd" --run "$run" --fs "$img" --kernel "$k" -- \
		umid=b1 uml_dir="$run/uml" mem=64M ubd0="/umlab/wd/b1.disk,/umlab/fs/${img##*/}" \
		root=/dev/ubda rw init=/usr/lib/umlab/init con=null con0=fd:0,fd:1 quiet \
		umlab.host=b1 umlab.lab=/umlab/lab umlab.wd=/umlab/wd </dev/null >/dev/null 2>&1 &
	pids=($!)
	# A benchmark may poll: 10 ms steps, 120 s at most.
	for ((i = 0; i < 12000; i++)); do
		[ -e "$wd/b1.ready" ] && break
		kill -0 "${pids[0]}" 2>/dev/null || break
		sleep 0.01
	done
	if [ -e "$wd/b1.ready" ]; then echo "$(since "$t0")"; else echo NaN; fi
	kill -9 "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	pids=()
	rm -rf "$wd" "$run"
}

# lab KERNEL DIR: a chain of $nhosts hosts booting KERNEL.
mklab() {
	local k=$1 dir=$2 i
	mkdir -p "$dir"
	{
		echo "name: bench-kernel"
		echo "defaults: { kernel: $k }"
		echo "hosts:"
		for ((i = 0; i < nhosts; i++)); do
			if [ "$nhosts" = 1 ] || [ $i = 0 ]; then
				echo "  h$i: { interfaces: [L0] }"
			elif [ $i = $((nhosts - 1)) ]; then
				echo "  h$i: { interfaces: [L$((i - 1))] }"
			else
				echo "  h$i: { interfaces: [L$((i - 1)), L$i] }"
			fi
		done
	} >"$dir/lab.yaml"
}

# start KERNEL TAG: "SECONDS MIB": lstart of the lab to its return (all
# hosts ready), and the mean PSS per guest right after.
start() {
	local k=$1 tag=$2 dir=$T/lab-$2 wd=$T/wd-$2 t0 s m=NaN
	mklab "$k" "$dir"
	t0=$(now)
	if lstart -d "$dir" -w "$wd" --headless -q -p "$nhosts" --timeout 600 >"$T/lstart-$tag.log" 2>&1; then
		s=$(since "$t0")
		m=$(lstatus -d "$dir" -w "$wd" --json | sed -n 's/.*"memory_kb": \([0-9]*\).*/\1/p' |
			awk -v n="$nhosts" '{s += $1} END {printf "%.0f", s / n / 1024}')
	else
		s=NaN
		echo "kernel.sh: lstart with $k failed:" >&2
		tail -n 5 "$T/lstart-$tag.log" >&2
	fi
	lhalt -d "$dir" -w "$wd" -q >/dev/null 2>&1 || true
	lclean -d "$dir" -w "$wd" >/dev/null 2>&1 || true
	echo "$s $m"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$T/boot-old"
: >"$T/boot-new"
for ((r = 0; r < runs; r++)); do
	# (stderr: bash reports the guest it killed)
	boot "$old" >>"$T/boot-old" 2>/dev/null
	boot "$new" >>"$T/boot-new" 2>/dev/null
done
read -r so mo <<<"$(start "$old" old)"
read -r sn mn <<<"$(start "$new" new)"
bo=$(median <"$T/boot-old")
bn=$(median <"$T/boot-new")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", b / a; else print "-" }'; }
vo=$("$old" --version 2>/dev/null | head -n1)
vn=$("$new" --version 2>/dev/null | head -n1)
echo "| | old: $vo | new: $vn | new/old |"
echo "|---|---|---|---|"
printf '| 1 guest to ready (median of %d) | %.2f s | %.2f s | %s |\n' "$runs" "$bo" "$bn" "$(ratio "$bo" "$bn")"
printf '| lstart %d hosts (chain) | %.2f s | %.2f s | %s |\n' "$nhosts" "$so" "$sn" "$(ratio "$so" "$sn")"
printf '| memory per guest after that lstart (PSS) | %s MiB | %s MiB | %s |\n' "$mo" "$mn" "$(ratio "$mo" "$mn")"
echo
echo "load average: $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after ($(nproc) CPUs)"
