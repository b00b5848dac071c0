/*
 * ltest/eval.c: does a command's result meet a test's expectation?
 * Pure functions over the captured output, so they are unit-tested alone.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "ltest.h"
#include "xalloc.h"

long
ltest_count_lines(const char *s)
{
	long n = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p == '\n')
			n++;
	if (p[-1] != '\n')
		n++;
	return n;
}

/* Does ere match somewhere in text? -1 when it does not compile (lab.yaml checked it). */
static int
matches(const char *ere, const char *text)
{
	regex_t re;
	int rc;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return -1;
	rc = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	return rc == 0;
}

/* Lines of text matching ere, or -1 when it does not compile. */
static long
count_matching(const char *ere, const char *text)
{
	regex_t re;
	long n = 0;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xmalloc(len + 1);

		memcpy(line, p, len);
		line[len] = '\0';
		if (regexec(&re, line, 0, NULL, 0) == 0)
			n++;
		free(line);
		p += len + (nl != NULL);
	}
	regfree(&re);
	return n;
}

/* Check one regex expectation on stream name; false with *why set. */
static bool
check_re(const char *ere, bool want, const char *text, const char *name, char **why)
{
	int m;

	if (ere == NULL)
		return true;
	m = matches(ere, text);
	if (m < 0) {
		*why = xasprintf("bad regular expression /%s/", ere);
		return false;
	}
	if (m == (int)want)
		return true;
	*why = want ? xasprintf("%s does not match /%s/", name, ere)
	            : xasprintf("%s matches /%s/, which it must not", name, ere);
	return false;
}

bool
ltest_expect_check(const struct lab_expect *e, const struct ltest_exec *x, char **why)
{
	*why = NULL;
	if (x->error != NULL) {
		*why = xstrdup(x->error);
		return false;
	}
	if (x->timed_out) {
		*why = xasprintf("timed out after %.1fs", x->secs);
		return false;
	}
	if (x->signal != 0 && e->has_status) {
		*why = xasprintf("killed by signal %d", x->signal);
		return false;
	}
	if (e->has_status && x->status != e->status) {
		*why = xasprintf("exit status %d, expected %d", x->status, e->status);
		return false;
	}
	if (!check_re(e->stdout_re, true, x->out, "stdout", why) ||
	    !check_re(e->stdout_not_re, false, x->out, "stdout", why) ||
	    !check_re(e->stderr_re, true, x->err, "stderr", why) ||
	    !check_re(e->stderr_not_re, false, x->err, "stderr", why))
		return false;
	if (e->lines >= 0) {
		long n = e->lines_re ? count_matching(e->lines_re, x->out)
		                     : ltest_count_lines(x->out);

		if (n < 0) {
			*why = xasprintf("bad regular expression /%s/", e->lines_re);
			return false;
		}
		if (n != e->lines) {
			*why = e->lines_re
			               ? xasprintf("%ld stdout lines match /%s/, expected %ld", n,
			                           e->lines_re, e->lines)
			               : xasprintf("%ld stdout lines, expected %ld", n, e->lines);
			return false;
		}
	}
	return true;
}
