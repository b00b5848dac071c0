/*
 * ltest/exec.c: run one test command, in a guest through the `lexec`
 * command or on this machine, with libuv: stdout and stderr through their
 * own pipes, a per-attempt timeout that ends the whole process group.
 *
 * Going through the lexec command (not its internals) keeps ltest working
 * with whatever channel lexec uses to reach the guest.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "ltest.h"
#include "xalloc.h"

extern char **environ;

#define KILL_GRACE_MS 2000 /* SIGTERM to SIGKILL */
#define DRAIN_MS      2000 /* output still open after exit: a background child holds it */

struct run;

/* One output stream being collected. */
struct stream {
	uv_pipe_t pipe;
	struct run *run;
	char *buf;
	size_t len;
	bool cut;
	bool open;
};

/* Everything one run needs in its private loop. */
struct run {
	uv_loop_t loop;
	uv_process_t proc;
	struct stream out, err;
	uv_timer_t timer;
	bool timer_open, proc_open, exited, timed_out, killed;
	int64_t status;
	int signal;
	pid_t pid;
	unsigned int timeout_ms;
};

/* Room for libuv's reads. */
static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	(void)h;
	b->base = xmalloc(hint);
	b->len = hint;
}

static void close_all(struct run *r);

/* Mark a closed stream; once the process has exited too, the run is over. */
static void
on_stream_closed(uv_handle_t *h)
{
	struct stream *s = h->data;

	s->open = false;
	if (s->run->exited && !s->run->out.open && !s->run->err.open)
		close_all(s->run);
}

/* Keep up to LTEST_OUTPUT_MAX bytes of a stream; close it at EOF. */
static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct stream *s = st->data;

	if (n > 0) {
		size_t room = LTEST_OUTPUT_MAX - s->len, take = (size_t)n < room ? (size_t)n : room;

		if (take < (size_t)n)
			s->cut = true;
		s->buf = xrealloc(s->buf, s->len + take + 1);
		memcpy(s->buf + s->len, b->base, take);
		s->len += take;
		s->buf[s->len] = '\0';
	} else if (n < 0) {
		uv_close((uv_handle_t *)st, on_stream_closed);
	}
	free(b->base);
}

/* Close whatever is still open so the loop ends. */
static void
close_all(struct run *r)
{
	if (r->out.open && !uv_is_closing((uv_handle_t *)&r->out.pipe))
		uv_close((uv_handle_t *)&r->out.pipe, on_stream_closed);
	if (r->err.open && !uv_is_closing((uv_handle_t *)&r->err.pipe))
		uv_close((uv_handle_t *)&r->err.pipe, on_stream_closed);
	if (r->timer_open && !uv_is_closing((uv_handle_t *)&r->timer))
		uv_close((uv_handle_t *)&r->timer, NULL);
}

/* The timer: timeout (SIGTERM), grace over (SIGKILL), or drain bound after exit. */
static void
on_timer(uv_timer_t *t)
{
	struct run *r = t->data;

	if (r->exited) {
		close_all(r);
		return;
	}
	if (!r->timed_out) {
		r->timed_out = true;
		kill(-r->pid, SIGTERM);
		uv_timer_start(&r->timer, on_timer, KILL_GRACE_MS, 0);
	} else if (!r->killed) {
		r->killed = true;
		kill(-r->pid, SIGKILL);
		uv_timer_start(&r->timer, on_timer, KILL_GRACE_MS, 0);
	} else {
		close_all(r); /* unkillable: give up on its output */
	}
}

/* The process ended: keep its status, bound the wait for the last output. */
static void
on_proc_exit(uv_process_t *p, int64_t status, int sig)
{
	struct run *r = p->data;

	r->exited = true;
	r->status = status;
	r->signal = sig;
	uv_close((uv_handle_t *)p, NULL);
	if (!r->out.open && !r->err.open)
		close_all(r);
	else
		uv_timer_start(&r->timer, on_timer, DRAIN_MS, 0);
}

