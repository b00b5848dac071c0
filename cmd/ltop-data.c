/*
 * cmd/ltop-data.c: ltop's samples (see ltop.h). One pass over /proc per
 * sample gives every guest's process tree (CPU ticks, resident memory);
 * each hub's counters come from one "stats" line on its DIR/mgmt socket
 * (share/doc/hub-control.md), read directly: no process per sample.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hubstate.h"
#include "lab.h"
#include "rt.h"
#include "ltop.h"
#include "xalloc.h"

/* One /proc entry: parent, CPU ticks, resident pages. */
struct pinfo {
	pid_t pid, ppid;
	unsigned long long ticks;
};

void
ltop_data_init(struct ltop_data *d, const struct lab *lab)
{
	memset(d, 0, sizeof(*d));
	d->lab = lab;
	d->hosts = xcalloc(lab->n_hosts + 1, sizeof(*d->hosts));
	d->n_hosts = lab->n_hosts;
	for (size_t i = 0; i < lab->n_hosts; i++)
		d->hosts[i].name = lab->hosts[i].name;
	d->domains = xcalloc(lab->n_domains + 1, sizeof(*d->domains));
	d->n_domains = lab->n_domains;
	for (size_t i = 0; i < lab->n_domains; i++)
		d->domains[i].name = lab->domains[i].name;
}

void
ltop_data_clear(struct ltop_data *d)
{
	free(d->hosts);
	for (size_t i = 0; i < d->n_domains; i++)
		free(d->domains[i].links);
	free(d->domains);
	memset(d, 0, sizeof(*d));
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every process of ours in /proc; caller frees. */
static struct pinfo *
scan_proc(size_t *n)
{
	struct pinfo *v = NULL;
	size_t cap = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	*n = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		pid_t pid = atoi(de->d_name);
		char path[64], buf[1024], *p;
		unsigned long long ut, st;
		int ppid;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* The command name may hold blanks and parentheses: start after the last ')'. */
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ppid,
		           &ut, &st) != 3)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 512;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = (struct pinfo){pid, ppid, ut + st};
	}
	if (d != NULL)
		closedir(d);
	return v;
}

static int
by_pid(const void *a, const void *b)
{
	const struct pinfo *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The host whose guest tree holds process k (by parent links), or -1. */
static long
owner(const struct ltop_data *d, const struct pinfo *v, size_t n, size_t k)
{
	pid_t pid = v[k].pid;

	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		struct pinfo key = {.pid = pid}, *p;

		for (size_t i = 0; i < d->n_hosts; i++)
			if (d->hosts[i].pid == pid)
				return (long)i;
		if ((p = bsearch(&key, v, n, sizeof(*v), by_pid)) == NULL)
			return -1;
		pid = p->ppid;
	}
	return -1;
}

void
ltop_sample(struct ltop_data *d, const struct rt_inst *in)
{
	double now = mono_s(), dt = d->t > 0 ? now - d->t : 0;
	long tck = sysconf(_SC_CLK_TCK);
	size_t np = 0;
	struct pinfo *ps = scan_proc(&np);

	unsigned long long *ticks = xcalloc(d->n_hosts + 1, sizeof(*ticks));

	for (size_t i = 0; i < d->n_hosts; i++)
		d->hosts[i].state = rt_host_state(in, d->hosts[i].name, &d->hosts[i].pid);
	qsort(ps, np, sizeof(*ps), by_pid);
	for (size_t k = 0; k < np; k++) {
		long o = owner(d, ps, np, k);

		if (o >= 0)
			ticks[o] += ps[k].ticks;
	}
	for (size_t i = 0; i < d->n_hosts; i++) {
		struct ltop_host *h = &d->hosts[i];
		unsigned long long start;

		if (h->pid <= 0) {
			h->uptime_s = h->cpu_pct = 0;
			h->mem_kb = h->ticks = 0;
			continue;
		}
		h->uptime_s = rt_proc_start_time(h->pid, &start) == 0 ? rt_proc_uptime(start) : 0;
		h->cpu_pct = dt > 0 && h->ticks > 0 && ticks[i] >= h->ticks
		                     ? (double)(ticks[i] - h->ticks) * 100.0 / ((double)tck * dt)
		                     : 0;
		h->ticks = ticks[i];
		h->mem_kb = rt_proc_tree_mem_kb(h->pid);
	}
	free(ticks);
	free(ps);
	for (size_t i = 0; i < d->n_domains; i++) {
		struct ltop_domain *m = &d->domains[i];
		struct hubstate_totals t;

		m->up = hubstate_totals(in, m->name, &t);
		m->clients = t.clients;
		m->fps = dt > 0 && m->up && t.frames >= m->frames
		                 ? (double)(t.frames - m->frames) / dt
		                 : 0;
		m->bps = dt > 0 && m->up && t.bytes >= m->bytes ? (double)(t.bytes - m->bytes) / dt
		                                                : 0;
		m->frames = t.frames;
		m->bytes = t.bytes;
		m->drops = t.drops;
		free(m->links);
		m->links = m->up ? hubstate_summary(d->lab, in, i) : NULL;
	}
	d->t = now;
}
