/*
 * cmd/cmd-linfo.c: linfo, show a lab without starting it.
 *
 * Three views of one loaded struct lab: a text listing (metadata, hosts,
 * domains, start waves, tests, warnings, and the hostwd and runtime
 * directory a run would use), a JSON document for scripts (its schema is
 * share/doc/linfo-json.md; change both together), and a Graphviz graph.
 * Load errors are printed as "file:line:col: message (hint)", with the file
 * shown as the user reaches it from the current directory.
 *
 * A little over 600 lines: the three views walk the same model and share its
 * helpers; if a fourth view comes, the JSON writer moves to its own file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "lab.h"
#include "links.h"
#include "paths.h"
#include "xalloc.h"

#define LINFO_JSON_SCHEMA 1 /* bump on any incompatible change of the document */

/* What linfo computed besides the model. */
struct linfo {
	const char *dir_arg; /* borrowed; -d as given, NULL for the current directory */
	struct lab *lab;     /* owned */
	char *hostwd;        /* owned; NULL when it cannot be computed */
	char *rundir;        /* owned; NULL when it cannot be computed */
	unsigned int *wave;  /* owned; wave[i] of host i */
	int n_waves;
};

/* Stable names of error codes, for the JSON document. */
static const char *
code_name(enum lab_error_code c)
{
	static const char *const names[] = {
	        [LAB_E_IO] = "io",
	        [LAB_E_SYNTAX] = "syntax",
	        [LAB_E_UNKNOWN_KEY] = "unknown-key",
	        [LAB_E_TYPE] = "type",
	        [LAB_E_NAME] = "name",
	        [LAB_E_DUPLICATE] = "duplicate",
	        [LAB_E_IFACE_GAP] = "interface-gap",
	        [LAB_E_MEMORY] = "memory",
	        [LAB_E_UNKNOWN_HOST] = "unknown-host",
	        [LAB_E_CYCLE] = "cycle",
	        [LAB_E_UNSAFE_PATH] = "unsafe-path",
	        [LAB_E_NOT_A_LAB] = "not-a-lab",
	        [LAB_W_UNSUPPORTED] = "unsupported",
	        [LAB_W_STYLE] = "style",
	};

	if ((size_t)c < sizeof(names) / sizeof(names[0]) && names[c] != NULL)
		return names[c];
	return "unknown";
}

/* Format e with its file as seen from the current directory (dir/file). */
static char *
format_error(const char *dir_arg, const struct lab_error *e)
{
	struct lab_error shown = *e;
	char *path = NULL, *text;

	shown.next = NULL;
	/* Not-a-lab errors name the directory itself, not a file inside it. */
	if (dir_arg != NULL && *dir_arg != '\0' && e->file != NULL && e->file[0] != '/' &&
	    strcmp(dir_arg, ".") != 0 && e->code != LAB_E_NOT_A_LAB) {
		size_t n = strlen(dir_arg);

		if (asprintf(&path, "%s%s%s", dir_arg, dir_arg[n - 1] == '/' ? "" : "/", e->file) <
		    0)
			path = NULL; /* out of memory: show the plain name rather than die here */
		if (path != NULL)
			shown.file = path;
	}
	text = lab_error_format(&shown);
	free(path);
	return text;
}

/* Write one diagnostic as a JSON object. */
static void
json_error(struct json_out *j, const struct lab_error *e)
{
	json_begin_object(j, NULL);
	json_string(j, "code", code_name(e->code));
	json_string(j, "file", e->file);
	json_uint(j, "line", e->line);
	json_uint(j, "col", e->col);
	json_string(j, "message", e->msg);
	json_string(j, "hint", e->hint);
	json_end_object(j);
}

/* Write an array of strings as a member. */
static void
json_strings(struct json_out *j, const char *key, char *const *v, size_t n)
{
	json_begin_array(j, key);
	for (size_t i = 0; i < n; i++)
		json_string(j, NULL, v[i]);
	json_end_array(j);
}

