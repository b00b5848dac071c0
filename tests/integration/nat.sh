#!/bin/bash
# tests/integration/nat.sh: NAT domains (lab.yaml nat: true; lab.conf
# bridged=true and port=) with real guests. A guest fetches a page from an
# HTTP server this test starts on the host's loopback, through the NAT's
# gateway address; a host client reaches a guest's server through a
# forwarded port, bound on 127.0.0.1 only; an outbound: false domain only
# forwards; lhalt, lcrash and lclean stop the NAT; a forward whose host port
# is taken fails lstart with the reason. Nothing leaves this machine: the
# only server reached is on the host's loopback.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need_image

# A TCP port on 127.0.0.1 free right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# GET url from the host, retried for up to secs (the guest's server may be starting).
host_get() {
	local url=$1 secs=${2:-30} i
	for ((i = 0; i < secs; i++)); do
		python3 - "$url" <<'EOF' && return 0
import sys, urllib.request
try:
    sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())
except Exception:
    sys.exit(1)
EOF
		sleep 1
	done
	return 1
}

# Start a web server in the guest serving /tmp/www/g.txt with token on port 8000.
guest_serve() { # LAB HOST TOKEN
	lexec -d "$1" -w "$WD" "$2" -- sh -c "mkdir -p /tmp/www && echo $3 > /tmp/www/g.txt &&
		cd /tmp/www && (setsid python3 -m http.server 8000 </dev/null >/dev/null 2>&1 &)" ||
		fail "$2: cannot start a web server"
}

# The host's web server, on the loopback only, on a port the kernel picks.
mkdir -p "$T/www"
echo "host-token-$$" >"$T/www/token.txt"
: >"$T/http.log" # read below before the server may have opened it
(cd "$T/www" && exec python3 -u -m http.server --bind 127.0.0.1 0 >"$T/http.log" 2>&1) &
http_pid=$!
# cleanup exits with the status it finds: give it the test's (without
# errexit, which would end the trap at a failing (exit $s)).
# shellcheck disable=SC2154 # s is the trap's own
trap 's=$?; set +e; kill $http_pid 2>/dev/null; (exit $s); cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$T/http.log")
	[ -n "$hport" ] && break
	sleep 0.1
done
[ -n "$hport" ] || fail "the host's web server did not start: $(cat "$T/http.log")"

# --- lab.yaml: pc1 on a nat domain with forwards, pc2 on one that only forwards ---
fwd1=$(free_port) fwd2=$(free_port) fwd3=$(free_port)
if [ "$fwd1" = "$fwd2" ] || [ "$fwd2" = "$fwd3" ] || [ "$fwd1" = "$fwd3" ]; then
	fail "free ports collide"
fi
lab=$T/lab
mkdir -p "$lab"
cat >"$lab/lab.yaml" <<EOF
name: nat
hosts:
  pc1: [wan]
  pc2: [iso]
domains:
  wan: {nat: true, forward: ["tcp:$fwd1:pc1:8000"]}
  iso: {nat: true, subnet: 10.7.0.0/24, outbound: false, forward: ["$fwd2:8000"]}
EOF
use_lab "$lab"

plan=$(lstart -d "$lab" -w "$WD" --dry-run) || fail "lstart --dry-run: $plan"
grep -q '^# step 3: nat wan, after step 1$' <<<"$plan" || fail "no nat step after its hub: $plan"
grep -q -- "--forward tcp:$fwd1:10.0.2.15:8000" <<<"$plan" || fail "forward not in the plan"
grep -q -- "--no-outbound" <<<"$plan" || fail "outbound: false not in the plan"
echo "ok: --dry-run shows the NATs"

lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart"
guest_ok "$lab" pc1 "ip -4 addr show eth0" "inet 10\.0\.2\.15/24"
guest_ok "$lab" pc1 "ip -4 route show default" "default via 10\.0\.2\.2 dev eth0"
guest_ok "$lab" pc1 "cat /etc/resolv.conf" "nameserver 10\.0\.2\.3"
guest_ok "$lab" pc2 "ip -4 route show default" "default via 10\.7\.0\.2 dev eth0"
# The host's loopback is the gateway's address.
guest_ok "$lab" pc1 "wget -q -T 5 -t 1 -O - http://10.0.2.2:$hport/token.txt" "host-token-$$" 5

