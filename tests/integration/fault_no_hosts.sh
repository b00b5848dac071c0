#!/bin/bash
# A lab that defines no hosts (here a binary lab.conf, every line ignored)
# is an error for lstart, with and without --dry-run, and for linfo: exit 1
# and a message that says so, and nothing made. Boots nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$T/empty
mkdir -p "$lab"
head -c 4096 /dev/urandom >"$lab/lab.conf"

for dry in "" --dry-run; do
	rc=0
	lstart -d "$lab" -w "$WD" --headless $dry >"$T/out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "lstart $dry of a lab without hosts exited $rc, not 1: $(cat "$T/out")"
	grep -q "has no hosts" "$T/out" || fail "lstart $dry did not say why: $(cat "$T/out")"
done
[ ! -e "$WD" ] || fail "lstart made $WD for a lab without hosts"
[ ! -e "$UMLAB_RUNDIR" ] || [ -z "$(ls -A "$UMLAB_RUNDIR")" ] || fail "lstart made a runtime directory"
rc=0
linfo -d "$lab" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "linfo of a lab without hosts exited $rc, not 1"
grep -q "no hosts" "$T/out" || fail "linfo did not say why: $(cat "$T/out")"
echo PASS
