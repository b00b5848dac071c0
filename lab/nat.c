/*
 * lab/nat.c: NAT domains in the model: IPv4 addresses, port forwards,
 * Netkit's tap domain, and the checks once every file is read (addresses
 * inside the domain's network and given once, forwards that name a guest
 * of the domain, host ports forwarded once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

bool
lab_ipv4_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int part = 0; part < 4; part++) {
		unsigned int v = 0, digits = 0;

		if (part > 0 && *s++ != '.')
			return false;
		/* No leading zeros: "010" is octal to inet_aton, decimal to people. */
		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return false;
		for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
			v = v * 10 + (unsigned int)(*s - '0');
		if (digits == 0 || v > 255)
			return false;
		a = a << 8 | v;
	}
	if (*s != '\0')
		return false;
	*out = a;
	return true;
}

void
lab_ipv4_format(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

void
lab_nat_init(struct lab_nat *nat)
{
	memset(nat, 0, sizeof *nat);
	nat->network = 0x0a000200; /* 10.0.2.0/24, slirp's and QEMU's */
	nat->prefix = 24;
	nat->outbound = true;
}

/* A port 1..65535 in decimal; 0 when s is not one. */
static unsigned int
port(const char *s)
{
	unsigned long v;

	return lab__parse_uint(s, 65535, &v) && v > 0 ? (unsigned int)v : 0;
}

bool
lab_forward_parse(const char *s, struct lab_forward *f, char **why)
{
	char *copy = xstrdup(s), *field[5];
	size_t n = 0, k = 0;
	bool ok = false;

	memset(f, 0, sizeof *f);
	/* strtok would merge "8080::80" into two fields: split by hand. */
	field[n++] = copy;
	for (char *p = copy; *p != '\0'; p++)
		if (*p == ':') {
			*p = '\0';
			if (n == 5)
				break;
			field[n++] = p + 1;
		}
	if (n >= 2 && (strcmp(field[0], "tcp") == 0 || strcmp(field[0], "udp") == 0)) {
		f->udp = field[0][0] == 'u';
		k = 1;
	}
	if (k == 0 && n >= 3 && port(field[0]) == 0) {
		*why = xasprintf("forward '%s': protocol '%s' is not tcp or udp", s, field[0]);
	} else if (n - k < 2 || n - k > 3) {
		*why = xasprintf("forward '%s' is not [tcp:|udp:]HOSTPORT:[HOST:]GUESTPORT", s);
	} else if ((f->host_port = port(field[k])) == 0) {
		*why = xasprintf("forward '%s': host port '%s' is not a port number (1..65535)", s,
		                 field[k]);
	} else if (f->host_port < LAB_FWD_PORT_MIN) {
		*why = xasprintf("forward '%s': host port %u is below %u; only root may bind it "
		                 "and the NAT runs unprivileged (use %u or more)",
		                 s, f->host_port, LAB_FWD_PORT_MIN, LAB_FWD_PORT_MIN);
	} else if ((f->guest_port = port(field[n - 1])) == 0) {
		*why = xasprintf("forward '%s': guest port '%s' is not a port number (1..65535)", s,
		                 field[n - 1]);
	} else if (n - k == 3 && !lab_ipv4_parse(field[k + 1], &f->to_addr) &&
	           !lab_name_valid(field[k + 1])) {
		*why = xasprintf("forward '%s': '%s' is neither a host name nor an IPv4 address", s,
		                 field[k + 1]);
	} else {
		if (n - k == 3 && f->to_addr == 0)
			f->to_host = xstrdup(field[k + 1]);
		ok = true;
	}
	free(copy);
	return ok;
}

void
lab_forward_clear(struct lab_forward *f)
{
	free(f->to_host);
	lab__origin_free(&f->origin);
	memset(f, 0, sizeof *f);
}

/* The netmask of a prefix length. */
static uint32_t
mask_of(unsigned int prefix)
{
	return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

bool
lab_nat_from_tap(const char *tap, const char *guest, struct lab_nat *nat, uint32_t *guest_addr,
                 char **why)
{
	uint32_t t, g, mask, bcast;
	unsigned int prefix = 24;

	if (!lab_ipv4_parse(tap, &t)) {
		*why = xasprintf("tap address '%s' is not an IPv4 address", tap);
		return false;
	}
	if (!lab_ipv4_parse(guest, &g)) {
		*why = xasprintf("guest address '%s' is not an IPv4 address", guest);
		return false;
	}
	/* Netkit wants both on one subnet and says no more: the largest one up to /24. */
	while (prefix > 0 && (t & mask_of(prefix)) != (g & mask_of(prefix)))
		prefix--;
	mask = mask_of(prefix);
	bcast = (t & mask) | ~mask;
	if (prefix < 8 || t == g || t == (t & mask) || g == (g & mask) || t == bcast ||
	    g == bcast) {
		*why = xasprintf("tap addresses %s and %s are not two hosts of one network (/8 "
		                 "to /24)",
		                 tap, guest);
		return false;
	}
	lab_nat_init(nat);
	nat->enabled = true;
	nat->network = t & mask;
	nat->prefix = prefix;
	nat->gateway = t;
	*guest_addr = g;
	return true;
}

void
lab__nat_free(struct lab_nat *nat)
{
	for (size_t i = 0; i < nat->n_forwards; i++)
		lab_forward_clear(&nat->forwards[i]);
	free(nat->forwards);
	lab__origin_free(&nat->origin);
	memset(nat, 0, sizeof *nat);
}

/* The interfaces of the lab on domain name, as (host, iface) pairs. */
struct member {
	struct lab_host *h;
	struct lab_iface *f;
};

static size_t
members_of(struct lab *lab, const char *name, struct member **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t k = 0; k < lab->hosts[i].n_ifaces; k++) {
			struct lab_iface *f = &lab->hosts[i].ifaces[k];

			if (strcmp(f->domain, name) != 0)
				continue;
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n++] = (struct member){&lab->hosts[i], f};
		}
	return n;
}

