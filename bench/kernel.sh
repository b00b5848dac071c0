#!/bin/bash
# bench/kernel.sh: Debian's guest kernel against umlab's, side by side, in
# one run (a benchmark, not a test: it prints figures and ratios, asserts
# nothing).
#
#   bench/kernel.sh [BIN]        BIN holds lstart etc. (default: build/cmd)
#   ROUNDS=3 BIG=100 OLD=/usr/bin/linux.uml NEW=/path/linux.uml bench/kernel.sh
#
# OLD defaults to Debian's linux.uml, NEW to `umlab-mkkernel --print-path`.
# Every measurement alternates the two kernels, so that other load on the
# machine hits both alike; medians over ROUNDS where it says so:
#   - floor N (N = 1, 20, 50): N bare guests started at once by a loop, each
#     guest-launch (the same sandbox) + the kernel + the default model
#     filesystem with a fresh COW file and init=/usr/lib/umlab/floor-init
#     (writes the ready marker, nothing else); no hub, no tmux; time until
#     all N markers exist;
#   - lstart N (a chain h0 -L0- h1 -L1- ..., `lstart -k KERNEL -p N`, first
#     boot) to its exit (every guest ready), and its ratio to the same
#     kernel's floor N and to the new kernel's floor N;
#   - memory per idle guest: PSS once per address space (lstatus --json),
#     20 hosts, 5 s after lstart returned;
#   - in a two-host lab (labs-examples/two-hosts): 300 fork+exec of
#     /bin/true inside pc1 (timed in the guest), `lexec pc1 -- true` (median
#     of 100 sequential calls; 10 concurrent callers of 20 calls each, calls
#     per second), iperf3 TCP pc1 -> pc2 for 10 s (throughput, retransmits);
#   - with BIG > 0, one lstart of BIG hosts (chain) on the new kernel.
# Needs a model filesystem holding both kernels' modules (umlab-mkfs).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
BIN=${1:-$here/build/cmd}
rounds=${ROUNDS:-3}
big=${BIG:-100}
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
	lclean -d "$here/labs-examples/two-hosts" -w "$T/wd-two" >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "NaN"; exit }
	m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# floor KERNEL N: seconds until N bare guests wrote their ready markers.
floor() {
	local k=$1 n=$2 wd=$T/floor run=$T/floor-run i t0
	rm -rf "$wd" "$run"
	mkdir -p "$wd" "$run/uml" "$T/flab"
	pids=()
	t0=$(now)
	for ((i = 0; i < n; i++)); do
		"$UMLAB_GUEST_LAUNCH" --lab "$T/flab" --wd "$wd" --run "$run" --fs "$img" --kernel "$k" -- \
			umid=f$i uml_dir="$run/uml" mem=64M ubd0="/umlab/wd/f$i.disk,/umlab/fs/${img##*/}" \
			root=/dev/ubda rw init=/usr/lib/umlab/floor-init con=null con0=fd:0,fd:1 quiet \
			umlab.host=f$i umlab.lab=/umlab/lab umlab.wd=/umlab/wd </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	# A benchmark may poll: 20 ms steps, 10 minutes at most.
	for ((i = 0; i < 30000; i++)); do
		[ "$(find "$wd" -maxdepth 1 -name '*.ready' | wc -l)" -ge "$n" ] && break
		sleep 0.02
	done
	if [ "$(find "$wd" -maxdepth 1 -name '*.ready' | wc -l)" -ge "$n" ]; then since "$t0" && echo; else echo NaN; fi
	kill -9 "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	pids=()
	rm -rf "$wd" "$run"
}

# start KERNEL N TAG [MEM]: seconds of lstart of an N-host chain; with MEM,
# also the mean PSS per guest in MiB 5 s later ("SECONDS MIB").
start() {
	local k=$1 n=$2 tag=$3 dir=$T/lab-$3 wd=$T/wd-$3 t0 s m=""
	bench_lab "$n" chain "$dir"
	t0=$(now)
	if lstart -d "$dir" -w "$wd" -k "$k" --headless -q -p "$n" --timeout 900 >"$T/lstart-$tag.log" 2>&1; then
		s=$(since "$t0")
		if [ -n "${4:-}" ]; then
			sleep 5
			m=$(lstatus -d "$dir" -w "$wd" --json | sed -n 's/.*"memory_kb": \([0-9]*\).*/\1/p' |
				awk -v n="$n" '{s += $1} END {printf "%.1f", s / n / 1024}')
		fi
	else
		s=NaN
		echo "kernel.sh: lstart of $n hosts on $k failed:" >&2
		tail -n 5 "$T/lstart-$tag.log" >&2
	fi
	lcrash -d "$dir" -w "$wd" >/dev/null 2>&1 || true
	lclean -d "$dir" -w "$wd" >/dev/null 2>&1 || true
	echo "$s $m"
}

