/*
 * lab/parse-yaml.c: lab.yaml, the native format (metadata, defaults, hosts,
 * domains); tests live in parse-yaml-tests.c. The document is loaded with
 * libyaml's document API and walked against fixed key tables.
 */
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

#define MAP_EACH(n, p)                                                                             \
	for (yaml_node_pair_t *p = (n)->data.mapping.pairs.start; p < (n)->data.mapping.pairs.top; \
	     p++)
#define SEQ_EACH(n, it)                                                                            \
	for (yaml_node_item_t *it = (n)->data.sequence.items.start;                                \
	     it < (n)->data.sequence.items.top; it++)

/* A memory value within bounds, or 0 after reporting. */
#define LAB_YAML_DEPTH_MAX 64 /* a lab needs about 6 */

static unsigned int
memory(struct lab__yaml *y, const yaml_node_t *n)
{
	const char *s = lab__y_scalar(y, n, "memory");
	unsigned long mb;

	if (s == NULL)
		return 0;
	if (!lab__parse_memory(s, &mb)) {
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "memory '%s' is not a size like 64M, 1G or 128 (MiB)", s);
		return 0;
	}
	if (mb < LAB_MEM_MIN_MB || mb > LAB_MEM_MAX_MB) {
		lab__y_report(y, LAB_E_MEMORY, n, NULL, "memory %luM is outside %u..%u MiB", mb,
		              LAB_MEM_MIN_MB, LAB_MEM_MAX_MB);
		return 0;
	}
	return (unsigned int)mb;
}

/* A boolean node into *out. */
static void
boolean(struct lab__yaml *y, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s != NULL && !lab__parse_bool(s, out))
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be true or false, not '%s'", what,
		              s);
}

/* num_terms: 0..16 consoles. */
static void
num_terms(struct lab__yaml *y, const yaml_node_t *n, unsigned int *out)
{
	const char *s = lab__y_scalar(y, n, "num_terms");
	unsigned long v;

	if (s == NULL)
		return;
	if (!lab__parse_uint(s, 16, &v))
		lab__y_report(y, LAB_E_TYPE, n, NULL, "num_terms must be a number from 0 to 16");
	else
		*out = (unsigned int)v;
}

/* A model filesystem name: it becomes NAME.img. */
static void
fs_name(struct lab__yaml *y, const yaml_node_t *n, char **dst)
{
	const char *s = lab__y_scalar(y, n, "fs");

	if (s == NULL)
		return;
	if (!lab_name_valid(s)) {
		lab__y_report(y, LAB_E_NAME, n, NULL,
		              "fs '%s' is not a valid name ([A-Za-z0-9][A-Za-z0-9_-]{0,31})", s);
		return;
	}
	free(*dst);
	*dst = xstrdup(s);
}

/* Kernel command-line words, each checked. */
static void
kargs(struct lab__yaml *y, const yaml_node_t *n, char ***v, size_t *nv)
{
	size_t before = *nv;

	if (!lab__y_strv(y, n, "kargs", v, nv))
		return;
	for (size_t i = before; i < *nv; i++)
		if (!lab_karg_valid((*v)[i]))
			lab__y_report(
			        y, LAB_E_TYPE, n, NULL,
			        "kernel argument '%s' has blanks, quotes or control characters",
			        (*v)[i]);
}

/* sysctl: a list of "key=value" or a mapping key: value. */
static void
sysctls(struct lab__yaml *y, const yaml_node_t *n, struct lab_host *h)
{
	size_t before = h->n_sysctls;

	if (n->type == YAML_MAPPING_NODE) {
		MAP_EACH(n, p)
		{
			const yaml_node_t *kn = lab__y_node(y, p->key),
			                  *vn = lab__y_node(y, p->value);
			const char *k = kn != NULL ? lab__y_scalar(y, kn, "a sysctl name") : NULL;
			const char *v = vn != NULL ? lab__y_scalar(y, vn, "a sysctl value") : NULL;
			char *kv;

			if (k == NULL || v == NULL)
				continue;
			kv = xasprintf("%s=%s", k, v);
			strv_push(&h->sysctls, &h->n_sysctls, kv);
			free(kv);
		}
	} else if (!lab__y_strv(y, n, "sysctl", &h->sysctls, &h->n_sysctls)) {
		return;
	}
	for (size_t i = before; i < h->n_sysctls; i++)
		if (!lab__sysctl_valid(h->sysctls[i]))
			lab__y_report(y, LAB_E_TYPE, n, NULL,
			              "sysctl '%s' is not like net.ipv4.ip_forward=1",
			              h->sysctls[i]);
}