# The NAT's sandbox: none of the user's files, environment or capabilities.
dir=$(rundir_of "$lab")
nat=$(sed -n 's/^pid=//p' "$dir.h/pids/nat-wan")
[ -n "$nat" ] || fail "no pid in $dir.h/pids/nat-wan"
for e in "/proc/$nat/root/"* "/proc/$nat/root/".[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	case ${e##*/} in bin | dev | etc | lib | lib32 | lib64 | libx32 | sbin | tmp | umlab | usr) ;;
	*) fail "the NAT's sandbox has /${e##*/}" ;;
	esac
done
if [ -e "/proc/$nat/root$WD" ] || [ -e "/proc/$nat/root$T/www" ]; then
	fail "the NAT's sandbox sees the hostwd or the host's files"
fi
[ -e "/proc/$nat/root$dir/hub/wan/ctl" ] || fail "the NAT's sandbox lacks its hub"
[ ! -e "/proc/$nat/root$dir/hub/iso" ] || fail "the NAT's sandbox sees another domain's hub"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$nat/status" || fail "the NAT has capabilities"
grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$nat/status" || fail "the NAT may gain privileges"
! tr '\0' '\n' <"/proc/$nat/environ" | grep -qv '^PWD=' || fail "the NAT has an environment"
echo "ok: the NAT is confined"

# Forwards listen on 127.0.0.1, nowhere else.
ss -Hltn "sport = :$fwd1" | grep -q "127\.0\.0\.1:$fwd1 " || fail "forward $fwd1 not on 127.0.0.1"
! ss -Hltn "sport = :$fwd1" | grep -qv "127\.0\.0\.1:$fwd1 " ||
	fail "forward $fwd1 listens beyond the loopback: $(ss -Hltn "sport = :$fwd1")"
guest_serve "$lab" pc1 "guest-token-1"
out=$(host_get "http://127.0.0.1:$fwd1/g.txt") || fail "no answer through forward $fwd1"
[ "$out" = guest-token-1 ] || fail "forward $fwd1 gave '$out'"
echo "ok: the host reaches pc1 through 127.0.0.1:$fwd1"

# outbound: false: the forward works, the guest reaches nothing.
guest_serve "$lab" pc2 "guest-token-2"
out=$(host_get "http://127.0.0.1:$fwd2/g.txt") || fail "no answer through forward $fwd2"
[ "$out" = guest-token-2 ] || fail "forward $fwd2 gave '$out'"
guest_run "$lab" pc2 "wget -q -T 3 -t 1 -O - http://10.7.0.2:$hport/token.txt"
[ "$RC" != 0 ] || fail "pc2 reached the host with outbound: false: $OUT"
echo "ok: outbound: false forwards only"

# lhalt stops the NATs; the next lstart brings them back.
[ -f "$dir.h/pids/nat-wan" ] || fail "no pid file for the NAT of wan"
lhalt -d "$lab" -w "$WD" -q >/dev/null || fail "lhalt"
assert_nothing_left
[ ! -e "$dir.h/pids/nat-wan" ] || fail "lhalt left the NAT's pid file"
! ss -Hltn "sport = :$fwd1" | grep -q . || fail "forward $fwd1 still listens after lhalt"
lstart -d "$lab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "second lstart"
guest_ok "$lab" pc1 "wget -q -T 5 -t 1 -O - http://10.0.2.2:$hport/token.txt" "host-token-$$" 5
lcrash -d "$lab" -w "$WD" >/dev/null || fail "lcrash"
assert_nothing_left

# A taken host port: lstart says which, and starts no guest.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $fwd1)); s.listen(1); time.sleep(120)" &
busy=$!
for ((i = 0; i < 50; i++)); do ss -Hltn "sport = :$fwd1" | grep -q . && break; sleep 0.1; done
if out=$(lstart -d "$lab" -w "$WD" --headless --timeout 240 2>&1); then
	kill $busy 2>/dev/null || true
	fail "lstart succeeded with host port $fwd1 taken"
fi
kill $busy 2>/dev/null || true
grep -q "host port 127.0.0.1:$fwd1/tcp cannot be forwarded: another program uses it" <<<"$out" ||
	fail "lstart did not say the port is taken: $out"
for g in "$dir.h/pids/guest-"*; do [ ! -e "$g" ] || fail "a guest started anyway: $g"; done
assert_nothing_left
echo "ok: a taken host port fails lstart, and leaves nothing running"
lclean -d "$lab" -w "$WD" || fail "lclean"
assert_nothing_left

# --- lab.conf: Kathara's bridged=true and port= ---
klab=$T/klab
mkdir -p "$klab"
cat >"$klab/lab.conf" <<EOF
a[0]="A"
a[port]="$fwd3:8000/tcp"
b[0]="A"
b[bridged]=true
EOF
use_lab "$klab"
lstart -d "$klab" -w "$WD" --headless --timeout 240 -q >/dev/null || fail "lstart (lab.conf)"
guest_ok "$klab" b "ip -4 addr show eth1" "inet 10\.0\.2\.1[0-9]/24"
guest_ok "$klab" b "wget -q -T 5 -t 1 -O - http://10.0.2.2:$hport/token.txt" "host-token-$$" 5
guest_serve "$klab" a "guest-token-3"
out=$(host_get "http://127.0.0.1:$fwd3/g.txt") || fail "no answer through port=$fwd3"
[ "$out" = guest-token-3 ] || fail "port=$fwd3 gave '$out'"
echo "ok: bridged=true and port= work"
lclean -d "$klab" -w "$WD" || fail "lclean (lab.conf)"
assert_nothing_left
echo PASS
