#!/bin/bash
# tests/integration/ltest_engine.sh: ltest on its own test lab
# (tests/integration/labs/ltest): passing tests with suite and per-test
# setup/teardown, a convergence test that needs three attempts, deliberate
# failures (status, regex, timeout, never converging) with their JUnit
# failure elements and output, the Netkit signature flow (record, compare,
# mismatch, rebuild), artefacts, and halt + clean at the end.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ltest_lib.sh"
lab=$SRC/tests/integration/labs/ltest
use_lab "$lab"
need_image
need_lexec
R=$T/results
L=(-d "$lab" -w "$WD" --results "$R")

# 1. The passing tests; the lab stays up for the next steps.
ltest "${L[@]}" --keep --no-signature --only 'ok-*' --junit "$T/ok.xml" --json >"$T/ok.json" ||
	fail "ltest of the passing tests exited $?"
junit_check "$T/ok.xml" 6 0
[ "$(json_eval "$T/ok.json" 'd["ok"], d["tests"], d["failed"]')" = "(True, 6, 0)" ] ||
	fail "JSON summary: $(cat "$T/ok.json")"
[ "$(json_eval "$T/ok.json" '[c["attempts"] for c in d["cases"] if c["name"].startswith("ok-conv")][0]')" = 3 ] ||
	fail "the convergence test did not take three attempts"
[ "$(json_eval "$T/ok.json" '[c["stderr"] for c in d["cases"]][0]')" = to-stderr ] ||
	fail "stderr was not kept apart"
cmp -s "$T/ok.xml" "$R/junit.xml" || fail "results/junit.xml differs from --junit"
[ -s "$R/hosts/pc1.console.log" ] && [ -s "$R/hosts/pc1.startup.log" ] ||
	fail "artefacts missing: $(ls -R "$R")"
[ "$(host_state "$lab" pc1)" = ready ] || fail "--keep did not keep pc1 running"
echo "ok: passing tests, JUnit, JSON, artefacts, --keep"

# 2. Deliberate failures on the running lab: exit 1, a failure element each.
rc=0
ltest "${L[@]}" --no-start --no-signature --only 'bad-*' --junit "$T/bad.xml" >"$T/bad.out" || rc=$?
[ "$rc" = 1 ] || fail "failing tests: exit $rc, expected 1: $(cat "$T/bad.out")"
junit_check "$T/bad.xml" 4 4
junit_failure_has "$T/bad.xml" bad-status-with-output "exit status 3, expected 0"
junit_failure_has "$T/bad.xml" bad-status-with-output "marker-output-<&>"
junit_failure_has "$T/bad.xml" bad-regex "stdout does not match /oranges/"
junit_failure_has "$T/bad.xml" bad-times-out "timed out"
junit_failure_has "$T/bad.xml" bad-never-converges "attempts"
grep -q 'FAIL  bad-regex' "$T/bad.out" || fail "no live FAIL line: $(cat "$T/bad.out")"
grep -q '| marker-output-<&>' "$T/bad.out" || fail "no output under the failure"
grep -q '2 failed\|4 failed' "$T/bad.out" || fail "no summary line"
echo "ok: failures reported (exit 1, JUnit failure elements with output)"

# 3. Netkit signature flow: record, compare, mismatch, rebuild.
S=$T/sig
ltest "${L[@]}" --no-start --only none --signature-dir "$S" >"$T/s1.out" || fail "first signature run: $(cat "$T/s1.out")"
grep -q "signature recorded in $S" "$T/s1.out" || fail "no 'signature recorded': $(cat "$T/s1.out")"
grep -q '^hostname: pc1$' "$S/pc1.user" || fail "pc1.user: $(cat "$S/pc1.user")"
grep -q '10.0.0.1/24' "$S/pc1.default" || fail "pc1.default: $(cat "$S/pc1.default")"
cmp -s "$S/pc1.user" "$R/_test/results/pc1.user" || fail "results/_test/results/pc1.user"
ltest "${L[@]}" --no-start --only none --signature-dir "$S" >"$T/s2.out" || fail "comparing with the signature: $(cat "$T/s2.out")"
grep -q "compared with the signature" "$T/s2.out" || fail "no comparison: $(cat "$T/s2.out")"
echo "hostname: somebody-else" >"$S/pc1.user"
rc=0
ltest "${L[@]}" --no-start --only none --signature-dir "$S" --junit "$T/s3.xml" >"$T/s3.out" || rc=$?
[ "$rc" = 1 ] || fail "a signature mismatch exited $rc"
junit_failure_has "$T/s3.xml" "_test pc1.user" "differs from the signature"
ltest "${L[@]}" --no-start --only none --signature-dir "$S" --rebuild-signature >/dev/null || fail "--rebuild-signature"
grep -q '^hostname: pc1$' "$S/pc1.user" || fail "the rebuilt signature is wrong"
echo "ok: signature recorded, compared, mismatch detected, rebuilt"

# 3a. strongSwan-style assertions (BRE patterns, YES/NO/count) on the guest.
cat >"$T/evaltest.dat" <<'X'
# host::command::pattern::hit
pc1::ip -4 addr show dev eth0::inet 10\.0\.0\.1/24::YES
pc1::echo a; echo b; echo a::^a$::2
pc1::echo 'hello (world)'::bye::NO
pc1::echo 'hello (world)'::o (w::YES
X
ltest "${L[@]}" --no-start --no-signature --only 'evaltest*' --assertions "$T/evaltest.dat" \
	--json >"$T/ev.json" || fail "assertion file run: $(cat "$T/ev.json")"
[ "$(json_eval "$T/ev.json" 'd["tests"], d["failed"]')" = "(4, 0)" ] || fail "assertions: $(cat "$T/ev.json")"
echo "pc1::echo a::b::YES" >"$T/bad.dat"
rc=0
ltest "${L[@]}" --no-start --no-signature --only 'bad.dat*' --assertions "$T/bad.dat" -q >/dev/null || rc=$?
[ "$rc" = 1 ] || fail "a failing assertion exited $rc"
echo "ok: strongSwan-style assertion files"

# 3b. lrestart: a plain reboot resumes the COW file, --clean boots pristine.
lrestart -d "$lab" -w "$WD" -q pc1 || fail "lrestart"
grep -q '^first_boot=0' "$WD/pc1/pc1.ready" || fail "lrestart: not resumed from the COW file"
lrestart -d "$lab" -w "$WD" -q --clean pc1 || fail "lrestart --clean"
grep -q '^first_boot=1' "$WD/pc1/pc1.ready" || fail "lrestart --clean: not a first boot"
[ "$(host_state "$lab" pc1)" = ready ] || fail "pc1 is not ready after lrestart"
echo "ok: lrestart and lrestart --clean"

# 4. Without --keep the lab is halted (shutdown log collected) and cleaned.
ltest "${L[@]}" --reuse --no-signature --only 'ok-stdout*' -q >/dev/null || fail "last run"
[ -e "$R/hosts/pc1.shutdown.log" ] || fail "no shutdown log collected: $(ls "$R/hosts")"
assert_nothing_left
[ ! -e "$WD/pc1/pc1.disk" ] || fail "the COW file was not cleaned"
echo "PASS: ltest engine"
