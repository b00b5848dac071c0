#!/bin/bash
# A lab end to end as a normal user created here (when run as root): the
# two-hosts example test, run by that user from the same build tree.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
[ "$(id -u)" = 0 ] || { echo "SKIP: already unprivileged; the other tests cover it" >&2; exit 77; }
command -v useradd >/dev/null || { echo "SKIP: no useradd" >&2; exit 77; }

user=umlabit$$
useradd -M -d "$T/home" -s /bin/bash "$user"
trap 'userdel "$user" 2>/dev/null || true; cleanup' EXIT
install -d -o "$user" -m 700 "$T/home"
runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$T/home" BIN="$BIN" SRC="$SRC" \
	UMLAB_FS_DIR="${UMLAB_FS_DIR:-}" UMLAB_HUB="${UMLAB_HUB:-}" \
	UMLAB_GUEST_LAUNCH="$UMLAB_GUEST_LAUNCH" \
	bash "$here/example_lab.sh" two-hosts || fail "two-hosts as $user"
# Zombies wait for init to reap them; they are not left-overs.
left=$(ps -u "$user" -o pid=,stat=,args= | awk '$2 !~ /^Z/' || true)
[ -z "$left" ] || fail "processes of $user left: $left"
echo PASS
