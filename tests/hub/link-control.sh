#!/bin/bash
# Link state commands and flags: bad ones get "error ..." (or exit status
# 2) and change nothing, without an event; 64 groups are accepted and 65
# refused; a partition naming every port fits in one command line; help
# lists the commands.
. "$(dirname "$0")/lib.sh"

for a in "--port-down 0" "--port-down 1024" "--port-down x" "--partition 1,1" "--partition 0" \
	"--partition 1,,2"; do
	# shellcheck disable=SC2086 # one option and its value
	"$HUB" $a "$T/never" 2>"$T/err" && fail "hub $a started"
	[ $? -eq 2 ] || fail "hub $a: status not 2"
	[ -e "$T/never" ] && fail "hub $a made its directory"
	grep -q "^hub: --" "$T/err" || fail "hub $a said: $(cat "$T/err")"
done

start_hub --port-down 7 --partition '1,2'
before=$("$HUB" --command link "$D")
events_start
groups65=$(seq -s ' ' 1 65)
while read -r c; do
	out=$("$HUB" --command "$c" "$D" 2>&1) && fail "'$c' accepted"
	case $out in "hub: "*) ;; *) fail "'$c' said: $out" ;; esac
done <<LINES
link port 0 down
link port 1024 down
link port -1 down
link port 3x down
link port 3 sideways
link port 3
link domain
link domain down now
link wire down
partition
partition 1,1
partition 1 2 1
partition 1,,2
partition 1, 2
partition ,1
partition 0,1
partition 1 x
partition 1,2;3
partition $groups65
LINES
out=$("$HUB" --command 'partition 1,1' "$D" 2>&1)
[ "$out" = "hub: port 1 given twice" ] || fail "partition 1,1 said: $out"
[ "$("$HUB" --command link "$D")" = "$before" ] || fail "changed: $("$HUB" --command link "$D")"
# No event came from the refused commands: the next one is this change's.
"$HUB" --command 'link port 7 up' "$D" >/dev/null || fail "link port 7 up"
read -r -t 20 -u "$EV" line || fail "no event"
[ "$line" = "link port 7 up" ] || fail "event '$line', want 'link port 7 up'"

"$HUB" --command "partition $(seq -s ' ' 1 64)" "$D" >/dev/null || fail "64 groups refused"
"$HUB" --command link "$D" | jq -e '.partition | length == 64' >/dev/null || fail "not 64 groups"
all="partition $(seq -s , 1 511) $(seq -s , 512 1023)"
[ ${#all} -le 4095 ] || fail "the longest partition is ${#all} bytes"
"$HUB" --command "$all" "$D" >/dev/null || fail "every port refused"
"$HUB" --command link "$D" | jq -e '.partition | map(length) == [511, 512]' >/dev/null ||
	fail "every port: $("$HUB" --command link "$D")"
event_wait "partition 1,2,*,511 512,*,1023"
out=$("$HUB" --command "$all $all" "$D" 2>&1) && fail "a line over 4095 bytes was sent"
case $out in *"at most 4095 bytes"*) ;; *) fail "long line said: $out" ;; esac
"$HUB" --command help "$D" | grep -q 'link \[domain up|down | port N up|down\], partition GROUPS|none' ||
	fail "help: $("$HUB" --command help "$D")"
stop_hub
echo "ok: link-control"
