#!/bin/bash
# A host whose startup script fails: lstart exits non-zero, names the host,
# says which script failed with which status and shows its startup log.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$here/labs/faults
use_lab "$lab"
need_image

if lstart -d "$lab" -w "$WD" --headless --timeout 120 bad good >"$T/out" 2>"$T/err"; then
	fail "lstart succeeded with a failing startup script"
fi
cat "$T/out" "$T/err"
grep -q "^bad .*startup-failed.*bad.startup exited with status 3" "$T/out" || fail "no verdict for bad"
grep -q "^good .*ready" "$T/out" || fail "good is not ready"
grep -q "about to fail on purpose" "$T/err" || fail "the startup log tail is missing"
[ "$(host_state "$lab" bad)" = startup-failed ] || fail "lstatus does not say startup-failed"
# The others keep running (no --abort-on-failure).
[ "$(host_state "$lab" good)" = ready ] || fail "good was stopped"
lclean -d "$lab" -w "$WD"
assert_nothing_left
echo PASS
