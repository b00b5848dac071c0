/*
 * ltest/sig.c: Netkit's _test/ flow. Each host runs a built-in test
 * (addresses and routes) into NAME.default, its own script
 * (_test/scripts/NAME.test, or Netkit 2.8's _test/NAME.test) into
 * NAME.user and the lab's shared script (_test/scripts/shared.test or
 * _test/shared.test) into NAME.shared, all under RESULTS/_test/results/.
 * The first run records them as the signature; later runs compare, the way
 * `diff -qEbB` would. Where the signature lives is explained in ltest(1):
 * LAB/_test/signature when it exists or the lab directory is writable,
 * else HOSTWD.signature next to the host working directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "ltest.h"
#include "xalloc.h"

#define CASE_PREFIX  "_test "
#define DEFAULT_TEST "ip -br -4 addr show; echo; ip -4 route show"

/* Next non-blank line of *p, normalised (blank runs -> one space, no trailing blanks); NULL at end.
 */
static char *
next_line(const char **p)
{
	while (**p != '\0') {
		const char *nl = strchr(*p, '\n');
		size_t len = nl ? (size_t)(nl - *p) : strlen(*p);
		char *out = xmalloc(len + 1);
		size_t o = 0;
		bool blank = false;

		for (size_t i = 0; i < len; i++) {
			char c = (*p)[i];

			if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
				blank = true;
				continue;
			}
			if (blank && o > 0)
				out[o++] = ' ';
			blank = false;
			out[o++] = c;
		}
		out[o] = '\0';
		*p += len + (nl != NULL);
		if (o > 0)
			return out;
		free(out);
	}
	return NULL;
}

/*
 * First differing normalised line pair of a and b, or none (true). Leading
 * blanks count as a change of amount only: "  x" equals " x" but not "x",
 * as with diff -b; here they vanish, which is slightly more lenient.
 */
static bool
first_difference(const char *a, const char *b, unsigned int *line, char **la, char **lb)
{
	unsigned int n = 0;

	for (;;) {
		char *x = next_line(&a), *y = next_line(&b);
		bool same =
		        (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);

		n++;
		if (!same || x == NULL) {
			if (!same) {
				*line = n;
				*la = x ? x : xstrdup("(end)");
				*lb = y ? y : xstrdup("(end)");
			} else {
				free(x);
				free(y);
			}
			return same;
		}
		free(x);
		free(y);
	}
}

bool
ltest_sig_equal(const char *a, const char *b)
{
	unsigned int line;
	char *la = NULL, *lb = NULL;
	bool eq = first_difference(a, b, &line, &la, &lb);

	free(la);
	free(lb);
	return eq;
}

/* Does path exist? */
static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

bool
ltest_sig_wanted(const struct lab *lab, const struct ltest_sig_opts *o)
{
	char *t = xasprintf("%s/_test", lab->dir);
	struct stat st;
	bool has = stat(t, &st) == 0 && S_ISDIR(st.st_mode);

	free(t);
	return has || o->sigdir != NULL || o->rebuild;
}

/* The lab-relative path of a test script for name, or NULL. */
static char *
script_of(const struct lab *lab, const char *name)
{
	static const char *const dirs[] = {"_test/scripts", "_test", NULL};

	for (const char *const *d = dirs; *d != NULL; d++) {
		char *rel = xasprintf("%s/%s.test", *d, name),
		     *abs = xasprintf("%s/%s", lab->dir, rel);
		bool ok = exists(abs);

		free(abs);
		if (ok)
			return rel;
		free(rel);
	}
	return NULL;
}

/* Where the signature is read from and written to (see the file comment). */
static char *
sig_dir(const struct lab *lab, const struct ltest_runner *r, const struct ltest_sig_opts *o)
{
	char *in_lab, *test_dir, *beside;

	if (o->sigdir != NULL)
		return xstrdup(o->sigdir);
	in_lab = xasprintf("%s/_test/signature", lab->dir);
	test_dir = xasprintf("%s/_test", lab->dir);
	beside = xasprintf("%s.signature", r->hostwd);
	if (exists(in_lab) || (!exists(beside) && access(test_dir, W_OK) == 0)) {
		free(test_dir);
		free(beside);
		return in_lab;
	}
	free(in_lab);
	free(test_dir);
	return beside;
}

