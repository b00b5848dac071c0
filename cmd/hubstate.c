/*
 * cmd/hubstate.c: the hubs' state as llink and lstatus show it. The hub
 * answers in JSON; json-c reads it, so a field the hub adds later never
 * confuses us and a missing one reads as its default.
 */
/* json-c names a type json_bool, common/json.h a function: json-c's is
 * renamed while its headers are read. */
#define json_bool jsonc_bool
#include <json-c/json.h>
#undef json_bool
#include <stdlib.h>
#include <string.h>

#include "hub-client.h"
#include "hubstate.h"
#include "inst.h"
#include "json.h"
#include "lab.h"
#include "links.h"
#include "rt.h"
#include "xalloc.h"

#define HUB_ANSWER_MS 3000

/* One answer of domain's hub as JSON, or NULL. */
static json_object *
ask(const struct rt_inst *in, const char *domain, const char *cmd)
{
	char *dir = rt_hub_dir(in, domain), *err = NULL;
	char *answer = hub_client_request(dir, cmd, HUB_ANSWER_MS, &err);
	json_object *o = answer != NULL && answer[0] == '{' ? json_tokener_parse(answer) : NULL;

	free(answer);
	free(err);
	free(dir);
	return o;
}

static const char *
str(json_object *o, const char *key, const char *dflt)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

