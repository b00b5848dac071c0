#!/bin/bash
# tests/integration/attack_hostwd.sh: issue 11's recipe 6 (and the record of
# recipe 3), tried by pc1's root through its real hostfs mount: it must find
# no trace of pc2's COW disk, marker or logs nor of hostwd's own files (the
# record, console logs), and nothing it writes may reach them. What pc1
# writes to /hostwd lands in HOSTWD/pc1/, and /hostwd/shared is the one
# directory the lab's guests share.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
attack_setup

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
[ -f "$WD/pc2/pc2.disk" ] || fail "no COW file $WD/pc2/pc2.disk"
# pc2 writes its own disk while it runs: compare what pc1's write would wreck.
size=$(stat -c %s "$WD/pc2/pc2.disk")
ready=$(cat "$WD/pc2/pc2.ready")

# Everything the guest can name: its /hostwd, the sandbox's /umlab, and the
# host paths of hostwd through a hostfs mount of the sandbox's root.
rc=0
lx pc1 -- sh -c '
	wd='"$WD"'
	mkdir -p /r /u && mount -t hostfs none /r -o / && mount -t hostfs none /u -o /umlab
	for p in /hostwd/pc2.disk /hostwd/pc2.ready /hostwd/.umlab-instance \
		/hostwd/pc1.console.log /u/wd/../pc2 "/r$wd/pc2/pc2.disk" "/r$wd/.umlab-instance" \
		"/r$wd/pc2.console.log"; do
		if [ -e "$p" ]; then echo "visible: $p"; exit 9; fi
	done
	[ -f /hostwd/pc1.ready ] || { echo "own marker not visible"; exit 8; }
	echo planted >/hostwd/pc2.disk
	echo planted >/hostwd/pc2.ready
	echo host=victimsub >>/hostwd/.umlab-instance
	echo hello >/hostwd/shared/from-pc1
' >"$T/guest" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "pc1 reached what is not its own (exit $rc): $(cat "$T/guest")"
echo "ok: pc1 sees only its own part of hostwd"

[ "$(head -c 4 "$WD/pc2/pc2.disk")" = OOOM ] && [ "$(stat -c %s "$WD/pc2/pc2.disk")" -ge "$size" ] ||
	fail "pc1 overwrote pc2's COW file"
[ "$(cat "$WD/pc2/pc2.ready")" = "$ready" ] || fail "pc1 changed pc2's marker"
! grep -q victimsub "$WD/.umlab-instance" || fail "pc1 wrote hostwd's record"
[ "$(cat "$WD/pc1/pc2.disk")" = planted ] || fail "what pc1 writes to /hostwd is not in HOSTWD/pc1"
lx pc2 -- cat /hostwd/shared/from-pc1 | grep -q hello || fail "pc2 does not see /hostwd/shared"
echo "ok: pc2's files and the record untouched; /hostwd/shared is shared"

rm -f "$WD/pc1/pc2.disk" "$WD/pc1/pc2.ready" "$WD/pc1/.umlab-instance" "$WD/shared/from-pc1"
lclean -d "$lab" -w "$WD" >/dev/null || fail "lclean"
assert_nothing_left
[ ! -e "$WD" ] || [ -z "$(ls -A "$WD")" ] || fail "lclean left files in hostwd: $(ls -A "$WD")"
echo PASS
