/*
 * rt/hubs.c: starting and stopping a lab's hub daemons.
 *
 * `hub --daemon` returns only once DIR/ctl accepts connections, so a guest
 * started afterwards always finds its hub. The hub writes its own pid file
 * (pids/hub-DOMAIN.daemon); ours (pids/hub-DOMAIN) adds the start time and
 * the token that let lclean tell it from a process that reused the pid.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hub-client.h"
#include "hubs.h"
#include "locate.h"
#include "inst.h"
#include "lab.h"
#include "links.h"
#include "proc.h"
#include "run.h"
#include "xalloc.h"

void
rt_argv_print(FILE *f, char *const argv[])
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		char *q = xstrdup("");
		bool plain =
		        lab_karg_valid(argv[i]) && strpbrk(argv[i], "$`*?[]{}()<>|&!~#") == NULL;

		if (plain) {
			fprintf(f, "%s%s", i ? " " : "", argv[i]);
		} else {
			rt_shell_quote(&q, argv[i]);
			fprintf(f, "%s%s", i ? " " : "", q);
		}
		free(q);
	}
	fputc('\n', f);
}

/* Appends ",key=value" to *spec (or starts it). */
static void __attribute__((format(printf, 2, 3))) spec_add(char **spec, const char *fmt, ...)
{
	char *item, *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&item, fmt, ap) < 0)
		abort();
	va_end(ap);
	s = *spec == NULL ? xstrdup(item) : xasprintf("%s,%s", *spec, item);
	free(item);
	free(*spec);
	*spec = s;
}

/* The hub's --impair SPEC (hub(8)) for a domain's impairments, or NULL if none:
 * only keys that are set, percentages with the hub's 4 decimals. */
char *
rt_impair_spec(const struct lab_impair *im)
{
	char *spec = NULL;

	if (!lab_impair_active(im))
		return NULL;
	if (im->delay_ms != 0)
		spec_add(&spec, "delay=%ums", im->delay_ms);
	if (im->jitter_ms != 0)
		spec_add(&spec, "jitter=%ums", im->jitter_ms);
	if (im->normal)
		spec_add(&spec, "distribution=normal");
	if (im->loss_pct != 0)
		spec_add(&spec, "loss=%.4f%%", im->loss_pct);
	if (im->gilbert)
		spec_add(&spec, "loss_model=gilbert,burst=%u", im->burst);
	if (im->rate_bps != 0)
		spec_add(&spec, "rate=%llubit", (unsigned long long)im->rate_bps);
	if (im->queue != 0)
		spec_add(&spec, "queue=%u", im->queue);
	if (im->duplicate_pct != 0)
		spec_add(&spec, "duplicate=%.4f%%", im->duplicate_pct);
	if (im->corrupt_pct != 0)
		spec_add(&spec, "corrupt=%.4f%%", im->corrupt_pct);
	if (im->reorder_pct != 0)
		spec_add(&spec, "reorder=%.4f%%", im->reorder_pct);
	if (im->mtu != 0)
		spec_add(&spec, "mtu=%u", im->mtu);
	if (im->has_seed)
		spec_add(&spec, "seed=%llu", (unsigned long long)im->seed);
	return spec;
}

/* Push an owned string. */
static void
push(char ***argv, size_t *n, char *s)
{
	*argv = xreallocarray(*argv, *n + 2, sizeof(**argv));
	(*argv)[(*n)++] = s;
	(*argv)[*n] = NULL;
}

char **
rt_hub_argv(const struct rt_inst *in, const struct lab_domain *d, const char *hubbin)
{
	char **argv = NULL, *spec = rt_impair_spec(&d->impair);
	char *pf = rt_hub_pidfile(in, d->name), *err = NULL;
	struct rt_ports *ports = NULL;
	size_t n = 0;

	push(&argv, &n, xstrdup(hubbin));
	push(&argv, &n, xstrdup("--daemon"));
	push(&argv, &n, xstrdup("--pidfile"));
	push(&argv, &n, xasprintf("%s.daemon", pf));
	if (d->capture) {
		push(&argv, &n, xstrdup("--pcap"));
		push(&argv, &n, rt_wd_path(in, "%s.pcap", d->name));
	}
	if (spec != NULL) {
		push(&argv, &n, xstrdup("--impair"));
		push(&argv, &n, spec);
	}
	/* An unreadable port record stops the guests' start with its message. */
	if (rt_ports_load(in, &ports, &err) == 0) {
		for (size_t h = 0; h < in->lab->n_hosts; h++) {
			const struct lab_host *host = &in->lab->hosts[h];

			for (size_t i = 0; i < host->n_ifaces; i++) {
				const struct lab_iface *ifc = &host->ifaces[i];
				char *is = rt_impair_spec(&ifc->impair);

				if (is != NULL && strcmp(ifc->domain, d->name) == 0) {
					push(&argv, &n, xstrdup("--impair-port"));
					push(&argv, &n,
					     xasprintf("%u:%s",
					               rt_ports_find(ports, d->name, host->name,
					                             ifc->index),
					               is));
				}
				free(is);
			}
		}
	}
	free(err);
	rt_ports_free(ports);
	push(&argv, &n, rt_hub_dir(in, d->name));
	free(pf);
	return argv;
}