/* Write the lab's metadata object. */
static void
json_lab(struct json_out *j, const struct lab *lab)
{
	static const char *const formats[] = {"yaml", "conf", "dir"};

	json_begin_object(j, "lab");
	json_string(j, "name", lab->name);
	json_string(j, "description", lab->description);
	json_string(j, "version", lab->version);
	json_string(j, "author", lab->author);
	json_string(j, "email", lab->email);
	json_string(j, "web", lab->web);
	json_string(j, "dir", lab->dir);
	json_string(j, "format", formats[lab->format]);
	json_uint(j, "default_memory_mb",
	          lab->default_memory_mb != 0 ? lab->default_memory_mb : LAB_MEM_DEFAULT_MB);
	json_bool(j, "has_dep_file", lab->has_dep_file);
	json_string(j, "shared_startup", lab->shared_startup);
	json_string(j, "shared_shutdown", lab->shared_shutdown);
	json_string(j, "shared_dir", lab->shared_dir);
	json_end_object(j);
}

/* "address": "10.0.2.15/24" for an interface on a nat domain, else null. */
static void
json_iface_address(struct json_out *j, const struct lab *lab, const struct lab_iface *f)
{
	const struct lab_domain *d = lab_domain_find(lab, f->domain);
	char a[16], *s;

	if (d == NULL || !d->nat.enabled || f->address == 0) {
		json_null(j, "address");
		return;
	}
	lab_ipv4_format(f->address, a);
	s = xasprintf("%s/%u", a, d->nat.prefix);
	json_string(j, "address", s);
	free(s);
}

/* "1.2.3.4" into a for JSON and text. */
static const char *
ipv4(uint32_t addr, char a[16])
{
	lab_ipv4_format(addr, a);
	return a;
}