/* One interface: "DOMAIN" or {domain: DOMAIN, mac: MAC, address: IPV4, IMPAIRMENTS...}; the
 * impairments apply to the frames the hub sends towards this interface. */
static void
iface(struct lab__yaml *y, struct lab_host *h, unsigned int index, const yaml_node_t *n)
{
	const char *keys[LAB_IMPAIR_NKEYS + 4] = {"domain", "mac", "address"};
	const yaml_node_t *dn = NULL, *mn = NULL, *an = NULL;
	char where[80], mac[18];
	const char *dom, *m = NULL;
	struct lab_impair im = {0};
	struct lab_origin o;
	uint64_t seen = 0;
	uint32_t addr = 0;

	memcpy(keys + 3, lab__impair_keys, sizeof(lab__impair_keys));
	snprintf(where, sizeof where, "in interface eth%u of host '%s'", index, h->name);
	if (n->type == YAML_MAPPING_NODE) {
		MAP_EACH(n, p)
		{
			int k = lab__y_key(y, p, keys, where, &seen);
			const yaml_node_t *v = lab__y_node(y, p->value);

			if (k == 0)
				dn = v;
			else if (k == 1)
				mn = v;
			else if (k == 2)
				an = v;
			else if (k >= 3 && v != NULL)
				lab__y_impair_key(y, k - 3, v, &im);
		}
		if (dn == NULL) {
			lab__y_report(y, LAB_E_TYPE, n, NULL,
			              "interface eth%u of host '%s' has no domain", index, h->name);
			return;
		}
		lab__y_impair_check(y, n, where + 3, &im);
	} else {
		dn = n;
	}
	if ((dom = lab__y_scalar(y, dn, "a collision domain")) == NULL)
		return;
	if (mn != NULL) {
		const char *ms = lab__y_scalar(y, mn, "mac");

		if (ms == NULL)
			return;
		if (!lab__parse_mac(ms, mac)) {
			lab__y_report(y, LAB_E_TYPE, mn, NULL,
			              "mac '%s' is not a unicast address like 02:00:00:00:00:01",
			              ms);
			return;
		}
		m = mac;
	}
	if (an != NULL) {
		const char *as = lab__y_scalar(y, an, "address");

		if (as == NULL)
			return;
		if (!lab_ipv4_parse(as, &addr)) {
			lab__y_report(y, LAB_E_TYPE, an, NULL,
			              "address '%s' is not an IPv4 address like 10.0.2.15", as);
			return;
		}
	}
	/* Problems with the address are reported at its own place. */
	o = lab__y_origin(y, an != NULL ? an : dn);
	lab__host_add_iface(h, index, dom, m, &o)->impair = im;
	h->ifaces[h->n_ifaces - 1].address = addr;
	h->ifaces[h->n_ifaces - 1].address_given = an != NULL;
	lab__origin_free(&o);
}

/* interfaces: a list (eth0, eth1, ...) or a mapping ethN: ... */
static void
interfaces(struct lab__yaml *y, size_t hi, const yaml_node_t *n)
{
	unsigned int idx = 0;

	if (lab__y_is_null(n))
		return;
	if (n->type == YAML_SEQUENCE_NODE) {
		SEQ_EACH(n, it)
		{
			const yaml_node_t *item = lab__y_node(y, *it);

			if (idx >= LAB_IFACES_MAX) {
				lab__y_report(y, LAB_E_TYPE, item, NULL, "more than %d interfaces",
				              LAB_IFACES_MAX);
				return;
			}
			if (item != NULL)
				iface(y, &y->c->lab->hosts[hi], idx++, item);
		}
		return;
	}
	if (!lab__y_is_map(y, n, "interfaces"))
		return;
	MAP_EACH(n, p)
	{
		const yaml_node_t *kn = lab__y_node(y, p->key), *vn = lab__y_node(y, p->value);
		const char *k = kn != NULL ? lab__y_scalar(y, kn, "an interface name") : NULL;

		if (k == NULL || vn == NULL)
			continue;
		if (!lab__parse_ethname(k, &idx)) {
			lab__y_report(y, LAB_E_NAME, kn, NULL,
			              "interface '%s' is not named eth0 .. eth%d", k,
			              LAB_IFACES_MAX - 1);
			continue;
		}
		iface(y, &y->c->lab->hosts[hi], idx, vn);
	}
}

/* depends: names of hosts that must be ready first. */
static void
depends(struct lab__yaml *y, const char *host, const yaml_node_t *n)
{
	char **v = NULL;
	size_t nv = 0;
	struct lab_origin o = lab__y_origin(y, n);

	lab__y_strv(y, n, "depends", &v, &nv);
	for (size_t i = 0; i < nv; i++)
		lab__add_dep(y->c, host, v[i], &o);
	strv_free(v, nv);
	lab__origin_free(&o);
}

