#!/bin/bash
# tests/integration/vstart_options.sh: the machine commands' options and
# their errors, without booting anything: vstart's usage errors, the
# defaults of umlab.conf(5) (files, precedence, Netkit names, errors with
# file:line), `vstart -p` plans (the exact guest-launch and kernel
# arguments each option gives, nothing created), and vhalt, vcrash,
# vlist, vconfig and vclean on no machines. The -p part needs the model
# filesystem and is skipped without one.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/vstart_lib.sh"

# --- vstart's usage errors (2) and refusals (1), nothing booted ---
expect_err 2 "which machine" vstart
expect_err 2 "one machine at a time" vstart a b
expect_err 2 "unknown option '--bogus'" vstart --bogus pc1
expect_err 2 "excludes -f" vstart -W -f x pc1
expect_err 2 "excludes -D" vstart -W -D pc1
expect_err 2 "pseudo-terminal would be inside its sandbox" vstart --con0=pty pc1
expect_err 2 "TCP port would be inside its sandbox" vstart --con0=port:4000 pc1
expect_err 2 "primary console cannot be disabled" vstart --con0=none pc1
expect_err 2 "one console, con0" vstart --con1=xterm pc1
expect_err 2 "con1 can only be none" vstart --con1=this pc1
expect_err 2 "unknown console mode" vstart --con0=bogus pc1
expect_err 2 "unknown terminal type 'wt'" vstart --xterm=wt pc1
expect_err 2 "working directory .* is its own" vstart -w /tmp pc1
expect_err 2 "takes ro or rw" vstart --hosthome=yes pc1
expect_err 2 "-M wants a number" vstart -M lots pc1
expect_err 2 "needs a terminal" vstart --con0=this pc1 </dev/null
expect_err 1 "no graphical session" vstart --con0=xterm pc1
expect_err 1 "no graphical session" vstart --tmux-attached pc1
DISPLAY=:99 expect_err 1 "'konsole' not found in PATH" vstart --con0=xterm --xterm=konsole pc1
expect_err 1 "not a machine name" vstart 'pc 1'
expect_err 1 "not a machine name" vstart shared
expect_err 1 "a tap domain is tap,TAP-ADDRESS,GUEST-ADDRESS" vstart --eth0=tap pc1
expect_err 1 "are not two hosts of one network" vstart --eth0=tap,10.0.0.1,192.168.9.2 pc1
expect_err 1 "collision domain 'a.b'" vstart --eth0=a.b pc1
expect_err 1 "collision domain '_a'" vstart --eth0=_a pc1
expect_err 1 "eth0 is missing: .*without gaps" vstart --eth1=A pc1
expect_err 1 "outside MIN_MEM..MAX_MEM" vstart -M 8 pc1
expect_err 1 "not a kernel argument" vstart --append='a b' pc1
expect_err 1 "printable ASCII on one line" vstart -e "$(printf 'a\nb')" pc1
expect_err 1 "kernel /nonexistent is not an executable" vstart -k /nonexistent pc1
expect_err 1 "COW file '$T/a b': no blanks" vstart -f "$T/a b" pc1
expect_err 1 "model filesystem 'x,y': no blanks" vstart -m x,y pc1
expect_err 1 "-l /nonexistent: not a directory" vstart -l /nonexistent pc1
expect_err 1 "guests would read umlab's own state" vstart -l "$T" pc1
mkdir -p "$XDG_STATE_HOME"
expect_err 1 "guests would read umlab.s own state" vstart -l "$XDG_STATE_HOME" pc1
[ -z "$(ls -A "$state/machines/vm" 2>/dev/null)" ] || fail "a refused vstart left a record"
[ ! -e "$state/machines/lab/lab.yaml" ] || fail "a refused vstart wrote lab.yaml"
rm -rf "$state"

# --- umlab.conf(5): precedence, Netkit names, errors ---
vstart -h >"$T/help" || fail "vstart -h"
grep -q '^usage: vstart' "$T/help" || fail "vstart -h: no usage"
grep -Eq '^  VM_MEMORY +128 +\(built-in\)' "$T/help" || fail "vstart -h: $(cat "$T/help")"
cat >"$UMLAB_SYSTEM_CONF" <<'EOF'
# the system's
VM_MEMORY=256
TERM_TYPE=xterm
EOF
cat >"$XDG_CONFIG_HOME/umlab/umlab.conf" <<'EOF'
VM_MEMORY="64"   # the user's wins
MAX_INTERFACES=4
USE_TMUX=TRUE
EOF
UMLAB_VM_CON1=none vstart -h >"$T/help" || fail "vstart -h with files"
grep -Eq "^  VM_MEMORY +64 +\($XDG_CONFIG_HOME/umlab/umlab.conf:1\)" "$T/help" ||
	fail "user file does not win: $(cat "$T/help")"
