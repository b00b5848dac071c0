/*
 * rt/state.c: what a lab instance's hosts are doing, from the pid files,
 * the processes and hostwd; host selection; tearing down what no running
 * guest uses any more.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "safefile.h"
#include "hostwd.h"
#include "hubs.h"
#include "lab.h"
#include "nat.h"
#include "proc.h"
#include "record.h"
#include "rt.h"
#include "tmux.h"
#include "xalloc.h"

static const char *const state_names[] = {
        [RT_H_UNSELECTED] = "-",
        [RT_H_PENDING] = "pending",
        [RT_H_RUNNING] = "running",
        [RT_H_BOOTING] = "booting",
        [RT_H_READY] = "ready",
        [RT_H_STARTUP_FAILED] = "startup-failed",
        [RT_H_EXITED] = "exited",
        [RT_H_PANIC] = "panic",
        [RT_H_TIMEOUT] = "timeout",
        [RT_H_FAILED] = "failed",
        [RT_H_NOT_STARTED] = "not-started",
        [RT_H_HALTED] = "halted",
        [RT_H_CRASHED] = "crashed",
        [RT_H_ABSENT] = "absent",
        [RT_H_PAUSED] = "paused",
};

const char *
rt_hstate_name(enum rt_hstate s)
{
	return state_names[s];
}

bool
rt_hstate_failed(enum rt_hstate s)
{
	return s == RT_H_STARTUP_FAILED || s == RT_H_EXITED || s == RT_H_PANIC ||
	       s == RT_H_TIMEOUT || s == RT_H_FAILED || s == RT_H_NOT_STARTED;
}

void
rt_result_clear(struct rt_result *res)
{
	for (size_t i = 0; res->hosts != NULL && i < res->n_hosts; i++)
		free(res->hosts[i].detail);
	free(res->hosts);
	rt_inst_clear(&res->inst);
	memset(res, 0, sizeof(*res));
}

unsigned int
rt_default_parallel(unsigned int mem_mb)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long avail_kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long p, by_mem;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &avail_kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	/* Booting guests mostly wait on each other's I/O: several per core pay off. */
	p = (unsigned long long)(cores > 0 ? cores : 1) * 8;
	/* Guests touch their memory lazily; half of it per boot is the safe bound. */
	by_mem = avail_kb / 1024 / (mem_mb / 2 + 16);
	if (avail_kb > 0 && by_mem < p)
		p = by_mem;
	if (p > 64)
		p = 64;
	return p < 1 ? 1 : (unsigned int)p;
}

int
rt_select(const struct lab *lab, char **names, size_t n, bool *sel, char **err)
{
	struct lab_error *errs = NULL;

	if (n == 0) {
		for (size_t i = 0; i < lab->n_hosts; i++)
			sel[i] = true;
		return 0;
	}
	if (lab_select(lab, names, n, sel, &errs) < 0) {
		char *msg = errs != NULL ? lab_error_format(errs) : xstrdup("bad host selection");

		rt_fail(err, "%s", msg);
		free(msg);
		lab_error_free(errs);
		return -1;
	}
	return 0;
}

/*
 * Is the guest running as pid paused? lpause copies the guest's identity
 * (pid and start time) into its pause file, so a file left by a guest that
 * died paused says nothing about the next one.
 */
static bool
paused(const struct rt_inst *in, const char *host, pid_t pid)
{
	char *pp = rt_guest_pausefile(in, host);
	pid_t ppid = 0;
	bool yes = rt_pidfile_check(pp, in->dir, &ppid) == RT_PID_ALIVE && ppid == pid;

	free(pp);
	return yes;
}

enum rt_hstate
rt_host_state(const struct rt_inst *in, const char *host, pid_t *pid)
{
	char *pf = rt_guest_pidfile(in, host), *disk;
	pid_t p = 0;
	enum rt_pid_state ps = rt_pidfile_check(pf, in->dir, &p);
	struct rt_marker m;
	bool cow;

	free(pf);
	if (pid != NULL)
		*pid = p;
	if (ps == RT_PID_ALIVE) {
		if (paused(in, host, p))
			return RT_H_PAUSED;
		if (rt_marker_read(in, host, &m) < 0)
			return RT_H_BOOTING;
		return m.ready ? RT_H_READY : RT_H_STARTUP_FAILED;
	}
	if (pid != NULL)
		*pid = 0;
	if (ps != RT_PID_NONE)
		return RT_H_CRASHED;
	disk = rt_gwd_path(in, host, "%s.disk", host);
	cow = access(disk, F_OK) == 0;
	free(disk);
	return cow ? RT_H_HALTED : RT_H_ABSENT;
}

/* Names after a prefix in RUNDIR/ID/pids ("guest-", "hub-"), NULL-terminated. */
static char **
pid_names(const struct rt_inst *in, const char *prefix)
{
	char *dir = rt_host_path(in, "pids");
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = xcalloc(1, sizeof(*names));
	size_t n = 0, plen = strlen(prefix);

	free(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *name = de->d_name + plen;

		if (strncmp(de->d_name, prefix, plen) != 0 || strchr(name, '.') != NULL ||
		    !lab_name_valid(name))
			continue;
		names = xrealloc(names, (n + 2) * sizeof(*names));
		names[n++] = xstrdup(name);
		names[n] = NULL;
	}
	if (d != NULL)
		closedir(d);
	return names;
}

