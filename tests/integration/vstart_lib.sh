# shellcheck shell=bash
# tests/integration/vstart_lib.sh: what the machine command tests share,
# sourced after lib.sh: a private home, state, configuration and system
# file (nothing of the user's is read or touched), a trap that removes every
# machine (vclean --clean-all) before lib.sh's cleanup, and helpers.

export HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export UMLAB_SYSTEM_CONF=$T/system.conf
mkdir -p "$HOME" "$XDG_CONFIG_HOME/umlab"
unset DISPLAY WAYLAND_DISPLAY TMUX
# umlab.conf(5)'s variables of the caller would change the defaults.
for v in $(env | sed -n 's/^\(UMLAB_\(VM_[A-Z0-9_]*\|MIN_MEM\|MAX_MEM\|MAX_INTERFACES\|TERM_TYPE\|TMUX_OPEN_TERMS\|USE_TMUX\)\)=.*/\1/p'); do
	unset "$v"
done
state=$XDG_STATE_HOME/umlab
ML=$state/machines/lab # the machines instance's lab directory
# shellcheck disable=SC2154 # s is the trap's own
trap 's=$?; set +e; vclean --clean-all -q >/dev/null 2>&1; (exit $s); cleanup' EXIT

# expect_err STATUS REGEX CMD...: CMD exits STATUS with REGEX on stderr.
expect_err() {
	local want=$1 re=$2 out rc
	shift 2
	rc=0
	out=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, not $want: $out"
	grep -Eq -- "$re" <<<"$out" || fail "$*: no /$re/ in: $out"
	echo "ok: $* -> $want"
}

# mx MACHINE CMD...: run CMD in a machine (lexec on the machines instance).
mx() {
	lexec -d "$ML" "$@"
}

# A field of machine NAME in vlist --all --json (jq expression on the machine).
vfield() {
	vlist --all --json | jq -r --arg n "$1" ".machines[] | select(.name == \$n) | $2"
}

# Wait (bounded) until process pid has exited.
wait_gone() {
	local pid=$1 secs=${2:-60} i
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
