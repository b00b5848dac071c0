#!/bin/bash
# tests/integration/cli_every_command.sh: every command umlab lists answers
# --help (usage on stdout, status 0) and --version (name and version), has
# a man page and a bash completion entry. Boots nothing.
set -euo pipefail
: "${BIN:?}" "${SRC:?}"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
cmds=$("$BIN/umlab" --help | awk '/^  [a-z]/ { print $1 }')
[ "$(wc -w <<<"$cmds")" -ge 10 ] || fail "umlab --help lists only: $cmds"
for c in $cmds hub; do
	exe=$BIN/$c
	[ "$c" = hub ] && exe=${UMLAB_HUB:-$BIN/../hub/hub}
	[ -x "$exe" ] || fail "$c: no executable at $exe"
	out=$("$exe" --help) || fail "$c --help failed"
	grep -q "^usage: $c" <<<"$out" || fail "$c --help: no usage line: $out"
	out=$("$exe" --version) || fail "$c --version failed"
	grep -Eq "^$c .*[0-9]+\.[0-9]+" <<<"$out" || fail "$c --version: $out"
	ls "$SRC"/share/man/"$c".[1-8] >/dev/null 2>&1 || fail "$c: no man page in share/man"
	grep -q "\[$c\]=" "$SRC/share/completions/umlab.bash" || fail "$c: no completion entry"
	grep -Eq "^complete .*[ ]$c( |\$)|^	.*[ ]$c( |\$)" "$SRC/share/completions/umlab.bash" ||
		fail "$c: not registered with complete"
done
echo "ok: $(wc -w <<<"$cmds") commands and hub"
