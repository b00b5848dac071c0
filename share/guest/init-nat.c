/* The umlab guest init's part of NAT domains (lab.yaml nat: true): the
 * host's NAME.conf gives each interface on one its address, gateway and DNS
 * relay (UMLAB_NAT_N, guest-contract.md); set here with ioctls, before the
 * startup scripts, so they can use the network and change it. */
#include "init.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The default route's metric: above the 0 of `ip route add default`, so a
 * startup script's own default route takes precedence. */
#define NAT_METRIC 1000

static void
set_addr(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a};

	memcpy(sa, &sin, sizeof sin);
}

int
init_nat(const char *spec, bool first)
{
	char ifname[IFNAMSIZ], addr[16], gw[16], dns[16], resolv[64];
	unsigned int prefix;
	struct in_addr a, g, d, mask;
	struct ifreq ifr;
	struct rtentry rt;
	int s, err = 0;

	if (sscanf(spec, "%15s %15[0-9.]/%u %15s %15s", ifname, addr, &prefix, gw, dns) != 5 ||
	    prefix < 1 || prefix > 32 || strncmp(ifname, "eth", 3) != 0 ||
	    inet_pton(AF_INET, addr, &a) != 1 || inet_pton(AF_INET, gw, &g) != 1 ||
	    inet_pton(AF_INET, dns, &d) != 1)
		return EINVAL;
	mask.s_addr = htonl(~0u << (32 - prefix));
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	set_addr(&ifr.ifr_addr, a);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		err = errno;
	set_addr(&ifr.ifr_netmask, mask);
	if (!err && ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		err = errno;
	if (!err && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			err = errno;
	}
	if (!err && first) {
		memset(&rt, 0, sizeof rt);
		set_addr(&rt.rt_dst, (struct in_addr){0});
		set_addr(&rt.rt_genmask, (struct in_addr){0});
		set_addr(&rt.rt_gateway, g);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_metric = NAT_METRIC + 1; /* the ioctl counts from 1 */
		rt.rt_dev = ifname;
		if (ioctl(s, SIOCADDRT, &rt) < 0 && errno != EEXIST)
			err = errno;
		snprintf(resolv, sizeof resolv, "nameserver %s\n", dns);
		if (!err && !init_write_atomic("/etc", "resolv.conf", resolv))
			err = errno ? errno : EIO;
	}
	close(s);
	return err;
}