/* Is a one of the first n interfaces' addresses, the gateway or the DNS? */
static bool
taken(const struct lab_nat *nat, const struct member *m, size_t n, uint32_t a)
{
	if (a == nat->gateway || a == nat->dns)
		return true;
	for (size_t i = 0; i < n; i++)
		if (m[i].f->address == a)
			return true;
	return false;
}

/* The first free address from NETWORK+from on, or 0 when none is left. */
static uint32_t
first_free(const struct lab_nat *nat, const struct member *m, size_t n, uint32_t from)
{
	uint32_t bcast = nat->network | ~mask_of(nat->prefix);

	for (uint32_t a = nat->network + from; a < bcast; a++)
		if (!taken(nat, m, n, a))
			return a;
	return 0;
}

/* Addresses of one nat domain's interfaces: check those written, give out the rest. */
static void
addresses(struct lab__ctx *c, struct lab_domain *d, struct member *m, size_t n)
{
	struct lab_nat *nat = &d->nat;
	uint32_t mask = mask_of(nat->prefix), bcast = nat->network | ~mask;
	char a[16], net[16];

	lab_ipv4_format(nat->network, net);
	if (nat->gateway == 0)
		nat->gateway = nat->network + 2;
	for (size_t i = 0; i < n; i++) {
		uint32_t x = m[i].f->address;

		if (!m[i].f->address_given)
			continue;
		lab_ipv4_format(x, a);
		if ((x & mask) != nat->network || x == nat->network || x == bcast)
			lab__report_at(c, LAB_E_TYPE, &m[i].f->origin, NULL,
			               "address %s of %s:eth%u is not a host of domain '%s' "
			               "(%s/%u)",
			               a, m[i].h->name, m[i].f->index, d->name, net, nat->prefix);
		else if (x == nat->gateway || x == nat->dns)
			lab__report_at(c, LAB_E_DUPLICATE, &m[i].f->origin, NULL,
			               "address %s of %s:eth%u is the %s of domain '%s'", a,
			               m[i].h->name, m[i].f->index,
			               x == nat->gateway ? "gateway" : "DNS relay", d->name);
		else
			for (size_t j = 0; j < i; j++)
				if (m[j].f->address_given && m[j].f->address == x) {
					lab__report_at(c, LAB_E_DUPLICATE, &m[i].f->origin, NULL,
					               "address %s of %s:eth%u is also %s:eth%u's",
					               a, m[i].h->name, m[i].f->index, m[j].h->name,
					               m[j].f->index);
					break;
				}
	}
	/* Only written addresses count as taken while the rest are chosen. */
	for (size_t i = 0; i < n; i++)
		if (!m[i].f->address_given)
			m[i].f->address = 0;
	/* The DNS relay makes way for an interface written at NETWORK+3 (Netkit's
	 * tap addresses are often small); the gateway is always where it is said. */
	if (nat->dns == 0 && (nat->dns = first_free(nat, m, n, 3)) == 0 &&
	    (nat->dns = first_free(nat, m, n, 1)) == 0)
		lab__report_at(c, LAB_E_TYPE, &nat->origin, NULL,
		               "domain '%s' (%s/%u) has no address left for its DNS relay", d->name,
		               net, nat->prefix);
	for (size_t i = 0; i < n; i++) {
		if (m[i].f->address_given)
			continue;
		/* Small networks have no NETWORK+15: then from the bottom. */
		m[i].f->address = first_free(nat, m, n, LAB_NAT_FIRST_HOST);
		if (m[i].f->address == 0)
			m[i].f->address = first_free(nat, m, n, 1);
		if (m[i].f->address == 0)
			lab__report_at(c, LAB_E_TYPE, &m[i].f->origin, NULL,
			               "domain '%s' (%s/%u) has no address left for %s:eth%u",
			               d->name, net, nat->prefix, m[i].h->name, m[i].f->index);
	}
}

