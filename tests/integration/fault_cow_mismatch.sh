#!/bin/bash
# A model filesystem changed after COW files were made over it: lstart
# refuses before starting anything and says how to fix it. Boots nothing: the
# COW headers are written here as UML writes them (version 3, big-endian).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
lab=$here/labs/faults
use_lab "$lab"

export UMLAB_FS_DIR=$T/fs
mkdir -p "$UMLAB_FS_DIR" "$WD"
img=$UMLAB_FS_DIR/default-0123.img
head -c 1048576 /dev/zero >"$img"
ln -s default-0123.img "$UMLAB_FS_DIR/default.img"

# cow HOST BACKING MTIME SIZE: a COW header like the one UML writes.
cow() {
	mkdir -p "$WD/$1"
	perl -e 'print pack("NNNQ>NNNa4096", 0x4f4f4f4d, 3, $ARGV[1], $ARGV[2], 512, 512, 0,
		$ARGV[0])' "$2" "$3" "$4" >"$WD/$1/$1.disk"
}
size=$(stat -c %s "$img")
cow good /umlab/fs/default-0123.img "$(stat -c %Y "$img")" "$size"
lstart -d "$lab" -w "$WD" --dry-run good >/dev/null || fail "a matching COW file was refused"

touch -d '+1 minute' "$img"
if lstart -d "$lab" -w "$WD" --dry-run good >"$T/out" 2>&1; then
	fail "lstart accepted a COW file over a modified image"
fi
cat "$T/out"
grep -q "good:.*modified after.*good.disk" "$T/out" || fail "no 'modified' message"
grep -q "lclean -d $lab good" "$T/out" || fail "no fix in the message"

cow bad /umlab/fs/default-old.img "$(stat -c %Y "$img")" "$size"
if lstart -d "$lab" -w "$WD" --dry-run bad >"$T/out" 2>&1; then
	fail "lstart accepted a COW file over another image"
fi
grep -q "bad:.*made over model filesystem '/umlab/fs/default-old.img'" "$T/out" ||
	fail "no 'made over' message: $(cat "$T/out")"
echo PASS