/* The nat object of a domain (null when it is none). */
static void
json_nat(struct json_out *j, const struct lab_nat *nat)
{
	char a[16], *s;

	if (!nat->enabled) {
		json_null(j, "nat");
		return;
	}
	json_begin_object(j, "nat");
	s = xasprintf("%s/%u", ipv4(nat->network, a), nat->prefix);
	json_string(j, "subnet", s);
	free(s);
	json_string(j, "gateway", ipv4(nat->gateway, a));
	json_string(j, "dns", ipv4(nat->dns, a));
	json_bool(j, "outbound", nat->outbound);
	json_begin_array(j, "forwards");
	for (size_t i = 0; i < nat->n_forwards; i++) {
		const struct lab_forward *f = &nat->forwards[i];

		json_begin_object(j, NULL);
		json_string(j, "protocol", f->udp ? "udp" : "tcp");
		json_string(j, "host_address", "127.0.0.1");
		json_uint(j, "host_port", f->host_port);
		json_string(j, "to_host", f->to_host);
		json_string(j, "to_address", ipv4(f->to_addr, a));
		json_uint(j, "guest_port", f->guest_port);
		json_string(j, "file", f->origin.file);
		json_uint(j, "line", f->origin.line);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* Write one host object. */
static void
json_host(struct json_out *j, const struct linfo *li, size_t i)
{
	const struct lab *lab = li->lab;
	const struct lab_host *h = &lab->hosts[i];
	char name[16], mac[18], *spec;

	json_begin_object(j, NULL);
	json_string(j, "name", h->name);
	json_uint(j, "memory_mb", lab_host_memory_mb(lab, h));
	json_begin_array(j, "interfaces");
	for (size_t k = 0; k < h->n_ifaces; k++) {
		const struct lab_iface *f = &h->ifaces[k];

		snprintf(name, sizeof(name), "eth%u", f->index);
		lab_iface_mac(lab, h, f, mac);
		json_begin_object(j, NULL);
		json_string(j, "name", name);
		json_uint(j, "index", f->index);
		json_string(j, "domain", f->domain);
		json_string(j, "mac", mac);
		json_bool(j, "mac_explicit", f->mac != NULL);
		spec = rt_impair_spec(&f->impair);
		json_string(j, "impair", spec);
		free(spec);
		json_iface_address(j, lab, f);
		json_end_object(j);
	}
	json_end_array(j);
	json_strings(j, "depends", h->depends, h->n_depends);
	json_uint(j, "wave", li->wave != NULL ? li->wave[i] : 0);
	json_string(j, "startup", h->startup);
	json_string(j, "shutdown", h->shutdown);
	json_string(j, "overlay", h->overlay);
	json_string(j, "fs", h->fs);
	json_string(j, "kernel", h->kernel);
	json_strings(j, "kernel_args", h->kargs, h->n_kargs);
	json_strings(j, "sysctls", h->sysctls, h->n_sysctls);
	char **sysctls;
	size_t n_sysctls = lab_host_boot_sysctls(h, &sysctls);
	json_strings(j, "boot_sysctls", sysctls, n_sysctls);
	lab_strv_free(sysctls, n_sysctls);
	json_bool(j, "links_up", h->links_up);
	json_bool(j, "forwarding", h->forwarding);
	json_bool(j, "ipv6_forwarding", h->ipv6_forwarding);
	json_bool(j, "mount_shared", h->mount_shared);
	json_strings(j, "execs", h->execs, h->n_execs);
	json_begin_array(j, "disks");
	for (size_t k = 0; k < h->n_disks; k++) {
		char dev[8];

		snprintf(dev, sizeof(dev), "ubd%c", (char)('b' + k));
		json_begin_object(j, NULL);
		json_string(j, "device", dev);
		json_uint(j, "size_mb", h->disks[k].size_mb);
		json_string(j, "format", h->disks[k].format);
		json_string(j, "label", h->disks[k].label);
		json_end_object(j);
	}
	json_end_array(j);
	json_uint(j, "num_terms", h->num_terms);
	json_bool(j, "ipv6", h->ipv6);
	json_begin_array(j, "options");
	for (size_t k = 0; k < h->n_options; k++) {
		const struct lab_option *o = &h->options[k];

		json_begin_object(j, NULL);
		json_string(j, "key", o->key);
		json_string(j, "value", o->value);
		json_bool(j, "honoured", o->honoured);
		json_string(j, "file", o->origin.file);
		json_uint(j, "line", o->origin.line);
		json_end_object(j);
	}
	json_end_array(j);
	json_string(j, "file", h->origin.file);
	json_uint(j, "line", h->origin.line);
	json_end_object(j);
}

/* Write one collision domain object. */
static void
json_domain(struct json_out *j, const struct lab_domain *d)
{
	char *spec = rt_impair_spec(&d->impair);

	json_begin_object(j, NULL);
	json_string(j, "name", d->name);
	json_bool(j, "capture", d->capture);
	json_begin_object(j, "impair");
	json_uint(j, "delay_ms", d->impair.delay_ms);
	json_uint(j, "jitter_ms", d->impair.jitter_ms);
	json_double(j, "loss_pct", d->impair.loss_pct);
	json_uint(j, "rate_bps", d->impair.rate_bps);
	json_string(j, "spec", spec);
	json_end_object(j);
	json_nat(j, &d->nat);
	json_strings(j, "members", d->members, d->n_members);
	json_end_object(j);
	free(spec);
}

/* Write one test object. */
static void
json_test(struct json_out *j, const struct lab_test *t)
{
	json_begin_object(j, NULL);
	json_string(j, "name", t->name);
	json_string(j, "on", t->on);
	json_bool(j, "local", t->local);
	json_string(j, "run", t->run);
	json_begin_object(j, "expect");
	if (t->expect.has_status)
		json_int(j, "status", t->expect.status);
	else
		json_null(j, "status");
	json_string(j, "stdout", t->expect.stdout_re);
	json_string(j, "stdout_not", t->expect.stdout_not_re);
	json_string(j, "stderr", t->expect.stderr_re);
	json_string(j, "stderr_not", t->expect.stderr_not_re);
	if (t->expect.lines >= 0)
		json_int(j, "lines", t->expect.lines);
	else
		json_null(j, "lines");
	json_end_object(j);
	json_uint(j, "within_ms", t->within_ms);
	json_uint(j, "timeout_ms", t->timeout_ms);
	json_end_object(j);
}

/* The whole document for a lab that loaded. */
static void
print_json(const struct linfo *li)
{
	const struct lab *lab = li->lab;
	struct json_out j;

	json_out_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_uint(&j, "schema", LINFO_JSON_SCHEMA);
	json_bool(&j, "ok", true);
	json_lab(&j, lab);
	json_string(&j, "hostwd", li->hostwd);
	json_string(&j, "rundir", li->rundir);
	json_begin_array(&j, "hosts");
	for (size_t i = 0; i < lab->n_hosts; i++)
		json_host(&j, li, i);
	json_end_array(&j);
	json_begin_array(&j, "domains");
	for (size_t i = 0; i < lab->n_domains; i++)
		json_domain(&j, &lab->domains[i]);
	json_end_array(&j);
	json_begin_array(&j, "waves");
	for (int w = 0; w < li->n_waves; w++) {
		json_begin_array(&j, NULL);
		for (size_t i = 0; i < lab->n_hosts; i++)
			if (li->wave[i] == (unsigned int)w)
				json_string(&j, NULL, lab->hosts[i].name);
		json_end_array(&j);
	}
	json_end_array(&j);
	json_begin_array(&j, "tests");
	for (size_t i = 0; i < lab->n_tests; i++)
		json_test(&j, &lab->tests[i]);
	json_end_array(&j);
	json_begin_array(&j, "warnings");
	for (const struct lab_error *e = lab->warnings; e != NULL; e = e->next)
		json_error(&j, e);
	json_end_array(&j);
	json_begin_array(&j, "errors");
	json_end_array(&j);
	json_end_object(&j);
	json_out_finish(&j);
}

/* The document for a lab that failed to load: the same schema, ok false. */
static void
print_json_errors(const struct lab_error *errs)
{
	struct json_out j;

	json_out_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_uint(&j, "schema", LINFO_JSON_SCHEMA);
	json_bool(&j, "ok", false);
	json_begin_array(&j, "warnings");
	for (const struct lab_error *e = errs; e != NULL; e = e->next)
		if (lab_error_is_warning(e))
			json_error(&j, e);
	json_end_array(&j);
	json_begin_array(&j, "errors");
	for (const struct lab_error *e = errs; e != NULL; e = e->next)
		if (!lab_error_is_warning(e))
			json_error(&j, e);
	json_end_array(&j);
	json_end_object(&j);
	json_out_finish(&j);
}

/* Write s as a Graphviz double-quoted string. */
static void
dot_string(const char *prefix, const char *s)
{
	putchar('"');
	fputs(prefix, stdout);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
	putchar('"');
}

/* A label: name, then an optional line, then the impairments one per line. */
static void
dot_label(const char *name, const char *extra, const char *spec)
{
	char *text = xasprintf("%s%s%s%s%s", name, extra ? "\n" : "", extra ? extra : "",
	                       spec ? "\n" : "", spec ? spec : "");

	for (char *c = text; *c != '\0'; c++)
		if (*c == ',')
			*c = '\n';
	dot_string("", text);
	free(text);
}

/* The topology as an undirected Graphviz graph. */
static void
print_dot(const struct linfo *li)
{
	const struct lab *lab = li->lab;

	fputs("graph ", stdout);
	dot_string("", lab->name);
	fputs(" {\n\tgraph [label=", stdout);
	dot_string("", lab->description != NULL ? lab->description : lab->name);
	fputs(", labelloc=t, overlap=false, fontname=\"Helvetica\"];\n\tnode "
	      "[fontname=\"Helvetica\"];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=10];\n",
	      stdout);
	/* Hosts and domains may share a name: prefix the node IDs. */
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		putchar('\t');
		dot_string("host:", h->name);
		printf(" [shape=box, label=\"%s\\n%u MB\"];\n", h->name,
		       lab_host_memory_mb(lab, h));
	}
	for (size_t i = 0; i < lab->n_domains; i++) {
		const struct lab_domain *d = &lab->domains[i];

		putchar('\t');
		char *spec = rt_impair_spec(&d->impair);

		dot_string("domain:", d->name);
		if (d->nat.enabled) {
			char a[16];

			/* A NAT domain is a door out: a house, labelled with its network
			 * and the host ports that come in. */
			printf(" [shape=house, label=\"%s\\nNAT %s/%u", d->name,
			       ipv4(d->nat.network, a), d->nat.prefix);
			for (size_t k = 0; k < d->nat.n_forwards; k++) {
				const struct lab_forward *f = &d->nat.forwards[k];

				printf("\\n127.0.0.1:%u/%s -> %s:%u", f->host_port,
				       f->udp ? "udp" : "tcp", ipv4(f->to_addr, a), f->guest_port);
			}
			printf("\"%s];\n", d->capture ? ", peripheries=2" : "");
			free(spec);
			continue;
		}
		/* Impaired: the impairments under the name, in red; captured: a
		 * double outline and "capture". */
		fputs(" [shape=ellipse, label=", stdout);
		dot_label(d->name, d->capture ? "capture" : NULL, spec);
		printf("%s%s];\n", d->capture ? ", peripheries=2" : "",
		       spec != NULL ? ", color=red, fontcolor=red" : "");
		free(spec);
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t k = 0; k < h->n_ifaces; k++) {
			putchar('\t');
			dot_string("host:", h->name);
			fputs(" -- ", stdout);
			char eth[16], *spec = rt_impair_spec(&h->ifaces[k].impair);

			dot_string("domain:", h->ifaces[k].domain);
			snprintf(eth, sizeof(eth), "eth%u", h->ifaces[k].index);
			fputs(" [label=", stdout);
			dot_label(eth, NULL, spec);
			printf("%s];\n", spec != NULL ? ", color=red, fontcolor=red" : "");
			free(spec);
		}
	}
	fputs("}\n", stdout);
}

