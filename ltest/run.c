/*
 * ltest/run.c: the ltest engine: suite setup, then each test (its setup
 * steps, its command retried until the expectation holds or `within` has
 * passed, its teardown steps), then suite teardown. Every failure, of a test
 * or of a step, becomes a failed case carrying the output that explains it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "lab.h"
#include "ltest.h"
#include "xalloc.h"

#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 1000

void
ltest_suite_clear(struct ltest_suite *s)
{
	for (size_t i = 0; i < s->n_cases; i++) {
		struct ltest_case *c = &s->cases[i];

		free(c->name);
		free(c->classname);
		free(c->why);
		free(c->step);
		ltest_exec_clear(&c->x);
	}
	free(s->cases);
	free(s->name);
	free(s->timestamp);
	memset(s, 0, sizeof *s);
}

struct ltest_case *
ltest_suite_add(struct ltest_suite *s, const struct lab_test *t, char *name, char *classname)
{
	struct ltest_case *c;

	s->cases = xrealloc(s->cases, (s->n_cases + 1) * sizeof *s->cases);
	c = &s->cases[s->n_cases++];
	memset(c, 0, sizeof *c);
	c->test = t;
	c->name = name;
	c->classname = classname;
	return c;
}

/* Milliseconds on a monotonic clock. */
static uint64_t
now_ms(void)
{
	return uv_hrtime() / 1000000;
}

/* Wait ms milliseconds between attempts (a retry interval, not synchronisation). */
static void
pause_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
	                      .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* Run one step; true when it went as a step must (status 0 unless any_status). */
static bool
run_step(const struct ltest_runner *r, const char *host, const char *cmd, bool any_status,
         unsigned int timeout_ms, struct ltest_exec *x, char **why)
{
	*why = NULL;
	if (ltest_exec_run(r, host, cmd, timeout_ms, x) < 0) {
		*why = xstrdup(x->error);
		return false;
	}
	if (x->timed_out) {
		*why = xasprintf("timed out after %.1fs", x->secs);
		return false;
	}
	if (!any_status && x->status != 0) {
		*why = x->status < 0 ? xasprintf("killed by signal %d", x->signal)
		                     : xasprintf("exit status %d", x->status);
		return false;
	}
	return true;
}

/* The class name reports group a case under: LAB.HOST. */
static char *
class_of(const struct lab *lab, const char *host)
{
	return xasprintf("%s.%s", lab->name, host != NULL ? host : "local");
}

/* Run the suite steps; each failure becomes a failed case. */
static void
run_suite_steps(const struct ltest_plan *p, const struct ltest_runner *r,
                const struct ltest_steps *st, const char *what, const struct ltest_listener *l,
                struct ltest_suite *s)
{
	for (size_t k = 0; k < st->n; k++) {
		const struct ltest_step *step = &st->v[k];
		struct ltest_exec x;
		char *why;

		if (run_step(r, step->on, step->run, step->any_status, p->default_timeout_ms, &x,
		             &why)) {
			ltest_exec_clear(&x);
			continue;
		}
		struct ltest_case *c = ltest_suite_add(
		        s, NULL, xasprintf("%s step %zu: %s", what, k + 1, step->run),
		        xasprintf("%s.suite", p->lab->name));
		c->ok = false;
		c->attempts = 1;
		c->secs = x.secs;
		c->x = x;
		c->step = xstrdup(step->run);
		c->why = xasprintf("%s step on %s failed: %s", what, step->on ? step->on : "local",
		                   why);
		free(why);
		s->n_failed++;
		if (l != NULL && l->end != NULL)
			l->end(l->ctx, s->n_cases - 1, 0, c);
	}
}

/* The pause before the next attempt: a tenth of the window, within bounds. */
static uint64_t
retry_interval(unsigned int within_ms)
{
	uint64_t i = within_ms / 10;

	return i < RETRY_MIN_MS ? RETRY_MIN_MS : i > RETRY_MAX_MS ? RETRY_MAX_MS : i;
}

