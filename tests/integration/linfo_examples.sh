#!/usr/bin/env bash
# linfo must describe every example lab correctly, in all three forms, without
# leaking: the text listing names every host; --json parses, follows
# share/doc/linfo-json.md and agrees with what each example is known to
# contain (hosts, waves, formats, memory, hostwd and rundir derived by FNV-1a
# exactly as the brief says); --dot is a graph that Graphviz accepts; valgrind
# finds no leak or error. Load errors must come out as DIR/FILE:LINE:COL on
# stderr with exit status 1. Boots nothing.
#
# usage: linfo_examples.sh BINDIR EXAMPLESDIR   (BINDIR holds the linfo symlink)
set -euo pipefail

bindir=$1
examples=$2
linfo=$bindir/linfo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# A private state and runtime directory: linfo only computes paths, but the
# test must not depend on the caller's environment.
export XDG_STATE_HOME=$tmp/state
export UMLAB_RUNDIR=$tmp/run
unset XDG_RUNTIME_DIR

command -v dot >/dev/null || { echo "graphviz (dot) is missing" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }
[ -x "$linfo" ] || { echo "no linfo at $linfo" >&2; exit 1; }

# What each example must contain; checked against linfo --json.
check_json() { # LABDIR JSONFILE
	python3 - "$1" "$2" "$XDG_STATE_HOME" "$UMLAB_RUNDIR" <<'EOF'
import json, os, re, sys

labdir, path, state, rundir = sys.argv[1:5]
doc = json.load(open(path))
name = os.path.basename(labdir)
problems = []

def check(cond, what):
    if not cond:
        problems.append(what)

def fnv12(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return '%012x' % (h & 0xFFFFFFFFFFFF)

check(doc['schema'] == 1 and doc['ok'] is True, 'schema 1 and ok')
check(doc['errors'] == [], 'no errors')
lab = doc['lab']
check(lab['dir'] == os.path.realpath(labdir), 'lab.dir is the absolute lab directory')
hosts = {h['name']: h for h in doc['hosts']}
check(len(hosts) == len(doc['hosts']) > 0, 'distinct hosts')

# hostwd and rundir, recomputed from the rules in the brief
want_wd = '%s/umlab/labs/%s-%s' % (state, lab['name'], fnv12(lab['dir'].encode()))
check(doc['hostwd'] == want_wd, 'hostwd %s, want %s' % (doc['hostwd'], want_wd))
want_run = '%s/%s' % (rundir, fnv12(lab['dir'].encode() + b'\0' + want_wd.encode()))
check(doc['rundir'] == want_run, 'rundir %s, want %s' % (doc['rundir'], want_run))

# every interface is a member of its domain, and nothing else is
members = {}
for h in doc['hosts']:
    check(h['memory_mb'] >= 16, '%s memory' % h['name'])
    for i, f in enumerate(h['interfaces']):
        check(f['name'] == 'eth%d' % i, '%s interfaces in order without gaps' % h['name'])
        check(re.fullmatch(r'[0-9a-f]{2}(:[0-9a-f]{2}){5}', f['mac']) is not None, 'mac format')
        check(int(f['mac'][:2], 16) & 3 == 2, '%s %s mac locally administered unicast' % (h['name'], f['name']))
        members.setdefault(f['domain'], []).append('%s:%s' % (h['name'], f['name']))
check({d['name']: d['members'] for d in doc['domains']} == members, 'domain members')
macs = [f['mac'] for h in doc['hosts'] for f in h['interfaces']]
check(len(set(macs)) == len(macs), 'distinct macs')

# waves: a partition of the hosts that respects depends
wave_of = {}
for w, names in enumerate(doc['waves']):
    for n in names:
        wave_of[n] = w
check(sorted(wave_of) == sorted(hosts), 'waves hold every host once')
for h in doc['hosts']:
    check(h['wave'] == wave_of.get(h['name']), '%s wave field' % h['name'])
    for d in h['depends']:
        check(wave_of[d] < wave_of[h['name']], '%s starts after %s' % (h['name'], d))

def waves():
    return [sorted(w) for w in doc['waves']]

expect = {
    'two-hosts': lambda: (
        check(sorted(hosts) == ['pc1', 'pc2'], 'hosts')
        or check(members == {'A': ['pc1:eth0', 'pc2:eth0']}, 'domain A')
        or check(waves() == [['pc1', 'pc2']], 'one wave')),
    'static-routing': lambda: (
        check(waves() == [['r1', 'r2'], ['pc1', 'pc2']], 'waves %s' % waves())
        or check([d['capture'] for d in doc['domains'] if d['name'] == 'B'] == [True], 'B captured')
        or check(hosts['r1']['startup'] == 'r1.startup', 'r1.startup')),
    'netkit-legacy': lambda: (
        check(lab['format'] == 'conf' and lab['has_dep_file'], 'lab.conf + lab.dep')
        or check(lab['author'] == 'umlab examples' and lab['version'] == '1.0', 'LAB_* metadata')
        or check(hosts['router']['memory_mb'] == 96, 'router[mem]=96')
        or check([o['honoured'] for o in hosts['router']['options'] if o['key'] == 'mem'] == [True], 'mem honoured')
        or check(hosts['router']['overlay'] == 'router', 'router/ overlay')
        or check(lab['shared_startup'] == 'shared.startup', 'shared.startup')
        or check(waves() == [['router'], ['pc1', 'pc2']], 'waves %s' % waves())
        or check(doc['warnings'] == [], 'no warnings: %s' % doc['warnings'])),
    'rip-frr': lambda: check(len(hosts) == 5 and hosts['r2']['overlay'] == 'r2', 'rip hosts'),
    'ospf-frr': lambda: check(len(hosts['r1']['interfaces']) == 3 and len(doc['domains']) == 5, 'triangle'),
    'bgp-frr': lambda: check(hosts['r1']['memory_mb'] == 128 and hosts['pc1']['memory_mb'] == 64, 'memory'),
}
if name in expect:
    expect[name]()
if lab['format'] == 'yaml':
    check(len(doc['tests']) > 0, 'a tests: section')
    for t in doc['tests']:
        check(t['on'] in hosts if not t['local'] else t['on'] is None,
              'test %s runs on a host of the lab, or locally' % t['name'])

for p in problems:
    print('%s: %s' % (name, p))
sys.exit(1 if problems else 0)
EOF
}

vg() { # valgrind's verdict on one linfo run
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$@"
}

n=0
for lab in "$examples"/*/; do
	lab=${lab%/}
	name=$(basename "$lab")
	n=$((n + 1))
	echo "== $name"

	if ! "$linfo" -d "$lab" >"$tmp/out.txt" 2>"$tmp/err.txt"; then
		fail "$name: linfo exited $?: $(cat "$tmp/err.txt")"
		continue
	fi
	grep -q "^lab  *$name\$" "$tmp/out.txt" || fail "$name: no 'lab $name' line"

	"$linfo" -d "$lab" --json >"$tmp/out.json" || fail "$name: linfo --json failed"
	python3 -m json.tool "$tmp/out.json" >/dev/null || fail "$name: --json is not JSON"
	check_json "$lab" "$tmp/out.json" || fail "$name: --json does not match the lab"
	for h in $(python3 -c 'import json,sys; print(" ".join(h["name"] for h in json.load(open(sys.argv[1]))["hosts"]))' "$tmp/out.json"); do
		grep -q "^  $h  [0-9]* MB\$" "$tmp/out.txt" || fail "$name: host $h missing from the listing"
	done

	"$linfo" -d "$lab" --dot >"$tmp/out.dot" || fail "$name: linfo --dot failed"
	dot -Tsvg "$tmp/out.dot" >"$tmp/out.svg" || fail "$name: dot rejects the graph"
	grep -q '<svg' "$tmp/out.svg" || fail "$name: no svg from dot"
	grep -q 'label="eth0"' "$tmp/out.dot" || fail "$name: no eth0 edge label"

	for mode in "" --json --dot; do
		vg "$linfo" -d "$lab" $mode >/dev/null 2>"$tmp/vg.txt" ||
			fail "$name: valgrind linfo $mode: $(cat "$tmp/vg.txt")"
	done
done
[ "$n" -ge 6 ] || fail "only $n example labs"

echo "== load errors"
mkdir -p "$tmp/broken"
printf 'name: broken\nhosts:\n  pc1: { interfacs: [A] }\n' >"$tmp/broken/lab.yaml"
rc=0
"$linfo" -d "$tmp/broken" >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
[ "$rc" -eq 1 ] || fail "broken lab: exit $rc, want 1"
grep -Eq "^linfo: $tmp/broken/lab.yaml:3:[0-9]+: .*interfacs" "$tmp/err.txt" ||
	fail "broken lab: no DIR/lab.yaml:3:COL: message on stderr: $(cat "$tmp/err.txt")"
[ ! -s "$tmp/out.txt" ] || fail "broken lab: text on stdout"
rc=0
"$linfo" -d "$tmp/broken" --json >"$tmp/out.json" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "broken lab --json: exit $rc, want 1"
python3 - "$tmp/out.json" <<'EOF' || fail "broken lab --json: bad error document"
import json, sys
doc = json.load(open(sys.argv[1]))
e = doc['errors'][0]
assert doc['ok'] is False and e['file'] == 'lab.yaml' and e['line'] == 3 and e['col'] > 0, doc
assert 'interfacs' in e['message'] and e['code'] == 'unknown-key', e
EOF
rc=0
vg "$linfo" -d "$tmp/broken" >/dev/null 2>"$tmp/vg.txt" || rc=$?
[ "$rc" -eq 1 ] || fail "valgrind on a broken lab: exit $rc: $(cat "$tmp/vg.txt")"
rc=0
"$linfo" -d "$tmp/nowhere" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "missing lab directory: exit $rc, want 1"

echo "== options and paths"
lab=$examples/two-hosts
rc=0
"$linfo" -d "$lab" --json --dot >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "--json --dot: exit $rc, want 2"
rc=0
"$linfo" --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "--bogus: exit $rc, want 2"
"$linfo" --help | grep -q -- '--json' || fail "--help does not list --json"

# -w is made absolute lexically and keys a different instance ID.
hostwd_of() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["hostwd"], d["rundir"])'; }
read -r wd1 run1 < <(cd "$tmp" && "$linfo" -d "$lab" -w ./x/../wd --json | hostwd_of)
[ "$wd1" = "$tmp/wd" ] || fail "-w ./x/../wd gave hostwd $wd1, want $tmp/wd"
read -r wd2 run2 < <("$linfo" -d "$lab" --json | hostwd_of)
[ "$run1" != "$run2" ] || fail "-w did not change the instance ID"
read -r wd3 run3 < <("$linfo" -d "$lab" --json | hostwd_of)
[ "$wd2 $run2" = "$wd3 $run3" ] || fail "hostwd and rundir are not stable across runs"
"$linfo" -d "$lab" | grep -q "^hostwd  *$wd2\$" || fail "the listing does not show hostwd $wd2"

for w in "/a//b/./c/..:/a/b" "/..:/" "/a/b/../../..:/" "/x/:/x"; do
	read -r got _ < <("$linfo" -d "$lab" -w "${w%%:*}" --json | hostwd_of)
	[ "$got" = "${w#*:}" ] || fail "-w ${w%%:*} gave hostwd $got, want ${w#*:}"
done
# XDG_STATE_HOME must be absolute to count (XDG base directory spec).
read -r got _ < <(XDG_STATE_HOME=relative HOME=$tmp/home "$linfo" -d "$lab" --json | hostwd_of)
case $got in
"$tmp/home/.local/state/umlab/labs/two-hosts-"????????????) ;;
*) fail "relative XDG_STATE_HOME: hostwd $got is not under \$HOME/.local/state" ;;
esac

# A runtime directory too long for socket paths is a warning, not a failure.
UMLAB_RUNDIR=/tmp/$(printf 'x%.0s' $(seq 60)) "$linfo" -d "$lab" --json >"$tmp/out.json" \
	2>"$tmp/err.txt" || fail "long UMLAB_RUNDIR made linfo fail"
grep -q "runtime directory" "$tmp/err.txt" || fail "long UMLAB_RUNDIR: no warning"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["rundir"] is None' \
	"$tmp/out.json" || fail "long UMLAB_RUNDIR: rundir is not null"

if [ "$fails" -gt 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all linfo checks passed on $n labs"
