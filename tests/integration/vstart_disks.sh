#!/bin/bash
# tests/integration/vstart_disks.sh: vstart's filesystem, kernel and
# sharing options on real guests: -f (a new COW file in UML's format, kept
# across vhalt, refused while in use, removed by vcrash), -D, -W (refused on
# the system's image, allowed on one's own, exclusive with COW machines over
# it), the COW/model pairing, -m as a path, -l (a lab directory's startup
# files and overlay, read-only), --hosthome (read-only, read-write, umlab's
# state hidden), -M, -v, --append and -k.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image
. "$here/vstart_lib.sh"

# --- -f: a COW file of the user's choosing ---
cow=$T/disks/m1.cow
mkdir -p "$T/disks"
vstart m1 -f "$cow" -q || fail "vstart -f"
[ "$(head -c 4 "$cow")" = OOOM ] || fail "-f: $cow is no UML COW file"
mx m1 -- sh -c 'echo kept > /root/kept && sync' || fail "writing in m1"
[ "$(vfield m1 .cow)" = "$cow" ] || fail "vlist: cow $(vfield m1 .cow)"
[ ! -e "$(vfield m1 .hostwd)/m1.disk" ] || fail "-f: a COW file in hostwd too"
expect_err 1 "COW file $cow is in use by a running guest" vstart m2 -f "$cow"
vhalt m1 >/dev/null || fail "vhalt m1"
[ -f "$cow" ] || fail "vhalt removed the -f COW file"
vstart m1 -f "$cow" -q || fail "vstart -f again"
[ "$(mx m1 -- cat /root/kept)" = kept ] || fail "-f: the file written before vhalt is gone"
vcrash m1 >/dev/null || fail "vcrash m1"
[ ! -e "$cow" ] || fail "vcrash kept the -f COW file"
echo junk >"$T/disks/junk"
expect_err 1 "junk is too short to be a UML COW file" vstart m1 -f "$T/disks/junk"
head -c 8192 /dev/zero >"$T/disks/zeros"
expect_err 1 "zeros is not a UML COW file" vstart m1 -f "$T/disks/zeros"
[ "$(cat "$T/disks/junk")" = junk ] || fail "a refused -f file was changed"
echo "ok: -f"

# --- -D: the disk is gone once the machine runs, which works on ---
vstart m3 -D -q || fail "vstart -D"
[ ! -e "$(vfield m3 .hostwd)/m3.disk" ] || fail "-D: the COW file is still there"
mx m3 -- sh -c 'echo x > /root/x && sync && cat /root/x' >/dev/null || fail "-D: m3 cannot write"
vhalt m3 >/dev/null || fail "vhalt m3"
[ "$(vfield m3 .state)" = absent ] || fail "-D: m3 left a disk ($(vfield m3 .state))"
echo "ok: -D"

# --- -W, on one's own copy of the image; the COW/model pairing ---
img=$(vstart -p w0 | sed -n 's/.* --fs \([^ ]*\) .*/\1/p')
expect_err 1 "-W writes to the model filesystem itself, and $img is (the system's|not yours)" \
	vstart w0 -W
cp --sparse=always "$img" "$T/disks/own.img"
chmod 644 "$T/disks/own.img"
own=$T/disks/own.img
vstart c1 -m "$own" -q || fail "vstart -m PATH"
[ "$(vfield c1 .image)" = "$own" ] || fail "vlist: image $(vfield c1 .image)"
expect_err 1 "-W: $own is in use by a running guest" vstart w1 -W -m "$own"
vhalt c1 >/dev/null || fail "vhalt c1"
vstart w1 -W -m "$own" -q || fail "vstart -W on one's own image"
[ "$(vfield w1 .cow)" = null ] || fail "-W: a COW file $(vfield w1 .cow)"
mx w1 -- sh -c 'echo written > /root/in-the-model && sync' || fail "writing in w1"
expect_err 1 "model filesystem $own is in use read-write by a running machine" vstart c2 -m "$own"
expect_err 1 "in use by a running guest" vstart w2 -W -m "$own"
vhalt w1 >/dev/null || fail "vhalt w1"
# c1's disk was made over the image before -W changed it.
expect_err 1 "modified after .*c1.disk was made over it.*'vcrash c1' discards it" vstart c1 -m "$own"
expect_err 1 "was made over model filesystem .* 'vcrash c1'" vstart c1
vcrash c1 >/dev/null || fail "vcrash c1"
(cd "$T/disks" && vstart c1 -m own.img -q) || fail "vstart -m FILE in the current directory"
[ "$(vfield c1 .model_fs)" = "$own" ] || fail "-m own.img recorded as $(vfield c1 .model_fs)"
[ "$(mx c1 -- cat /root/in-the-model)" = written ] || fail "-W did not write to the model"
vcrash c1 >/dev/null
echo "ok: -W and the COW/model pairing"

