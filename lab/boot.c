/*
 * lab/boot.c: the kernel settings a host boots with. Its boot settings
 * (forwarding, ipv6) become sysctls here, in one place, so that linfo shows
 * exactly what the guest's init applies (share/doc/guest-contract.md).
 *
 * The router defaults are those Kathara gives every device (see lab.conf(5),
 * "Runtime semantics"): IPv4 forwarding, reverse-path filtering off on all,
 * default, lo and every interface, no ICMP rate limit; with IPv6 forwarding,
 * router advertisements ignored and no ICMPv6 rate limit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab-int.h"

size_t
lab_host_boot_sysctls(const struct lab_host *h, char ***out)
{
	static const char *const rp_scopes[] = {"all", "default", "lo"};
	char **v = NULL;
	size_t n = 0;

	if (h->forwarding) {
		strv_push(&v, &n, "net.ipv4.ip_forward=1");
		for (size_t i = 0; i < sizeof rp_scopes / sizeof *rp_scopes; i++) {
			char *s = xasprintf("net.ipv4.conf.%s.rp_filter=0", rp_scopes[i]);

			strv_push(&v, &n, s);
			free(s);
		}
		for (size_t i = 0; i < h->n_ifaces; i++) {
			char *s = xasprintf("net.ipv4.conf.eth%u.rp_filter=0", h->ifaces[i].index);

			strv_push(&v, &n, s);
			free(s);
		}
		strv_push(&v, &n, "net.ipv4.icmp_ratelimit=0");
	}
	if (!h->ipv6) {
		strv_push(&v, &n, "net.ipv6.conf.all.disable_ipv6=1");
		strv_push(&v, &n, "net.ipv6.conf.default.disable_ipv6=1");
	} else if (h->ipv6_forwarding) {
		strv_push(&v, &n, "net.ipv6.conf.all.forwarding=1");
		strv_push(&v, &n, "net.ipv6.conf.all.accept_ra=0");
		strv_push(&v, &n, "net.ipv6.icmp.ratelimit=0");
	}
	for (size_t i = 0; i < h->n_sysctls; i++)
		strv_push(&v, &n, h->sysctls[i]);
	*out = v;
	return n;
}

void
lab_strv_free(char **v, size_t n)
{
	strv_free(v, n);
}