static uint64_t
num(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

/* Frames towards or from a port lost for any reason but `loss`. */
static uint64_t
drops(json_object *st)
{
	static const char *const keys[] = {"drops",          "rate_drops",    "mtu_drops",
	                                   "limit_drops",    "link_drops_in", "link_drops_out",
	                                   "partition_drops"};
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		n += num(st, keys[i]);
	return n;
}

/* The element of array key in o whose "port" is port, or NULL. */
static json_object *
port_entry(json_object *o, const char *key, unsigned int port)
{
	json_object *a;

	if (o == NULL || !json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (num(e, "port") == port)
			return e;
	}
	return NULL;
}

/* Is port in the hub's list of down ports? */
static bool
port_down(json_object *link, unsigned int port)
{
	json_object *a;

	if (link == NULL || !json_object_object_get_ex(link, "ports_down", &a) ||
	    !json_object_is_type(a, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if ((unsigned int)json_object_get_int(json_object_array_get_idx(a, i)) == port)
			return true;
	return false;
}

/* "host:ethN" of a port of domain d, or NULL. */
static char *
port_name(const struct lab *lab, const struct rt_ports *ports, const struct lab_domain *d,
          unsigned int port)
{
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &lab->hosts[h].ifaces[i];

			if (strcmp(ifc->domain, d->name) == 0 &&
			    rt_ports_find(ports, d->name, lab->hosts[h].name, ifc->index) == port)
				return xasprintf("%s:eth%u", lab->hosts[h].name, ifc->index);
		}
	return NULL;
}

/* The partition as groups of interface names: "pc1:eth0 | pc2:eth0,pc3:eth0",
 * or NULL when the domain is whole. */
static char *
partition_text(const struct lab *lab, const struct rt_ports *ports, const struct lab_domain *d,
               json_object *link)
{
	json_object *groups;
	char *out = NULL;

	if (link == NULL || !json_object_object_get_ex(link, "partition", &groups) ||
	    !json_object_is_type(groups, json_type_array) || json_object_array_length(groups) == 0)
		return NULL;
	out = xstrdup("");
	for (size_t g = 0; g < json_object_array_length(groups); g++) {
		json_object *grp = json_object_array_get_idx(groups, g);
		size_t n = json_object_is_type(grp, json_type_array) ? json_object_array_length(grp)
		                                                     : 0;
		char *s = xasprintf("%s%s", out, g ? " | " : "");

		free(out);
		out = s;
		for (size_t k = 0; k < n; k++) {
			unsigned int port = (unsigned int)json_object_get_int(
			        json_object_array_get_idx(grp, k));
			char *name = port_name(lab, ports, d, port);

			s = name != NULL ? xasprintf("%s%s%s", out, k ? "," : "", name)
			                 : xasprintf("%s%sport %u", out, k ? "," : "", port);
			free(name);
			free(out);
			out = s;
		}
	}
	return out;
}

struct dstate {
	json_object *stats, *impair, *link;
};

static void
dstate_get(struct dstate *s, const struct rt_inst *in, const char *domain)
{
	s->stats = ask(in, domain, "stats");
	s->impair = ask(in, domain, "impair");
	s->link = ask(in, domain, "link");
}

static void
dstate_put(struct dstate *s)
{
	json_object_put(s->stats);
	json_object_put(s->impair);
	json_object_put(s->link);
}

static void
print_domain(FILE *f, struct json_out *j, const struct lab *lab, const struct rt_inst *in,
             const struct rt_ports *ports, const struct lab_domain *d)
{
	struct dstate s;
	bool up = rt_hub_running(in, d->name);
	const char *dlink, *dimp;
	char *part;

	memset(&s, 0, sizeof(s));
	if (up)
		dstate_get(&s, in, d->name);
	dlink = str(s.link, "link", "up");
	dimp = str(s.impair, "domain", "none");
	part = partition_text(lab, ports, d, s.link);
	if (j != NULL) {
		json_begin_object(j, NULL);
		json_string(j, "name", d->name);
		json_bool(j, "hub", up);
		json_string(j, "link", up ? dlink : NULL);
		json_string(j, "impair", up ? dimp : NULL);
		json_string(j, "partition", part);
		json_begin_array(j, "interfaces");
	} else {
		fprintf(f, "%s: %s", d->name, up ? "hub running" : "no hub running");
		if (up)
			fprintf(f, ", link %s, impair %s", dlink, dimp);
		fprintf(f, "\n");
		if (part != NULL)
			fprintf(f, "  partition: %s\n", part);
		fprintf(f, "  %-20s %5s %-4s %-9s %-24s %9s %9s %7s %7s\n", "INTERFACE", "PORT",
		        "LINK", "PLUGGED", "IMPAIR", "FRAMES_IN", "FRAMES_OUT", "LOST", "DROPS");
	}
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &lab->hosts[h].ifaces[i];
			unsigned int port;
			json_object *st, *own;
			char name[LAB_NAME_MAX + 16];
			const char *imp;
			bool down;

			if (strcmp(ifc->domain, d->name) != 0)
				continue;
			port = rt_ports_find(ports, d->name, lab->hosts[h].name, ifc->index);
			snprintf(name, sizeof(name), "%s:eth%u", lab->hosts[h].name, ifc->index);
			st = port_entry(s.stats, "ports", port);
			own = port_entry(s.impair, "ports", port);
			imp = own != NULL ? str(own, "impair", "none") : dimp;
			down = port_down(s.link, port);
			if (j != NULL) {
				json_begin_object(j, NULL);
				json_string(j, "name", name);
				json_uint(j, "port", port);
				json_bool(j, "plugged", st != NULL);
				json_string(j, "link", up ? (down ? "down" : "up") : NULL);
				json_string(j, "impair", up ? imp : NULL);
				json_bool(j, "own_impair", own != NULL);
				json_uint(j, "frames_in", num(st, "frames_in"));
				json_uint(j, "frames_out", num(st, "frames_out"));
				json_uint(j, "lost", num(st, "lost"));
				json_uint(j, "drops", drops(st));
				json_end_object(j);
			} else {
				char *shown =
				        own != NULL ? xstrdup(imp) : xasprintf("(domain) %s", imp);

				fprintf(f, "  %-20s %5u %-4s %-9s %-24s %9llu %9llu %7llu %7llu\n",
				        name, port,
				        !up    ? "-"
				        : down ? "down"
				               : "up",
				        st != NULL ? "yes" : "no", up ? shown : "-",
				        (unsigned long long)num(st, "frames_in"),
				        (unsigned long long)num(st, "frames_out"),
				        (unsigned long long)num(st, "lost"),
				        (unsigned long long)(num(st, "drops") +
				                             num(st, "rate_drops") +
				                             num(st, "mtu_drops") +
				                             num(st, "limit_drops") +
				                             num(st, "link_drops")));
				free(shown);
			}
		}
	if (j != NULL) {
		json_end_array(j);
		json_end_object(j);
	}
	free(part);
	dstate_put(&s);
}

int
hubstate_print(FILE *f, bool json, const struct lab *lab, const struct rt_inst *in,
               const struct rt_ports *ports, const bool *want)
{
	struct json_out j;
	bool first = true;

	if (json) {
		json_out_init(&j, f, false);
		json_begin_object(&j, NULL);
		json_begin_array(&j, "domains");
	}
	for (size_t d = 0; d < lab->n_domains; d++) {
		if (!want[d])
			continue;
		if (!json && !first)
			fputc('\n', f);
		first = false;
		print_domain(f, json ? &j : NULL, lab, in, ports, &lab->domains[d]);
	}
	if (json) {
		json_end_array(&j);
		json_end_object(&j);
		fputc('\n', f);
		return json_out_finish(&j) ? 0 : -1;
	}
	return 0;
}

char *
hubstate_summary(const struct lab *lab, const struct rt_inst *in, size_t d)
{
	const char *name = lab->domains[d].name;
	struct dstate s;
	char *out = NULL;
	json_object *a;
	size_t ndown = 0;

	if (!rt_hub_running(in, name))
		return NULL;
	dstate_get(&s, in, name);
	if (strcmp(str(s.link, "link", "up"), "down") == 0)
		out = xstrdup("link down");
	if (s.link != NULL && json_object_object_get_ex(s.link, "ports_down", &a) &&
	    json_object_is_type(a, json_type_array))
		ndown = json_object_array_length(a);
	if (ndown > 0) {
		char *t = xasprintf("%s%s%zu interface(s) down", out ? out : "", out ? ", " : "",
		                    ndown);
		free(out);
		out = t;
	}
	if (strcmp(str(s.impair, "domain", "none"), "none") != 0) {
		char *t = xasprintf("%s%simpair %s", out ? out : "", out ? ", " : "",
		                    str(s.impair, "domain", "none"));
		free(out);
		out = t;
	}
	if (s.impair != NULL && json_object_object_get_ex(s.impair, "ports", &a) &&
	    json_object_is_type(a, json_type_array) && json_object_array_length(a) > 0) {
		char *t = xasprintf("%s%s%zu interface(s) with own impairments", out ? out : "",
		                    out ? ", " : "", json_object_array_length(a));
		free(out);
		out = t;
	}
	if (s.link != NULL && json_object_object_get_ex(s.link, "partition", &a) &&
	    json_object_is_type(a, json_type_array) && json_object_array_length(a) > 0) {
		char *t = xasprintf("%s%spartitioned", out ? out : "", out ? ", " : "");
		free(out);
		out = t;
	}
	dstate_put(&s);
	return out;
}

bool
hubstate_totals(const struct rt_inst *in, const char *domain, struct hubstate_totals *t)
{
	json_object *st = ask(in, domain, "stats"), *tot = NULL;

	memset(t, 0, sizeof(*t));
	if (st == NULL)
		return false;
	json_object_object_get_ex(st, "totals", &tot);
	t->clients = (unsigned int)num(st, "clients");
	t->frames = num(tot, "frames_in");
	t->bytes = num(tot, "bytes_in");
	t->drops = num(tot, "drops");
	json_object_put(st);
	return true;
}
