/*
 * rt/pause.c: lpause's and lresume's verb: freeze and thaw running guests
 * with mconsole `stop` and `go`.
 *
 * A stopped UML kernel loops in its mconsole handler with signals blocked:
 * the guest's processes, timers and network stand still, but the mconsole
 * still answers (go, halt, version...), which is how lresume, lhalt and
 * lcrash reach a paused guest. The kernel is the judge of whether a guest
 * is stopped ("Already stopped", "Not stopped"), so both commands always
 * ask it. The pause file (RUNDIR/ID.h/pids/guest-NAME.paused, host only)
 * records the answer, so lstatus and lexec can say "paused" without asking
 * a guest; it holds the guest's identity as its pid file does, so a file
 * outliving its guest means nothing (rt_host_state).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <uv.h>

#include "lab.h"
#include "mconsole.h"
#include "proc.h"
#include "rt.h"
#include "xalloc.h"

#define PAUSE_REPLY_MS 5000 /* a stopped guest answers at once; a wedged one never */

/* One host's request. */
struct pcall {
	bool sent;
	int status;  /* the mconsole callback's */
	char *reply; /* owned */
};

/* Keep the answer; the verdict is made after the loop. */
static void
replied(void *arg, int status, const char *reply)
{
	struct pcall *c = arg;

	c->status = status;
	c->reply = xstrdup(reply);
}

/* Record host i's answer in its result and its pause file; false on failure. */
static bool
settle(const struct rt_inst *in, const char *name, const struct pcall *c, bool resume,
       struct rt_host_result *hr)
{
	/* The guest's own word: stopped by hand (uml_mconsole) is paused all the same. */
	bool already = c->status == 1 &&
	               strstr(c->reply, resume ? "Not stopped" : "Already stopped") != NULL;
	char *pp = rt_guest_pausefile(in, name), *e = NULL;
	bool ok = true;

	if (c->status != 0 && !already) {
		hr->state = RT_H_FAILED;
		if (c->status == -ETIMEDOUT)
			hr->detail = xasprintf("no answer from its mconsole in %d s (wedged?)",
			                       PAUSE_REPLY_MS / 1000);
		else if (c->status > 0)
			hr->detail = xasprintf("its mconsole refused: %s", c->reply);
		else
			hr->detail = xasprintf("cannot reach its mconsole (still booting?): %s",
			                       strerror(-c->status));
		ok = false;
	} else if (resume) {
		unlink(pp);
		hr->state = rt_host_state(in, name, NULL);
		hr->detail = xstrdup(already ? "was not paused" : "resumed");
	} else if (rt_pidfile_write(pp, hr->pid, in->dir, &e) < 0) {
		/* Stopped, then gone before we wrote it down: it is not paused now. */
		hr->state = RT_H_FAILED;
		hr->detail = e;
		ok = false;
	} else {
		hr->state = RT_H_PAUSED;
		hr->detail = xstrdup(already ? "already paused" : "paused");
	}
	free(pp);
	return ok;
}

int
rt_lab_pause(const struct lab *lab, const struct rt_pause_opts *o, struct rt_result *res,
             char **err)
{
	struct rt_inst *in = &res->inst;
	struct pcall *calls = xcalloc(lab->n_hosts, sizeof(*calls));
	bool *sel = xcalloc(lab->n_hosts, sizeof(*sel));
	char *client_dir = NULL;
	size_t running = 0;
	int rc = -1, lockfd = -1;
	uv_loop_t loop;

	memset(res, 0, sizeof(*res));
	res->n_hosts = lab->n_hosts;
	res->hosts = xcalloc(lab->n_hosts, sizeof(*res->hosts));
	if (rt_inst_init(in, lab, o->opt_w, err) < 0)
		goto out;
	for (size_t k = 0; k < o->n_hosts; k++) {
		ssize_t i = lab_host_index(lab, o->hosts[k]);

		if (i < 0) {
			rt_fail(err, "no host '%s' in lab %s", o->hosts[k], lab->name);
			goto out;
		}
		sel[i] = true;
	}
	/* As lhalt: no guest is halted or cleaned while we stop it and record that. */
	lockfd = rt_inst_lock(in, LOCK_EX);
	client_dir = rt_inst_path(in, "notify");
	res->ok = true;
	uv_loop_init(&loop);
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct rt_host_result *hr = &res->hosts[i];
		enum rt_hstate st;
		char *mc;

		if (o->n_hosts > 0 && !sel[i])
			continue;
		st = rt_host_state(in, lab->hosts[i].name, &hr->pid);
		if (hr->pid <= 0) {
			/* Not running: a failure when named, none of our business otherwise. */
			if (o->n_hosts > 0) {
				hr->state = st;
				hr->detail = xstrdup("not running");
				res->ok = false;
			}
			continue;
		}
		running++;
		mc = rt_mconsole_path(in, lab->hosts[i].name);
		calls[i].sent = true;
		rt_mconsole_send(&loop, mc, client_dir, o->resume ? "go" : "stop", PAUSE_REPLY_MS,
		                 replied, &calls[i]);
		free(mc);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (calls[i].sent &&
		    !settle(in, lab->hosts[i].name, &calls[i], o->resume, &res->hosts[i]))
			res->ok = false;
	if (o->n_hosts == 0 && running == 0) {
		rt_fail(err, "no host of lab %s is running", lab->name);
		goto out;
	}
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	for (size_t i = 0; i < lab->n_hosts; i++)
		free(calls[i].reply);
	free(calls);
	free(sel);
	free(client_dir);
	return rc;
}