/* Print "  key  value" when value is set. */
static void
text_field(const char *key, const char *value)
{
	if (value != NULL)
		printf("%-12s %s\n", key, value);
}

/* Print a "    key  a b c" line for a non-empty list. */
static void
text_list(const char *key, char *const *v, size_t n)
{
	if (n == 0)
		return;
	printf("    %-9s", key);
	for (size_t i = 0; i < n; i++)
		printf(" %s", v[i]);
	putchar('\n');
}

/* Width of the longest domain name, for aligned columns. */
static int
domain_width(const struct lab *lab)
{
	size_t w = 1;

	for (size_t i = 0; i < lab->n_domains; i++)
		if (strlen(lab->domains[i].name) > w)
			w = strlen(lab->domains[i].name);
	return (int)w;
}

/* "  10.0.2.15/24 (nat)" after an interface on a nat domain. */
static void
text_iface_address(const struct lab *lab, const struct lab_iface *f)
{
	const struct lab_domain *d = lab_domain_find(lab, f->domain);
	char a[16];

	if (d != NULL && d->nat.enabled && f->address != 0)
		printf("  %s/%u (nat)", ipv4(f->address, a), d->nat.prefix);
}

/* Print one host and everything it has. */
static void
text_host(const struct lab *lab, const struct lab_host *h)
{
	char mac[18];

	printf("  %s  %u MB\n", h->name, lab_host_memory_mb(lab, h));
	for (size_t k = 0; k < h->n_ifaces; k++) {
		lab_iface_mac(lab, h, &h->ifaces[k], mac);
		printf("    eth%-6u %-*s  %s", h->ifaces[k].index, domain_width(lab),
		       h->ifaces[k].domain, mac);
		text_iface_address(lab, &h->ifaces[k]);
		putchar('\n');
	}
	char *const files[] = {h->startup, h->shutdown, h->overlay, h->fs, h->kernel};
	static const char *const keys[] = {"startup", "shutdown", "overlay", "fs", "kernel"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (files[k] != NULL)
			printf("    %-9s %s%s\n", keys[k], files[k], k == 2 ? "/" : "");
	text_list("kargs", h->kargs, h->n_kargs);
	printf("    %-9s %s, %s, IPv6 %s%s\n", "boot", h->links_up ? "links up" : "links down",
	       h->forwarding ? "IPv4 forwarding" : "no forwarding", h->ipv6 ? "on" : "off",
	       !h->ipv6             ? ""
	       : h->ipv6_forwarding ? " (forwarding)"
	                            : "");
	if (h->mount_shared)
		printf("    %-9s shared/ read-only on /shared\n", "mount");
	char **sysctls;
	size_t n_sysctls = lab_host_boot_sysctls(h, &sysctls);
	text_list("sysctl", sysctls, n_sysctls);
	lab_strv_free(sysctls, n_sysctls);
	text_list("exec", h->execs, h->n_execs);
	for (size_t k = 0; k < h->n_disks; k++) {
		const struct lab_disk *d = &h->disks[k];

		printf("    %-9s /dev/ubd%c  %lu MB%s%s%s%s\n", "disk", (char)('b' + k), d->size_mb,
		       d->format != NULL ? ", " : ", raw", d->format != NULL ? d->format : "",
		       d->label != NULL ? " labelled " : "", d->label != NULL ? d->label : "");
	}
	text_list("depends", h->depends, h->n_depends);
	for (size_t k = 0; k < h->n_options; k++) {
		const struct lab_option *o = &h->options[k];

		printf("    %-9s %s%s%s (%s)\n", "option", o->key, o->value != NULL ? "=" : "",
		       o->value != NULL ? o->value : "", o->honoured ? "honoured" : "not honoured");
	}
}

/* The impairments of interface member ("host:ethN") of a domain, or NULL. */
static const struct lab_impair *
member_impair(const struct lab *lab, const char *member)
{
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t k = 0; k < lab->hosts[i].n_ifaces; k++) {
			const struct lab_iface *f = &lab->hosts[i].ifaces[k];
			size_t n = strlen(lab->hosts[i].name);
			char eth[16];

			snprintf(eth, sizeof(eth), "eth%u", f->index);
			if (strncmp(member, lab->hosts[i].name, n) == 0 && member[n] == ':' &&
			    strcmp(member + n + 1, eth) == 0)
				return &f->impair;
		}
	return NULL;
}

