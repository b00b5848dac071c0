#!/usr/bin/env python3
"""Guest boot tests: real UML guests on the default model filesystem, booted
with guest-launch and the contract's command line. One case per run:

  guest_tests.py ready|startup-failed|first-boot|cad|rip|modules|confinement
"""
import os
import re
import sys

import guestlib
from guestlib import Lab, check


def case_ready(lab):
    """An empty startup file: the marker says ready, with its timings."""
    lab.write("pc1.startup", "")
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    check(m.get("status") == "ready", "marker: %r" % m)
    check(m.get("host") == "pc1" and m.get("startup_status") == "0", "marker: %r" % m)
    check(m.get("first_boot") == "1", "first boot not reported: %r" % m)
    check(int(m["uptime_ms"]) >= int(m["init_ms"]) > 0, "timings: %r" % m)
    check(not os.path.exists(os.path.join(lab.wd, ".pc1.ready.tmp")), "temporary marker left")


def case_startup_failed(lab):
    """A failing startup script: booted, but the marker says startup-failed."""
    lab.write("shared.startup", "echo shared ran\n")
    lab.write("pc1.startup", "echo before failure\nfalse\nexit 3\n")
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    check(m.get("status") == "startup-failed", "marker: %r" % m)
    check(m.get("startup_status") == "3" and m.get("failed_script") == "pc1.startup",
          "marker: %r" % m)
    log = g.wd_file(".startup.log")
    check(log.index("shared ran") < log.index("before failure"), "order/log: %r" % log)


def case_first_boot(lab):
    """NAME/ and shared/ land in / on the first boot of a COW only."""
    lab.write("shared/etc/umlab-test/shared.txt", "shared\n")
    lab.write("shared/etc/umlab-test/both.txt", "from shared\n")
    lab.write("pc1/etc/umlab-test/both.txt", "from pc1 v1\n", 0o640)
    lab.write("pc1/usr/local/bin/hello", "#!/bin/sh\necho hello\n", 0o755)
    lab.write("pc1.startup",
              "f=/etc/umlab-test\n"
              "{ cat $f/shared.txt $f/both.txt; stat -c '%a %U' $f/both.txt; hello\n"
              "  stat -c '%a' /etc; hostname; grep -c pc1 /etc/hosts; } > /hostwd/check\n")
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    check(m.get("status") == "ready" and m.get("first_boot") == "1", "marker: %r" % m)
    got = open(os.path.join(lab.wd, "check")).read()
    check(got == "shared\nfrom pc1 v1\n640 root\nhello\n755\npc1\n1\n", "first boot: %r" % got)
    g.mconsole("cad")
    g.wait_exit()
    # Second boot of the same COW: the lab's new version is not copied.
    lab.write("pc1/etc/umlab-test/both.txt", "from pc1 v2\n", 0o640)
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    check(m.get("first_boot") == "0", "second boot reported as first: %r" % m)
    got = open(os.path.join(lab.wd, "check")).read()
    check(got.splitlines()[1] == "from pc1 v1", "tree copied again: %r" % got)


def case_cad(lab):
    """mconsole cad: shutdown scripts (NAME then shared), then power off."""
    lab.write("pc1.startup", "systemctl start frr\n")
    lab.write("pc1.shutdown", "echo pc1-down; systemctl is-active frr\n")
    lab.write("shared.shutdown", "echo shared-down\n")
    g = lab.guest("pc1").start()
    check(g.wait_ready().get("status") == "ready", "not ready")
    err, _ = g.mconsole("cad")
    check(err == 0, "cad refused")
    rc = g.wait_exit(60)
    log = g.wd_file(".shutdown.log")
    check("pc1-down" in log and "shared-down" in log, "shutdown log: %r" % log)
    check(log.index("pc1-down") < log.index("shared-down"), "order: %r" % log)
    check(re.search(r"pc1-down\nactive\n", log), "frr not running at shutdown: %r" % log)
    check("stopped at" in log, "no stop record: %r" % log)
    check(rc == 0, "UML exit status %s" % rc)
    check(not os.path.exists(os.path.join(lab.run, "uml", "pc1")), "umid directory left")