grep -Eq "^  TERM_TYPE +xterm +\($UMLAB_SYSTEM_CONF:3\)" "$T/help" || fail "system file: $(cat "$T/help")"
grep -Eq "^  VM_CON1 +none +\(\\\$UMLAB_VM_CON1\)" "$T/help" || fail "environment: $(cat "$T/help")"
grep -Eq "^  VM_CON0 +tmux +\($XDG_CONFIG_HOME/umlab/umlab.conf:3\)" "$T/help" || fail "USE_TMUX: $(cat "$T/help")"
UMLAB_VM_MEMORY=96 vstart -h | grep -E "^  VM_MEMORY +96 +\(\\\$UMLAB_VM_MEMORY\)" >/dev/null ||
	fail "the environment does not win over the files"
expect_err 1 "eth4: MAX_INTERFACES is 4" vstart --eth0=A --eth1=A --eth2=A --eth3=A --eth4=A pc1
conf=$XDG_CONFIG_HOME/umlab/umlab.conf
for bad in "MCONSOLE_DIR=/x|:1: MCONSOLE_DIR is a Netkit setting umlab does not apply" \
	"VM_MEMORY_SKEW=4|:1: VM_MEMORY_SKEW is a Netkit setting" \
	"USE_SUDO=yes|:1: USE_SUDO is a Netkit setting umlab does not apply: umlab never asks for root" \
	"VM_MEMROY=64|:1: unknown setting 'VM_MEMROY'" \
	"# c\nVM_KERNEL=\"\$NETKIT_HOME/kernel\"|:2: '\\$' in the value of VM_KERNEL" \
	"MIN_MEM=8|:1: MIN_MEM must be a number of MB from 16" \
	"VM_MEMORY=100\nMAX_MEM=64|VM_MEMORY=100 .* is outside MIN_MEM..MAX_MEM" \
	"VM_CON0=pty|:1: con0=pty: a guest's pseudo-terminal" \
	"VM_CON1=xterm|:1: con1=xterm: a umlab machine has one console" \
	"VM_HOSTHOME=yes|:1: VM_HOSTHOME must be no, ro or rw" \
	"VM_MEMORY 64|:1: expected KEY=VALUE" \
	"VM_MEMORY='64|:1: unterminated ' quote" \
	"VM_MEMORY=64 junk|:1: unexpected text after the value"; do
	printf '%b\n' "${bad%%|*}" >"$conf"
	expect_err 1 "${bad#*|}" vstart -p pc1
done
printf 'VM_MEMORY=64\n' >"$conf"
UMLAB_VM_MEMORY=abc expect_err 1 "\\\$UMLAB_VM_MEMORY: VM_MEMORY must be a number" vstart -p pc1
printf 'MCONSOLE_DIR=/x\n' >"$UMLAB_SYSTEM_CONF"
expect_err 1 "$UMLAB_SYSTEM_CONF:1: MCONSOLE_DIR" vstart -p pc1
rm -f "$UMLAB_SYSTEM_CONF" "$conf"

# --- the other commands, with no machines ---
expect_err 2 "which machines" vhalt
expect_err 2 "which machines" vcrash
expect_err 1 "no machine 'pc9'" vhalt pc9
expect_err 1 "no machine 'pc9'" vcrash -F pc9
expect_err 2 "-u nobody: other users' machines" vhalt -u nobody pc1
expect_err 2 "-u nobody: other users' machines" vlist -u nobody
expect_err 2 "which interface" vconfig pc1
expect_err 2 "one machine, by name" vconfig --eth1=B
expect_err 2 "taking an interface out of a running machine is not supported" vconfig --eth1= pc1
expect_err 1 "no machine 'pc1'" vconfig --eth1=B pc1
expect_err 2 "no arguments but options" vclean pc1
out=$(vlist) || fail "vlist with no machines"
grep -q "Total machines: 0 running" <<<"$out" || fail "vlist: $out"
[ -z "$(vlist -n)" ] || fail "vlist -n printed: $(vlist -n)"
vlist --json | jq -e '.machines == []' >/dev/null || fail "vlist --json: $(vlist --json)"
out=$(vlist -u - 2>&1 >/dev/null) || fail "vlist -u -"
grep -q "your own machines only" <<<"$out" || fail "vlist -u -: $out"
vlist -u "$(id -un)" >/dev/null || fail "vlist -u $(id -un)"
vclean --test -K -f >/dev/null || fail "vclean --test with no machines"
vclean -T -v 2>&1 | grep "the NAT of the tap domain stops with its machines" >/dev/null ||
	fail "vclean -T: $(vclean -T -v 2>&1)"