/* Print one domain: name, members (with their own impairments), properties. */
static void
text_domain(const struct lab *lab, const struct lab_domain *d)
{
	char *spec = rt_impair_spec(&d->impair);

	printf("  %-*s ", domain_width(lab), d->name);
	for (size_t k = 0; k < d->n_members; k++) {
		const struct lab_impair *im = member_impair(lab, d->members[k]);
		char *own = im != NULL ? rt_impair_spec(im) : NULL;

		printf(" %s", d->members[k]);
		if (own != NULL)
			printf(" [impair %s]", own);
		free(own);
	}
	if (d->capture)
		printf("  [capture to %s.pcap]", d->name);
	if (spec != NULL)
		printf("  [impair %s]", spec);
	putchar('\n');
	if (d->nat.enabled) {
		const struct lab_nat *nat = &d->nat;
		char a[16], b[16], c[16];

		printf("  %-*s  nat %s/%u, gateway %s (the host's 127.0.0.1), dns %s, %s\n",
		       domain_width(lab), "", ipv4(nat->network, a), nat->prefix,
		       ipv4(nat->gateway, b), ipv4(nat->dns, c),
		       nat->outbound ? "guests reach out" : "forwards only (outbound: false)");
		for (size_t k = 0; k < nat->n_forwards; k++) {
			const struct lab_forward *f = &nat->forwards[k];

			printf("  %-*s  forward 127.0.0.1:%u/%s -> %s%s%s:%u\n", domain_width(lab),
			       "", f->host_port, f->udp ? "udp" : "tcp",
			       f->to_host != NULL ? f->to_host : "", f->to_host != NULL ? " " : "",
			       ipv4(f->to_addr, a), f->guest_port);
		}
	}
	free(spec);
}

