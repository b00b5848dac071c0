/*
 * lab/parse-assert.c: strongSwan-style assertion files as lab tests.
 *
 * strongSwan's test cases keep their checks in evaltest.dat, one per line:
 * `host::command::pattern::YES|NO|N`. The command's standard output must
 * contain a line matching pattern (YES), must not (NO), or must have exactly
 * N matching lines; its exit status does not count. pretest.dat and
 * posttest.dat hold `host::command` steps whose results do not count either.
 * Patterns are POSIX basic regular expressions (grep's default); the lab
 * model uses extended ones, so they are rewritten here.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

#define SEP "::"

char *
lab_bre_to_ere(const char *bre)
{
	size_t len = strlen(bre), o = 0;
	char *ere = xmalloc(2 * len + 1);
	bool bracket = false;

	for (size_t i = 0; i < len; i++) {
		char c = bre[i];

		if (bracket) {
			/* Bracket expressions read the same in both dialects. */
			ere[o++] = c;
			if (c == ']')
				bracket = false;
			continue;
		}
		if (c == '[') {
			ere[o++] = c;
			bracket = true;
			/* A ']' first (after an optional '^') is a member, not the end. */
			if (bre[i + 1] == '^')
				ere[o++] = bre[++i];
			if (bre[i + 1] == ']')
				ere[o++] = bre[++i];
			continue;
		}
		if (c == '\\' && i + 1 < len) {
			char n = bre[++i];

			if (strchr("(){}|+?", n) != NULL)
				ere[o++] = n; /* GNU BRE operators are bare in ERE */
			else {
				ere[o++] = '\\';
				ere[o++] = n;
			}
			continue;
		}
		if (strchr("(){}|+?", c) != NULL) {
			/* Plain characters in BRE, operators in ERE. */
			ere[o++] = '\\';
			ere[o++] = c;
			continue;
		}
		if (c == '*' && (o == 0 || (o == 1 && ere[0] == '^'))) {
			/* A leading '*' is literal in BRE. */
			ere[o++] = '\\';
			ere[o++] = c;
			continue;
		}
		ere[o++] = c;
	}
	ere[o] = '\0';
	return ere;
}

void
lab_tests_free(struct lab_test *tests, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lab__test_free(&tests[i]);
	free(tests);
}

/* Append one error at file:line to *errs. */
static void __attribute__((format(printf, 4, 5)))
report(struct lab_error **errs, const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	lab__error_append(errs, lab__error_new(LAB_E_SYNTAX, file, line, 0, NULL, msg));
	free(msg);
}

/* A copy of s without blanks at either end. */
static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return xstrndup(s, len);
}

/* The last occurrence of SEP in [s, end), or NULL. */
static const char *
last_sep(const char *s, const char *end)
{
	for (const char *p = end - 2; p >= s; p--)
		if (p[0] == ':' && p[1] == ':')
			return p;
	return NULL;
}

/*
 * Split one line into fields: host, then (for assertions) hit and pattern
 * from the right, so commands may hold "::" (IPv6 addresses). false after
 * reporting.
 */
static bool
split(const char *line, size_t len, bool steps, char **host, char **cmd, char **pat, char **hit,
      struct lab_error **errs, const char *file, unsigned int lineno)
{
	const char *end = line + len, *s1 = strstr(line, SEP), *s3, *s2;

	if (s1 == NULL || s1 >= end) {
		report(errs, file, lineno, "expected 'host::command%s'",
		       steps ? "" : "::pattern::YES|NO|N");
		return false;
	}
	*host = trimmed(line, (size_t)(s1 - line));
	if (steps) {
		*cmd = trimmed(s1 + 2, (size_t)(end - s1 - 2));
		return true;
	}
	s3 = last_sep(s1 + 2, end);
	s2 = s3 != NULL ? last_sep(s1 + 2, s3) : NULL;
	if (s3 == NULL || s2 == NULL) {
		report(errs, file, lineno, "expected 'host::command::pattern::YES|NO|N'");
		free(*host);
		*host = NULL;
		return false;
	}
	*cmd = trimmed(s1 + 2, (size_t)(s2 - s1 - 2));
	*pat = xstrndup(s2 + 2, (size_t)(s3 - s2 - 2)); /* blanks may matter */
	*hit = trimmed(s3 + 2, (size_t)(end - s3 - 2));
	return true;
}

