/*
 * rt/hotplug.c: lstart on a lab that runs already. A running guest keeps
 * what it booted with; lstart compares that (recorded at each launch in
 * RUNDIR/ID.h/plugged/NAME, out of guests' reach) with the lab file:
 * an interface the file gained is plugged into the running guest through
 * its management console (UML's `config ethN=...`, the kernel's network
 * hot-plug), and everything else that changed is reported as needing a
 * restart of the host, by name.
 *
 * The record: "boot HASH" (what else the guest booted with: memory, model
 * filesystem, kernel, kernel arguments, boot settings), then one
 * "ethN DOMAIN MAC" line per interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "hotplug.h"
#include "inst.h"
#include "lab.h"
#include "links.h"
#include "mconsole.h"
#include "rt.h"
#include "safefile.h"
#include "transport.h"
#include "xalloc.h"

#define PLUGGED_MAX (64u * 1024)

static uint64_t
mix(uint64_t h, const char *s)
{
	return fnv1a64(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

/* A digest of what a host boots with apart from its interfaces. */
static uint64_t
boot_hash(const struct lab *lab, const struct lab_host *h)
{
	uint64_t x = FNV1A64_INIT;
	char num[64];

	snprintf(num, sizeof(num), "%u %d%d%d%d%d", lab_host_memory_mb(lab, h), h->links_up,
	         h->forwarding, h->ipv6_forwarding, h->mount_shared, h->ipv6);
	x = mix(x, num);
	x = mix(x, h->fs);
	x = mix(x, h->kernel);
	for (size_t i = 0; i < h->n_kargs; i++)
		x = mix(x, h->kargs[i]);
	for (size_t i = 0; i < h->n_sysctls; i++)
		x = mix(x, h->sysctls[i]);
	return x;
}

static int
plugged_write(const struct rt_inst *in, const char *host, const char *text, char **err)
{
	if (rt_sf_write_at(in->hdir, "plugged", host, text) == 0)
		return 0;
	return rt_fail_errno(err, errno, "writing %s/plugged/%s", in->hdir, host);
}

/* "ethN DOMAIN MAC\n" of one interface. */
static char *
iface_line(const struct lab *lab, const struct lab_host *h, const struct lab_iface *f)
{
	char mac[18];

	lab_iface_mac(lab, h, f, mac);
	return xasprintf("eth%u %s %s\n", f->index, f->domain, mac);
}

int
rt_plugged_record(const struct rt_inst *in, const struct lab_host *h, char *const argv[],
                  char **err)
{
	bool vector = false;
	char *text;
	int rc;

	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		vector |= strncmp(argv[i], "vec", 3) == 0 && strstr(argv[i], ":transport=") != NULL;
	text = xasprintf("boot %016llx\nnet %s\n", (unsigned long long)boot_hash(in->lab, h),
	                 vector ? "vector" : "vde");
	for (size_t i = 0; i < h->n_ifaces; i++) {
		char *l = iface_line(in->lab, h, &h->ifaces[i]), *t = xasprintf("%s%s", text, l);

		free(l);
		free(text);
		text = t;
	}
	rc = plugged_write(in, h->name, text, err);
	free(text);
	return rc;
}

/* The recorded line of ethN, or NULL. */
static const char *
find_eth(char *const *lines, size_t n, unsigned int eth)
{
	char pfx[16];

	snprintf(pfx, sizeof(pfx), "eth%u ", eth);
	for (size_t i = 0; i < n; i++)
		if (strncmp(lines[i], pfx, strlen(pfx)) == 0)
			return lines[i];
	return NULL;
}

/* Plug interface f into the running guest h by transport t; 0 or -1 with *err. */
static int
plug(const struct rt_inst *in, const struct lab_host *h, const struct lab_iface *f,
     enum rt_transport t, char **err)
{
	struct rt_ports *ports = NULL;
	char *arg, *cmd, *sock, *cdir, *reply = NULL;
	int st;

	if (rt_ports_load(in, &ports, err) < 0)
		return -1;
	arg = rt_iface_arg(in, h, f, rt_ports_find(ports, f->domain, h->name, f->index), t);
	cmd = xasprintf("config %s", arg);
	free(arg);
	rt_ports_free(ports);
	sock = rt_mconsole_path(in, h->name);
	cdir = rt_inst_path(in, "notify");
	st = rt_mconsole_call(sock, cdir, cmd, 5000, &reply);
	if (st != 0)
		rt_fail(err, "%s: the guest did not take eth%u (%s%s%s)", h->name, f->index,
		        st == 1 ? "it answered: " : "", st == 1 ? reply : "",
		        st == 1            ? ""
		        : st == -ETIMEDOUT ? "no answer: paused?"
		                           : strerror(-st));
	free(reply);
	free(cdir);
	free(sock);
	free(cmd);
	return st == 0 ? 0 : -1;
}

/* The record of host (NUL-terminated), or NULL when there is none; caller frees. */
static char *
plugged_read(const struct rt_inst *in, const char *host)
{
	char *rel = xasprintf("plugged/%s", host), *text;
	int dfd = rt_sf_opendir_path(in->hdir);
	size_t len;

	text = dfd >= 0 ? rt_sf_read(dfd, rel, PLUGGED_MAX, &len) : NULL;
	if (dfd >= 0)
		close(dfd);
	free(rel);
	return text;
}