bool
rt_hub_running(const struct rt_inst *in, const char *domain)
{
	char *pf = rt_hub_pidfile(in, domain);
	bool alive = rt_pidfile_check(pf, in->dir, NULL) == RT_PID_ALIVE;

	free(pf);
	return alive;
}

int
rt_hub_launch(const struct rt_inst *in, const struct lab_domain *d, char *const argv[], char **err)
{
	char *pf, *daemon_pf, *dir;
	FILE *f = NULL;
	int pid = 0, rc;

	if (rt_hub_running(in, d->name))
		return 0;
	pf = rt_hub_pidfile(in, d->name);
	daemon_pf = xasprintf("%s.daemon", pf);
	dir = rt_hub_dir(in, d->name);
	unlink(pf);
	unlink(daemon_pf);
	rc = rt_run(argv, NULL, err);
	if (rc != 0) {
		rc = -1;
		rt_wrap(err, "starting the hub of domain %s", d->name);
	} else if ((f = fopen(daemon_pf, "re")) == NULL || fscanf(f, "%d", &pid) != 1 || pid <= 0) {
		rc = rt_fail(err, "the hub of domain %s wrote no pid file %s", d->name, daemon_pf);
	} else {
		rc = rt_pidfile_write(pf, pid, dir, err) < 0 ? -1 : 1;
	}
	/* A hub started again gets back what llink changed on its predecessor. */
	if (rc == 1 && rt_links_replay(in, d->name, err) < 0) {
		rt_wrap(err, "restoring the links of domain %s", d->name);
		rc = -1;
	}
	if (f != NULL)
		fclose(f);
	free(pf);
	free(daemon_pf);
	free(dir);
	return rc;
}

bool
rt_wait_exit(int pid, int ms)
{
	int fd = rt_pidfd_open(pid);
	struct pollfd p;
	bool gone;

	if (fd < 0)
		return errno == ESRCH;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
	gone = (p.revents & POLLIN) != 0;
	close(fd);
	return gone;
}

/* Wait until every pid marked in up has exited or ms have passed; clear up[i] for the gone. */
static void
wait_all(const pid_t *pids, bool *up, size_t n, int ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		long long spent;

		if (!up[i])
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (long long)(now.tv_sec - t0.tv_sec) * 1000 +
		        (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (rt_wait_exit(pids[i], spent >= ms ? 0 : (int)(ms - spent)))
			up[i] = false;
	}
}

/* Remove a directory's entries (one level) and the directory. */
static void
rm_flat_dir(const char *dir)
{
	char *cmdargv[] = {"rm", "-rf", "--", (char *)dir, NULL};
	char *err = NULL;

	if (rmdir(dir) < 0 && errno != ENOENT)
		rt_run(cmdargv, NULL, &err);
	free(err);
}

void
rt_hubs_stop(const struct rt_inst *in, char *const *domains, size_t n)
{
	pid_t *pids = xcalloc(n + 1, sizeof(*pids));
	char **pfs = xcalloc(n + 1, sizeof(*pfs));
	bool *up = xcalloc(n + 1, sizeof(*up));

	/* SIGTERM to all first, then one shared wait: hubs close in parallel. */
	for (size_t i = 0; i < n; i++) {
		pfs[i] = rt_hub_pidfile(in, domains[i]);
		up[i] = rt_pidfile_check(pfs[i], in->dir, &pids[i]) == RT_PID_ALIVE &&
		        rt_pidfile_kill(pfs[i], in->dir, SIGTERM) == RT_PID_ALIVE;
	}
	wait_all(pids, up, n, 3000);
	for (size_t i = 0; i < n; i++)
		if (up[i] && rt_pidfile_kill(pfs[i], in->dir, SIGKILL) != RT_PID_ALIVE)
			up[i] = false;
	wait_all(pids, up, n, 2000);
	for (size_t i = 0; i < n; i++) {
		char *dpf = xasprintf("%s.daemon", pfs[i]), *dir = rt_hub_dir(in, domains[i]);

		unlink(pfs[i]);
		unlink(dpf);
		rm_flat_dir(dir);
		free(dpf);
		free(dir);
		free(pfs[i]);
	}
	free(pfs);
	free(pids);
	free(up);
}

void
rt_hub_stop(const struct rt_inst *in, const char *domain)
{
	char *d[] = {(char *)domain};

	rt_hubs_stop(in, d, 1);
}
