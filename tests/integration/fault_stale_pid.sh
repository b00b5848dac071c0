#!/bin/bash
# A pid file naming an unrelated live process (the pid was reused) is never
# acted on: lclean leaves that process alone. Boots nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$here/labs/faults
use_lab "$lab"

sleep 1000 &
victim=$!
dir=$(rundir_of "$lab")
mkdir -p "$dir.h/pids"
# stale_files: pid files naming $victim, as if its pid had been reused.
stale_files() {
	local start
	mkdir -p "$dir.h/pids"
	# Right pid, wrong start time.
	printf 'pid=%d\nstart=1\nmatch=%s\n' "$victim" "$dir" >"$dir.h/pids/guest-good"
	# Right pid and start time, but the command line is not one of ours.
	start=$(sed 's/.*) //' "/proc/$victim/stat" | cut -d' ' -f20)
	# Its match= line forged to name what its command line has: never trusted.
	printf 'pid=%d\nstart=%s\nmatch=%s\n' "$victim" "$start" 1000 >"$dir.h/pids/guest-bad"
	printf 'pid=%d\nstart=%s\nmatch=%s\n' "$victim" "$start" "$dir" >"$dir.h/pids/hub-A"
}
stale_files
[ "$(host_state "$lab" good)" = crashed ] || fail "a stale pid file should read as crashed"
lhalt -d "$lab" -w "$WD" >/dev/null
kill -0 "$victim" || fail "lhalt killed an unrelated process"
stale_files
lcrash -d "$lab" -w "$WD" >/dev/null
kill -0 "$victim" || fail "lcrash killed an unrelated process"
stale_files
lclean -d "$lab" -w "$WD" 2>"$T/err"
cat "$T/err"
kill -0 "$victim" || fail "lclean killed an unrelated process"
grep -q "not killed" "$T/err" || fail "lclean did not warn about the reused pid"
kill "$victim"
assert_nothing_left
echo PASS
