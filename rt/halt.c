/*
 * rt/halt.c: lhalt's and lcrash's verb: stop guests in parallel.
 *
 * lhalt asks each guest to power off (mconsole `cad`: its init runs the
 * shutdown scripts), waits a bounded time, then escalates to mconsole
 * `halt` and at last SIGKILL. lcrash starts at `halt`. A guest lpause
 * stopped is resumed first (mconsole `go`) so that its init can power off;
 * a stopped kernel still obeys `halt`, so lcrash needs nothing more. Every
 * guest's exit is a pidfd event on one loop, so twenty guests halt in the
 * time of the slowest, not of their sum. What no guest uses any more (hubs,
 * the tmux server) goes at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "disks.h"
#include "hubs.h"
#include "lab.h"
#include "mconsole.h"
#include "proc.h"
#include "rt.h"
#include "safefile.h"
#include "run.h"
#include "xalloc.h"

#define HALT_GRACE_MS 3000 /* after mconsole halt, before SIGKILL */
#define KILL_WAIT_MS  3000 /* after SIGKILL */

enum stage { ST_CAD, ST_HALT, ST_KILL, ST_DONE };

struct stop {
	struct stopper *s;
	size_t idx;
	uv_poll_t exitpoll;
	uv_timer_t timer;
	int pidfd;
	int open;
	enum stage stage;
	uint64_t t0;
};

struct stopper {
	uv_loop_t loop;
	const struct lab *lab;
	const struct rt_halt_opts *o;
	struct rt_result *res;
	struct stop *stops;
	char *client_dir; /* owned; where our mconsole client sockets are bound */
};

static void escalate(struct stop *st);
static void timer_fired(uv_timer_t *t);

/* Free nothing: stops live in an array; just count closed handles. */
static void
stop_closed(uv_handle_t *h)
{
	struct stop *st = h->data;

	st->open--;
}

/* The guest exited: record how, stop watching. */
static void
stop_exited(uv_poll_t *p, int status, int events)
{
	struct stop *st = p->data;
	struct rt_host_result *hr = &st->s->res->hosts[st->idx];
	static const char *const how[] = {"powered off", "stopped by mconsole halt", "killed",
	                                  "stopped"};

	hr->state = st->s->o->crash ? RT_H_CRASHED : RT_H_HALTED;
	hr->secs = (double)(uv_hrtime() - st->t0) / 1e9;
	hr->detail = xstrdup(how[st->stage]);
	st->stage = ST_DONE;
	uv_poll_stop(p);
	uv_close((uv_handle_t *)&st->exitpoll, stop_closed);
	uv_close((uv_handle_t *)&st->timer, stop_closed);
	close(st->pidfd);
}

/*
 * The mconsole answered (or not): an unreachable mconsole (a guest still
 * booting, or wedged) escalates at once; a slow reply is no reason to.
 */
static void
mc_replied(void *arg, int status, const char *reply)
{
	struct stop *st = arg;

	if (status < 0 && status != -ETIMEDOUT && st->stage != ST_DONE &&
	    !uv_is_closing((uv_handle_t *)&st->timer))
		uv_timer_start(&st->timer, timer_fired, 0, 0);
}

/* Next step of the ladder cad -> halt -> SIGKILL. */
static void
escalate(struct stop *st)
{
	struct rt_inst *in = &st->s->res->inst;
	const char *name = st->s->lab->hosts[st->idx].name;
	char *mc = rt_mconsole_path(in, name), *pf = rt_guest_pidfile(in, name);

	if (st->stage == ST_DONE)
		goto out;
	if (st->stage == ST_CAD) {
		st->stage = ST_HALT;
		rt_mconsole_send(&st->s->loop, mc, st->s->client_dir, "halt", 1000, mc_replied, st);
		uv_timer_start(&st->timer, timer_fired, HALT_GRACE_MS, 0);
	} else if (st->stage == ST_HALT) {
		st->stage = ST_KILL;
		rt_pidfile_kill(pf, in->dir, SIGKILL);
		uv_timer_start(&st->timer, timer_fired, KILL_WAIT_MS, 0);
	} else {
		struct rt_host_result *hr = &st->s->res->hosts[st->idx];

		/* SIGKILL did not end it within the bound: say so, stop waiting. */
		hr->state = RT_H_FAILED;
		hr->detail = xstrdup("still running after SIGKILL");
		st->stage = ST_DONE;
		uv_poll_stop(&st->exitpoll);
		uv_close((uv_handle_t *)&st->exitpoll, stop_closed);
		uv_close((uv_handle_t *)&st->timer, stop_closed);
		close(st->pidfd);
	}
out:
	free(mc);
	free(pf);
}

/* Timer trampoline with the right signature. */
static void
timer_fired(uv_timer_t *t)
{
	escalate(t->data);
}

/* Nothing to do on the answer to `go`: cad's own timer escalates if need be. */
static void
go_replied(void *arg, int status, const char *reply)
{
}