/* The human-readable listing. */
static void
print_text(const struct linfo *li)
{
	static const char *const formats[] = {"lab.yaml", "lab.conf", "host directories"};
	const struct lab *lab = li->lab;

	text_field("lab", lab->name);
	text_field("description", lab->description);
	text_field("version", lab->version);
	text_field("author", lab->author);
	text_field("email", lab->email);
	text_field("web", lab->web);
	printf("%-12s %s (%s%s)\n", "directory", lab->dir, formats[lab->format],
	       lab->has_dep_file ? ", lab.dep" : "");
	text_field("hostwd", li->hostwd != NULL ? li->hostwd : "(unknown, see the warning)");
	text_field("rundir", li->rundir != NULL ? li->rundir : "(unknown, see the warning)");
	if (lab->shared_startup != NULL || lab->shared_shutdown != NULL || lab->shared_dir != NULL)
		printf("%-12s%s%s%s%s%s\n", "shared", lab->shared_startup != NULL ? " " : "",
		       lab->shared_startup != NULL ? lab->shared_startup : "",
		       lab->shared_shutdown != NULL ? " " : "",
		       lab->shared_shutdown != NULL ? lab->shared_shutdown : "",
		       lab->shared_dir != NULL ? " shared/" : "");

	printf("\nhosts (%zu)\n", lab->n_hosts);
	for (size_t i = 0; i < lab->n_hosts; i++)
		text_host(lab, &lab->hosts[i]);

	printf("\ndomains (%zu)\n", lab->n_domains);
	for (size_t i = 0; i < lab->n_domains; i++)
		text_domain(lab, &lab->domains[i]);

	printf("\nstart waves (%d)\n", li->n_waves);
	for (int w = 0; w < li->n_waves; w++) {
		printf("  %-3d", w + 1);
		for (size_t i = 0; i < lab->n_hosts; i++)
			if (li->wave[i] == (unsigned int)w)
				printf(" %s", lab->hosts[i].name);
		putchar('\n');
	}

	if (lab->n_tests > 0) {
		printf("\ntests (%zu)\n", lab->n_tests);
		for (size_t i = 0; i < lab->n_tests; i++)
			printf("  %s on %s: %s\n", lab->tests[i].name,
			       lab->tests[i].local ? "local" : lab->tests[i].on, lab->tests[i].run);
	}

	size_t n = lab_error_count(lab->warnings);
	if (n > 0) {
		printf("\nwarnings (%zu)\n", n);
		for (const struct lab_error *e = lab->warnings; e != NULL; e = e->next) {
			char *s = format_error(li->dir_arg, e);

			printf("  %s\n", s != NULL ? s : e->msg);
			free(s);
		}
	}
}