/* One host's mapping. */
static void
host_map(struct lab__yaml *y, size_t hi, const yaml_node_t *n)
{
	static const char *const keys[] = {"interfaces",   "memory", "fs",       "kernel",
	                                   "kargs",        "sysctl", "exec",     "depends",
	                                   "num_terms",    "ipv6",   "links_up", "forwarding",
	                                   "mount_shared", "disks",  NULL};
	char *where = xasprintf("in host '%s'", y->c->lab->hosts[hi].name);
	uint64_t seen = 0;

	MAP_EACH(n, p)
	{
		int k = lab__y_key(y, p, keys, where, &seen);
		const yaml_node_t *v = lab__y_node(y, p->value);
		struct lab_host *h = &y->c->lab->hosts[hi];

		if (k < 0 || v == NULL)
			continue;
		switch (k) {
		case 0:
			interfaces(y, hi, v);
			break;
		case 1:
			h->memory_mb = memory(y, v);
			break;
		case 2:
			fs_name(y, v, &h->fs);
			break;
		case 3:
			lab__y_set_str(y, v, "kernel", &h->kernel);
			break;
		case 4:
			kargs(y, v, &h->kargs, &h->n_kargs);
			break;
		case 5:
			sysctls(y, v, h);
			break;
		case 6:
			lab__y_strv(y, v, "exec", &h->execs, &h->n_execs);
			break;
		case 7:
			depends(y, h->name, v);
			break;
		case 8:
			num_terms(y, v, &h->num_terms);
			break;
		case 9:
			boolean(y, v, "ipv6", &h->ipv6);
			break;
		case 10:
			boolean(y, v, "links_up", &h->links_up);
			break;
		case 11:
			/* In lab.yaml one switch: IPv6 forwards too when IPv6 is on. */
			boolean(y, v, "forwarding", &h->forwarding);
			h->ipv6_forwarding = h->forwarding;
			break;
		case 12:
			boolean(y, v, "mount_shared", &h->mount_shared);
			break;
		case 13:
			lab__y_disks(y, v, where + 3, &h->disks, &h->n_disks);
			break;
		}
	}
	free(where);
}

/* hosts: name -> interfaces list, mapping, or nothing. */
static void
hosts(struct lab__yaml *y, const yaml_node_t *n)
{
	if (!lab__y_is_map(y, n, "hosts"))
		return;
	MAP_EACH(n, p)
	{
		const yaml_node_t *kn = lab__y_node(y, p->key), *vn = lab__y_node(y, p->value);
		const char *name = kn != NULL ? lab__y_scalar(y, kn, "a host name") : NULL;
		struct lab_host *old;
		struct lab_origin o;
		size_t hi;

		if (name == NULL || vn == NULL)
			continue;
		if (!lab_name_valid(name)) {
			lab__y_report(y, LAB_E_NAME, kn, NULL,
			              "host name '%s' is not [A-Za-z0-9][A-Za-z0-9_-]{0,31} "
			              "(or is reserved)",
			              name);
			continue;
		}
		if ((old = lab__host_lookup(y->c->lab, name)) != NULL) {
			lab__y_report(y, LAB_E_DUPLICATE, kn, NULL,
			              "host '%s' defined twice (first at line %u)", name,
			              old->origin.line);
			continue;
		}
		o = lab__y_origin(y, kn);
		lab__host_get(y->c, name, &o);
		lab__origin_free(&o);
		hi = y->c->lab->n_hosts - 1;
		if (vn->type == YAML_SEQUENCE_NODE)
			interfaces(y, hi, vn);
		else if (!lab__y_is_null(vn) && lab__y_is_map(y, vn, "a host"))
			host_map(y, hi, vn);
	}
}