bool
rt_plugged_on(const struct rt_inst *in, const char *host, const char *domain)
{
	char *text = plugged_read(in, host);
	bool on = false;

	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l != NULL && !on;
	     l = strtok_r(NULL, "\n", &save)) {
		char d[LAB_NAME_MAX + 2];

		on = sscanf(l, "eth%*u %33s", d) == 1 && strcmp(d, domain) == 0;
	}
	free(text);
	return on;
}

bool
rt_plugged_iface(const struct rt_inst *in, const char *host, unsigned int eth, const char *domain)
{
	char *text = plugged_read(in, host);
	bool on = false;

	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l != NULL && !on;
	     l = strtok_r(NULL, "\n", &save)) {
		char d[LAB_NAME_MAX + 2];
		unsigned int e;

		on = sscanf(l, "eth%u %33s", &e, d) == 2 && e == eth && strcmp(d, domain) == 0;
	}
	free(text);
	return on;
}

void
rt_hotplug(const struct rt_inst *in, const struct lab_host *h, const struct rt_report *rep)
{
	char *text = plugged_read(in, h->name), *err = NULL, *boot;
	char **lines = NULL;
	size_t n = 0;
	char *plugged = NULL; /* lines of the interfaces plugged here */
	enum rt_transport net = RT_NET_VDE;

	if (text == NULL)
		return; /* started by a umlab that kept no record: nothing to compare */
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		strv_push(&lines, &n, l);
	free(text);
	for (size_t k = 0; k < n; k++)
		if (strcmp(lines[k], "net vector") == 0)
			net = RT_NET_VECTOR;
	boot = xasprintf("boot %016llx", (unsigned long long)boot_hash(in->lab, h));
	if (n == 0 || strcmp(lines[0], boot) != 0)
		rt_report_warn(rep,
		               "%s: its memory, model filesystem, kernel, kernel arguments or boot "
		               "settings changed in the lab file; they apply when it restarts "
		               "(lrestart %s)",
		               h->name, h->name);
	free(boot);
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *f = &h->ifaces[i];
		const char *rec = find_eth(lines, n, f->index);
		char *want = iface_line(in->lab, h, f);

		want[strlen(want) - 1] = '\0';
		if (rec == NULL) {
			if (plug(in, h, f, net, &err) < 0) {
				rt_report_warn(rep, "%s", err);
				free(err);
				err = NULL;
			} else {
				char *p = xasprintf("%s%s\n", plugged ? plugged : "", want);

				free(plugged);
				plugged = p;
				/* The vector driver's vecN is named ethN by the
				 * guest's init as it appears. */
				rt_report_warn(rep,
				               "%s: eth%u plugged into domain %s while it runs; it "
				               "is down in the guest until configured (lexec -d %s "
				               "%s ip link set eth%u up)",
				               h->name, f->index, f->domain, in->labdir, h->name,
				               f->index);
			}
		} else if (strcmp(rec, want) != 0) {
			rt_report_warn(rep,
			               "%s: eth%u changed in the lab file (now on %s); it changes "
			               "when %s restarts (lrestart %s)",
			               h->name, f->index, f->domain, h->name, h->name);
		}
		free(want);
	}
	for (size_t k = 1; k < n; k++) {
		unsigned int eth;
		bool kept = false;

		if (sscanf(lines[k], "eth%u ", &eth) != 1)
			continue;
		for (size_t i = 0; i < h->n_ifaces; i++)
			kept |= h->ifaces[i].index == eth;
		if (!kept)
			rt_report_warn(
			        rep,
			        "%s: eth%u is gone from the lab file but stays in the running "
			        "guest until it restarts (lrestart %s)",
			        h->name, eth, h->name);
	}
	/* What the guest has now: the old record plus what was plugged here. */
	if (plugged != NULL) {
		char *t = xstrdup("");

		for (size_t k = 0; k < n; k++) {
			char *u = xasprintf("%s%s\n", t, lines[k]);

			free(t);
			t = u;
		}
		boot = xasprintf("%s%s", t, plugged);
		if (plugged_write(in, h->name, boot, &err) < 0) {
			rt_report_warn(rep, "%s", err);
			free(err);
		}
		free(boot);
		free(t);
	}
	free(plugged);
	strv_free(lines, n);
}

char *
rt_host_plugged(const struct rt_inst *in, const char *host)
{
	char *text = plugged_read(in, host), *out = NULL;

	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l != NULL;
	     l = strtok_r(NULL, "\n", &save)) {
		char d[LAB_NAME_MAX + 2], *t;
		unsigned int eth;

		if (sscanf(l, "eth%u %33s", &eth, d) != 2 || !lab_name_valid(d))
			continue;
		t = xasprintf("%s%seth%u@%s", out ? out : "", out ? " " : "", eth, d);
		free(out);
		out = t;
	}
	if (text != NULL && out == NULL)
		out = xstrdup("");
	free(text);
	return out;
}
