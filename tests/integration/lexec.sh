#!/bin/bash
# tests/integration/lexec.sh: lexec against a running two-host lab: stdout
# and stderr kept apart, exit statuses 0/1/127 as lexec's own, a few MB of
# stdin streamed in (checksummed), --timeout, 10 concurrent calls on two
# hosts, lexec working with the guest's network down, and the errors for an
# unknown host and a halted one.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$SRC/labs-examples/two-hosts
use_lab "$lab"
need_image
[ -x "$BIN/lexec" ] || fail "no lexec in $BIN"
lx() { lexec -d "$lab" -w "$WD" "$@"; }

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"

# stdout and stderr apart, status as our own.
rc=0
lx pc1 -- sh -c 'echo to-out; echo to-err >&2; exit 3' >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "exit status $rc, wanted 3"
[ "$(cat "$T/out")" = to-out ] || fail "stdout: $(cat "$T/out")"
[ "$(cat "$T/err")" = to-err ] || fail "stderr: $(cat "$T/err")"
echo "ok: stdout/stderr separate, status 3"
lx pc1 -- true || fail "true exited $?"
rc=0; lx pc1 -- false || rc=$?
[ "$rc" = 1 ] || fail "false: $rc"
rc=0; lx pc1 -- no-such-command-here 2>"$T/err" || rc=$?
[ "$rc" = 127 ] || fail "missing command: $rc"
grep -q "no-such-command-here" "$T/err" || fail "no message for a missing command: $(cat "$T/err")"
out=$(lx pc2 -- hostname) || fail "lexec pc2 hostname exited $?"
[ "$out" = pc2 ] || fail "hostname of pc2: $out"
echo "ok: statuses 0, 1, 127"

# A few MB of stdin, and back out: tar c | lexec tar x, then a checksum.
head -c 3000000 /dev/urandom >"$T/blob"
want=$(sha256sum <"$T/blob" | cut -d' ' -f1)
got=$(lx pc1 -- sha256sum <"$T/blob" | cut -d' ' -f1) || fail "lexec sha256sum exited $?"
[ "$got" = "$want" ] || fail "stdin streaming: checksum $got, wanted $want"
tar -C "$T" -cf - blob | lx pc2 -- tar -xf - -C /tmp || fail "tar push"
lx pc2 -- tar -C /tmp -cf - blob >"$T/pull.tar" 2>"$T/err" || fail "tar pull: lexec exited $?: $(cat "$T/err")"
got=$(tar -xOf "$T/pull.tar" blob | sha256sum | cut -d' ' -f1) || fail "tar pull: bad archive"
[ "$got" = "$want" ] || fail "tar pull: checksum $got"
echo "ok: 3 MB streamed in and pulled back"

# --timeout kills the command and says so.
rc=0
lx --timeout 1 pc1 -- sleep 30 2>"$T/err" || rc=$?
[ "$rc" = 124 ] || fail "timeout: status $rc"
grep -q "timed out" "$T/err" || fail "timeout message: $(cat "$T/err")"
echo "ok: --timeout"

# 10 concurrent calls on two hosts, each with its own output.
pids=()
for i in $(seq 10); do
	h=pc$((i % 2 + 1))
	lx "$h" -- sh -c "sleep 1; echo $i \$(hostname)" >"$T/par.$i" 2>&1 &
	pids+=($!)
done
for i in $(seq 10); do
	wait "${pids[$((i - 1))]}" || fail "concurrent call $i failed: $(cat "$T/par.$i")"
	[ "$(cat "$T/par.$i")" = "$i pc$((i % 2 + 1))" ] || fail "call $i printed $(cat "$T/par.$i")"
done
echo "ok: 10 concurrent calls"

# Out of band: with every interface down, lexec still answers.
lx pc1 -- ip link set eth0 down || fail "ip link down"
out=$(lx pc1 -- cat /sys/class/net/eth0/operstate) || fail "lexec with eth0 down exited $?"
[ "$out" = down ] || fail "eth0 not down: $out"
lx pc1 -- ip link set eth0 up || fail "ip link up"
echo "ok: works with the guest's network down"

# Errors: unknown host, halted host.
rc=0
lx pc9 -- true 2>"$T/err" || rc=$?
[ "$rc" = 255 ] || fail "unknown host: status $rc"
grep -q "no host 'pc9'" "$T/err" || fail "unknown host message: $(cat "$T/err")"
lhalt -d "$lab" -w "$WD" pc2 >/dev/null || fail "lhalt pc2"
rc=0
lx pc2 -- true 2>"$T/err" || rc=$?
[ "$rc" = 255 ] || fail "halted host: status $rc"
grep -q "pc2 is not running (halted)" "$T/err" || fail "halted host message: $(cat "$T/err")"
echo "ok: unknown and halted hosts"

lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
assert_nothing_left
echo "PASS: lexec"
