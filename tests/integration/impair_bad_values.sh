#!/bin/bash
# tests/integration/impair_bad_values.sh: a lab.yaml domain with a bad
# impairment value (a delay that is no duration, a loss over 100 %, a rate
# that is no bit rate) makes lstart, with and without --dry-run, and linfo
# fail with exit status 1 and the value's file:line:column; lstart makes
# nothing. Boots nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# check VALUE COLUMN MESSAGE: the domain line "  A: { VALUE }" is line 3.
check() {
	local lab=$T/bad rc out
	rm -rf "$lab"
	mkdir -p "$lab"
	printf 'hosts: { pc1: [A], pc2: [A] }\ndomains:\n  A: { %s }\n' "$1" >"$lab/lab.yaml"
	for cmd in "lstart --headless" "lstart --headless --dry-run" linfo; do
		rc=0
		out=$($cmd -d "$lab" -w "$WD" 2>&1) || rc=$?
		[ "$rc" = 1 ] || fail "$cmd with '$1' exited $rc, not 1: $out"
		grep -qF "lab.yaml:3:$2: $3" <<<"$out" || fail "$cmd with '$1' said: $out (expected lab.yaml:3:$2: $3)"
	done
	echo "ok: $1: lab.yaml:3:$2: $3"
}

check "delay: fast" 15 "delay 'fast' is not a duration"
check "loss: 150%" 14 "loss '150%' is not a percentage"
check "rate: fast" 14 "rate 'fast'"
check "delay: 10ms, jitter: -1ms" 29 "jitter '-1ms'"
[ ! -e "$WD" ] || fail "lstart made $WD for a lab with a bad impairment"
[ ! -e "$UMLAB_RUNDIR" ] || [ -z "$(ls -A "$UMLAB_RUNDIR")" ] || fail "lstart made a runtime directory"
echo "ok: impair_bad_values"