/* Begin stopping host i, running as pid (paused by lpause when paused). */
static void
stop_begin(struct stopper *s, size_t i, pid_t pid, bool paused)
{
	struct stop *st = &s->stops[i];
	const char *name = s->lab->hosts[i].name;
	char *mc = rt_mconsole_path(&s->res->inst, name);

	st->s = s;
	st->idx = i;
	st->t0 = uv_hrtime();
	st->pidfd = rt_pidfd_open(pid);
	if (st->pidfd < 0) {
		s->res->hosts[i].state = s->o->crash ? RT_H_CRASHED : RT_H_HALTED;
		s->res->hosts[i].detail = xstrdup("was not running");
		free(mc);
		return;
	}
	st->open = 2;
	st->exitpoll.data = st;
	st->timer.data = st;
	uv_poll_init(&s->loop, &st->exitpoll, st->pidfd);
	uv_poll_start(&st->exitpoll, UV_READABLE, stop_exited);
	uv_timer_init(&s->loop, &st->timer);
	if (s->o->crash) {
		st->stage = ST_HALT;
		rt_mconsole_send(&s->loop, mc, s->client_dir, "halt", 1000, mc_replied, st);
		uv_timer_start(&st->timer, timer_fired, HALT_GRACE_MS, 0);
	} else {
		st->stage = ST_CAD;
		/* A stopped kernel acts on a cad only after go: send go first. */
		if (paused)
			rt_mconsole_send(&s->loop, mc, s->client_dir, "go", 1000, go_replied, NULL);
		rt_mconsole_send(&s->loop, mc, s->client_dir, "cad", 1000, mc_replied, st);
		uv_timer_start(&st->timer, timer_fired, (uint64_t)s->o->wait_s * 1000, 0);
	}
	free(mc);
}

/* Remove a stopped host's runtime files; its COW file too when asked. */
static void
forget_host(const struct rt_inst *in, const char *name, bool remove_fs)
{
	char *files[] = {
	        rt_guest_pidfile(in, name),
	        rt_gwd_path(in, name, "%s.ready", name),
	        rt_guest_pausefile(in, name),
	        remove_fs ? rt_gwd_path(in, name, "%s.disk", name) : NULL,
	};
	char *umid = xasprintf("uml/%s", name), *np = xasprintf("notify/%s", name);

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i] != NULL)
			unlink(files[i]);
		free(files[i]);
	}
	if (remove_fs)
		rt_disks_remove(in, name); /* the host's disks go with its COW file */
	/* Beneath RUNDIR/ID without symlinks: a guest may have swapped uml/ or notify/. */
	rt_sf_remove_below(in->dir, np);
	rt_sf_remove_below(in->dir, umid);
	free(np);
	free(umid);
}

/*
 * End the lexec bridge of host name, if one runs: it serves the guest's line
 * until the guest goes, but a halted lab must leave no process behind. TERM,
 * a bounded wait on its pidfd, then KILL. The bridge is recognised by the
 * argument only umlab gives it, RUNDIR/ID.h/agent/NAME (a host-only path).
 */
static void
end_bridge(const struct rt_inst *in, const char *name)
{
	char *prefix = rt_agent_path(in, name, "");
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		pid_t pid = atoi(de->d_name);
		struct pollfd pf;
		int fd;

		if (pid <= 0 || pid == getpid() || (fd = rt_pidfd_open(pid)) < 0)
			continue;
		if (rt_proc_cmdline_has(pid, prefix) &&
		    rt_proc_cmdline_has(pid, "--agent-bridge") &&
		    rt_pidfd_signal(fd, SIGTERM) == 0) {
			pf = (struct pollfd){.fd = fd, .events = POLLIN};
			if (poll(&pf, 1, 2000) <= 0)
				rt_pidfd_signal(fd, SIGKILL);
		}
		close(fd);
	}
	if (d != NULL)
		closedir(d);
	free(prefix);
}

int
rt_lab_halt(const struct lab *lab, const struct rt_halt_opts *o, const struct rt_report *rep,
            struct rt_result *res, char **err)
{
	struct stopper s = {.lab = lab, .o = o, .res = res};
	struct rt_inst *in = &res->inst;
	bool *sel = xcalloc(lab->n_hosts, sizeof(*sel));
	int rc = -1, lockfd = -1;

	memset(res, 0, sizeof(*res));
	res->n_hosts = lab->n_hosts;
	res->hosts = xcalloc(lab->n_hosts, sizeof(*res->hosts));
	s.stops = xcalloc(lab->n_hosts, sizeof(*s.stops));
	if (rt_inst_init(in, lab, o->opt_w, err) < 0)
		goto out;
	/* Under the instance lock, as lclean: no launch of lstart half done while
	 * we look, and no lclean removing what we stop. No instance: nothing runs. */
	lockfd = rt_inst_lock(in, LOCK_EX);
	s.client_dir = rt_inst_path(in, "notify");
	for (size_t k = 0; k < o->n_hosts; k++) {
		ssize_t i = lab_host_index(lab, o->hosts[k]);

		if (i < 0) {
			rt_fail(err, "no host '%s' in lab %s", o->hosts[k], lab->name);
			goto out;
		}
		sel[i] = true;
	}
	uv_loop_init(&s.loop);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		pid_t pid = 0;
		enum rt_hstate st;

		if (o->n_hosts > 0 && !sel[i])
			continue;
		sel[i] = true;
		st = rt_host_state(in, lab->hosts[i].name, &pid);
		if (pid > 0) {
			stop_begin(&s, i, pid, st == RT_H_PAUSED);
		} else {
			res->hosts[i].state = st == RT_H_CRASHED ? RT_H_CRASHED : RT_H_HALTED;
			res->hosts[i].detail = xstrdup(st == RT_H_CRASHED ? "had died already"
			                                                  : "was not running");
		}
	}
	uv_run(&s.loop, UV_RUN_DEFAULT);
	uv_loop_close(&s.loop);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		if (!sel[i] || res->hosts[i].state == RT_H_FAILED)
			continue;
		forget_host(in, lab->hosts[i].name, o->crash ? !o->keep_fs : o->remove_fs);
		end_bridge(in, lab->hosts[i].name);
	}
	rt_inst_gc(in, rep);
	res->ok = true;
	for (size_t i = 0; i < lab->n_hosts; i++)
		res->ok &= res->hosts[i].state != RT_H_FAILED;
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	free(sel);
	free(s.stops);
	free(s.client_dir);
	return rc;
}