/* Resolve the forwards of one nat domain to guest addresses. */
static void
forwards(struct lab__ctx *c, struct lab_domain *d, struct member *m, size_t n)
{
	struct lab_nat *nat = &d->nat;
	uint32_t mask = mask_of(nat->prefix);
	char a[16];

	for (size_t i = 0; i < nat->n_forwards; i++) {
		struct lab_forward *f = &nat->forwards[i];
		size_t found = 0;

		if (f->to_host == NULL && f->to_addr == 0) {
			if (n != 1) {
				lab__report_at(c, LAB_E_TYPE, &f->origin, NULL,
				               "forward of host port %u names no guest, and domain "
				               "'%s' has %zu interfaces: write "
				               "HOSTPORT:HOST:GUESTPORT",
				               f->host_port, d->name, n);
				continue;
			}
			f->to_addr = m[0].f->address;
		} else if (f->to_host != NULL) {
			for (size_t k = 0; k < n; k++)
				if (strcmp(m[k].h->name, f->to_host) == 0) {
					f->to_addr = m[k].f->address;
					found++;
				}
			if (found != 1) {
				char *hint = found == 0 ? lab__host_hint(c->lab, f->to_host) : NULL;

				lab__report_at(c, LAB_E_UNKNOWN_HOST, &f->origin, hint,
				               found == 0 ? "forward of host port %u names '%s', "
				                            "which has no interface on domain '%s'"
				                          : "forward of host port %u names '%s', "
				                            "which has several interfaces on "
				                            "domain '%s': write its address",
				               f->host_port, f->to_host, d->name);
				free(hint);
			}
		} else if ((f->to_addr & mask) != nat->network ||
		           f->to_addr == (nat->network | ~mask) || f->to_addr == nat->network ||
		           f->to_addr == nat->gateway || f->to_addr == nat->dns) {
			lab_ipv4_format(f->to_addr, a);
			lab__report_at(c, LAB_E_TYPE, &f->origin, NULL,
			               "forward of host port %u goes to %s, which is no guest "
			               "address of domain '%s'",
			               f->host_port, a, d->name);
		}
	}
}

/* A host port (per protocol) is forwarded once in the whole lab. */
static void
unique_ports(struct lab__ctx *c)
{
	struct lab *lab = c->lab;

	for (size_t d = 0; d < lab->n_domains; d++)
		for (size_t i = 0; i < lab->domains[d].nat.n_forwards; i++) {
			const struct lab_forward *f = &lab->domains[d].nat.forwards[i];
			bool dup = false;

			for (size_t e = 0; e <= d && !dup; e++)
				for (size_t j = 0;
				     j < lab->domains[e].nat.n_forwards && (e < d || j < i) && !dup;
				     j++) {
					const struct lab_forward *g =
					        &lab->domains[e].nat.forwards[j];

					if (g->udp == f->udp && g->host_port == f->host_port) {
						lab__report_at(c, LAB_E_DUPLICATE, &f->origin, NULL,
						               "host port %u/%s is forwarded twice "
						               "(also at %s:%u)",
						               f->host_port, f->udp ? "udp" : "tcp",
						               g->origin.file, g->origin.line);
						dup = true;
					}
				}
		}
}

void
lab__nat_finish(struct lab__ctx *c)
{
	struct lab *lab = c->lab;

	for (size_t d = 0; d < lab->n_domains; d++) {
		struct lab_domain *dom = &lab->domains[d];
		struct member *m;
		size_t n = members_of(lab, dom->name, &m);

		if (dom->nat.enabled) {
			addresses(c, dom, m, n);
			forwards(c, dom, m, n);
		} else {
			for (size_t i = 0; i < n; i++)
				if (m[i].f->address_given)
					lab__report_at(c, LAB_E_TYPE, &m[i].f->origin, NULL,
					               "%s:eth%u has an address, but domain '%s' "
					               "is no nat domain: startup files set "
					               "addresses there",
					               m[i].h->name, m[i].f->index, dom->name);
		}
		free(m);
	}
	unique_ports(c);
}