/* Compute hostwd, rundir and waves; problems with the first two are warnings. */
static int
linfo_derive(struct lcmd_ctx *ctx, struct linfo *li, const char *opt_w)
{
	char *err = NULL;

	li->hostwd = rt_hostwd(opt_w, li->lab->dir, li->lab->name, &err);
	if (li->hostwd == NULL) {
		if (opt_w != NULL) {
			lcmd_error(ctx, "-w %s: %s", opt_w, err);
			free(err);
			return -1;
		}
		lcmd_warn(ctx, "no host working directory: %s", err);
		free(err);
		err = NULL;
	} else {
		li->rundir = rt_rundir(li->lab->dir, li->hostwd, &err);
		if (li->rundir == NULL) {
			lcmd_warn(ctx, "no runtime directory: %s", err);
			free(err);
		}
	}
	li->n_waves = lab_waves(li->lab, &li->wave);
	if (li->n_waves < 0) {
		lcmd_error(ctx, "%s: cannot order the hosts by their dependencies", li->lab->dir);
		return -1;
	}
	return 0;
}

/* Report every load error (and warning) on stderr, and as JSON if asked. */
static int
report_load_errors(struct lcmd_ctx *ctx, const char *dir_arg, const struct lab_error *errs,
                   bool json)
{
	if (json)
		print_json_errors(errs);
	for (const struct lab_error *e = errs; e != NULL; e = e->next) {
		char *s = format_error(dir_arg, e);
		const char *text = s != NULL ? s : e->msg;

		if (lab_error_is_warning(e))
			lcmd_warn(ctx, "%s", text);
		else
			lcmd_error(ctx, "%s", text);
		free(s);
	}
	if (errs == NULL)
		lcmd_error(ctx, "%s: cannot load the lab", dir_arg != NULL ? dir_arg : ".");
	return LCMD_FAIL;
}

