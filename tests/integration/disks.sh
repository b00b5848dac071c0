#!/bin/bash
# tests/integration/disks.sh: lab.yaml `disks:`. lstart makes the disks as
# sparse files in HOSTWD/NAME (the ext4 one formatted and labelled); the
# guest sees them as /dev/ubdb, /dev/ubdc; what it writes there survives
# lhalt and a new lstart; a disk grows when the lab asks for more and is
# never shrunk; a symlink planted at a disk's name is refused, its target
# untouched; lcrash -F keeps the disks, lcrash, lhalt -r and lclean remove
# them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
[ -x "$BIN/lexec" ] || fail "no lexec in $BIN"
# A copy: the test edits its lab.yaml.
lab=$T/lab
cp -r "$here/labs/disks" "$lab"
use_lab "$lab"
lx() { lexec -d "$lab" -w "$WD" "$@"; }
PATH=$PATH:/usr/sbin:/sbin # dumpe2fs
start() { lstart -d "$lab" -w "$WD" --headless --timeout 240 -q "$@"; }
b=$WD/pc1/pc1.ubdb.img c=$WD/pc1/pc1.ubdc.img

# Nothing is made before the first start, not even by --dry-run.
start --dry-run >"$T/plan" || fail "lstart --dry-run"
grep -q "ubd1d=/umlab/wd/pc1.ubdb.img" "$T/plan" || fail "no ubd1d= in the plan: $(cat "$T/plan")"
grep -q "ubd2d=/umlab/wd/pc1.ubdc.img" "$T/plan" || fail "no ubd2d= in the plan"
[ ! -e "$b" ] || fail "--dry-run made a disk"

start >/dev/null || fail "lstart"
[ "$(stat -c %s "$b")" = $((64 << 20)) ] || fail "ubdb is $(stat -c %s "$b") bytes"
[ "$(stat -c %s "$c")" = $((32 << 20)) ] || fail "ubdc is $(stat -c %s "$c") bytes"
# Sparse: the raw disk holds what the guest's mkfs wrote, far from 64 MiB.
[ "$(($(stat -c %b "$b") * 512))" -lt $((32 << 20)) ] || fail "ubdb is not sparse"
[ "$(stat -c %a "$b")" = 600 ] || fail "ubdb has mode $(stat -c %a "$b")"
dumpe2fs -h "$c" 2>/dev/null | grep -q "^Filesystem volume name: *data$" || fail "ubdc has no ext4 labelled data"
echo "ok: disks made, sparse, ubdc formatted with its label"

out=$(lx pc1 -- sh -c 'grep -E " ubd[bc]$" /proc/partitions') || fail "lexec /proc/partitions"
grep -Eq "65536 +ubdb$" <<<"$out" || fail "the guest's ubdb: $out"
grep -Eq "32768 +ubdc$" <<<"$out" || fail "the guest's ubdc: $out"
lx pc1 -- sh -c 'findmnt -n -o SOURCE /mnt/b; findmnt -n -o SOURCE /mnt/c' >"$T/mnt" || fail "findmnt"
[ "$(cat "$T/mnt")" = "$(printf '/dev/ubdb\n/dev/ubdc')" ] || fail "mounts: $(cat "$T/mnt")"
lx pc1 -- sh -c 'echo kept-b >/mnt/b/f && echo kept-c >/mnt/c/f' || fail "write to the disks"
echo "ok: the guest sees /dev/ubdb and /dev/ubdc, formatted and mounted by its startup"

lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
[ -f "$b" ] && [ -f "$c" ] || fail "lhalt removed a disk"
# The lab asks for more: the disk grows (its filesystem keeps its size).
sed -i 's/disks: \[64M,/disks: [96M,/' "$lab/lab.yaml"
start >/dev/null || fail "lstart after lhalt"
[ "$(stat -c %s "$b")" = $((96 << 20)) ] || fail "ubdb did not grow: $(stat -c %s "$b") bytes"
[ "$(lx pc1 -- cat /mnt/b/f /mnt/c/f)" = "$(printf 'kept-b\nkept-c')" ] || fail "data lost over lhalt"
lx pc1 -- sh -c 'grep -E " ubdb$" /proc/partitions' | grep -Eq "98304 +ubdb$" || fail "the guest's ubdb did not grow"
echo "ok: data kept over lhalt and lstart; ubdb grown to 96M"

# Never shrunk: lstart refuses the host and says how to discard the disk.
lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
sed -i 's/disks: \[96M,/disks: [48M,/' "$lab/lab.yaml"
if start >"$T/out" 2>&1; then fail "lstart shrank a disk"; fi
grep -q "pc1.ubdb.img is 96 MiB, larger than the 48 MiB" "$T/out" || fail "no message for a shrink: $(cat "$T/out")"
grep -q "lclean -d $lab pc1" "$T/out" || fail "no fix for a shrink: $(cat "$T/out")"
[ "$(stat -c %s "$b")" = $((96 << 20)) ] || fail "ubdb changed size"
sed -i 's/disks: \[48M,/disks: [96M,/' "$lab/lab.yaml"
echo "ok: a smaller size is refused"

# A symlink at a disk's name (a guest can plant one in its HOSTWD/NAME).
echo precious >"$T/victim"
mv "$b" "$T/b.saved"
ln -s "$T/victim" "$b"
if start >"$T/out" 2>&1; then fail "lstart used a symlinked disk"; fi
grep -q "pc1.ubdb.img is not a regular file" "$T/out" || fail "no message for a symlink: $(cat "$T/out")"
[ "$(cat "$T/victim")" = precious ] || fail "the symlink's target was changed"
rm "$b"
mv "$T/b.saved" "$b"
echo "ok: a symlink at a disk's name is refused"

start >/dev/null || fail "lstart"
lcrash -F -d "$lab" -w "$WD" >/dev/null || fail "lcrash -F"
[ -f "$b" ] && [ -f "$c" ] || fail "lcrash -F removed a disk"
start >/dev/null || fail "lstart after lcrash -F"
[ "$(lx pc1 -- cat /mnt/c/f)" = kept-c ] || fail "data lost over lcrash -F"
lcrash -d "$lab" -w "$WD" >/dev/null || fail "lcrash"
[ ! -e "$b" ] && [ ! -e "$c" ] || fail "lcrash kept a disk"
echo "ok: lcrash -F keeps the disks, lcrash removes them"

start >/dev/null || fail "lstart after lcrash"
[ "$(lx pc1 -- sh -c 'ls /mnt/b /mnt/c | grep -c "^f$"')" = 0 ] || fail "fresh disks are not empty"
lhalt -r -d "$lab" -w "$WD" >/dev/null || fail "lhalt -r"
[ ! -e "$b" ] && [ ! -e "$c" ] || fail "lhalt -r kept a disk"
start >/dev/null || fail "lstart after lhalt -r"
[ -f "$b" ] && [ -f "$c" ] || fail "no disks after lhalt -r and lstart"
lhalt -d "$lab" -w "$WD" >/dev/null || fail "lhalt"
lclean -d "$lab" -w "$WD" || fail "lclean"
[ ! -e "$b" ] && [ ! -e "$c" ] || fail "lclean kept a disk"
echo "ok: new disks after lcrash; lhalt -r and lclean remove them"
assert_nothing_left
echo PASS
