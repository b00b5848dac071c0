#!/usr/bin/env bash
# bench/hub.sh: the same workloads through `vde_switch --hub` and through
# umlab's hub, in one run, with ratios (a benchmark, not a test).
#
#   bench/hub.sh            uses $UMLAB_HUB, else build/hub/hub, else hub on PATH
#   FRAMES=200000 BURST=2000 REPS=3 bench/hub.sh
#
# Workloads, all with 64-byte frames from bench/hubload.c (libvdeplug):
#   rate   one sender and N-1 receivers (N = 2, 8, 32): delivered frames per
#          second (first send to last receive) and frames lost;
#   burst  2 clients, BURST frames sent in a tight loop, REPS*5 times: lost;
#   cpu    hub/switch CPU time (user+sys) per million delivered frames.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
hub=${UMLAB_HUB:-$here/build/hub/hub}
[ -x "$hub" ] || hub=$(command -v hub) || { echo "bench/hub.sh: no hub binary" >&2; exit 1; }
command -v vde_switch >/dev/null || { echo "bench/hub.sh: vde_switch (vde2) missing" >&2; exit 1; }
frames=${FRAMES:-200000}
burst=${BURST:-2000}
reps=${REPS:-3}

tmp=$(mktemp -d /tmp/hubbench.XXXXXX)
cleanup() {
	local p
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
declare -A pid
trap cleanup EXIT
cc -O2 -o "$tmp/hubload" "$here/bench/hubload.c" -lvdeplug -lpthread

# start IMPL: starts vde_switch --hub or our hub on $tmp/IMPL; sets pid[IMPL].
start() {
	local dir=$tmp/$1
	case $1 in
	vde_switch)
		vde_switch --hub -n 64 -s "$dir" -p "$tmp/$1.pid" -d
		# vde_switch -d gives no readiness signal: wait for its pid file and ctl.
		for _ in $(seq 100); do [ -S "$dir/ctl" ] && [ -s "$tmp/$1.pid" ] && break; sleep 0.05; done
		;;
	hub) "$hub" -d --pidfile "$tmp/$1.pid" "$dir" ;;
	esac
	pid[$1]=$(cat "$tmp/$1.pid")
}

# run IMPL RECEIVERS FRAMES: prints "delivered lost seconds cpu-ticks".
run() {
	local t0 t1 out
	t0=$(awk '{ print $14 + $15 }' "/proc/${pid[$1]}/stat")
	out=$("$tmp/hubload" "vde://$tmp/$1" "$2" "$3" 64)
	t1=$(awk '{ print $14 + $15 }' "/proc/${pid[$1]}/stat")
	set -- $out
	echo "$6 $8 ${10} $((t1 - t0))"
}

# Both servers run side by side and the workloads alternate between them,
# so that other load on the machine hits both alike.
start vde_switch
start hub
declare -A d l s c bl
for impl in vde_switch hub; do
	bl[$impl]=0
	for n in 2 8 32; do d[$impl,$n]=0 l[$impl,$n]=0 s[$impl,$n]=0 c[$impl,$n]=0; done
done
for _ in $(seq "$reps"); do
	for n in 2 8 32; do
		for impl in vde_switch hub; do
			read -r dd ll ss cc < <(run $impl $((n - 1)) "$frames")
			d[$impl,$n]=$((d[$impl,$n] + dd)) l[$impl,$n]=$((l[$impl,$n] + ll))
			c[$impl,$n]=$((c[$impl,$n] + cc))
			s[$impl,$n]=$(awk -v a="${s[$impl,$n]}" -v b="$ss" 'BEGIN { print a + b }')
		done
	done
	for _ in 1 2 3 4 5; do
		for impl in vde_switch hub; do
			read -r _ ll _ _ < <(run $impl 1 "$burst")
			bl[$impl]=$((bl[$impl] + ll))
		done
	done
done
kill "${pid[vde_switch]}" "${pid[hub]}"
pid=()

declare -A rate lost cpu
hz=$(getconf CLK_TCK)
for impl in vde_switch hub; do
	for n in 2 8 32; do
		rate[$impl,$n]=$(awk -v d="${d[$impl,$n]}" -v s="${s[$impl,$n]}" 'BEGIN { printf "%.0f", d / s }')
		lost[$impl,$n]=${l[$impl,$n]}
		cpu[$impl,$n]=$(awk -v c="${c[$impl,$n]}" -v d="${d[$impl,$n]}" -v hz="$hz" \
			'BEGIN { printf "%.0f", c / hz * 1000 / (d / 1e6) }')
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
printf '%-28s %14s %14s %8s\n' "workload (64-byte frames)" "vde_switch" "umlab hub" "ratio"
for n in 2 8 32; do
	printf '%-28s %14s %14s %8s\n' "frames/s, N=$n" "${rate[vde_switch,$n]}" "${rate[hub,$n]}" \
		"$(ratio "${rate[hub,$n]}" "${rate[vde_switch,$n]}")"
done
for n in 2 8 32; do
	printf '%-28s %14s %14s\n' "lost of $((frames * (n - 1) * reps)), N=$n" "${lost[vde_switch,$n]}" \
		"${lost[hub,$n]}"
done
printf '%-28s %14s %14s\n' "lost in $((reps * 5)) bursts of $burst" "${bl[vde_switch]}" "${bl[hub]}"
for n in 2 8 32; do
	printf '%-28s %14s %14s %8s\n' "CPU ms/Mframe, N=$n" "${cpu[vde_switch,$n]}" "${cpu[hub,$n]}" \
		"$(ratio "${cpu[hub,$n]}" "${cpu[vde_switch,$n]}")"
done
