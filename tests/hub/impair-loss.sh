#!/bin/bash
# 10% random loss of 2000 frames with a fixed seed stays inside the binomial
# bounds (mean 1800, sd 13.4: +-4.5 sd), equals the hub's counter, and a
# second run with the same seed loses exactly the same frames. Gilbert-
# Elliott loss of the same average comes in bursts (mean run of losses near
# the configured burst of 5, against ~1.1 for random loss).
. "$(dirname "$0")/lib.sh"

start_hub --impair loss=10%,seed=42
transfer a 60 2000 0
r=$(measured a received) g=$(measured a gaps)
echo "loss=10%: received $r of 2000 in $g gaps"
[ "$r" -ge 1740 ] && [ "$r" -le 1860 ] || fail "received $r of 2000"
[ "$(counter lost)" = $((2000 - r)) ] || fail "lost counter $(counter lost), want $((2000 - r))"
[ $(((2000 - r) * 10 / g)) -le 15 ] || fail "random losses came in runs"
stop_hub

start_hub --impair loss=10%,seed=42
transfer again 60 2000 0
[ "$(measured again received)" = "$r" ] || fail "same seed, different loss"
[ "$(measured again gaps)" = "$g" ] || fail "same seed, different gaps"
stop_hub

start_hub --impair loss=10%,loss_model=gilbert,burst=5,seed=7
transfer ge 60 2000 0
r=$(measured ge received) g=$(measured ge gaps)
echo "gilbert loss=10% burst=5: received $r of 2000 in $g gaps"
[ "$r" -ge 1600 ] && [ "$r" -le 1960 ] || fail "received $r of 2000"
[ $(((2000 - r) * 10 / g)) -ge 30 ] || fail "mean burst $(((2000 - r) * 10 / g))/10, want ~5"
stop_hub
echo "ok: impair-loss"
