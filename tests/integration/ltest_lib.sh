# tests/integration/ltest_lib.sh: what the ltest tests add to lib.sh: the
# lexec they run guest commands through, and JUnit/JSON checks in python3.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

# Skip (77) without a lexec: $UMLAB_LEXEC, or lexec next to the commands.
need_lexec() {
	if [ -n "${UMLAB_LEXEC:-}" ]; then
		[ -x "$UMLAB_LEXEC" ] || fail "UMLAB_LEXEC=$UMLAB_LEXEC is not executable"
	elif [ ! -x "$BIN/lexec" ]; then
		echo "SKIP: no lexec in $BIN (ltest runs guest commands through it)" >&2
		exit 77
	fi
}

# junit_check FILE TESTS FAILURES: the file parses as XML with the JUnit
# structure (testsuites > testsuite > testcase with name, classname, time;
# failure elements with message and text) and these counts.
junit_check() {
	python3 - "$@" <<'PY' || fail "JUnit check of $1"
import sys, xml.etree.ElementTree as ET
path, tests, failures = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = ET.parse(path).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, suites
s = suites[0]
cases = s.findall("testcase")
assert int(s.get("tests")) == len(cases) == tests, (s.get("tests"), len(cases), tests)
fails = [c for c in cases if c.find("failure") is not None]
assert int(s.get("failures")) == len(fails) == failures, (s.get("failures"), len(fails))
float(s.get("time")); assert s.get("timestamp")
for c in cases:
    assert c.get("name") and c.get("classname"), c.attrib
    float(c.get("time"))
    assert c.find("system-out") is not None and c.find("system-err") is not None
for c in fails:
    f = c.find("failure")
    assert f.get("message"), c.get("name")
    assert "--- stdout ---" in (f.text or ""), f.text
print("junit ok: %s: %d cases, %d failures" % (path, tests, failures))
PY
}

# junit_failure_has FILE CASE TEXT: the failure of CASE contains TEXT.
junit_failure_has() {
	python3 - "$@" <<'PY' || fail "JUnit: no '$3' in the failure of '$2'"
import sys, xml.etree.ElementTree as ET
path, name, text = sys.argv[1:4]
for c in ET.parse(path).getroot().iter("testcase"):
    if c.get("name") == name:
        f = c.find("failure")
        assert f is not None, "no failure"
        assert text in f.get("message") + (f.text or ""), f.get("message") + (f.text or "")
        sys.exit(0)
sys.exit("no testcase " + name)
PY
}

# json_field FILE PY-EXPR: evaluate an expression over the parsed JSON report d.
json_eval() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