/* One host file: run cmd on host, keep its stdout as RESULTS/_test/results/FILE. */
static struct ltest_case *
run_one(const struct lab *lab, const struct ltest_runner *r, const struct ltest_sig_opts *o,
        struct ltest_suite *s, const char *host, const char *kind, const char *cmd,
        const char *resdir)
{
	struct ltest_case *c = ltest_suite_add(s, NULL, xasprintf(CASE_PREFIX "%s.%s", host, kind),
	                                       xasprintf("%s.%s", lab->name, host));
	char *path = xasprintf("%s/%s.%s", resdir, host, kind), *err = NULL;

	c->step = xstrdup(cmd);
	c->attempts = 1;
	if (ltest_exec_run(r, host, cmd, o->timeout_ms, &c->x) < 0) {
		c->why = xstrdup(c->x.error);
	} else if (c->x.timed_out) {
		c->why = xasprintf("timed out after %.1fs", c->x.secs);
	} else if (ltest_write_file(path, c->x.out, &err) < 0) {
		c->why = err;
	} else {
		c->ok = true;
	}
	c->secs = c->x.secs;
	free(path);
	return c;
}

/* Compare one result with the signature; the case fails on a difference. */
static void
compare(struct ltest_case *c, const char *resdir, const char *sigdir, const char *file)
{
	char *rp = xasprintf("%s/%s", resdir, file), *sp = xasprintf("%s/%s", sigdir, file);
	char *res = ltest_read_file(rp), *sig = ltest_read_file(sp), *la = NULL, *lb = NULL;
	unsigned int line;

	if (sig == NULL) {
		/* Netkit compares only what the signature holds. */
	} else if (res == NULL) {
		c->ok = false;
		c->why = xasprintf("no result %s to compare with the signature", rp);
	} else if (!first_difference(res, sig, &line, &la, &lb)) {
		c->ok = false;
		c->why = xasprintf("%s differs from the signature %s at line %u: '%s', signature "
		                   "has '%s'",
		                   file, sp, line, la, lb);
	}
	free(la);
	free(lb);
	free(res);
	free(sig);
	free(rp);
	free(sp);
}

int
ltest_sig_run(const struct lab *lab, const struct ltest_runner *r, const struct ltest_sig_opts *o,
              const struct ltest_listener *l, struct ltest_suite *s, bool *new_sig,
              char **sigdir_used, char **err)
{
	char *resdir = xasprintf("%s/_test/results", r->results), *sigdir = sig_dir(lab, r, o);
	char *shared = script_of(lab, "shared");
	bool record = o->rebuild || !exists(sigdir);
	size_t first = s->n_cases;
	int rc = 0;

	*new_sig = false;
	if (ltest_mkdirs(resdir, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const char *h = lab->hosts[i].name;
		char *own = script_of(lab, h), *cmd;

		run_one(lab, r, o, s, h, "default", DEFAULT_TEST, resdir);
		if (own != NULL) {
			cmd = xasprintf("cd /root && bash /hostlab/%s", own);
			run_one(lab, r, o, s, h, "user", cmd, resdir);
			free(cmd);
		}
		if (shared != NULL) {
			cmd = xasprintf("cd /root && bash /hostlab/%s", shared);
			run_one(lab, r, o, s, h, "shared", cmd, resdir);
			free(cmd);
		}
		free(own);
	}
	if (record) {
		if (ltest_mkdirs(sigdir, err) < 0) {
			rt_wrap(err, "recording the signature: ");
			rc = -1;
			goto out;
		}
		for (size_t k = first; k < s->n_cases; k++) {
			struct ltest_case *c = &s->cases[k];
			const char *file = c->name + strlen(CASE_PREFIX);
			char *src = xasprintf("%s/%s", resdir, file), *dst;

			if (!c->ok) {
				free(src);
				continue;
			}
			dst = xasprintf("%s/%s", sigdir, file);
			if (ltest_copy_file(src, dst, err) < 0)
				rc = -1;
			free(src);
			free(dst);
		}
		*new_sig = rc == 0;
	} else {
		for (size_t k = first; k < s->n_cases; k++)
			if (s->cases[k].ok)
				compare(&s->cases[k], resdir, sigdir,
				        s->cases[k].name + strlen(CASE_PREFIX));
	}
	for (size_t k = first; k < s->n_cases; k++) {
		if (!s->cases[k].ok)
			s->n_failed++;
		if (l != NULL && l->end != NULL)
			l->end(l->ctx, k - first, s->n_cases - first, &s->cases[k]);
	}
out:
	*sigdir_used = sigdir;
	free(shared);
	free(resdir);
	return rc;
}