/* Fill t's expectation from pattern and hit; false after reporting. */
static bool
expectation(struct lab_test *t, const char *pat, const char *hit, struct lab_error **errs,
            const char *file, unsigned int lineno)
{
	char *ere = lab_bre_to_ere(pat);
	unsigned long count;
	regex_t re;
	int rc;

	if ((rc = regcomp(&re, ere, REG_EXTENDED | REG_NOSUB)) != 0) {
		char buf[128];

		regerror(rc, &re, buf, sizeof buf);
		report(errs, file, lineno, "bad pattern '%s': %s", pat, buf);
		free(ere);
		return false;
	}
	regfree(&re);
	if (strcmp(hit, "YES") == 0) {
		t->expect.stdout_re = ere;
	} else if (strcmp(hit, "NO") == 0) {
		t->expect.stdout_not_re = ere;
	} else if (lab__parse_uint(hit, 1000000000, &count)) {
		t->expect.lines = (long)count;
		t->expect.lines_re = ere;
	} else {
		report(errs, file, lineno, "the last field must be YES, NO or a count, not '%s'",
		       hit);
		free(ere);
		return false;
	}
	return true;
}

/* One non-comment line into a new test at the end of *tests; false after reporting. */
static bool
parse_line(const struct lab *lab, const char *file, const char *line, size_t len,
           unsigned int lineno, bool steps, struct lab_test **tests, size_t *n,
           struct lab_error **errs)
{
	char *host = NULL, *cmd = NULL, *pat = NULL, *hit = NULL;
	struct lab_test t = {0};
	bool ok = false;

	if (!split(line, len, steps, &host, &cmd, &pat, &hit, errs, file, lineno))
		return false;
	t.expect.has_status = false; /* strongSwan ignores the exit status */
	t.expect.lines = -1;
	if (!lab_name_valid(host)) {
		report(errs, file, lineno, "bad host name '%s'", host);
	} else if (lab != NULL && lab_host_find(lab, host) == NULL) {
		report(errs, file, lineno, "no host '%s' in this lab", host);
	} else if (*cmd == '\0') {
		report(errs, file, lineno, "empty command");
	} else if (strcmp(cmd, "tcpdump") == 0) {
		report(errs, file, lineno,
		       "the 'tcpdump' pseudo-command is not supported: mark the domain "
		       "'capture: true' and check DOMAIN.pcap with a 'local: true' test");
	} else if (steps || expectation(&t, pat, hit, errs, file, lineno)) {
		ok = true;
	}
	if (ok) {
		t.name = xasprintf("%s:%u %s: %s", file, lineno, host, cmd);
		t.on = host;
		t.run = cmd;
		t.origin = lab__origin(file, lineno, 1);
		host = cmd = NULL;
		*tests = xreallocarray(*tests, *n + 1, sizeof **tests);
		(*tests)[(*n)++] = t;
	} else {
		lab__test_free(&t);
	}
	free(host);
	free(cmd);
	free(pat);
	free(hit);
	return ok;
}

int
lab_assert_parse(const struct lab *lab, const char *file, const char *text, bool steps,
                 struct lab_test **tests, size_t *n, struct lab_error **errs)
{
	unsigned int lineno = 0;
	int rc = 0;

	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *s = p;

		lineno++;
		while (s < p + len && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s < p + len && *s != '#' &&
		    !parse_line(lab, file, s, len - (size_t)(s - p), lineno, steps, tests, n, errs))
			rc = -1;
		p += len + (nl != NULL);
	}
	return rc;
}

int
lab_assert_load(const struct lab *lab, const char *path, bool steps, struct lab_test **tests,
                size_t *n, struct lab_error **errs)
{
	char *full =
	        path[0] == '/' || lab == NULL ? xstrdup(path) : xasprintf("%s/%s", lab->dir, path);
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	FILE *f = fopen(full, "re");
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (f == NULL) {
		char *msg = xasprintf("cannot read %s: %s", full, strerror(errno));

		lab__error_append(errs, lab__error_new(LAB_E_IO, base, 0, 0, NULL, msg));
		free(msg);
		free(full);
		return -1;
	}
	buf = read_all(f, &len);
	fclose(f);
	if (memchr(buf, '\0', len) != NULL) {
		lab__error_append(errs, lab__error_new(LAB_E_SYNTAX, base, 0, 0, NULL,
		                                       "binary file (NUL bytes)"));
		rc = -1;
	} else {
		rc = lab_assert_parse(lab, base, buf, steps, tests, n, errs);
	}
	free(buf);
	free(full);
	return rc;
}
