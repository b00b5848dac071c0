#!/bin/bash
# tests/compat/compat_lab.sh LAB: start the in-house compatibility lab
# tests/compat/labs/LAB headless, run its probes from inside the guests, halt
# and clean it, and check that nothing of it is left.
#
# Probes are the lab's umlab-probes file (the format tests/compat/run.sh
# reads): HOST<TAB>COMMAND<TAB>REGEX per line, '#' comments and blank lines
# ignored. Each probe runs as  lexec -d LAB -w WD -n HOST -- sh -c COMMAND  and
# is retried (every 2 s, for up to PROBE_WAIT seconds, default 90) until its
# output, stdout and stderr together, matches the extended regular expression
# REGEX. Probes run in file order, so a probe may rely on the ones before it
# (a negative check after the positive one that shows convergence).
# A line "SKIP<TAB>REASON" skips the lab (exit 77).
#
# Environment: BIN and SRC, as for tests/integration (lib.sh: private
# UMLAB_RUNDIR and hostwd, trap lclean, exit 77 without a model filesystem).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${SRC:=$(cd "$here/../.." && pwd)}"
. "$SRC/tests/integration/lib.sh"
name=${1:?usage: compat_lab.sh LAB}
lab=$here/labs/$name
probes=$lab/umlab-probes
wait_s=${PROBE_WAIT:-90}
[ -f "$lab/lab.conf" ] || fail "no lab $lab"
[ -f "$probes" ] || fail "no probes in $probes"
[ -x "$BIN/lexec" ] || fail "no lexec in $BIN"
use_lab "$lab"
need_image

skip=$(sed -n 's/^SKIP\t//p' "$probes" | head -n1)
if [ -n "$skip" ]; then
	echo "SKIP: $name: $skip" >&2
	exit 77
fi

# Tail of a host's startup log and console, for a failure's context.
show_host() {
	local h=$1 f
	for f in "$WD/$h.startup.log" "$WD/$h.console.log"; do
		[ -f "$f" ] || continue
		echo "--- last lines of ${f##*/}:" >&2
		tail -n 25 "$f" >&2
	done
}

if ! lstart -d "$lab" -w "$WD" --headless --timeout 240 >"$T/lstart.out" 2>&1; then
	cat "$T/lstart.out" >&2
	for f in "$WD"/*.ready; do
		[ -f "$f" ] || continue
		grep -q '^status=ready' "$f" && continue
		h=${f##*/}
		show_host "${h%.ready}"
	done
	fail "lstart $name"
fi
echo "ok: lstart $name"

n=0
while IFS=$'\t' read -r host cmd re extra || [ -n "$host" ]; do
	case $host in '' | '#'*) continue ;; esac
	n=$((n + 1))
	if [ -z "$cmd" ] || [ -z "$re" ] || [ -n "$extra" ]; then
		fail "$probes: probe $n is not HOST<TAB>COMMAND<TAB>REGEX"
	fi
	deadline=$((SECONDS + wait_s))
	tries=0
	while :; do
		tries=$((tries + 1))
		out=$(lexec -d "$lab" -w "$WD" -n --timeout 30 "$host" -- sh -c "$cmd" 2>&1) && rc=0 || rc=$?
		grep -Eq -- "$re" <<<"$out" && break
		if [ $SECONDS -ge $deadline ]; then
			echo "probe $n on $host: $cmd" >&2
			echo "wanted /$re/ within ${wait_s}s ($tries tries); last output (status $rc):" >&2
			printf '%s\n' "$out" >&2
			show_host "$host"
			fail "$name: probe $n on $host never matched"
		fi
		sleep 2
	done
	echo "ok: $host: $cmd  (/$re/, try $tries)"
done <"$probes"
[ "$n" -gt 0 ] || fail "$probes has no probes"

lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
lclean -d "$lab" -w "$WD" || fail "lclean"
assert_nothing_left
echo "PASS: $name ($n probes)"
