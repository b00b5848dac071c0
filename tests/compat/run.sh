#!/usr/bin/env bash
# tests/compat/run.sh: run a collection of Netkit/Kathará labs under umlab and
# give one verdict per lab.
#
# Usage: tests/compat/run.sh [options] DIR    (--help for the options)
#
# Every folder under DIR holding a lab.conf or a lab.yaml is a lab (the search
# does not descend into a lab, nor into hidden folders). For each lab, in
# order of its path:
#   1. linfo -d LAB                  (does it load? its warnings are recorded)
#   2. lstart -d LAB -w HOSTWD --headless --timeout S
#   3. its probes, if it has any: lines "HOST<TAB>COMMAND<TAB>REGEX", each run
#      as  lexec -d LAB -w HOSTWD HOST -- sh -c COMMAND  and retried for up to
#      --probe-timeout seconds (default 60) until a line of its output (stdout
#      and stderr) matches the extended regular expression REGEX (grep -E)
#   4. lhalt, then lclean (also from a trap: on Ctrl-C, TERM or any error,
#      every lab the run started is cleaned, nothing is left running)
# Probes come from the lab's own file umlab-probes (HOST<TAB>COMMAND<TAB>REGEX)
# and from --probes FILE, whose lines are LABPATH<TAB>HOST<TAB>COMMAND<TAB>REGEX
# with LABPATH relative to DIR (tests/compat/kathara-labs.probes is that file
# for the Kathará collection). A line whose HOST is SKIP (LABPATH<TAB>SKIP<TAB>
# REASON, or SKIP<TAB>REASON in umlab-probes) skips the lab with that reason,
# e.g. a lab that needs software Debian 12 does not ship. '#' starts a comment
# line; blank lines are ignored.
#
# Output on stdout: one line per lab, "PASS PATH", "FAIL PATH: REASON" or
# "SKIP PATH: REASON", then "N passed, N failed, N skipped". Progress goes to
# stderr (-q silences it). Exit status: 0 when no lab failed, 1 when one did,
# 2 for a bad command line or missing commands, 130 when interrupted.
#
# Isolation (as tests/integration/lib.sh does): a private UMLAB_RUNDIR and a
# private host working directory per lab, under one temporary directory that
# is removed at the end. The lab directories are only read (lstart writes
# nothing into them), so a collection can be run from a read-only checkout.
#
# Environment: BIN, the directory holding the l* commands (default: found in
# PATH, e.g. /usr/local/bin once installed); with a build tree's BIN the hub
# and guest-launch of that tree are used, as tests/integration/lib.sh does.
# UMLAB_* variables other than UMLAB_RUNDIR are passed to the commands as is.
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() {
	cat <<'EOF'
usage: tests/compat/run.sh [options] DIR
Start every lab under DIR (a folder with lab.conf or lab.yaml) with umlab, run
its probes, halt and clean it; print PASS/FAIL/SKIP per lab and a summary.

  --timeout S          per-guest boot timeout given to lstart (default 300)
  --jobs N             labs run at once (default 1; each boots many guests)
  --probes FILE        probes for the labs under DIR: LABPATH<TAB>HOST<TAB>COMMAND<TAB>REGEX
                       (LABPATH<TAB>SKIP<TAB>REASON skips a lab); may be repeated
  --probe-timeout S    how long each probe is retried until it matches (default 60)
  --match ERE          only the labs whose path (relative to DIR) matches ERE
  --lstart-arg ARG     an extra lstart argument, e.g. --lstart-arg=-p2 (repeatable)
  --logs DIR           keep per-lab logs (linfo, lstart, probes, consoles) in DIR
  --list               list the labs found and their probe counts; start nothing
  -q, --quiet          no progress on stderr, only the verdicts
  -h, --help           this help

A lab's own probes are in LAB/umlab-probes: HOST<TAB>COMMAND<TAB>REGEX per line,
each run as 'lexec -d LAB HOST -- sh -c COMMAND' until a line of its output
matches REGEX (grep -E). A lab without probes passes when every guest boots and
its startup scripts succeed.
Environment: BIN=DIR takes the commands from DIR (default: PATH).
Exit status: 0 no lab failed, 1 some lab failed, 2 usage, 130 interrupted.
EOF
}

die_usage() {
	echo "run.sh: $*" >&2
	echo "Try 'tests/compat/run.sh --help'." >&2
	exit 2
}