# --- -l: a lab directory's files on /hostlab, read-only ---
mkdir -p "$T/lab/h1/etc"
echo overlay >"$T/lab/h1/etc/from-overlay"
echo 'echo startup > /root/from-startup' >"$T/lab/h1.startup"
vstart h1 -l "$T/lab" -q || fail "vstart -l"
[ "$(mx h1 -- cat /root/from-startup)" = startup ] || fail "-l: h1.startup did not run"
[ "$(mx h1 -- cat /etc/from-overlay)" = overlay ] || fail "-l: h1/ was not copied"
mx h1 -- touch /hostlab/planted 2>/dev/null && fail "-l: /hostlab is writable"
[ ! -e "$T/lab/planted" ] || fail "-l: the guest wrote into the lab directory"
[ "$(vfield h1 .hostlab)" = "$T/lab" ] || fail "vlist: hostlab $(vfield h1 .hostlab)"
vcrash h1 >/dev/null
echo "ok: -l"

# --- --hosthome: read-only by default, rw when asked, umlab's state hidden ---
echo mine >"$HOME/file"
vstart hh --hosthome -q || fail "vstart --hosthome"
[ "$(mx hh -- cat /hosthome/file)" = mine ] || fail "--hosthome: no /hosthome/file"
mx hh -- sh -c 'echo x > /hosthome/planted' 2>/dev/null && fail "--hosthome: writable"
[ ! -e "$HOME/planted" ] || fail "--hosthome: the guest wrote into the home directory"
vcrash hh >/dev/null
export XDG_STATE_HOME=$HOME/.local/state # umlab's state inside the home, as by default
ML=$XDG_STATE_HOME/umlab/machines/lab state=$XDG_STATE_HOME/umlab
vstart hw --hosthome=rw -q || fail "vstart --hosthome=rw"
mx hw -- sh -c 'echo from-guest > /hosthome/written' || fail "--hosthome=rw: not writable"
[ "$(cat "$HOME/written")" = from-guest ] || fail "--hosthome=rw: nothing in the home directory"
[ -z "$(mx hw -- ls -A /hosthome/.local/state/umlab)" ] || fail "--hosthome: umlab's state is visible"
mx hw -- sh -c 'echo x > /hosthome/.local/state/umlab/planted' 2>/dev/null
[ ! -e "$state/planted" ] || fail "--hosthome=rw: the guest wrote into umlab's state"
[ "$(vfield hw .hosthome)" = rw ] || fail "vlist: hosthome $(vfield hw .hosthome)"
printf 'VM_HOSTHOME=ro\n' >"$XDG_CONFIG_HOME/umlab/umlab.conf"
vstart hc -q || fail "vstart with VM_HOSTHOME=ro"
[ "$(vfield hc .hosthome)" = ro ] || fail "VM_HOSTHOME=ro: hosthome $(vfield hc .hosthome)"
vstart hn -H -q || fail "vstart -H"
[ "$(vfield hn .hosthome)" = null ] || fail "-H: hosthome $(vfield hn .hosthome)"
mx hn -- test -e /hosthome && fail "-H: /hosthome exists"
rm "$XDG_CONFIG_HOME/umlab/umlab.conf"
vcrash hw hc hn >/dev/null
echo "ok: --hosthome"

# --- -M, -v, --append, -k ---
kernel=$(readlink -f "$(command -v linux.uml)")
vstart k1 -M 96 -v --append=umlab.test=yes -k "$kernel" -q || fail "vstart -M -v --append -k"
kb=$(mx k1 -- sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
if [ "$kb" -le 48000 ] || [ "$kb" -gt 98304 ]; then fail "-M 96: MemTotal $kb kB"; fi
cmdline=$(mx k1 -- cat /proc/cmdline)
grep -q ' mem=96M ' <<<"$cmdline" || fail "-M: $cmdline"
grep -qw quiet <<<"$cmdline" && fail "-v: quiet on the command line: $cmdline"
grep -q ' umlab.test=yes' <<<"$cmdline" || fail "--append: $cmdline"
[ "$(vfield k1 .kernel)" = "$kernel" ] || fail "vlist: kernel $(vfield k1 .kernel)"
vlist k1 | grep "^Kernel:       $kernel$" >/dev/null || fail "vlist k1: $(vlist k1)"
vcrash k1 >/dev/null
echo "ok: -M, -v, --append, -k"

vclean --clean-all -q || fail "vclean --clean-all"
assert_nothing_left
echo PASS