/* defaults: settings every host starts from. */
static void
defaults(struct lab__yaml *y, const yaml_node_t *n)
{
	static const char *const keys[] = {"memory",       "fs",        "kernel",   "kargs",
	                                   "ipv6",         "num_terms", "links_up", "forwarding",
	                                   "mount_shared", "disks",     NULL};
	struct lab__ctx *c = y->c;
	int *flags[] = {&c->default_links_up, &c->default_forwarding, &c->default_mount_shared};
	uint64_t seen = 0;

	if (lab__y_is_null(n) || !lab__y_is_map(y, n, "defaults"))
		return;
	MAP_EACH(n, p)
	{
		int k = lab__y_key(y, p, keys, "in defaults", &seen);
		const yaml_node_t *v = lab__y_node(y, p->value);
		bool b = true;
		unsigned int u = 1;

		if (k < 0 || v == NULL)
			continue;
		switch (k) {
		case 0:
			c->lab->default_memory_mb = memory(y, v);
			break;
		case 1:
			fs_name(y, v, &c->default_fs);
			break;
		case 2:
			lab__y_set_str(y, v, "kernel", &c->default_kernel);
			break;
		case 3:
			kargs(y, v, &c->default_kargs, &c->n_default_kargs);
			break;
		case 4:
			boolean(y, v, "ipv6", &b);
			c->default_ipv6 = b;
			break;
		case 5:
			num_terms(y, v, &u);
			c->default_num_terms = (int)u;
			break;
		case 6:
		case 7:
		case 8:
			boolean(y, v, keys[k], &b);
			*flags[k - 6] = b;
			if (k == 7)
				c->default_ipv6_forwarding = b;
			break;
		case 9:
			lab__y_disks(y, v, "defaults", &c->default_disks, &c->n_default_disks);
			break;
		}
	}
}

/* One domain's properties: capture, the impairment keys, the nat keys. */
static void
domain_props(struct lab__yaml *y, struct lab_domain *d, const yaml_node_t *n)
{
	const char *keys[1 + LAB_IMPAIR_NKEYS + LAB_NAT_NKEYS + 1] = {"capture"};
	char *where = xasprintf("in domain '%s'", d->name);
	struct lab__nat_nodes nat_seen = {0};
	uint64_t seen = 0;

	memcpy(keys + 1, lab__impair_keys, LAB_IMPAIR_NKEYS * sizeof(keys[0]));
	memcpy(keys + 1 + LAB_IMPAIR_NKEYS, lab__nat_keys, sizeof(lab__nat_keys));
	MAP_EACH(n, p)
	{
		int k = lab__y_key(y, p, keys, where, &seen);
		const yaml_node_t *v = lab__y_node(y, p->value);

		if (k < 0 || v == NULL)
			continue;
		if (k == 0)
			boolean(y, v, "capture", &d->capture);
		else if (k <= LAB_IMPAIR_NKEYS)
			lab__y_impair_key(y, k - 1, v, &d->impair);
		else
			lab__y_nat_key(y, k - 1 - LAB_IMPAIR_NKEYS, v, &d->nat, &nat_seen);
	}
	free(where);
	where = xasprintf("domain '%s'", d->name);
	lab__y_impair_check(y, n, where, &d->impair);
	lab__y_nat_check(y, d, &nat_seen);
	free(where);
}

/* domains: name -> properties. */
static void
domains(struct lab__yaml *y, const yaml_node_t *n)
{
	struct lab__ctx *c = y->c;

	if (lab__y_is_null(n) || !lab__y_is_map(y, n, "domains"))
		return;
	MAP_EACH(n, p)
	{
		const yaml_node_t *kn = lab__y_node(y, p->key), *vn = lab__y_node(y, p->value);
		const char *name = kn != NULL ? lab__y_scalar(y, kn, "a domain name") : NULL;
		struct lab_domain *d;
		bool dup = false;

		if (name == NULL || vn == NULL)
			continue;
		if (!lab_name_valid(name)) {
			lab__y_report(y, LAB_E_NAME, kn, NULL,
			              "domain name '%s' is not [A-Za-z0-9][A-Za-z0-9_-]{0,31}",
			              name);
			continue;
		}
		for (size_t i = 0; i < c->n_decls; i++)
			dup |= strcmp(c->decls[i].name, name) == 0;
		if (dup) {
			lab__y_report(y, LAB_E_DUPLICATE, kn, NULL, "domain '%s' defined twice",
			              name);
			continue;
		}
		c->decls = xreallocarray(c->decls, c->n_decls + 1, sizeof *c->decls);
		d = &c->decls[c->n_decls++];
		memset(d, 0, sizeof *d);
		d->name = xstrdup(name);
		d->origin = lab__y_origin(y, kn);
		lab_nat_init(&d->nat);
		if (!lab__y_is_null(vn) && lab__y_is_map(y, vn, "a domain"))
			domain_props(y, d, vn);
	}
}

/* The lab name: it reaches paths and MACs, so it must be a valid name. */
static void
lab_name(struct lab__yaml *y, const yaml_node_t *n)
{
	const char *s = lab__y_scalar(y, n, "name");

	if (s == NULL)
		return;
	if (!lab_name_valid(s)) {
		lab__y_report(y, LAB_E_NAME, n, NULL,
		              "lab name '%s' is not [A-Za-z0-9][A-Za-z0-9_-]{0,31}", s);
		return;
	}
	free(y->c->lab->name);
	y->c->lab->name = xstrdup(s);
}