/* The environment of a local command: ours plus UMLAB_LABDIR/HOSTWD/RESULTS. */
static char **
local_env(const struct ltest_runner *rn)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 4, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "UMLAB_LABDIR=", 13) != 0 &&
		    strncmp(environ[i], "UMLAB_HOSTWD=", 13) != 0 &&
		    strncmp(environ[i], "UMLAB_RESULTS=", 14) != 0)
			env[k++] = xstrdup(environ[i]);
	env[k++] = xasprintf("UMLAB_LABDIR=%s", rn->labdir);
	env[k++] = xasprintf("UMLAB_HOSTWD=%s", rn->hostwd);
	env[k++] = xasprintf("UMLAB_RESULTS=%s", rn->results ? rn->results : "");
	return env;
}

/* NULs in output would end the text early: show them as '?'. */
static char *
take_text(struct stream *s)
{
	char *t = s->buf != NULL ? s->buf : xstrdup("");

	for (size_t i = 0; i < s->len; i++)
		if (t[i] == '\0')
			t[i] = '?';
	s->buf = NULL;
	return t;
}

void
ltest_exec_clear(struct ltest_exec *x)
{
	free(x->out);
	free(x->err);
	free(x->error);
	memset(x, 0, sizeof *x);
}

int
ltest_exec_run(const struct ltest_runner *rn, const char *host, const char *cmd,
               unsigned int timeout_ms, struct ltest_exec *x)
{
	struct run r = {0};
	uv_process_options_t o = {0};
	uv_stdio_container_t stdio[3];
	char secs[16], **env = NULL;
	uint64_t t0 = uv_hrtime();
	int rc;

	memset(x, 0, sizeof *x);
	x->status = -1;
	if (timeout_ms == 0)
		timeout_ms = LTEST_DEFAULT_TIMEOUT_MS;
	/* lexec's own limit is a backstop a little after ours. */
	snprintf(secs, sizeof secs, "%u", (timeout_ms + 999) / 1000 + 2);
	char *largv[] = {(char *)rn->lexec,
	                 "-d",
	                 (char *)rn->labdir,
	                 "-w",
	                 (char *)rn->hostwd,
	                 "--timeout",
	                 secs,
	                 (char *)host,
	                 "--",
	                 "sh",
	                 "-c",
	                 (char *)cmd,
	                 NULL};
	char *sargv[] = {"/bin/sh", "-c", (char *)cmd, NULL};

	uv_loop_init(&r.loop);
	uv_pipe_init(&r.loop, &r.out.pipe, 0);
	uv_pipe_init(&r.loop, &r.err.pipe, 0);
	uv_timer_init(&r.loop, &r.timer);
	r.out.pipe.data = &r.out;
	r.err.pipe.data = &r.err;
	r.out.run = r.err.run = &r;
	r.timer.data = &r;
	r.proc.data = &r;
	r.out.open = r.err.open = r.timer_open = true;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&r.out.pipe;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&r.err.pipe;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = on_proc_exit;
	/* Its own session, so a timeout ends the command's children too. */
	o.flags = UV_PROCESS_DETACHED;
	if (host == NULL) {
		env = local_env(rn);
		o.file = sargv[0];
		o.args = sargv;
		o.env = env;
		o.cwd = rn->labdir;
	} else {
		o.file = rn->lexec;
		o.args = largv;
	}
	rc = uv_spawn(&r.loop, &r.proc, &o);
	if (rc < 0) {
		x->error = xasprintf("cannot run %s: %s", o.file, uv_strerror(rc));
		uv_close((uv_handle_t *)&r.proc, NULL);
		close_all(&r);
	} else {
		r.pid = r.proc.pid;
		uv_read_start((uv_stream_t *)&r.out.pipe, on_alloc, on_read);
		uv_read_start((uv_stream_t *)&r.err.pipe, on_alloc, on_read);
		uv_timer_start(&r.timer, on_timer, timeout_ms, 0);
	}
	uv_run(&r.loop, UV_RUN_DEFAULT);
	uv_loop_close(&r.loop);
	argv_free(env);
	x->out = take_text(&r.out);
	x->err = take_text(&r.err);
	x->out_cut = r.out.cut;
	x->err_cut = r.err.cut;
	x->secs = (double)(uv_hrtime() - t0) / 1e9;
	if (rc < 0)
		return -1;
	x->timed_out = r.timed_out;
	x->signal = r.signal;
	x->status = r.signal != 0 ? -1 : (int)r.status;
	return 0;
}