TIMEOUT=300 JOBS=1 PROBE_TIMEOUT=60 MATCH="" LOGS="" LIST=0 QUIET=0 DIR=""
PROBE_FILES=() LSTART_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || die_usage "--timeout needs a value"; TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	--jobs | -j) [ $# -ge 2 ] || die_usage "--jobs needs a value"; JOBS=$2; shift 2 ;;
	--jobs=*) JOBS=${1#*=}; shift ;;
	--probes) [ $# -ge 2 ] || die_usage "--probes needs a file"; PROBE_FILES+=("$2"); shift 2 ;;
	--probes=*) PROBE_FILES+=("${1#*=}"); shift ;;
	--probe-timeout) [ $# -ge 2 ] || die_usage "--probe-timeout needs a value"; PROBE_TIMEOUT=$2; shift 2 ;;
	--probe-timeout=*) PROBE_TIMEOUT=${1#*=}; shift ;;
	--match) [ $# -ge 2 ] || die_usage "--match needs a pattern"; MATCH=$2; shift 2 ;;
	--match=*) MATCH=${1#*=}; shift ;;
	--lstart-arg) [ $# -ge 2 ] || die_usage "--lstart-arg needs a value"; LSTART_ARGS+=("$2"); shift 2 ;;
	--lstart-arg=*) LSTART_ARGS+=("${1#*=}"); shift ;;
	--logs) [ $# -ge 2 ] || die_usage "--logs needs a directory"; LOGS=$2; shift 2 ;;
	--logs=*) LOGS=${1#*=}; shift ;;
	--list) LIST=1; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die_usage "unknown option: $1" ;;
	*) [ -z "$DIR" ] || die_usage "one DIR only (got '$DIR' and '$1')"; DIR=$1; shift ;;
	esac