enum top_key {
	K_NAME,
	K_DESCRIPTION,
	K_VERSION,
	K_AUTHOR,
	K_EMAIL,
	K_WEB,
	K_DEFAULTS,
	K_HOSTS,
	K_DOMAINS,
	K_TESTS,
	K_SETUP,
	K_TEARDOWN,
	K_COUNT
};

/* The top-level mapping; defaults first so hosts start from them. */
static void
top(struct lab__yaml *y, const yaml_node_t *root)
{
	static const char *const keys[] = {"name",  "description", "version", "author",  "email",
	                                   "web",   "defaults",    "hosts",   "domains", "tests",
	                                   "setup", "teardown",    NULL};
	struct lab *lab = y->c->lab;
	char **meta[] = {NULL,         &lab->description, &lab->version,
	                 &lab->author, &lab->email,       &lab->web};
	int ids[K_COUNT] = {0};
	uint64_t seen = 0;

	if (lab__y_is_null(root))
		return;
	if (!lab__y_is_map(y, root, "a lab.yaml document"))
		return;
	MAP_EACH(root, p)
	{
		int k = lab__y_key(y, p, keys, "at the top level", &seen);

		if (k >= 0)
			ids[k] = p->value;
	}
	for (int k = 0; k < K_COUNT; k++) {
		const yaml_node_t *v = ids[k] != 0 ? lab__y_node(y, ids[k]) : NULL;

		if (v == NULL || (lab__y_is_null(v) && k != K_DEFAULTS))
			continue;
		if (k == K_NAME)
			lab_name(y, v);
		else if (k <= K_WEB)
			lab__y_set_str(y, v, keys[k], meta[k]);
	}
	if (ids[K_DEFAULTS] != 0)
		defaults(y, lab__y_node(y, ids[K_DEFAULTS]));
	if (ids[K_HOSTS] != 0 && !lab__y_is_null(lab__y_node(y, ids[K_HOSTS])))
		hosts(y, lab__y_node(y, ids[K_HOSTS]));
	if (ids[K_DOMAINS] != 0)
		domains(y, lab__y_node(y, ids[K_DOMAINS]));
	if (ids[K_TESTS] != 0)
		lab__yaml_tests(y, ids[K_TESTS]);
	if (ids[K_SETUP] != 0)
		lab__yaml_suite_steps(y, ids[K_SETUP], true);
	if (ids[K_TEARDOWN] != 0)
		lab__yaml_suite_steps(y, ids[K_TEARDOWN], false);
}

/*
 * Nesting depth of buf's YAML, counted on parser events before any document
 * is built: libyaml's loader takes quadratic time on deep nesting, so a
 * hostile lab.yaml must be refused first. Returns false after reporting.
 */
static bool
depth_ok(struct lab__ctx *c, const char *buf, size_t len, const char *file)
{
	yaml_parser_t p;
	yaml_event_t ev;
	unsigned int depth = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&p))
		return true; /* the real parse reports it */
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && ok) {
		if (!yaml_parser_parse(&p, &ev))
			break; /* a syntax error: the real parse reports it with its place */
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > LAB_YAML_DEPTH_MAX) {
				lab__report(
				        c, LAB_E_SYNTAX, file, (unsigned int)ev.start_mark.line + 1,
				        (unsigned int)ev.start_mark.column + 1, NULL,
				        "YAML nested deeper than %u levels", LAB_YAML_DEPTH_MAX);
				ok = false;
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT ||
		           ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}

/* Parse lab.yaml text into c; problems are reported with file:line:col. */
void
lab__parse_yaml_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file)
{
	struct lab__yaml y = {.c = c, .file = file};
	yaml_parser_t parser;
	yaml_node_t *root;

	if (!depth_ok(c, buf, len, file))
		return;
	if (!yaml_parser_initialize(&parser)) {
		lab__report(c, LAB_E_IO, file, 0, 0, NULL, "cannot initialise the YAML parser");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		lab__report(c, LAB_E_SYNTAX, file, (unsigned int)parser.problem_mark.line + 1,
		            (unsigned int)parser.problem_mark.column + 1, NULL, "YAML: %s%s%s",
		            parser.problem != NULL ? parser.problem : "syntax error",
		            parser.context != NULL ? " " : "",
		            parser.context != NULL ? parser.context : "");
		yaml_parser_delete(&parser);
		return;
	}
	root = yaml_document_get_root_node(&y.doc);
	if (root != NULL)
		top(&y, root);
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
}
