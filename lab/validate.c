/*
 * lab/validate.c: checks that need no file system, run once every file is
 * parsed: interfaces (order, repeats, gaps, names, MACs), collision domains,
 * dependencies. Every problem is reported, not just the first.
 */
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Sort a host's interfaces by index (stable: repeats keep file order). */
static void
sort_ifaces(struct lab_host *h)
{
	for (size_t i = 1; i < h->n_ifaces; i++) {
		struct lab_iface x = h->ifaces[i];
		size_t j = i;

		for (; j > 0 && h->ifaces[j - 1].index > x.index; j--)
			h->ifaces[j] = h->ifaces[j - 1];
		h->ifaces[j] = x;
	}
}

/* Interfaces of one host: names, repeats, gaps. */
static void
check_ifaces(struct lab__ctx *c, struct lab_host *h)
{
	unsigned int expect = 0;

	sort_ifaces(h);
	for (size_t i = 0; i < h->n_ifaces; i++) {
		struct lab_iface *f = &h->ifaces[i];

		if (!lab_name_valid(f->domain))
			lab__report_at(c, LAB_E_NAME, &f->origin, NULL,
			               "collision domain '%s' (eth%u of host '%s') is not "
			               "[A-Za-z0-9][A-Za-z0-9_-]{0,31}",
			               f->domain, f->index, h->name);
		if (i > 0 && h->ifaces[i - 1].index == f->index) {
			lab__report_at(c, LAB_E_DUPLICATE, &f->origin, NULL,
			               "eth%u of host '%s' given twice (also at %s:%u)", f->index,
			               h->name, h->ifaces[i - 1].origin.file,
			               h->ifaces[i - 1].origin.line);
			continue;
		}
		if (f->index > expect)
			lab__report_at(c, LAB_E_IFACE_GAP, &f->origin, NULL,
			               "host '%s' has eth%u but no eth%u: interfaces must be "
			               "numbered without gaps",
			               h->name, f->index, expect);
		expect = f->index + 1;
	}
}

/* The domain called name, appended if new. */
static struct lab_domain *
domain_get(struct lab *lab, const char *name, const struct lab_origin *o)
{
	struct lab_domain *d;

	for (size_t i = 0; i < lab->n_domains; i++)
		if (strcmp(lab->domains[i].name, name) == 0)
			return &lab->domains[i];
	lab->domains = xreallocarray(lab->domains, lab->n_domains + 1, sizeof *lab->domains);
	d = &lab->domains[lab->n_domains++];
	memset(d, 0, sizeof *d);
	d->name = xstrdup(name);
	d->origin = lab__origin(o->file, o->line, o->col);
	return d;
}

/* Domains in order of first use, with members; then lab.yaml's declarations. */
static void
build_domains(struct lab__ctx *c)
{
	struct lab *lab = c->lab;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct lab_host *h = &lab->hosts[i];

		for (size_t k = 0; k < h->n_ifaces; k++) {
			struct lab_domain *d =
			        domain_get(lab, h->ifaces[k].domain, &h->ifaces[k].origin);
			char *m = xasprintf("%s:eth%u", h->name, h->ifaces[k].index);

			strv_push(&d->members, &d->n_members, m);
			free(m);
		}
	}
	for (size_t i = 0; i < c->n_decls; i++) {
		struct lab_domain *decl = &c->decls[i];
		size_t before = lab->n_domains;
		struct lab_domain *d = domain_get(lab, decl->name, &decl->origin);

		if (lab->n_domains > before)
			lab__report_at(c, LAB_W_STYLE, &decl->origin, NULL,
			               "domain '%s' is declared but no interface is on it",
			               decl->name);
		d->capture = decl->capture;
		d->impair = decl->impair;
		/* The forwards move to the model. */
		lab__nat_free(&d->nat);
		d->nat = decl->nat;
		memset(&decl->nat, 0, sizeof decl->nat);
	}
	for (size_t i = 0; i < lab->n_domains; i++) {
		size_t max = LAB_PORT_MAX - (lab->domains[i].nat.enabled ? 1 : 0);

		if (lab->domains[i].n_members > max)
			lab__report_at(c, LAB_E_TYPE, &lab->domains[i].origin, NULL,
			               "domain '%s' has %zu interfaces; its hub has room for %zu",
			               lab->domains[i].name, lab->domains[i].n_members, max);
	}
}

/* Two interfaces with the same MAC would confuse every switch and ARP table. */
static void
check_macs(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	size_t total = 0, k = 0;
	char(*macs)[18];

	for (size_t i = 0; i < lab->n_hosts; i++)
		total += lab->hosts[i].n_ifaces;
	macs = xcalloc(total, sizeof *macs);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct lab_host *h = &lab->hosts[i];

		for (size_t j = 0; j < h->n_ifaces; j++, k++) {
			if (j > 0 && h->ifaces[j - 1].index == h->ifaces[j].index)
				continue; /* a repeated ethN, already reported */
			lab_iface_mac(lab, h, &h->ifaces[j], macs[k]);
			for (size_t p = 0; p < k; p++)
				if (macs[p][0] != '\0' && strcmp(macs[p], macs[k]) == 0) {
					lab__report_at(c, LAB_E_DUPLICATE, &h->ifaces[j].origin,
					               NULL, "MAC %s of %s:eth%u is used twice",
					               macs[k], h->name, h->ifaces[j].index);
					break;
				}
		}
	}
	free(macs);
}

/* Turn the dependency edges into each host's depends/dep_index, reporting unknown hosts. */
static void
resolve_deps(struct lab__ctx *c)
{
	struct lab *lab = c->lab;

	for (size_t i = 0; i < c->n_deps; i++) {
		struct lab__dep *d = &c->deps[i];
		ssize_t from = lab_host_index(lab, d->from), to = lab_host_index(lab, d->to);
		const char *missing = from < 0 ? d->from : d->to;
		struct lab_host *h;

		if (from < 0 || to < 0) {
			char *hint = lab__host_hint(lab, missing);

			lab__report_at(c, LAB_E_UNKNOWN_HOST, &d->origin, hint,
			               "dependency %s -> %s names '%s', which is not a host of "
			               "this lab",
			               d->from, d->to, missing);
			free(hint);
			continue;
		}
		h = &lab->hosts[from];
		if (strv_find(h->depends, h->n_depends, d->to) >= 0)
			continue; /* repeated in lab.dep, or in both lab.dep and lab.yaml */
		h->dep_index = xreallocarray(h->dep_index, h->n_depends + 1, sizeof *h->dep_index);
		h->dep_index[h->n_depends] = (size_t)to;
		strv_push(&h->depends, &h->n_depends, d->to);
	}
}

/* Validate and complete the model once every file is parsed. */
void
lab__finish_model(struct lab__ctx *c)
{
	struct lab *lab = c->lab;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		check_ifaces(c, &lab->hosts[i]);
		/* lab.conf options are warned about where they are read. */
		if (lab->format == LAB_FMT_YAML && lab->hosts[i].num_terms > 1)
			lab__report_at(c, LAB_W_UNSUPPORTED, &lab->hosts[i].origin, NULL,
			               "host '%s': num_terms %u: umlab gives each host one "
			               "console; open more shells with lconnect or lexec",
			               lab->hosts[i].name, lab->hosts[i].num_terms);
	}
	build_domains(c);
	lab__nat_finish(c);
	check_macs(c);
	resolve_deps(c);
	lab__find_cycles(c);
	if (lab->n_hosts == 0)
		lab__report(c, LAB_E_NOT_A_LAB, lab->conf_file, 0, 0, NULL, "the lab has no hosts");
}