done
if [ $# -gt 0 ]; then
	[ -z "$DIR" ] && [ $# -eq 1 ] || die_usage "one DIR only"
	DIR=$1
fi
[ -n "$DIR" ] || die_usage "no DIR given"
[ -d "$DIR" ] || die_usage "not a directory: $DIR"
for v in TIMEOUT JOBS PROBE_TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die_usage "${v,,} must be a positive integer, not '${!v}'"
done
for f in "${PROBE_FILES[@]}"; do
	[ -r "$f" ] || die_usage "cannot read probes file: $f"
done
DIR=$(cd "$DIR" && pwd)

# The commands: from BIN when given (a build tree or an install prefix's bin).
if [ -n "${BIN:-}" ]; then
	[ -d "$BIN" ] || die_usage "BIN is not a directory: $BIN"
	BIN=$(cd "$BIN" && pwd)
	export PATH="$BIN:$PATH"
	if [ -z "${UMLAB_HUB:-}" ] && [ -x "$BIN/../hub/hub" ]; then
		export UMLAB_HUB="$BIN/../hub/hub"
	fi
	if [ -z "${UMLAB_GUEST_LAUNCH:-}" ] && [ ! -e "$BIN/../libexec/umlab/guest-launch" ] &&
		[ -e "$SRC/share/guest-launch" ]; then
		export UMLAB_GUEST_LAUNCH="$SRC/share/guest-launch"
	fi
fi
if [ "$LIST" = 0 ]; then
	for c in linfo lstart lexec lhalt lclean; do
		command -v "$c" >/dev/null 2>&1 ||
			{ echo "run.sh: '$c' not found (set BIN= to the directory of the umlab commands)" >&2; exit 2; }
	done
fi

say() { [ "$QUIET" = 1 ] || echo "$*" >&2; }

# --- the labs --------------------------------------------------------------
LABS=()
while IFS= read -r -d '' d; do
	rel=${d#"$DIR"}
	rel=${rel#/}
	[ -n "$rel" ] || rel=.
	if [ -n "$MATCH" ] && ! [[ $rel =~ $MATCH ]]; then continue; fi
	LABS+=("$rel")
done < <(find "$DIR" \( -name '.*' ! -path "$DIR" -prune \) -o \
	-type d \( -exec test -e '{}/lab.conf' \; -o -exec test -e '{}/lab.yaml' \; \) -print0 -prune |
	sort -z)

# Probes of a lab, as HOST<TAB>COMMAND<TAB>REGEX lines (SKIP<TAB>REASON too).
probes_of() {
	local rel=$1 f line
	local own="$DIR/$rel/umlab-probes"
	[ "$rel" = . ] && own="$DIR/umlab-probes"
	if [ -f "$own" ]; then
		grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$own" || true
	fi
	for f in "${PROBE_FILES[@]}"; do
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line%$'\r'}
			case $line in '' | '#'*) continue ;; esac
			[ "${line%%$'\t'*}" = "$rel" ] || continue
			printf '%s\n' "${line#*$'\t'}"
		done <"$f"
	done
}

if [ "$LIST" = 1 ]; then
	for rel in "${LABS[@]}"; do
		p=$(probes_of "$rel")
		skip=$(grep -m1 "^SKIP"$'\t' <<<"$p" | cut -f2-)
		n=$(grep -c -v "^SKIP"$'\t' <<<"$p" | tr -d ' ')
		[ -n "$p" ] || n=0
		if [ -n "$skip" ]; then echo "$rel	skip: $skip"; else echo "$rel	$n probes"; fi
	done
	echo "${#LABS[@]} labs" >&2
	exit 0
fi
[ ${#LABS[@]} -gt 0 ] || { echo "run.sh: no lab (lab.conf or lab.yaml) under $DIR" >&2; echo "0 passed, 0 failed, 0 skipped"; exit 0; }

# --- private runtime, cleanup on any exit ------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/umlab-compat.XXXXXX") || exit 2
chmod 755 "$T"
export UMLAB_RUNDIR=$T/run
mkdir -p "$T/wd" "$T/res" "$UMLAB_RUNDIR"
: >"$T/started"
if [ -n "$LOGS" ]; then
	mkdir -p "$LOGS" || exit 2
	LOGS=$(cd "$LOGS" && pwd)
else
	LOGS=$T/logs
	mkdir -p "$LOGS"
fi
declare -A JOBPID=()
INTERRUPTED=0

# Clean every lab this run started (each line of $T/started: LABDIR<TAB>HOSTWD).
clean_all() {
	local lab wd
	while IFS=$'\t' read -r lab wd; do
		[ -n "$lab" ] || continue
		lclean -d "$lab" -w "$wd" >/dev/null 2>&1 || true
	done <"$T/started"
}

on_exit() {
	local rc=$? pid
	trap - EXIT INT TERM HUP
	{
		for pid in "${JOBPID[@]}"; do
			kill -TERM -- "-$pid" || kill -TERM "$pid" || true
		done
		for pid in "${JOBPID[@]}"; do
			wait "$pid" || true
		done
	} 2>/dev/null
	clean_all
	rm -rf "$T"
	[ "$INTERRUPTED" = 0 ] || rc=130
	exit "$rc"
}
on_signal() {
	INTERRUPTED=1
	say "run.sh: interrupted; cleaning every lab this run started"
	exit 130
}
trap on_exit EXIT
trap on_signal INT TERM HUP

# --- one lab ----------------------------------------------------------------
# One line, at most N characters, of a command's output (for a verdict).
oneline() {
	tr '\n\t' '  ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' | cut -c "1-${1:-200}"
}

# run_lab N REL: run one lab; writes its verdict line to $T/res/N.
run_lab() {
	local n=$1 rel=$2
	local lab="$DIR/$rel" wd="$T/wd/$n" log res="$T/res/$n.tmp" probes skip nprobes hosts warns limit rc
	log="$LOGS/${rel//\//_}"
	local name=$rel # what the verdict calls the lab
	[ "$rel" = . ] && lab=$DIR log=$LOGS/lab name=$DIR
	mkdir -p "$wd" "$log"
	verdict() { printf '%s\n' "$*" >"$res"; mv "$res" "$T/res/$n"; }

	probes=$(probes_of "$rel")
	skip=$(grep -m1 "^SKIP"$'\t' <<<"$probes" | cut -f2-)
	if [ -n "$skip" ]; then
		verdict "SKIP $name: $skip"
		return 0
	fi
	probes=$(grep -v "^SKIP"$'\t' <<<"$probes" || true)

	# 1. linfo: the lab must load; its warnings are kept.
	linfo -d "$lab" -w "$wd" >"$log/linfo.txt" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		verdict "FAIL $name: linfo: $(grep -v '^[[:space:]]*$' "$log/linfo.txt" | tail -n 2 | oneline)"
		return 0
	fi
	hosts=$(sed -n 's/^hosts (\([0-9]*\)).*/\1/p' "$log/linfo.txt" | head -n1)
	warns=$(sed -n 's/^warnings (\([0-9]*\)).*/\1/p' "$log/linfo.txt" | head -n1)
	hosts=${hosts:-0} warns=${warns:-0}
	sed -n '/^warnings (/,/^$/p' "$log/linfo.txt" | sed '1d;/^$/d;s/^  //' |
		sed "s|^|$rel\t|" >"$log/warnings.tsv"
	say "[$name] $hosts hosts, $warns linfo warnings; starting"

	# 2. lstart, bounded from outside too (guests boot in batches).
	printf '%s\t%s\n' "$lab" "$wd" >>"$T/started"
	limit=$((TIMEOUT * (2 + hosts / 8) + 120))
	timeout --foreground -k 30 "$limit" lstart -d "$lab" -w "$wd" --headless --timeout "$TIMEOUT" \
		"${LSTART_ARGS[@]}" >"$log/lstart.txt" 2>&1 </dev/null
	rc=$?
	if [ $rc -ne 0 ]; then
		local why
		if [ $rc -ge 124 ] && [ $rc -le 137 ] && [ $rc -ne 126 ]; then
			why="lstart did not finish in ${limit}s"
		else
			why=$(grep -E -i 'fail|error|timed? ?out|panic|not ready|exited' "$log/lstart.txt" |
				grep -v '^[[:space:]]*$' | head -n 3 | oneline 300)
			[ -n "$why" ] || why=$(grep -v '^[[:space:]]*$' "$log/lstart.txt" | tail -n 2 | oneline 300)
			why="lstart exited $rc: $why"
		fi
		finish_lab "$lab" "$wd" "$log"
		verdict "FAIL $name: $why"
		return 0
	fi

	# 3. probes.
	local host cmd re deadline output ok failed="" i=0
	nprobes=0
	[ -z "$probes" ] || nprobes=$(grep -c . <<<"$probes")
	while IFS=$'\t' read -r host cmd re; do
		[ -n "$host" ] || continue
		i=$((i + 1))
		if [ -z "$cmd" ] || [ -z "$re" ]; then
			failed="probe $i is not HOST<TAB>COMMAND<TAB>REGEX: '$host'"
			break
		fi
		deadline=$((SECONDS + PROBE_TIMEOUT))
		ok=0
		while :; do
			output=$(timeout --foreground -k 5 $((PROBE_TIMEOUT + 30)) lexec -d "$lab" -w "$wd" -n --timeout 30 \
				"$host" -- sh -c "$cmd" 2>&1 </dev/null)
			if grep -E -q -- "$re" <<<"$output"; then ok=1; break; fi
			[ $SECONDS -lt $deadline ] || break
			sleep 2
		done
		printf '### %s: %s\n### want /%s/: %s\n%s\n\n' "$host" "$cmd" "$re" \
			"$([ $ok = 1 ] && echo matched || echo 'NO MATCH')" "$output" >>"$log/probes.txt"
		if [ $ok = 0 ]; then
			failed="probe $host: '$cmd' never matched /$re/ in ${PROBE_TIMEOUT}s; last output: $(oneline 160 <<<"$output")"
			break
		fi
		say "[$name] ok $host: $cmd"
	done <<<"$probes"

	# 4. halt and clean; nothing may be left running.
	finish_lab "$lab" "$wd" "$log"
	if [ -n "$failed" ]; then
		verdict "FAIL $name: $failed"
	elif [ -s "$log/left.txt" ]; then
		verdict "FAIL $name: processes left after lclean: $(oneline 200 <"$log/left.txt")"
	else
		[ "$nprobes" -gt 0 ] || say "[$name] no probes: booted and ran its startup scripts only"
		verdict "PASS $name"
	fi
}

# finish_lab LAB HOSTWD LOGDIR: keep the consoles and startup logs, lhalt, lclean.
finish_lab() {
	local lab=$1 wd=$2 log=$3 f
	for f in "$wd"/*.console.log "$wd"/*.startup.log "$wd"/*.log; do
		[ -f "$f" ] && cp -p "$f" "$log/" 2>/dev/null
	done
	timeout --foreground -k 10 180 lhalt -d "$lab" -w "$wd" --wait 15 >"$log/lhalt.txt" 2>&1 </dev/null ||
		say "[$lab] lhalt failed (see $log/lhalt.txt); lclean follows"
	lclean -d "$lab" -w "$wd" >"$log/lclean.txt" 2>&1 </dev/null ||
		say "[$lab] lclean failed (see $log/lclean.txt)"
	pgrep -a -f -- "$wd/" >"$log/left.txt" 2>/dev/null || true
}

# --- the run ----------------------------------------------------------------
PASSED=0 FAILED=0 SKIPPED=0
# Print and count the verdicts of the labs that have finished.
collect() {
	local n line
	for n in "${!JOBPID[@]}"; do
		if [ ! -e "$T/res/$n" ] && kill -0 "${JOBPID[$n]}" 2>/dev/null; then continue; fi
		wait "${JOBPID[$n]}" 2>/dev/null
		if [ -e "$T/res/$n" ]; then
			line=$(cat "$T/res/$n")
		else
			line="FAIL ${LABS[$n]/#./$DIR}: the runner's job for this lab died"
		fi
		unset "JOBPID[$n]"
		echo "$line"
		case $line in PASS*) PASSED=$((PASSED + 1)) ;; SKIP*) SKIPPED=$((SKIPPED + 1)) ;; *) FAILED=$((FAILED + 1)) ;; esac
	done
}

set -m # each lab's job in its own process group, so a stop reaches all of it
for n in "${!LABS[@]}"; do
	while [ ${#JOBPID[@]} -ge "$JOBS" ]; do
		wait -n 2>/dev/null || true
		collect
	done
	(
		set +m
		trap - EXIT
		trap 'exit 143' TERM INT HUP
		run_lab "$n" "${LABS[$n]}"
	) </dev/null &
	JOBPID[$n]=$!
done
while [ ${#JOBPID[@]} -gt 0 ]; do
	wait -n 2>/dev/null || true
	collect
done
set +m

echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
