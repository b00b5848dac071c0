/*
 * lab/model.c: the in-memory model: building hosts while parsing, lookups,
 * deterministic MACs, and freeing everything.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Names safe for shells, kernel command lines, socket paths and tmux. */
bool
lab_name_valid(const char *name)
{
	size_t n = 0;

	if (name == NULL || !isalnum((unsigned char)name[0]) || !isascii((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p != '\0'; p++, n++) {
		bool ok = (isascii((unsigned char)*p) && isalnum((unsigned char)*p)) || *p == '_' ||
		          *p == '-';

		if (!ok || n >= LAB_NAME_MAX)
			return false;
	}
	return strcmp(name, "shared") != 0;
}

/* Start a load: an empty lab and empty lists. */
void
lab__ctx_init(struct lab__ctx *c)
{
	memset(c, 0, sizeof *c);
	c->lab = xcalloc(1, sizeof *c->lab);
	c->errs_tail = &c->errs;
	c->warn_tail = &c->lab->warnings;
	c->default_ipv6 = -1;
	c->default_num_terms = -1;
	c->default_links_up = -1;
	c->default_forwarding = -1;
	c->default_ipv6_forwarding = -1;
	c->default_mount_shared = -1;
}

/* Free the load's scratch; the lab too when free_lab. Errors stay in c->errs. */
void
lab__ctx_done(struct lab__ctx *c, bool free_lab)
{
	for (size_t i = 0; i < c->n_deps; i++) {
		free(c->deps[i].from);
		free(c->deps[i].to);
		lab__origin_free(&c->deps[i].origin);
	}
	free(c->deps);
	for (size_t i = 0; i < c->n_decls; i++)
		lab__domain_free(&c->decls[i]);
	free(c->decls);
	strv_free(c->machines, c->n_machines);
	lab__origin_free(&c->machines_origin);
	free(c->default_fs);
	free(c->default_kernel);
	strv_free(c->default_kargs, c->n_default_kargs);
	lab__disks_free(c->default_disks, c->n_default_disks);
	c->default_disks = NULL;
	c->n_default_disks = 0;
	if (free_lab)
		lab_free(c->lab);
	c->deps = NULL;
	c->decls = NULL;
	c->machines = NULL;
	c->default_kargs = NULL;
	c->default_fs = c->default_kernel = NULL;
	c->n_deps = c->n_decls = c->n_machines = c->n_default_kargs = 0;
	c->lab = NULL;
}

/* The host called name while building, or NULL. */
struct lab_host *
lab__host_lookup(struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (strcmp(lab->hosts[i].name, name) == 0)
			return &lab->hosts[i];
	return NULL;
}

/* "did you mean 'pc1'?" when name is close to a host's name, or NULL. */
char *
lab__host_hint(const struct lab *lab, const char *name)
{
	const char **names = xcalloc(lab->n_hosts + 1, sizeof *names);
	const char *near;
	char *hint = NULL;

	for (size_t i = 0; i < lab->n_hosts; i++)
		names[i] = lab->hosts[i].name;
	if ((near = lab__closest(name, names)) != NULL)
		hint = xasprintf("did you mean '%s'?", near);
	free(names);
	return hint;
}

/* The host called name, created with the lab's defaults if new. Pointers into hosts move. */
struct lab_host *
lab__host_get(struct lab__ctx *c, const char *name, const struct lab_origin *o)
{
	struct lab *lab = c->lab;
	struct lab_host *h = lab__host_lookup(lab, name);

	if (h != NULL)
		return h;
	lab->hosts = xreallocarray(lab->hosts, lab->n_hosts + 1, sizeof *lab->hosts);
	h = &lab->hosts[lab->n_hosts++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->origin = lab__origin(o->file, o->line, o->col);
	h->num_terms = c->default_num_terms >= 0 ? (unsigned int)c->default_num_terms : 1;
	h->ipv6 = c->default_ipv6 != 0;
	h->links_up = c->default_links_up > 0;
	h->forwarding = c->default_forwarding > 0;
	h->ipv6_forwarding = c->default_ipv6_forwarding > 0;
	h->mount_shared = c->default_mount_shared > 0;
	h->fs = c->default_fs != NULL ? xstrdup(c->default_fs) : NULL;
	h->kernel = c->default_kernel != NULL ? xstrdup(c->default_kernel) : NULL;
	for (size_t i = 0; i < c->n_default_kargs; i++)
		strv_push(&h->kargs, &h->n_kargs, c->default_kargs[i]);
	lab__disks_copy(c->default_disks, c->n_default_disks, &h->disks, &h->n_disks);
	return h;
}

/* Append ethN on domain (and an optional MAC) as written; sorting comes later. */
struct lab_iface *
lab__host_add_iface(struct lab_host *h, unsigned int index, const char *domain, const char *mac,
                    const struct lab_origin *o)
{
	struct lab_iface *i;

	h->ifaces = xreallocarray(h->ifaces, h->n_ifaces + 1, sizeof *h->ifaces);
	i = &h->ifaces[h->n_ifaces++];
	i->index = index;
	i->domain = xstrdup(domain);
	i->mac = mac != NULL ? xstrdup(mac) : NULL;
	i->address = 0;
	i->address_given = false;
	i->origin = lab__origin(o->file, o->line, o->col);
	i->impair = (struct lab_impair){0};
	return i;
}

/* Keep a legacy option as written. */
void
lab__host_add_option(struct lab_host *h, const char *key, const char *value, bool honoured,
                     const struct lab_origin *o)
{
	struct lab_option *opt;

	h->options = xreallocarray(h->options, h->n_options + 1, sizeof *h->options);
	opt = &h->options[h->n_options++];
	opt->key = xstrdup(key);
	opt->value = value != NULL ? xstrdup(value) : NULL;
	opt->honoured = honoured;
	opt->origin = lab__origin(o->file, o->line, o->col);
}

/* Record "from needs to" for resolution once every host is known. */
void
lab__add_dep(struct lab__ctx *c, const char *from, const char *to, const struct lab_origin *o)
{
	struct lab__dep *d;

	/* Doubling (the capacity is the next power of two): a lab.dep of 4 MiB
	 * holds half a million edges, and growing by one would copy them all
	 * each time. */
	if ((c->n_deps & (c->n_deps - 1)) == 0)
		c->deps = xreallocarray(c->deps, c->n_deps ? 2 * c->n_deps : 1, sizeof *c->deps);
	d = &c->deps[c->n_deps++];
	d->from = xstrdup(from);
	d->to = xstrdup(to);
	d->origin = lab__origin(o->file, o->line, o->col);
}

/* Free what a host owns (not the struct itself). */
void
lab__host_free(struct lab_host *h)
{
	free(h->name);
	for (size_t i = 0; i < h->n_ifaces; i++) {
		free(h->ifaces[i].domain);
		free(h->ifaces[i].mac);
		lab__origin_free(&h->ifaces[i].origin);
	}
	free(h->ifaces);
	free(h->fs);
	free(h->kernel);
	strv_free(h->kargs, h->n_kargs);
	strv_free(h->sysctls, h->n_sysctls);
	strv_free(h->execs, h->n_execs);
	lab__disks_free(h->disks, h->n_disks);
	free(h->startup);
	free(h->shutdown);
	free(h->overlay);
	strv_free(h->depends, h->n_depends);
	free(h->dep_index);
	for (size_t i = 0; i < h->n_options; i++) {
		free(h->options[i].key);
		free(h->options[i].value);
		lab__origin_free(&h->options[i].origin);
	}
	free(h->options);
	lab__origin_free(&h->origin);
}

/* Free what a domain owns. */
void
lab__domain_free(struct lab_domain *d)
{
	free(d->name);
	strv_free(d->members, d->n_members);
	lab__nat_free(&d->nat);
	lab__origin_free(&d->origin);
}

/* Free what a test owns. */
void
lab__test_free(struct lab_test *t)
{
	free(t->name);
	free(t->on);
	free(t->run);
	free(t->expect.stdout_re);
	free(t->expect.stdout_not_re);
	free(t->expect.stderr_re);
	free(t->expect.stderr_not_re);
	free(t->expect.lines_re);
	strv_free(t->setup, t->n_setup);
	strv_free(t->teardown, t->n_teardown);
	lab__origin_free(&t->origin);
}

/* Free a lab and everything in it; NULL is fine. */
void
lab_free(struct lab *lab)
{
	if (lab == NULL)
		return;
	free(lab->dir);
	free(lab->name);
	free(lab->description);
	free(lab->version);
	free(lab->author);
	free(lab->email);
	free(lab->web);
	for (size_t i = 0; i < lab->n_hosts; i++)
		lab__host_free(&lab->hosts[i]);
	free(lab->hosts);
	for (size_t i = 0; i < lab->n_domains; i++)
		lab__domain_free(&lab->domains[i]);
	free(lab->domains);
	for (size_t i = 0; i < lab->n_tests; i++)
		lab__test_free(&lab->tests[i]);
	free(lab->tests);
	strv_free(lab->setup, lab->n_setup);
	strv_free(lab->setup_on, lab->n_setup);
	strv_free(lab->teardown, lab->n_teardown);
	strv_free(lab->teardown_on, lab->n_teardown);
	free(lab->shared_startup);
	free(lab->shared_shutdown);
	free(lab->shared_dir);
	free(lab->conf_file);
	lab_error_free(lab->warnings);
	free(lab);
}

/* The host called name, or NULL. */
const struct lab_host *
lab_host_find(const struct lab *lab, const char *name)
{
	ssize_t i = lab_host_index(lab, name);

	return i < 0 ? NULL : &lab->hosts[i];
}

/* Index of the host called name, or -1. */
ssize_t
lab_host_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (strcmp(lab->hosts[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* The domain called name, or NULL. */
const struct lab_domain *
lab_domain_find(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_domains; i++)
		if (strcmp(lab->domains[i].name, name) == 0)
			return &lab->domains[i];
	return NULL;
}

/* Memory a host gets: its own, else the lab default, else LAB_MEM_DEFAULT_MB. */
unsigned int
lab_host_memory_mb(const struct lab *lab, const struct lab_host *h)
{
	if (h->memory_mb != 0)
		return h->memory_mb;
	if (lab->default_memory_mb != 0)
		return lab->default_memory_mb;
	return LAB_MEM_DEFAULT_MB;
}

/* The lab's MAC for ethN, or 02: followed by 40 bits of FNV-1a of "lab\0host\0N". */
void
lab_iface_mac(const struct lab *lab, const struct lab_host *h, const struct lab_iface *i,
              char out[18])
{
	uint64_t hash = FNV1A64_INIT;
	unsigned char idx = (unsigned char)i->index;

	if (i->mac != NULL) {
		memcpy(out, i->mac, 17);
		out[17] = '\0';
		return;
	}
	hash = fnv1a64(hash, lab->name, strlen(lab->name) + 1);
	hash = fnv1a64(hash, h->name, strlen(h->name) + 1);
	hash = fnv1a64(hash, &idx, 1);
	snprintf(out, 18, "02:%02x:%02x:%02x:%02x:%02x", (unsigned int)(hash >> 32) & 0xff,
	         (unsigned int)(hash >> 24) & 0xff, (unsigned int)(hash >> 16) & 0xff,
	         (unsigned int)(hash >> 8) & 0xff, (unsigned int)hash & 0xff);
}

/* The hub port of host:ethN on its domain: its place among the domain's
 * members (host order, then interface order), from 1. Fixed by the lab file,
 * so a port keeps its number across guest restarts and its impairments can
 * be set before the guest plugs in. 0 when the interface is on no domain. */
unsigned int
lab_iface_port(const struct lab *lab, const struct lab_host *h, const struct lab_iface *i)
{
	const struct lab_domain *d = lab_domain_find(lab, i->domain);
	char m[LAB_NAME_MAX + 16];

	if (d == NULL)
		return 0;
	snprintf(m, sizeof m, "%s:eth%u", h->name, i->index);
	for (size_t k = 0; k < d->n_members; k++)
		if (strcmp(d->members[k], m) == 0)
			return k + 1 <= LAB_PORT_MAX ? (unsigned int)k + 1 : 0;
	return 0;
}
