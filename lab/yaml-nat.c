/*
 * lab/yaml-nat.c: the keys that make a lab.yaml domain a NAT uplink (nat,
 * subnet, gateway, dns, outbound, forward), each value checked where it is
 * written; what depends on the lab's hosts (addresses, forward targets) is
 * checked once every file is read (nat.c).
 */
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

const char *const lab__nat_keys[LAB_NAT_NKEYS + 1] = {
        "nat", "subnet", "gateway", "dns", "outbound", "forward", NULL,
};

enum { K_NAT, K_SUBNET, K_GATEWAY, K_DNS, K_OUTBOUND, K_FORWARD };

/* "10.0.2.0/24": a network without host bits, prefix 8..30. */
static void
subnet(struct lab__yaml *y, const yaml_node_t *n, struct lab_nat *nat)
{
	const char *s = lab__y_scalar(y, n, "subnet");
	char *copy, *slash;
	unsigned long prefix;
	uint32_t a;

	if (s == NULL)
		return;
	copy = xstrdup(s);
	if ((slash = strchr(copy, '/')) != NULL)
		*slash++ = '\0';
	if (slash == NULL || !lab_ipv4_parse(copy, &a) || !lab__parse_uint(slash, 30, &prefix) ||
	    prefix < 8) {
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "subnet '%s' is not an IPv4 network like 10.0.2.0/24 (prefix 8 to "
		              "30)",
		              s);
	} else if ((a & (~0u << (32 - prefix))) != a) {
		char net[16];

		lab_ipv4_format(a & (~0u << (32 - prefix)), net);
		lab__y_report(y, LAB_E_TYPE, n, NULL, "subnet '%s' has host bits set: write %s/%lu",
		              s, net, prefix);
	} else {
		nat->network = a;
		nat->prefix = (unsigned int)prefix;
	}
	free(copy);
}

/* An IPv4 address into *out. */
static void
address(struct lab__yaml *y, const yaml_node_t *n, const char *what, uint32_t *out)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s != NULL && !lab_ipv4_parse(s, out))
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "%s '%s' is not an IPv4 address like 10.0.2.2", what, s);
}

/* forward: one string or a list of them. */
static void
forward(struct lab__yaml *y, const yaml_node_t *n, struct lab_nat *nat)
{
	const yaml_node_t *one[1] = {n};
	const yaml_node_t **items = one;
	size_t count = 1;

	if (n->type == YAML_SEQUENCE_NODE) {
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		items = xcalloc(count + 1, sizeof *items);
		for (size_t i = 0; i < count; i++)
			items[i] = lab__y_node(y, n->data.sequence.items.start[i]);
	}
	for (size_t i = 0; i < count; i++) {
		const char *s = items[i] != NULL ? lab__y_scalar(y, items[i], "a forward") : NULL;
		struct lab_forward f;
		char *why = NULL;

		if (s == NULL)
			continue;
		if (!lab_forward_parse(s, &f, &why)) {
			lab__y_report(y, LAB_E_TYPE, items[i], NULL, "%s", why);
			free(why);
			continue;
		}
		f.origin = lab__y_origin(y, items[i]);
		nat->forwards =
		        xreallocarray(nat->forwards, nat->n_forwards + 1, sizeof *nat->forwards);
		nat->forwards[nat->n_forwards++] = f;
	}
	if (items != one)
		free(items);
}

void
lab__y_nat_key(struct lab__yaml *y, int k, const yaml_node_t *v, struct lab_nat *nat,
               struct lab__nat_nodes *seen)
{
	const char *s;

	seen->node[k] = v;
	switch (k) {
	case K_NAT:
		if ((s = lab__y_scalar(y, v, "nat")) != NULL && !lab__parse_bool(s, &nat->enabled))
			lab__y_report(y, LAB_E_TYPE, v, NULL, "nat must be true or false, not '%s'",
			              s);
		lab__origin_free(&nat->origin);
		nat->origin = lab__y_origin(y, v);
		break;
	case K_SUBNET:
		subnet(y, v, nat);
		break;
	case K_GATEWAY:
		address(y, v, "gateway", &nat->gateway);
		break;
	case K_DNS:
		address(y, v, "dns", &nat->dns);
		break;
	case K_OUTBOUND:
		if ((s = lab__y_scalar(y, v, "outbound")) != NULL &&
		    !lab__parse_bool(s, &nat->outbound))
			lab__y_report(y, LAB_E_TYPE, v, NULL,
			              "outbound must be true or false, not '%s'", s);
		break;
	case K_FORWARD:
		forward(y, v, nat);
		break;
	}
}

void
lab__y_nat_check(struct lab__yaml *y, const struct lab_domain *d, const struct lab__nat_nodes *seen)
{
	const struct lab_nat *nat = &d->nat;
	uint32_t mask = ~0u << (32 - nat->prefix), bcast = nat->network | ~mask;
	const uint32_t addr[2] = {nat->gateway, nat->dns};
	char net[16];

	if (!nat->enabled) {
		const yaml_node_t *nn = seen->node[K_NAT];
		bool b;

		/* A nat: that did not parse is reported already: say no more. */
		if (nn != NULL && (nn->type != YAML_SCALAR_NODE ||
		                   !lab__parse_bool((const char *)nn->data.scalar.value, &b)))
			return;
		for (int k = K_SUBNET; k < LAB_NAT_NKEYS; k++)
			if (seen->node[k] != NULL)
				lab__y_report(y, LAB_E_TYPE, seen->node[k], NULL,
				              "domain '%s': %s needs nat: true", d->name,
				              lab__nat_keys[k]);
		return;
	}
	lab_ipv4_format(nat->network, net);
	for (int i = 0; i < 2; i++) {
		const yaml_node_t *n = seen->node[i == 0 ? K_GATEWAY : K_DNS];

		if (n == NULL || addr[i] == 0)
			continue;
		if ((addr[i] & mask) != nat->network || addr[i] == nat->network || addr[i] == bcast)
			lab__y_report(y, LAB_E_TYPE, n, NULL,
			              "domain '%s': %s is not a host of its subnet %s/%u", d->name,
			              i == 0 ? "gateway" : "dns", net, nat->prefix);
		else if (i == 1 && addr[1] == addr[0])
			lab__y_report(
			        y, LAB_E_DUPLICATE, n, NULL,
			        "domain '%s': dns is the gateway's address; give each its own",
			        d->name);
	}
}