/* Is domain used by a running guest? Unknown running guests keep every hub. */
static bool
domain_in_use(const struct rt_inst *in, char **running, const char *domain)
{
	for (char **g = running; *g != NULL; g++) {
		const struct lab_host *h = in->lab != NULL ? lab_host_find(in->lab, *g) : NULL;

		if (h == NULL)
			return true;
		for (size_t i = 0; i < h->n_ifaces; i++)
			if (strcmp(h->ifaces[i].domain, domain) == 0)
				return true;
	}
	return false;
}

/*
 * lconnect --all's view servers (RUNDIR/ID.h/view-PID) end with the lab's
 * server, whose clients their panes are; tmux leaves their sockets behind.
 * RUNDIR/ID.h is host-only: no guest planted anything there.
 */
static void
remove_views(const struct rt_inst *in)
{
	DIR *d = opendir(in->hdir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "view-", 5) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	if (d != NULL)
		closedir(d);
}

/* Stop the NATs (rt/nat.h) of domains no running guest uses. */
static void
stop_unused_nats(const struct rt_inst *in, char **running)
{
	char **nats = pid_names(in, "nat-"), **unused = xcalloc(1, sizeof(*unused));
	size_t n = 0;

	for (char **d = nats; *d != NULL; d++)
		if (!domain_in_use(in, running, *d)) {
			unused = xrealloc(unused, (n + 1) * sizeof(*unused));
			unused[n++] = *d;
		}
	rt_nats_stop(in, unused, n);
	free(unused);
	argv_free(nats);
}

void
rt_inst_gc(const struct rt_inst *in, const struct rt_report *rep)
{
	char **guests = pid_names(in, "guest-"), **hubs = pid_names(in, "hub-");
	char **running = xcalloc(1, sizeof(*running));
	size_t n = 0;

	for (char **g = guests; *g != NULL; g++) {
		char *pf = rt_guest_pidfile(in, *g);

		if (rt_pidfile_check(pf, in->dir, NULL) == RT_PID_ALIVE) {
			running = xrealloc(running, (n + 2) * sizeof(*running));
			running[n++] = *g;
			running[n] = NULL;
		}
		free(pf);
	}
	{
		char **unused = xcalloc(1, sizeof(*unused));
		size_t n_unused = 0;

		for (char **d = hubs; *d != NULL; d++)
			if (!domain_in_use(in, running, *d)) {
				unused = xrealloc(unused, (n_unused + 1) * sizeof(*unused));
				unused[n_unused++] = *d;
			}
		/* A NAT leaves its hub first. */
		stop_unused_nats(in, running);
		rt_hubs_stop(in, unused, n_unused);
		free(unused);
	}
	if (n == 0) {
		char *sock = rt_tmux_sock(in), *tpf = rt_host_path(in, "pids/tmux");
		char *conf = rt_host_path(in, "tmux.conf");
		pid_t pid;

		if (access(sock, F_OK) == 0)
			rt_tmux_kill_server(sock);
		/* The socket may be gone while the server lives on: use its record. */
		if (rt_pidfile_check(tpf, in->dir, &pid) == RT_PID_ALIVE) {
			rt_pidfile_kill(tpf, in->dir, SIGTERM);
			if (!rt_wait_exit(pid, 2000))
				rt_pidfile_kill(tpf, in->dir, SIGKILL);
		}
		unlink(sock);
		unlink(tpf);
		unlink(conf);
		/* hostwd keeps its copy of the record: lclean may still need it. */
		free(conf);
		conf = rt_host_path(in, "%s", RT_RECORD_RUN);
		unlink(conf);
		free(sock);
		free(tpf);
		free(conf);
		rt_agent_clean(in, NULL); /* lexec's lines: no guest holds them now */
		remove_views(in);
		/* The running lab's ports, links and boot records end with it. */
		rt_sf_remove_below(in->hdir, "ports");
		rt_sf_remove_below(in->hdir, "links");
		rt_sf_remove_below(in->hdir, "plugged");
		/* Empty directories only: what is left belongs to a crashed guest. */
		for (size_t i = 0; i < 5; i++) {
			static const char *const sub[] = {"/hub", "/notify", "/uml", ".h/pids",
			                                  ".h"};
			char *d = xasprintf("%s%s", in->dir, sub[i]);

			rmdir(d);
			free(d);
		}
		/* Not under lclean: an lstart would make a new one its lock does not cover. */
		if (!in->cleaning)
			rmdir(in->dir);
	}
	(void)rep;
	for (char **g = guests; *g != NULL; g++)
		free(*g);
	for (char **d = hubs; *d != NULL; d++)
		free(*d);
	free(guests);
	free(hubs);
	free(running);
}