RIP_STARTUP = """ip link set eth0 up
ip addr add 10.0.0.{n}/24 dev eth0
ip link add lan type dummy && ip link set lan up && ip addr add 192.168.{n}.1/24 dev lan
systemctl start frr
# Result for the host: the peer's LAN learnt by RIP, and reached; then an
# mconsole notification (the peer keeps running: it may still need our routes).
(
  # Listen first, then look, so the route cannot slip between the two.
  exec 3< <(timeout 90 ip -4 monitor route)
  ip -4 route show proto rip | grep -q '^192.168.{peer}.0/24' ||
    grep -q -m1 '^192.168.{peer}.0/24 .*proto rip' <&3
  exec 3<&-
  {{ ip -4 route show; ping -c1 -W5 192.168.{peer}.1 >/dev/null && echo ping-ok; }} \\
    > /hostwd/{name}.rip 2>&1
  {{ vtysh -c 'show ip rip status'; cat /var/log/frr/frr.log; }} > /hostwd/{name}.frr 2>&1
  echo "rip-done {name}" > /proc/mconsole
) </dev/null >/dev/null 2>&1 &
"""

FRR_CONF = """frr defaults traditional
hostname {name}
log file /var/log/frr/frr.log
debug rip events
router rip
 version 2
 network 10.0.0.0/24
 redistribute connected
 timers basic 5 15 10
"""


def case_rip(lab):
    """Two guests on one hub exchange routes with FRR's ripd."""
    hub = lab.hub("A")
    gs = []
    for n, name in ((1, "r1"), (2, "r2")):
        peer = 3 - n
        lab.write(name + "/etc/frr/daemons", "zebra=yes\nripd=yes\nvtysh_enable=yes\n")
        lab.write(name + "/etc/frr/frr.conf", FRR_CONF.format(name=name))
        lab.write(name + ".startup", RIP_STARTUP.format(n=n, peer=peer, name=name))
        gs.append(lab.guest(name, "eth0=vde,%s,02:00:00:00:00:0%d" % (hub, n),
                            mem="128M").start())
    for g in gs:
        check(g.wait_ready().get("status") == "ready", "%s not ready" % g.name)
    for g, peer in zip(gs, (2, 1)):
        check(lab.notify.wait_for("rip-done " + g.name, 150, g.proc.pid), "%s: no result" % g.name)
        got = g.wd_file(".rip")
        check(re.search(r"^192\.168\.%d\.0/24 .*proto rip" % peer, got, re.M),
              "%s learnt no RIP route: %r\n%s" % (g.name, got, g.wd_file(".frr")[-3000:]))
        check("ping-ok" in got, "%s could not reach the peer LAN: %r" % (g.name, got))


def case_modules(lab):
    """The kernel's modules are in the image: modprobe works, whether the
    module loads (Debian's linux.uml) or is built in (umlab-mkkernel's)."""
    lab.write("pc1.startup",
              "set -e\nfor m in esp4 xfrm_user bridge 8021q ip6_tables; do modprobe $m; done\n"
              "for m in esp4 xfrm_user bridge 8021q ip6_tables; do\n"
              "  grep -q \"^$m \" /proc/modules ||\n"
              "    grep -q \"/$m.ko\\$\" /lib/modules/$(uname -r)/modules.builtin\n"
              "  echo \"$m present\"\n"
              "done\n"
              "ip link add br0 type bridge\n")
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    check(m.get("status") == "ready", "modprobe failed: %r\n%s" % (m, g.wd_file(".startup.log")))
    log = g.wd_file(".startup.log")
    check(re.search(r"^esp4 present", log, re.M), "esp4 not loaded: %r" % log)


