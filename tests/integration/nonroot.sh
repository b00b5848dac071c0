#!/bin/bash
# A lab end to end as a normal user created here (when run as root): the
# two-hosts example test and the attack tests (issue 11: a guest's root
# must not reach the host, whoever runs the lab), extra disks and lcommit
# (no root needed to make and register an image), run by that user from
# the same build tree. With arguments, those test scripts instead (nonroot.sh
# nat.sh; nonroot.sh vstart_boot.sh ...: the machine commands, -W refused on
# the system's image, /hosthome of a user's own home).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
[ "$(id -u)" = 0 ] || { echo "SKIP: already unprivileged; the other tests cover it" >&2; exit 77; }
command -v useradd >/dev/null || { echo "SKIP: no useradd" >&2; exit 77; }

user=umlabit$$
useradd -M -d "$T/home" -s /bin/bash "$user"
# Keep the status of the test for cleanup (which exits with it); errexit
# would end the trap at (exit $s) when the test failed, before cleanup.
trap 's=$?; set +e; userdel "$user" 2>/dev/null; (exit $s); cleanup' EXIT
install -d -o "$user" -m 700 "$T/home"

# A checkout under a private directory (/root, a 0700 home) is out of the
# user's reach: then run a copy of what the test needs from $T instead.
ubin=$BIN usrc=$SRC uhub=${UMLAB_HUB:-} ulaunch=$UMLAB_GUEST_LAUNCH unat=${UMLAB_NAT:-}
if ! runuser -u "$user" -- test -x "$BIN/umlab" -a -r "$SRC/tests/integration/lib.sh" \
	-a -r "$SRC/labs-examples/two-hosts/lab.yaml" -a -r "$ulaunch" \
	-a -r "$SRC/templates/umlab-mkfs" -a -x "${unat:-$BIN/umlab}"; then
	mkdir -p "$T/copy/bin" "$T/copy/src/tests"
	cp -a "$BIN/umlab" "$T/copy/bin/"
	for c in "$BIN"/[lv]*; do [ -L "$c" ] && cp -a "$c" "$T/copy/bin/"; done
	cp -a "$SRC/labs-examples" "$SRC/share" "$SRC/templates" "$T/copy/src/"
	cp -a "$SRC/tests/integration" "$T/copy/src/tests/"
	[ -z "$uhub" ] || { cp "$uhub" "$T/copy/bin/hub" && uhub=$T/copy/bin/hub; }
	[ -z "$unat" ] || { cp "$unat" "$T/copy/bin/umlab-nat" && unat=$T/copy/bin/umlab-nat; }
	ubin=$T/copy/bin usrc=$T/copy/src ulaunch=$T/copy/src/share/guest-launch
	chmod -R a+rX "$T/copy"
fi
tests=("example_lab.sh two-hosts" attack_plant.sh attack_hostwd.sh attack_hostcmd.sh
	attack_fifo.sh disks.sh commit.sh)
[ $# -eq 0 ] || tests=("$@")
for t in "${tests[@]}"; do
	# shellcheck disable=SC2086 # a script and its arguments
	runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$T/home" BIN="$ubin" SRC="$usrc" \
		UMLAB_FS_DIR="${UMLAB_FS_DIR:-}" UMLAB_HUB="$uhub" UMLAB_GUEST_LAUNCH="$ulaunch" \
		UMLAB_NAT="$unat" \
		bash "$usrc/tests/integration/"$t || fail "$t as $user"
done
# Zombies wait for init to reap them; they are not left-overs. A guest the
# test stopped may still be exiting (its command line already gone, shown
# as [linux.uml]): wait for that, bounded (10 s in 0.1 s steps).
for ((i = 0; i < 100; i++)); do
	left=$(ps -u "$user" -o pid=,stat=,args= | awk '$2 !~ /^Z/' || true)
	[ -n "$left" ] || break
	sleep 0.1
done
[ -z "$left" ] || fail "processes of $user left: $left"
echo PASS
