/*
 * cmd/cmd-llink.c: llink: show and change the links of a running lab —
 * impairments of a domain or one interface, a link or a whole domain down
 * and up, a domain split into groups. Each change goes to the domain's hub
 * (share/doc/hub-control.md) and is recorded so that a hub lstart starts
 * again keeps it (rt/links.c); ports are the fixed ones of rt/ports.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "hubstate.h"
#include "inst.h"
#include "lab.h"
#include "links.h"
#include "rt.h"
#include "xalloc.h"

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"quiet", no_argument, NULL, 'q'},
        LCMD_JSON_LONGOPT,
        {NULL, 0, NULL, 0},
};

/* What a command line names: a domain, or one interface on it. */
struct target {
	const struct lab_domain *domain;
	const struct lab_host *host; /* NULL: the whole domain */
	unsigned int eth;
	unsigned int port;
};

struct llink {
	struct lcmd_ctx *ctx;
	const struct lab *lab;
	struct rt_inst in;
	struct rt_ports *ports;
	bool quiet;
};

/* DOMAIN or HOST:ethN into *t; false after reporting. */
static bool
resolve(struct llink *l, const char *arg, struct target *t)
{
	const char *colon = strchr(arg, ':');
	char host[LAB_NAME_MAX + 1];

	memset(t, 0, sizeof(*t));
	if (colon == NULL) {
		if ((t->domain = lab_domain_find(l->lab, arg)) != NULL)
			return true;
		if (lab_host_find(l->lab, arg) != NULL)
			lcmd_error(l->ctx,
			           "'%s' is a host: name one of its interfaces, like %s:eth0", arg,
			           arg);
		else
			lcmd_error(l->ctx, "no domain '%s' in the lab", arg);
		return false;
	}
	if ((size_t)(colon - arg) > LAB_NAME_MAX) {
		lcmd_error(l->ctx, "no host '%.*s' in the lab", (int)(colon - arg), arg);
		return false;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
	if ((t->host = lab_host_find(l->lab, host)) == NULL) {
		lcmd_error(l->ctx, "no host '%s' in the lab", host);
		return false;
	}
	for (size_t i = 0; i < t->host->n_ifaces; i++) {
		char name[16];

		snprintf(name, sizeof(name), "eth%u", t->host->ifaces[i].index);
		if (strcmp(name, colon + 1) == 0) {
			t->eth = t->host->ifaces[i].index;
			t->domain = lab_domain_find(l->lab, t->host->ifaces[i].domain);
			t->port = rt_ports_find(l->ports, t->domain->name, host, t->eth);
			return true;
		}
	}
	lcmd_error(l->ctx, "host %s has no interface '%s'", host, colon + 1);
	return false;
}

/* The hub of t's domain must run for any change. */
static bool
hub_up(struct llink *l, const struct target *t)
{
	if (rt_hub_running(&l->in, t->domain->name))
		return true;
	lcmd_error(l->ctx, "domain %s has no running hub (is the lab started?)", t->domain->name);
	return false;
}

static bool
change(struct llink *l, const struct target *t, const char *cmd)
{
	char *err = NULL;

	if (rt_link_change(&l->in, t->domain->name, cmd, &err) < 0) {
		lcmd_error(l->ctx, "%s", err);
		free(err);
		return false;
	}
	return true;
}

/* The lab file's impairments for t: "domain" for an interface without its own. */
static char *
lab_spec(const struct target *t)
{
	char *s = NULL;

	if (t->host == NULL) {
		s = rt_impair_spec(&t->domain->impair);
		return s != NULL ? s : xstrdup("none");
	}
	for (size_t i = 0; i < t->host->n_ifaces; i++)
		if (t->host->ifaces[i].index == t->eth)
			s = rt_impair_spec(&t->host->ifaces[i].impair);
	return s != NULL ? s : xstrdup("domain");
}

/* "impair domain SPEC" or "impair port N SPEC". */
static char *
impair_cmd(const struct target *t, const char *spec)
{
	return t->host == NULL ? xasprintf("impair domain %s", spec)
	                       : xasprintf("impair port %u %s", t->port, spec);
}

/* set TARGET SPEC...: the items joined by commas, as the hub reads them. */
static int
do_set(struct llink *l, int argc, char **argv)
{
	struct target t;
	char *spec = NULL, *cmd;
	bool ok;

	if (argc < 2)
		return lcmd_usage_error(l->ctx, "set needs a target and impairments");
	if (!resolve(l, argv[0], &t) || !hub_up(l, &t))
		return LCMD_FAIL;
	for (int i = 1; i < argc; i++) {
		char *s = spec == NULL ? xstrdup(argv[i]) : xasprintf("%s,%s", spec, argv[i]);

		free(spec);
		spec = s;
	}
	if (strchr(spec, ' ') != NULL || strlen(spec) > 200) {
		free(spec);
		return lcmd_usage_error(l->ctx, "impairments are key=value items like delay=50ms");
	}
	cmd = impair_cmd(&t, spec);
	ok = change(l, &t, cmd);
	if (ok && !l->quiet)
		printf("%s: impair %s\n", argv[0], spec);
	free(cmd);
	free(spec);
	return ok ? LCMD_OK : LCMD_FAIL;
}

/* reset TARGET...: the lab file's impairments again. */
static int
do_reset(struct llink *l, int argc, char **argv)
{
	int rc = LCMD_OK;

	if (argc < 1)
		return lcmd_usage_error(l->ctx, "reset needs a target");
	for (int i = 0; i < argc; i++) {
		struct target t;
		char *spec, *cmd;

		if (!resolve(l, argv[i], &t) || !hub_up(l, &t)) {
			rc = LCMD_FAIL;
			continue;
		}
		spec = lab_spec(&t);
		cmd = impair_cmd(&t, spec);
		if (!change(l, &t, cmd))
			rc = LCMD_FAIL;
		else if (!l->quiet)
			printf("%s: impair %s (the lab file's)\n", argv[i], spec);
		free(cmd);
		free(spec);
	}
	return rc;
}

/* down|up TARGET...: frames stop (or flow again) both ways. */
static int
do_updown(struct llink *l, bool down, int argc, char **argv)
{
	int rc = LCMD_OK;

	if (argc < 1)
		return lcmd_usage_error(l->ctx, "%s needs a target", down ? "down" : "up");
	for (int i = 0; i < argc; i++) {
		struct target t;
		char *cmd;

		if (!resolve(l, argv[i], &t) || !hub_up(l, &t)) {
			rc = LCMD_FAIL;
			continue;
		}
		cmd = t.host == NULL ? xasprintf("link domain %s", down ? "down" : "up")
		                     : xasprintf("link port %u %s", t.port, down ? "down" : "up");
		if (!change(l, &t, cmd))
			rc = LCMD_FAIL;
		else if (!l->quiet)
			printf("%s: %s\n", argv[i], down ? "down" : "up");
		free(cmd);
	}
	return rc;
}

/* The ports of one group "pc1,pc2:eth1" on domain d appended to *out as "1,3". */
static bool
group_ports(struct llink *l, const struct lab_domain *d, const char *group, char **out)
{
	char *copy = xstrdup(group), *save = NULL;
	bool ok = true, any = false;

	for (char *m = strtok_r(copy, ",", &save); m != NULL && ok;
	     m = strtok_r(NULL, ",", &save)) {
		const struct lab_host *h = lab_host_find(l->lab, m);
		struct target t;
		size_t before = any;

		if (h == NULL) {
			ok = resolve(l, m, &t);
			if (ok && t.domain != d) {
				lcmd_error(l->ctx, "%s is not on domain %s", m, d->name);
				ok = false;
			}
			if (ok) {
				char *s = xasprintf("%s%s%u", *out, any ? "," : "", t.port);
				free(*out);
				*out = s;
				any = true;
			}
			continue;
		}
		/* A host: every interface it has on d. */
		for (size_t i = 0; i < h->n_ifaces; i++) {
			char *s;

			if (strcmp(h->ifaces[i].domain, d->name) != 0)
				continue;
			s = xasprintf(
			        "%s%s%u", *out, any ? "," : "",
			        rt_ports_find(l->ports, d->name, h->name, h->ifaces[i].index));
			free(*out);
			*out = s;
			any = true;
		}
		if (any == before) {
			lcmd_error(l->ctx, "host %s has no interface on domain %s", m, d->name);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

/* partition DOMAIN GROUP GROUP...: frames pass only within a group. */
static int
do_partition(struct llink *l, int argc, char **argv)
{
	struct target t;
	char *groups = xstrdup(""), *cmd;
	bool ok = true;

	if (argc < 3)
		return lcmd_usage_error(l->ctx, "partition needs a domain and at least two groups");
	if (!resolve(l, argv[0], &t))
		return LCMD_FAIL;
	if (t.host != NULL)
		return lcmd_usage_error(l->ctx, "partition splits a domain, not %s", argv[0]);
	if (!hub_up(l, &t))
		return LCMD_FAIL;
	for (int i = 1; i < argc && ok; i++) {
		char *g = xstrdup("");

		ok = group_ports(l, t.domain, argv[i], &g);
		if (ok) {
			char *s = xasprintf("%s%s%s", groups, i > 1 ? " " : "", g);
			free(groups);
			groups = s;
		}
		free(g);
	}
	if (!ok) {
		free(groups);
		return LCMD_FAIL;
	}
	cmd = xasprintf("partition %s", groups);
	ok = change(l, &t, cmd);
	if (ok && !l->quiet)
		printf("%s: partitioned (ports %s)\n", argv[0], groups);
	free(cmd);
	free(groups);
	return ok ? LCMD_OK : LCMD_FAIL;
}

/* heal DOMAIN...: one domain again. */
static int
do_heal(struct llink *l, int argc, char **argv)
{
	int rc = LCMD_OK;

	if (argc < 1)
		return lcmd_usage_error(l->ctx, "heal needs a domain");
	for (int i = 0; i < argc; i++) {
		struct target t;

		if (!resolve(l, argv[i], &t) ||
		    (t.host != NULL &&
		     lcmd_usage_error(l->ctx, "heal joins a domain, not %s", argv[i])) ||
		    !hub_up(l, &t) || !change(l, &t, "partition none"))
			rc = LCMD_FAIL;
		else if (!l->quiet)
			printf("%s: healed\n", argv[i]);
	}
	return rc;
}

static int
do_show(struct llink *l, bool json, int argc, char **argv)
{
	bool *want = xcalloc(l->lab->n_domains, sizeof(*want));
	int rc = LCMD_OK;

	for (int i = 0; i < argc; i++) {
		struct target t;

		if (!resolve(l, argv[i], &t)) {
			free(want);
			return LCMD_FAIL;
		}
		want[t.domain - l->lab->domains] = true;
	}
	if (argc == 0)
		for (size_t d = 0; d < l->lab->n_domains; d++)
			want[d] = true;
	if (hubstate_print(stdout, json, l->lab, &l->in, l->ports, want) < 0)
		rc = LCMD_FAIL;
	free(want);
	return rc;
}

static int
cmd_llink_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct llink l = {.ctx = ctx};
	struct lab *lab = NULL;
	const char *verb;
	char *err = NULL;
	int c, rc;

	while ((c = lcmd_getopt(ctx, argc, argv, "+:d:w:qh", longopts, &lo)) != -1) {
		if (c == LCMD_GETOPT_DONE)
			return ctx->status;
		if (c == 'q')
			l.quiet = true;
	}
	argc -= optind;
	argv += optind;
	verb = argc > 0 ? argv[0] : "show";
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	l.lab = lab;
	if (rt_inst_init(&l.in, lab, lo.hostwd, &err) < 0 ||
	    rt_ports_load(&l.in, &l.ports, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	if (argc > 0) {
		argc--;
		argv++;
	}
	if (strcmp(verb, "show") == 0)
		rc = do_show(&l, lo.json, argc, argv);
	else if (lo.json)
		rc = lcmd_usage_error(ctx, "--json goes with show");
	else if (strcmp(verb, "set") == 0)
		rc = do_set(&l, argc, argv);
	else if (strcmp(verb, "reset") == 0)
		rc = do_reset(&l, argc, argv);
	else if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0)
		rc = do_updown(&l, verb[0] == 'd', argc, argv);
	else if (strcmp(verb, "partition") == 0)
		rc = do_partition(&l, argc, argv);
	else if (strcmp(verb, "heal") == 0)
		rc = do_heal(&l, argc, argv);
	else
		rc = lcmd_usage_error(ctx,
		                      "unknown action '%s' (show, set, reset, down, up, "
		                      "partition, heal)",
		                      verb);
out:
	rt_ports_free(l.ports);
	rt_inst_clear(&l.in);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_llink_entry = {
        .name = "llink",
        .summary = "show and change a running lab's links: impairments, down/up, partitions",
        .usage = "[-d DIR] [-w DIR] [-q] [--json] [ACTION [ARGS...]]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -q, --quiet          print nothing after a change\n"
                "      --json           show as JSON\n"
                "  -h, --help           this help\n"
                "actions (TARGET: a DOMAIN, or HOST:ethN for one interface):\n"
                "  show [TARGET...]            what is in force (the default action)\n"
                "  set TARGET KEY=VALUE...     impairments from now on (delay=50ms loss=1%...;\n"
                "                              'none' for none; see hub(8))\n"
                "  reset TARGET...             the lab file's impairments again\n"
                "  down TARGET... / up TARGET...  stop frames both ways / let them pass again\n"
                "  partition DOMAIN GROUP GROUP...  frames pass only within a group\n"
                "                              (GROUP: HOST or HOST:ethN, comma-separated)\n"
                "  heal DOMAIN...              end a partition\n",
        .exec = cmd_llink_exec,
};
