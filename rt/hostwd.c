/*
 * rt/hostwd.c: the ready marker parser, NAME.conf writer and log tails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostwd.h"
#include "inst.h"
#include "lab.h"
#include "safefile.h"
#include "run.h"
#include "xalloc.h"

const char *const rt_gwd_suffixes[] = {".disk",        ".ready",        ".conf",
                                       ".startup.log", ".shutdown.log", NULL};

int
rt_marker_read(const struct rt_inst *in, const char *host, struct rt_marker *m)
{
	char *path = rt_gwd_path(in, host, "%s.ready", host), line[512];
	FILE *f = rt_sf_fopen_read(path); /* the guest's file: no symlink, no FIFO */
	bool have_status = false;

	free(path);
	memset(m, 0, sizeof(*m));
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v = strchr(line, '=');

		if (v == NULL)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\r\n")] = '\0';
		if (strcmp(line, "status") == 0) {
			have_status = true;
			m->ready = strcmp(v, "ready") == 0;
			m->failed = !m->ready;
		} else if (strcmp(line, "startup_status") == 0) {
			m->startup_status = atoi(v);
		} else if (strcmp(line, "failed_script") == 0) {
			snprintf(m->failed_script, sizeof(m->failed_script), "%s", v);
		} else if (strcmp(line, "first_boot") == 0) {
			m->first_boot = atoi(v) != 0;
		} else if (strcmp(line, "uptime_ms") == 0) {
			m->uptime_ms = atol(v);
		} else if (strcmp(line, "startup_ms") == 0) {
			m->startup_ms = atol(v);
		}
	}
	fclose(f);
	return have_status ? 0 : -1;
}

/* Write KEY='value' with the value single-quoted for sh. */
static void
put_var(FILE *f, const char *key, const char *value)
{
	char *q = xstrdup("");

	rt_shell_quote(&q, value);
	fprintf(f, "%s=%s\n", key, q);
	free(q);
}

/*
 * UMLAB_NAT_N='ethK ADDRESS/PREFIX GATEWAY DNS' for each interface of h on a
 * nat domain, in interface order: the guest's init sets the address, and
 * from the first one the default route and resolv.conf (guest-contract.md).
 */
static void
put_nat(FILE *f, const struct lab *lab, const struct lab_host *h)
{
	size_t n = 0;

	for (size_t k = 0; lab != NULL && k < h->n_ifaces; k++) {
		const struct lab_domain *d = lab_domain_find(lab, h->ifaces[k].domain);
		char key[32], a[16], gw[16], dns[16], *v;

		if (d == NULL || !d->nat.enabled || h->ifaces[k].address == 0)
			continue;
		lab_ipv4_format(h->ifaces[k].address, a);
		lab_ipv4_format(d->nat.gateway, gw);
		lab_ipv4_format(d->nat.dns, dns);
		snprintf(key, sizeof(key), "UMLAB_NAT_%zu", ++n);
		v = xasprintf("eth%u %s/%u %s %s", h->ifaces[k].index, a, d->nat.prefix, gw, dns);
		put_var(f, key, v);
		free(v);
	}
}

int
rt_hostconf_write(const struct rt_inst *in, const struct lab_host *h, char **err)
{
	char *path = rt_gwd_path(in, h->name, "%s.conf", h->name),
	     *tmp = rt_gwd_path(in, h->name, ".%s.conf.tmp", h->name);
	FILE *f = rt_sf_fopen_new(tmp); /* never through a guest's symlink */
	int rc = 0;

	if (f == NULL) {
		rc = rt_fail_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	fprintf(f, "# Written by lstart before each boot of %s; read by the guest's init.\n",
	        h->name);
	char **sysctls;
	size_t n_sysctls = lab_host_boot_sysctls(h, &sysctls);

	if (n_sysctls > 0) {
		char *all = xstrdup("");

		for (size_t i = 0; i < n_sysctls; i++) {
			char *next = xasprintf("%s%s%s", all, i ? " " : "", sysctls[i]);

			free(all);
			all = next;
		}
		put_var(f, "UMLAB_SYSCTLS", all);
		free(all);
	}
	lab_strv_free(sysctls, n_sysctls);
	if (h->links_up)
		put_var(f, "UMLAB_LINKS_UP", "1");
	if (h->mount_shared)
		put_var(f, "UMLAB_MOUNT_SHARED", "1");
	for (size_t i = 0; i < h->n_execs; i++) {
		char key[32];

		snprintf(key, sizeof(key), "UMLAB_EXEC_%zu", i + 1);
		put_var(f, key, h->execs[i]);
	}
	put_nat(f, in->lab, h);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		rc = rt_fail_errno(err, errno, "cannot write %s", path);
out:
	free(path);
	free(tmp);
	return rc;
}

bool
rt_tail(FILE *out, const char *path, unsigned int n, const char *indent)
{
	FILE *f = rt_sf_fopen_read(path);
	char **ring, *line = NULL;
	size_t cap = 0, count = 0;
	ssize_t len;

	if (f == NULL)
		return false;
	ring = xcalloc(n, sizeof(*ring));
	while ((len = getline(&line, &cap, f)) >= 0) {
		/* Consoles use CR LF; strip both so the tail prints cleanly. */
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		free(ring[count % n]);
		ring[count % n] = xstrdup(line);
		count++;
	}
	free(line);
	fclose(f);
	for (size_t i = count > n ? count - n : 0; i < count; i++)
		fprintf(out, "%s%s\n", indent, ring[i % n]);
	for (size_t i = 0; i < n; i++)
		free(ring[i]);
	free(ring);
	return true;
}
