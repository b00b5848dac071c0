# tests/integration/lib.sh: shared set-up for the runtime's integration tests.
#
# Sourced by every test. Usage: lib.sh is sourced with BIN (the directory of
# the l* commands) and SRC (the source tree) in the environment, as CMake
# passes them. Gives each test a private runtime dir and hostwd under $T, a
# trap that runs lclean and removes $T, helpers to drive guest consoles, and
# checks that nothing of a lab is left behind.
set -euo pipefail

: "${BIN:?BIN must name the directory holding lstart}"
: "${SRC:?SRC must name the source tree}"
export PATH="$BIN:$PATH"
export UMLAB_GUEST_LAUNCH=${UMLAB_GUEST_LAUNCH:-$SRC/share/guest-launch}
[ -n "${UMLAB_HUB:-}" ] || { [ -x "$BIN/../hub/hub" ] && export UMLAB_HUB="$BIN/../hub/hub"; }

T=$(mktemp -d /tmp/umlab-it.XXXXXX)
chmod 755 "$T"
export UMLAB_RUNDIR=$T/run
WD=$T/wd
LABS=()

# Clean every lab the test started, then remove the scratch tree.
cleanup() {
	local rc=$?
	for l in "${LABS[@]}"; do
		lclean -d "$l" -w "$WD" >/dev/null 2>&1 || true
	done
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Remember a lab so the trap cleans it.
use_lab() {
	LABS+=("$1")
}

# Skip (77) when no model filesystem is installed: nothing can boot.
need_image() {
	local out
	if ! out=$(lstart -d "$SRC/labs-examples/two-hosts" -w "$WD" --dry-run 2>&1); then
		if grep -q "model filesystem" <<<"$out"; then
			echo "SKIP: no model filesystem ($out)" >&2
			exit 77
		fi
		fail "lstart --dry-run: $out"
	fi
}

# The instance dir RUNDIR/ID of a lab (from lstart --json or lstatus --json).
rundir_of() {
	lstatus -d "$1" -w "$WD" --json | sed -n 's/^  "rundir": "\(.*\)",$/\1/p'
}

# Wait (bounded, short interval: the last resort of the brief) for a file.
wait_file() {
	local f=$1 secs=${2:-60} i
	for ((i = 0; i < secs * 10; i++)); do
		[ -e "$f" ] && return 0
		sleep 0.1
	done
	return 1
}

N=0
# Run a command on a guest's console; its output lands in $OUT, status in $RC.
guest_run() {
	local lab=$1 host=$2 cmd=$3 secs=${4:-60} dir sock
	N=$((N + 1))
	dir=$(rundir_of "$lab")
	sock=$dir.h/tmux
	# The guest's /hostwd is its own HOSTWD/NAME.
	mkdir -p "$WD/$host/.it"
	rm -f "$WD/$host/.it/$N.out" "$WD/$host/.it/$N.rc"
	tmux -S "$sock" send-keys -t "=umlab:=$host" \
		"( $cmd ) > /hostwd/.it/$N.out 2>&1; echo \$? > /hostwd/.it/.$N.rc; mv /hostwd/.it/.$N.rc /hostwd/.it/$N.rc" Enter
	wait_file "$WD/$host/.it/$N.rc" "$secs" || fail "$host: '$cmd' did not finish in ${secs}s"
	OUT=$(cat "$WD/$host/.it/$N.out")
	RC=$(cat "$WD/$host/.it/$N.rc")
}

# Assert a command on a guest succeeds (retried in the guest for up to secs) and matches re.
guest_ok() {
	local lab=$1 host=$2 cmd=$3 re=${4:-} tries=${5:-1}
	guest_run "$lab" "$host" "for i in \$(seq $tries); do $cmd && break; sleep 1; done"
	[ "$RC" = 0 ] || fail "$host: '$cmd' exited $RC: $OUT"
	[ -z "$re" ] || grep -Eq -- "$re" <<<"$OUT" || fail "$host: '$cmd' printed no /$re/: $OUT"
	echo "ok: $host: $cmd"
}

# Nothing of the test's labs may remain: processes, sockets, tmux servers.
assert_nothing_left() {
	local left
	left=$(pgrep -a -f -- "$T/" || true)
	[ -z "$left" ] || fail "processes left: $left"
	if [ -d "$UMLAB_RUNDIR" ]; then
		left=$(find "$UMLAB_RUNDIR" -mindepth 1 \( -type s -o -type f \) || true)
		[ -z "$left" ] || fail "files left in the runtime dir: $left"
	fi
	echo "ok: nothing left"
}

# The state of a host in lstatus --json.
host_state() {
	lstatus -d "$1" -w "$WD" --json | tr -d '\n ' |
		grep -o "\"name\":\"$2\",\"state\":\"[a-z-]*\"" | sed 's/.*"state":"\(.*\)"/\1/'
}

# The pid of a host in lstatus --json.
host_pid() {
	lstatus -d "$1" -w "$WD" --json | tr -d '\n ' |
		grep -o "\"name\":\"$2\",\"state\":\"[a-z-]*\",\"pid\":[0-9]*" | sed 's/.*"pid"://'
}

# The attack tests' common start (attack_*.sh): the two-hosts example as
# $lab (cleaned by the trap), lx = lexec on it, and $V, a host directory of
# victims the guest must not reach.
attack_setup() {
	lab=$SRC/labs-examples/two-hosts
	use_lab "$lab"
	need_image
	V=$T/victim
	mkdir -p "$V"
}
lx() { lexec -d "$lab" -w "$WD" "$@"; }
