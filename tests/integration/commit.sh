#!/bin/bash
# tests/integration/commit.sh: lcommit. A host of one lab is configured (a
# file in /etc, a user account), halted and made into model filesystem
# umlab-it-commit; a host of another lab with `fs: umlab-it-commit` boots
# from it: it has the file and the account, and it had a first boot of its
# own (its own host name, its lab's overlay tree). The new image is a
# consistent ext4 filesystem without the first-boot mark, registered in
# $UMLAB_FS_DIR, found by umlab-mkfs --print-path. Refused, registering
# nothing: a running host, one never started, one not shut down cleanly
# (lcrash -F), an existing name (then --force), 'default', an unknown host.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
[ -x "$BIN/lexec" ] || fail "no lexec in $BIN"
src=$here/labs/commit-src dst=$here/labs/commit-dst
use_lab "$src"
use_lab "$dst"
# Images go to the test's own directory, not the user's.
export UMLAB_FS_DIR=$T/fs
PATH=$PATH:/usr/sbin:/sbin
start() { lstart -d "$1" -w "$WD" --headless --timeout 240 -q "${@:2}"; }
commit() { lcommit -d "$src" -w "$WD" "$@"; }
refused() { # refused RE ARGS...: lcommit fails saying RE, and registers nothing new
	local re=$1 before
	shift
	before=$(ls -A "$T/fs" 2>/dev/null || true)
	if commit "$@" >"$T/out" 2>&1; then fail "lcommit $* succeeded"; fi
	grep -Eq -- "$re" "$T/out" || fail "lcommit $*: no /$re/ in: $(cat "$T/out")"
	[ "$(ls -A "$T/fs" 2>/dev/null | grep -v '^\.lock$' || true)" = "$(grep -v '^\.lock$' <<<"$before" || true)" ] ||
		fail "lcommit $* left files: $(ls -A "$T/fs")"
	echo "ok: refused: lcommit $*"
}

refused "teacher has no COW file" teacher umlab-it-commit
refused "no host 'nobody'" nobody umlab-it-commit
refused "'default' is umlab-mkfs's own image" teacher default
refused "not a model filesystem name" teacher "bad name"

start "$src" >/dev/null || fail "lstart $src"
lexec -d "$src" -w "$WD" teacher -- sh -c \
	'echo "configured by the teacher" >/etc/motd-umlab && useradd -m -s /bin/bash student' ||
	fail "configuring teacher"
refused "teacher is running: 'lhalt -d $src teacher' first" teacher umlab-it-commit

# other: crashed with its COW file kept: its filesystem was never unmounted.
lexec -d "$src" -w "$WD" other -- sh -c 'echo unsynced >/etc/unsynced' || fail "writing on other"
lcrash -F -d "$src" -w "$WD" other >/dev/null || fail "lcrash -F other"
refused "other was not shut down cleanly" other umlab-it-commit

lhalt -d "$src" -w "$WD" teacher >/dev/null || fail "lhalt teacher"
img=$(commit -q teacher umlab-it-commit) || fail "lcommit teacher: $img"
[ "$img" = "$(readlink -f "$T/fs/umlab-it-commit.img")" ] || fail "umlab-it-commit.img does not point at $img"
[[ ${img##*/} =~ ^umlab-it-commit-[0-9a-f]{12}\.img$ ]] || fail "image name ${img##*/}"
[ "$(stat -c %a "$img")" = 444 ] || fail "the image is writable: $(stat -c %a "$img")"
[ "$("$SRC/templates/umlab-mkfs" --print-path --name umlab-it-commit)" = "$img" ] ||
	fail "umlab-mkfs --print-path does not find it"
e2fsck -fn "$img" >"$T/fsck" 2>&1 || fail "the image is not a clean ext4 filesystem: $(cat "$T/fsck")"
[ "$(debugfs -R 'cat /etc/motd-umlab' "$img" 2>/dev/null)" = "configured by the teacher" ] ||
	fail "/etc/motd-umlab is not in the image"
debugfs -R 'stat /etc/umlab/configured' "$img" 2>&1 | grep -q "File not found" ||
	fail "the first-boot mark is still in the image"
echo "ok: lcommit made $img"

start "$dst" >/dev/null || fail "lstart $dst (fs: umlab-it-commit)"
lexec -d "$dst" -w "$WD" pc9 -- sh -c \
	'cat /etc/motd-umlab; id -un student; hostname; cat /etc/hostname /etc/from-overlay /etc/umlab/configured' \
	>"$T/seen" || fail "lexec pc9"
printf '%s\n' "configured by the teacher" student pc9 pc9 "from the overlay of commit-dst" pc9 |
	diff - "$T/seen" || fail "pc9 does not see the teacher's configuration, or had no first boot"
echo "ok: a host with fs: umlab-it-commit boots the teacher's configuration, as a first boot"

# The name exists now: refused, then replaced with --force; the old file stays.
refused "model filesystem 'umlab-it-commit' exists" teacher umlab-it-commit
img2=$(commit -q --force teacher umlab-it-commit) || fail "lcommit --force: $img2"
[ "$img2" != "$img" ] && [ -f "$img" ] || fail "--force replaced the old image file"
[ "$(readlink -f "$T/fs/umlab-it-commit.img")" = "$img2" ] || fail "--force did not repoint the name"
echo "ok: --force makes a new image and keeps the old one"

for l in "$dst" "$src"; do
	lhalt -d "$l" -w "$WD" >/dev/null || fail "lhalt $l"
	lclean -d "$l" -w "$WD" || fail "lclean $l"
done
assert_nothing_left
echo PASS
