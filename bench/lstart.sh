#!/bin/bash
# bench/lstart.sh: time lstart against the floor, for N hosts, chain and star.
#
#   bench/lstart.sh [BIN [N...]]     (default: build/cmd, N = 1 5 20 50)
#
# For each N and topology: the floor (N bare guests: guest-launch with the
# same image, kernel and boot glue, no hubs, no tmux, started by a plain loop,
# waited for through their ready markers), then lstart of a generated lab
# (time to all ready), the memory per guest once ready (PSS, lstatus), and
# lhalt's time. Prints a Markdown table. Needs a model filesystem.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
BIN=${1:-$here/build/cmd}
shift || true
sizes=${*:-1 5 20 50}
export PATH="$BIN:$PATH"
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$here/share/guest-launch}
[ -n "${UMLAB_HUB:-}" ] || export UMLAB_HUB="$BIN/../hub/hub"
T=$(mktemp -d /tmp/umlab-bench.XXXXXX)
export UMLAB_RUNDIR=$T/run
trap 'for l in "$T"/lab-*; do [ -d "$l" ] && lclean -d "$l" -w "$T/wd-${l##*/lab-}" 2>/dev/null; done; rm -rf "$T"' EXIT

img=$(lstart -d "$here/labs-examples/two-hosts" -w "$T/probe" --dry-run 2>/dev/null |
	grep -o -- '--fs [^ ]*' | head -1 | cut -d' ' -f2)
[ -n "$img" ] || { echo "no model filesystem: build one with umlab-mkfs" >&2; exit 77; }
# The floor boots the kernel lstart boots (the runtime's default, or $UMLAB_KERNEL).
kernel=$(lstart -d "$here/labs-examples/two-hosts" -w "$T/probe" --dry-run 2>/dev/null |
	grep -o -- '--kernel [^ ]*' | head -1 | cut -d' ' -f2)
[ -n "$kernel" ] || { echo "no UML kernel found (lstart --dry-run names none)" >&2; exit 77; }

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }

# wait_markers WD N: until N ready markers exist (bounded).
wait_markers() {
	local wd=$1 n=$2 i
	for ((i = 0; i < 6000; i++)); do
		[ "$(ls "$wd"/*.ready 2>/dev/null | wc -l)" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# floor N: N bare guests started by a loop; prints seconds to all markers.
floor() {
	local n=$1 wd=$T/floor run=$T/floor-run i t0 pids=()
	rm -rf "$wd" "$run"
	mkdir -p "$wd" "$run/uml"
	t0=$(now)
	for ((i = 0; i < n; i++)); do
		"$UMLAB_GUEST_LAUNCH" --lab "$T" --wd "$wd" --run "$run" --fs "$img" --kernel "$kernel" -- \
			umid=f$i uml_dir="$run/uml" mem=64M ubd0="/umlab/wd/f$i.disk,/umlab/fs/${img##*/}" \
			root=/dev/ubda rw init=/usr/lib/umlab/init con=null con0=fd:0,fd:1 quiet \
			umlab.host=f$i umlab.lab=/umlab/lab umlab.wd=/umlab/wd </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	wait_markers "$wd" "$n" || echo "floor: markers missing" >&2
	since "$t0"
	kill -9 "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$wd" "$run"
}

echo "| N | topology | floor (s) | lstart (s) | ratio | memory/guest (MiB) | lhalt (s) |"
echo "|---|---|---|---|---|---|---|"
for n in $sizes; do
	for topo in chain star; do
		dir=$T/lab-$topo-$n wd=$T/wd-$topo-$n
		bench_lab "$n" "$topo" "$dir"
		f=$(floor "$n")
		t0=$(now)
		lstart -d "$dir" -w "$wd" --headless -q -p "$n" --timeout 600 >/dev/null || echo "lstart failed" >&2
		s=$(since "$t0")
		mem=$(lstatus -d "$dir" -w "$wd" --json | sed -n 's/.*"memory_kb": \([0-9]*\).*/\1/p' |
			awk -v n="$n" '{s += $1} END {printf "%.0f", s / n / 1024}')
		t0=$(now)
		lhalt -d "$dir" -w "$wd" >/dev/null
		h=$(since "$t0")
		lclean -d "$dir" -w "$wd"
		printf '| %d | %s | %.2f | %.2f | %.2f | %s | %.2f |\n' "$n" "$topo" "$f" "$s" \
			"$(awk -v a="$s" -v b="$f" 'BEGIN { print a / b }')" "$mem" "$h"
	done
done