# --- vstart -p: the exact commands, nothing created (needs the image) ---
rm -rf "$state" # what vconfig and vclean made for their lock
if ! out=$(vstart -p pc1 --eth0=A 2>&1); then
	grep -q "model filesystem" <<<"$out" || fail "vstart -p: $out"
	echo "SKIP (rest): no model filesystem: $out"
	exit 0
fi
[ ! -e "$state" ] || fail "vstart -p created $state"
[ ! -e "$UMLAB_RUNDIR" ] || fail "vstart -p created $UMLAB_RUNDIR"
grep -q '^# step 1: hub A$' <<<"$out" || fail "vstart -p: no hub step: $out"
grep -q "^# step 2: guest pc1, after step 1$" <<<"$out" || fail "vstart -p: $out"
grep -q -- "--lab $state/machines/lab " <<<"$out" || fail "vstart -p: not the machines instance: $out"
grep -q ' mem=128M ' <<<"$out" || fail "vstart -p: default memory: $out"
grep -q ' ubd0=/umlab/wd/pc1.disk,/umlab/fs/' <<<"$out" || fail "vstart -p: COW: $out"
grep -q ' quiet ' <<<"$out" || fail "vstart -p: quiet: $out"
# eth0 on A, by whichever transport the kernel has (vde, or the vector driver).
grep -Eq ' (eth0=vde,|vec0:transport=)[^ ]*/hub/A[,/]' <<<"$out" || fail "vstart -p: eth0 on A: $out"
# plan PATTERNS ARGS: vstart -p ARGS pc1 prints every pattern (grep -E) of
# PATTERNS, which are separated by @@.
plan() {
	local args=("${@:2}") p pats=()
	out=$(vstart -p "${args[@]}" pc1 2>&1) || fail "vstart -p ${args[*]}: $out"
	p=$1
	while [[ $p == *@@* ]]; do
		pats+=("${p%%@@*}")
		p=${p#*@@}
	done
	pats+=("$p")
	for p in "${pats[@]}"; do
		grep -Eq -- "$p" <<<"$out" || fail "vstart -p ${args[*]}: no /$p/ in: $out"
	done
	echo "ok: vstart -p ${args[*]}"
}
plan ' mem=96M ' -M 96
plan ' mem=200M ' --mem=200M
plan ' (eth0=vde,|vec0:transport=)[^ ]*/hub/A[,/].* (eth1=vde,|vec1:transport=)[^ ]*/hub/B[,/]' --eth0=A --eth1=B
plan ' loglevel=3 foo=bar ' --append=loglevel=3 --append foo=bar
plan 'con1=null umlab' -v
plan "--kernel $(readlink -f "$(command -v linux.uml)")" -k "$(command -v linux.uml)"
plan "--cow $T/pc1.cow .*ubd0=/umlab/cow/disk,/umlab/fs/@@^# make COW file $T/pc1.cow over " -f "$T/pc1.cow"
plan "--home $HOME --hide $state " --hosthome
plan "--home-rw $HOME --hide $state " --hosthome=rw
plan "--lab $SRC/labs-examples/two-hosts " -l "$SRC/labs-examples/two-hosts"
img=$(vstart -p pc1 | sed -n 's/.* --fs \([^ ]*\) .*/\1/p')
plan "--fs $img " -m "$img"
plan "--fs $img " -m default
expect_err 1 "-W writes to the model filesystem itself, and $img is the system's|is not yours" vstart -p -W pc1
[ ! -e "$T/pc1.cow" ] || fail "vstart -p -f made the COW file"
vstart -p --con0=this pc1 </dev/null >/dev/null || fail "vstart -p --con0=this without a terminal"
[ ! -e "$state" ] || fail "vstart -p created $state"
echo PASS
