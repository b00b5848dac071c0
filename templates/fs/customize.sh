#!/bin/sh
# mmdebstrap customize hook for umlab model filesystems: small fixes to the
# installed tree that need no knowledge of the kernel or the boot glue (those
# are added afterwards by umlab-mkfs). $1 is the root of the new tree.
set -eu
root=$1

# Root logs in on the console without a password, as in Netkit guests.
chroot "$root" passwd -d root >/dev/null

# Neutral identity; the boot glue sets the real host name on first boot.
echo umlab >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'HOSTS'
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
HOSTS
printf '/dev/ubda\t/\text4\tdefaults\t0\t1\n' >"$root/etc/fstab"

# The builder's resolver configuration means nothing inside a lab.
rm -f "$root/etc/resolv.conf"
: >"$root/etc/resolv.conf"

# An empty machine-id is filled in per boot by nothing; keep it empty but present.
: >"$root/etc/machine-id"

# swanctl and pki load strongSwan's compiled-in plugin list, which names
# plugins Debian ships in packages not installed here: each missing one logs
# "failed to load" on every call. Keep that list, minus what is not installed.
plugdir=$root/usr/lib/ipsec/plugins
for tool in usr/sbin/swanctl:swanctl usr/bin/pki:pki; do
	bin=$root/${tool%%:*} conf=$root/etc/strongswan.d/${tool#*:}.conf
	[ -x "$bin" ] && [ -f "$conf" ] || continue
	keep=""
	for p in $(grep -ao '[a-z0-9 -]*test-vectors[a-z0-9 -]*' "$bin" | head -n 1); do
		[ -e "$plugdir/libstrongswan-$p.so" ] && keep="$keep $p"
	done
	[ -z "$keep" ] || sed -i "s|^\([[:space:]]*\)# load =.*|\1load =$keep|" "$conf"
done

# Caches that only grow the image.
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
	"$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