# guestwork KERNEL TAG: in two-hosts on KERNEL, writes TAG.forkexec (ms),
# TAG.lexec (median ms), TAG.lexec10 (calls/s), TAG.iperf ("Gbit/s retrans").
guestwork() {
	local k=$1 tag=$2 lab=$here/labs-examples/two-hosts wd=$T/wd-two i s e c
	local L=(-d "$lab" -w "$wd")
	lstart "${L[@]}" -k "$k" --headless -q >/dev/null
	# shellcheck disable=SC2016 # expanded by the guest's shell
	lexec "${L[@]}" pc1 -- sh -c 'i=0; s=$(date +%s%N); while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
		e=$(date +%s%N); echo $(((e - s) / 1000000))' >"$T/$tag.forkexec"
	lexec "${L[@]}" pc1 -- true
	for ((i = 0; i < 100; i++)); do
		s=$(date +%s%N)
		lexec "${L[@]}" pc1 -- true
		e=$(date +%s%N)
		echo "$(((e - s) / 1000))"
	done | awk '{ print $1 / 1000 }' | median >"$T/$tag.lexec"
	s=$(date +%s%N)
	for c in $(seq 10); do
		(for ((i = 0; i < 20; i++)); do lexec "${L[@]}" "pc$((c % 2 + 1))" -- true; done) &
	done
	wait
	e=$(date +%s%N)
	awk -v ns="$((e - s))" 'BEGIN { printf "%.1f\n", 200 / (ns / 1e9) }' >"$T/$tag.lexec10"
	lexec "${L[@]}" pc2 -- sh -c 'iperf3 -s -D -1 >/dev/null 2>&1'
	for ((i = 0; i < 50; i++)); do
		lexec "${L[@]}" pc2 -- sh -c 'ss -ltn | grep -q ":5201 "' && break
		sleep 0.1
	done
	lexec "${L[@]}" pc1 -- iperf3 -J -c 10.0.0.2 -t 10 >"$T/iperf.json"
	jq -r '"\(.end.sum_received.bits_per_second / 1e9 * 1000 | round / 1000) \(.end.sum_sent.retransmits)"' \
		"$T/iperf.json" >"$T/$tag.iperf"
	lcrash "${L[@]}" >/dev/null 2>&1 || true
	lclean "${L[@]}" >/dev/null 2>&1 || true
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
t_all=$(now)
for n in 1 20 50; do
	: >"$T/floor-old-$n" && : >"$T/floor-new-$n" && : >"$T/start-old-$n" && : >"$T/start-new-$n"
done
for ((r = 0; r < rounds; r++)); do
	for n in 1 20; do
		for tag in old new; do
			k=$old && [ $tag = new ] && k=$new
			floor "$k" "$n" >>"$T/floor-$tag-$n" 2>/dev/null
			memflag="" && [ "$n" = 20 ] && memflag=mem
			read -r s m <<<"$(start "$k" "$n" "$tag-$n-$r" ${memflag:+"$memflag"})"
			echo "$s" >>"$T/start-$tag-$n"
			[ -z "$m" ] || echo "$m" >>"$T/mem-$tag"
		done
	done
done
for tag in old new; do
	k=$old && [ $tag = new ] && k=$new
	floor "$k" 50 >>"$T/floor-$tag-50" 2>/dev/null
	read -r s m <<<"$(start "$k" 50 "$tag-50")"
	echo "$s" >>"$T/start-$tag-50"
	guestwork "$k" "$tag"
done
bigs=""
if [ "$big" -gt 0 ]; then
	read -r bigs m <<<"$(start "$new" "$big" "new-$big")"
fi

vo=$("$old" --version 2>/dev/null | head -n1)
vn=$("$new" --version 2>/dev/null | head -n1)
med() { median <"$T/$1"; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"; }
echo "| | old: $vo | new: $vn | new/old |"
echo "|---|---|---|---|"
for n in 1 20 50; do
	row "floor, $n guest(s) (s)" "$(med floor-old-$n)" "$(med floor-new-$n)"
done
for n in 1 20 50; do
	row "lstart, $n host(s) (s)" "$(med start-old-$n)" "$(med start-new-$n)"
done
for n in 1 20 50; do
	row "lstart $n / own floor" "$(ratio "$(med start-old-$n)" "$(med floor-old-$n)")" \
		"$(ratio "$(med start-new-$n)" "$(med floor-new-$n)")"
done
for n in 1 20 50; do
	printf '| lstart %s / new floor | %s | %s | |\n' "$n" \
		"$(ratio "$(med start-old-$n)" "$(med floor-new-$n)")" \
		"$(ratio "$(med start-new-$n)" "$(med floor-new-$n)")"
done
row "memory per idle guest, PSS (MiB)" "$(med mem-old)" "$(med mem-new)"
row "300 fork+exec in a guest (ms)" "$(cat "$T/old.forkexec")" "$(cat "$T/new.forkexec")"
row "lexec pc1 -- true, median (ms)" "$(cat "$T/old.lexec")" "$(cat "$T/new.lexec")"
row "lexec, 10 callers (calls/s)" "$(cat "$T/old.lexec10")" "$(cat "$T/new.lexec10")"
row "iperf3 pc1 -> pc2 (Gbit/s)" "$(cut -d' ' -f1 "$T/old.iperf")" "$(cut -d' ' -f1 "$T/new.iperf")"
row "iperf3 retransmits" "$(cut -d' ' -f2 "$T/old.iperf")" "$(cut -d' ' -f2 "$T/new.iperf")"
[ -z "$bigs" ] || printf '| lstart, %d hosts (s) | | %s | |\n' "$big" "$bigs"
echo
echo "medians of $rounds rounds (1 and 20), one run of 50; load average $load0 before," \
	"$(cut -d' ' -f1-3 /proc/loadavg) after ($(nproc) CPUs); $(since "$t_all") s in all"
