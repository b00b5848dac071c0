#!/bin/bash
# Flow control: a burst of 5000 frames reaches a reading client complete
# (the hub holds the sender back instead of dropping), while a client that
# never reads is declared stalled and only loses its own frames (counted as
# drops) without stopping the domain.
. "$(dirname "$0")/lib.sh"

start_hub
client deaf -i 3 -D deaf "vde:$D" ready wait-stdin
# r stays connected after its marker (wait-stdin): the hub may drop the last
# frame of a client that leaves at once, before it reads it.
client r -i 2 -D reader "vde:$D" ready recv-until-marker marker wait-stdin
drain r
client s -i 1 -D sender "vde:$D" ready send 60 5000 marker recv-until-marker
finish s
finish r
n=$(grep -c '^frame 60 1 .* ok$' "$T/r.out")
[ "$n" = 5000 ] || fail "reader got $n of 5000 frames"
s=$(stats)
echo "$s" | jq -e '(.ports[] | select(.descr | startswith("deaf")) | .drops > 0) and
	.totals.drops == (.ports[] | select(.descr | startswith("deaf")) | .drops)' >/dev/null ||
	fail "drops not on the deaf port alone: $s"
finish deaf
stop_hub
echo "ok: stalled client"