def case_netfilter(lab):
    """nftables (ip, inet, bridge families) and an iptables NAT rule work in a
    guest of a kernel with nf_tables (umlab-mkkernel's; Debian's 6.1 has no
    nf_tables ip/inet families and skips)."""
    if not guestlib.kernel_config(lab.kernel, "CONFIG_NF_TABLES_INET"):
        print("SKIP: %s has no nf_tables inet family" % lab.kernel, file=sys.stderr)
        sys.exit(guestlib.SKIP)
    lab.write("pc1.startup",
              "set -e\n"
              "nft add table inet filter\n"
              "nft add chain inet filter input '{ type filter hook input priority 0; }'\n"
              "nft add rule inet filter input tcp dport 2222 counter drop\n"
              "nft add table bridge br\n"
              "nft list ruleset > /tmp/ruleset\n"
              "grep -q 'tcp dport 2222 counter packets 0 bytes 0 drop' /tmp/ruleset\n"
              "echo nft-ok\n"
              "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\n"
              "iptables -t nat -S POSTROUTING | grep -q -- '-o eth0 -j MASQUERADE'\n"
              "echo iptables-nat-ok\n")
    g = lab.guest("pc1").start()
    m = g.wait_ready()
    log = g.wd_file(".startup.log")
    check(m.get("status") == "ready", "netfilter failed: %r\n%s" % (m, log))
    check("nft-ok" in log and "iptables-nat-ok" in log, "no result: %r" % log)


def case_confinement(lab):
    """Guest root cannot reach host files outside its lab, whatever it asks
    hostfs for ("/", "..", absolute paths)."""
    secret = os.path.join(lab.top, "secret.txt")
    with open(secret, "w") as f:
        f.write("host-secret-42\n")
    script = """
out=/hostwd/confine
: > $out
i=0
for data in / .. ../.. /umlab/lab/../.. /umlab/wd/../../.. {top} /etc /root; do
  i=$((i+1)); mkdir -p /m$i
  if mount -t hostfs none /m$i -o "$data" 2>/dev/null; then
    echo "mount $data: $(ls /m$i | tr '\\n' ' ')" >> $out
    grep -qs host-secret-42 /m$i/secret.txt /m$i/*/secret.txt && echo "LEAK via $data" >> $out
    [ -e /m$i/etc/shadow ] && echo "LEAK /etc/shadow via $data" >> $out
    [ -e /m$i{secret} ] && echo "LEAK secret path via $data" >> $out
  else
    echo "mount $data: refused" >> $out
  fi
done
ls /m1/umlab/lab >> $out
"""
    lab.write("pc1.startup", script.format(top=lab.top, secret=secret))
    g = lab.guest("pc1").start()
    check(g.wait_ready().get("status") == "ready", "startup failed")
    got = open(os.path.join(lab.wd, "confine")).read()
    check("LEAK" not in got, "host files reachable:\n" + got)
    # Positive control: hostfs itself works and shows the sandbox only.
    first = got.splitlines()[0]
    check(first.startswith("mount /: ") and " usr " in first + " " and "umlab" in first,
          "hostfs / did not show the sandbox: %r" % got)
    check("pc1.startup" in got, "lab not visible through the sandbox: %r" % got)


CASES = {
    "ready": case_ready,
    "startup-failed": case_startup_failed,
    "first-boot": case_first_boot,
    "cad": case_cad,
    "rip": case_rip,
    "modules": case_modules,
    "netfilter": case_netfilter,
    "confinement": case_confinement,
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    lab = Lab()
    try:
        CASES[sys.argv[1]](lab)
    except AssertionError as e:
        print("FAIL: %s" % e, file=sys.stderr)
        for g in lab.guests:
            print("--- %s console (tail) ---\n%s" % (g.name, g.console_text()), file=sys.stderr)
        return 1
    finally:
        lab.close()
    print("ok: %s" % sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