enum { OPT_DOT = 256 };

static const struct option linfo_options[] = {
        LCMD_LAB_LONGOPTS,
        LCMD_JSON_LONGOPT,
        {"dot", no_argument, NULL, OPT_DOT},
        {NULL, 0, NULL, 0},
};

/* linfo [-d DIR] [--json | --dot] [-w HOSTWD] */
static int
cmd_linfo_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	const char *opt_w = NULL;
	bool json = false, dot = false;
	struct linfo li = {0};
	struct lab_error *errs = NULL;
	int c, rc;

	optind = 1;
	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:h", linfo_options, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case OPT_DOT:
			dot = true;
			break;
		}
	}
	li.dir_arg = lo.dir;
	opt_w = lo.hostwd;
	json = lo.json;
	if (optind < argc)
		return lcmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (json && dot)
		return lcmd_usage_error(ctx, "--json and --dot exclude each other");
	if (opt_w != NULL && *opt_w == '\0')
		return lcmd_usage_error(ctx, "-w needs a directory");
	ctx->json = json;

	if (lab_load(li.dir_arg != NULL ? li.dir_arg : ".", &li.lab, &errs) < 0) {
		rc = report_load_errors(ctx, li.dir_arg, errs, json);
		lab_error_free(errs);
		return rc;
	}
	lab_error_free(errs); /* a successful load leaves it alone; free defensively */
	rc = LCMD_FAIL;
	if (linfo_derive(ctx, &li, opt_w) == 0) {
		if (json)
			print_json(&li);
		else if (dot)
			print_dot(&li);
		else
			print_text(&li);
		rc = fflush(stdout) == 0 ? LCMD_OK : lcmd_error(ctx, "cannot write the output");
	}
	free(li.wave);
	free(li.rundir);
	free(li.hostwd);
	lab_free(li.lab);
	return rc;
}

const struct lcmd_entry cmd_linfo_entry = {
        .name = "linfo",
        .summary = "show a lab: hosts, domains, start order, warnings, working directories",
        .usage = "[-d DIR] [--json | --dot] [-w HOSTWD]",
        .help = "  -d, --directory DIR  the lab directory (default: the current directory)\n"
                "  -w, --hostwd DIR     the host working directory a run would use\n"
                "      --json           a JSON document for scripts (share/doc/linfo-json.md)\n"
                "      --dot            the topology as a Graphviz graph (dot -Tsvg)\n"
                "  -h, --help           this help\n"
                "Exit status: 0 the lab is valid (warnings allowed), 1 it does not load, 2 "
                "usage.\n",
        .exec = cmd_linfo_exec,
};
