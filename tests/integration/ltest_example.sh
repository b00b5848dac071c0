#!/bin/bash
# tests/integration/ltest_example.sh LAB: ltest on labs-examples/LAB (every
# example with tests: CI runs them all): it must pass, write a valid JUnit
# report with one testcase per test, and leave nothing behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/ltest_lib.sh"
name=$1
lab=$SRC/labs-examples/$name
use_lab "$lab"
need_image
need_lexec
n=$(linfo -d "$lab" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("tests", [])))')
[ "$n" -gt 0 ] || fail "$name has no tests"
ltest -d "$lab" -w "$WD" --results "$T/results" --junit "$T/junit.xml" --start-timeout 240 ||
	fail "ltest $name exited $?"
junit_check "$T/junit.xml" "$n" 0
assert_nothing_left
echo "PASS: ltest $name"
