#!/bin/bash
# tests/integration/pause_resume.sh: lpause and lresume on a running
# two-host lab: a paused guest is "paused" in lstatus, answers no ping and
# refuses lexec at once; once resumed, its processes and files are as they
# were. lhalt of a paused guest powers it off gracefully, lcrash stops one,
# and neither leaves the pause file behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
lab=$T/lab
cp -r "$SRC/labs-examples/two-hosts" "$lab"
use_lab "$lab"
lx() { lexec -d "$lab" -w "$WD" "$@"; }
L=(-d "$lab" -w "$WD")

lstart "${L[@]}" --headless --timeout 240 -q >/dev/null || fail "lstart"
dir=$(rundir_of "$lab")

# State to keep: a background process and a file in pc2's /tmp.
lx pc2 -- sh -c 'sleep 100000 </dev/null >/dev/null 2>&1 & echo $! >/tmp/bg.pid' ||
	fail "starting the background process"
lx pc2 -- sh -c 'echo keep-me >/tmp/state' || fail "writing /tmp/state"
bg=$(lx pc2 -- cat /tmp/bg.pid) || fail "reading /tmp/bg.pid"
lx pc1 -- ping -c 1 -W 5 10.0.0.2 >/dev/null || fail "pc1 cannot ping pc2 before the pause"

# Pause: lstatus says so, text and JSON; a second lpause says so too.
out=$(lpause "${L[@]}" pc2) || fail "lpause pc2: $out"
grep -Eq '^pc2 +paused .* paused$' <<<"$out" || fail "lpause output: $out"
[ "$(host_state "$lab" pc2)" = paused ] || fail "lstatus --json: pc2 is $(host_state "$lab" pc2)"
[ "$(host_state "$lab" pc1)" = ready ] || fail "pc1 is $(host_state "$lab" pc1)"
lstatus "${L[@]}" | grep -Eq '^pc2 +paused ' || fail "lstatus text: $(lstatus "${L[@]}")"
[ -f "$dir.h/pids/guest-pc2.paused" ] || fail "no pause file"
out=$(lpause "${L[@]}" pc2) || fail "second lpause: $out"
grep -q "already paused" <<<"$out" || fail "second lpause output: $out"
lpause "${L[@]}" --json pc2 | grep -q '"state": "paused"' || fail "lpause --json"
echo "ok: pc2 paused, shown by lstatus"

# A frozen guest answers no ping.
rc=0
lx pc1 -- ping -c 3 -W 1 10.0.0.2 >"$T/ping" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "pc2 answered a ping while paused: $(cat "$T/ping")"
echo "ok: no ping reply while paused"

# lexec refuses at once: the bound is far below its --wait.
rc=0
timeout 60 lexec "${L[@]}" --wait 300 pc2 -- true 2>"$T/err" || rc=$?
[ "$rc" = 255 ] || fail "lexec on a paused host: status $rc: $(cat "$T/err")"
grep -q "pc2 is paused; resume it with: lresume pc2" "$T/err" ||
	fail "lexec message: $(cat "$T/err")"
echo "ok: lexec on a paused host fails with a clear error"

# Resume: same processes, same files, the network back.
out=$(lresume "${L[@]}" pc2) || fail "lresume pc2: $out"
grep -Eq '^pc2 +ready .* resumed$' <<<"$out" || fail "lresume output: $out"
[ "$(host_state "$lab" pc2)" = ready ] || fail "after lresume pc2 is $(host_state "$lab" pc2)"
[ ! -e "$dir.h/pids/guest-pc2.paused" ] || fail "pause file left after lresume"
lx pc1 -- sh -c 'for i in 1 2 3 4 5; do ping -c 1 -W 2 10.0.0.2 && exit 0; done; exit 1' \
	>"$T/ping" 2>&1 || fail "no ping after lresume: $(cat "$T/ping")"
lx pc2 -- kill -0 "$bg" || fail "background process $bg gone after the pause"
[ "$(lx pc2 -- cat /tmp/state)" = keep-me ] || fail "/tmp/state changed"
out=$(lresume "${L[@]}" pc2) || fail "second lresume: $out"
grep -q "was not paused" <<<"$out" || fail "second lresume output: $out"
echo "ok: resumed with its state kept"

# Errors name the host.
rc=0
lpause "${L[@]}" pc9 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "unknown host: status $rc"
grep -q "no host 'pc9'" "$T/err" || fail "unknown host message: $(cat "$T/err")"

# lhalt of a paused guest: resumed, then a real power-off; lcrash stops one too.
lpause "${L[@]}" -q || fail "lpause (all)"
[ "$(host_state "$lab" pc1)" = paused ] || fail "lpause without hosts left pc1 $(host_state "$lab" pc1)"
out=$(lhalt "${L[@]}" pc2) || fail "lhalt of paused pc2: $out"
grep -Eq '^pc2 +halted .* powered off$' <<<"$out" || fail "lhalt of paused pc2: $out"
[ ! -e "$dir.h/pids/guest-pc2.paused" ] || fail "pause file left after lhalt"
rc=0
lresume "${L[@]}" pc2 2>"$T/err" >/dev/null || rc=$?
[ "$rc" = 1 ] || fail "lresume of a halted host: status $rc"
grep -q "pc2 is not running (halted)" "$T/err" ||
	fail "lresume of a halted host: $(cat "$T/err")"
out=$(lcrash "${L[@]}" -F pc1) || fail "lcrash of paused pc1: $out"
grep -Eq '^pc1 +crashed ' <<<"$out" || fail "lcrash of paused pc1: $out"
echo "ok: lhalt and lcrash of paused hosts"

lclean "${L[@]}" >/dev/null || fail "lclean"
assert_nothing_left
echo "PASS: pause_resume"