/* Run test t's command until its expectation holds or its window closes. */
static void
attempts(const struct ltest_plan *p, const struct ltest_runner *r, const struct lab_test *t,
         struct ltest_case *c)
{
	const char *host = t->local ? NULL : t->on;
	unsigned int tmo = t->timeout_ms ? t->timeout_ms : p->default_timeout_ms;
	uint64_t deadline = now_ms() + t->within_ms;

	for (;;) {
		uint64_t now, gap;

		ltest_exec_clear(&c->x);
		free(c->why);
		c->why = NULL;
		c->attempts++;
		if (ltest_exec_run(r, host, t->run, tmo, &c->x) < 0 && c->x.error != NULL &&
		    t->within_ms == 0) {
			c->why = xstrdup(c->x.error);
			return;
		}
		if (ltest_expect_check(&t->expect, &c->x, &c->why)) {
			c->ok = true;
			return;
		}
		now = now_ms();
		if (t->within_ms == 0 || now >= deadline)
			return;
		gap = retry_interval(t->within_ms);
		pause_ms(gap < deadline - now ? gap : deadline - now);
	}
}

/* One case: setup steps, the attempts, teardown steps. */
static void
run_case(const struct ltest_plan *p, const struct ltest_runner *r, const struct lab_test *t,
         struct ltest_case *c)
{
	const char *host = t->local ? NULL : t->on;
	uint64_t t0 = now_ms();
	bool setup_ok = true;
	char *why = NULL;

	for (size_t k = 0; k < t->n_setup && setup_ok; k++) {
		struct ltest_exec x;

		if (!run_step(r, host, t->setup[k], false, p->default_timeout_ms, &x, &why)) {
			setup_ok = false;
			c->why = xasprintf("setup step '%s' failed: %s", t->setup[k], why);
			c->step = xstrdup(t->setup[k]);
			c->x = x;
			free(why);
		} else {
			ltest_exec_clear(&x);
		}
	}
	if (setup_ok) {
		attempts(p, r, t, c);
		if (!c->ok && c->attempts > 1) {
			char *w = xasprintf("%s (after %u attempts in %.1fs)", c->why, c->attempts,
			                    (double)(now_ms() - t0) / 1000.0);

			free(c->why);
			c->why = w;
		}
	}
	for (size_t k = 0; k < t->n_teardown; k++) {
		struct ltest_exec x;

		if (!run_step(r, host, t->teardown[k], false, p->default_timeout_ms, &x, &why) &&
		    c->ok) {
			c->ok = false;
			c->why = xasprintf("teardown step '%s' failed: %s", t->teardown[k], why);
			c->step = xstrdup(t->teardown[k]);
			ltest_exec_clear(&c->x);
			c->x = x;
		} else {
			ltest_exec_clear(&x);
		}
		free(why);
		why = NULL;
	}
	c->secs = (double)(now_ms() - t0) / 1000.0;
}

/* The current time as ISO 8601 in UTC. */
static char *
iso_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return xstrdup(buf);
}

void
ltest_run(const struct ltest_plan *p, const struct ltest_runner *r, const struct ltest_listener *l,
          struct ltest_suite *s)
{
	uint64_t t0 = now_ms();

	if (s->name == NULL)
		s->name = xstrdup(p->lab->name);
	if (s->timestamp == NULL)
		s->timestamp = iso_now();
	run_suite_steps(p, r, &p->setup, "setup", l, s);
	for (size_t i = 0; i < p->n_tests; i++) {
		const struct lab_test *t = &p->tests[i];
		struct ltest_case *c;

		if (l != NULL && l->begin != NULL)
			l->begin(l->ctx, i, p->n_tests, t);
		c = ltest_suite_add(s, t, xstrdup(t->name),
		                    class_of(p->lab, t->local ? NULL : t->on));
		run_case(p, r, t, c);
		if (!c->ok)
			s->n_failed++;
		if (l != NULL && l->end != NULL)
			l->end(l->ctx, i, p->n_tests, c);
		if (!c->ok && p->fail_fast)
			break;
	}
	run_suite_steps(p, r, &p->teardown, "teardown", l, s);
	s->secs += (double)(now_ms() - t0) / 1000.0;
}
