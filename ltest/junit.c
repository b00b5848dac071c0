/*
 * ltest/junit.c: the JUnit XML report CI systems read: one <testsuite>
 * per lab, one <testcase> per assertion with its time, a <failure> with the
 * message and the command's output, and the output in <system-out> and
 * <system-err>. Guest output is arbitrary bytes, so text is made valid
 * XML 1.0 (escaped, invalid UTF-8 and forbidden control characters replaced).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "ltest.h"
#include "xalloc.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* Append n bytes. */
static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point in *cp; 0 when the bytes there are not valid UTF-8.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	*cp = c;
	return len;
}

/* May code point c appear in an XML 1.0 document? */
static bool
xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

char *
ltest_xml_escape(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct sbuf b = {0};

	sb_add(&b, "", 0);
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (n == 0 || !xml_char(cp)) {
			sb_add(&b, REPLACEMENT, 3);
			i += n == 0 ? 1 : n;
			continue;
		}
		switch (cp) {
		case '&':
			sb_add(&b, "&amp;", 5);
			break;
		case '<':
			sb_add(&b, "&lt;", 4);
			break;
		case '>':
			sb_add(&b, "&gt;", 4);
			break;
		case '"':
			sb_add(&b, "&quot;", 6);
			break;
		case '\'':
			sb_add(&b, "&apos;", 6);
			break;
		case '\r':
			sb_add(&b, "&#13;", 5); /* parsers would turn a bare CR into LF */
			break;
		default:
			sb_add(&b, s + i, n);
		}
		i += n;
	}
	return b.s;
}

char *
ltest_utf8_clean(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	struct sbuf b = {0};

	sb_add(&b, "", 0);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq(u + i, len - i, &cp);

		if (n == 0) {
			sb_add(&b, REPLACEMENT, 3);
			i++;
		} else {
			sb_add(&b, s + i, n);
			i += n;
		}
	}
	return b.s;
}

/* Write s escaped; NULL writes nothing. */
static void
put(FILE *f, const char *s)
{
	char *e;

	if (s == NULL)
		return;
	e = ltest_xml_escape(s, strlen(s));
	fputs(e, f);
	free(e);
}

/* The failure's text: what ran, where, its status, and its output. */
static void
failure_body(FILE *f, const struct ltest_case *c)
{
	const struct lab_test *t = c->test;
	const char *cmd = c->step ? c->step : t ? t->run : NULL;

	if (t != NULL)
		fprintf(f, "%s:%u: ", t->origin.file ? t->origin.file : "lab.yaml", t->origin.line);
	put(f, c->why);
	fputc('\n', f);
	if (cmd != NULL) {
		fputs("command: ", f);
		put(f, cmd);
		fputc('\n', f);
	}
	if (t != NULL) {
		fputs("on: ", f);
		put(f, t->local ? "local" : t->on);
		fputc('\n', f);
	}
	fprintf(f, "attempts: %u\nexit status: %d%s\n", c->attempts, c->x.status,
	        c->x.timed_out ? " (timed out)" : "");
	fputs("--- stdout ---\n", f);
	put(f, c->x.out);
	if (c->x.out_cut)
		fputs("\n[output cut]", f);
	fputs("\n--- stderr ---\n", f);
	put(f, c->x.err);
}

int
ltest_junit_write(FILE *f, const struct ltest_suite *s)
{
	char host[256] = "localhost";

	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fputs("<testsuites name=\"", f);
	put(f, s->name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", s->n_cases,
	        s->n_failed, s->secs);
	fputs("  <testsuite name=\"", f);
	put(f, s->name);
	fprintf(f,
	        "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
	        "timestamp=\"",
	        s->n_cases, s->n_failed, s->secs);
	put(f, s->timestamp);
	fputs("\" hostname=\"", f);
	put(f, host);
	fputs("\">\n", f);
	for (size_t i = 0; i < s->n_cases; i++) {
		const struct ltest_case *c = &s->cases[i];

		fputs("    <testcase name=\"", f);
		put(f, c->name);
		fputs("\" classname=\"", f);
		put(f, c->classname);
		fprintf(f, "\" time=\"%.3f\">\n", c->secs);
		if (!c->ok) {
			fputs("      <failure message=\"", f);
			put(f, c->why);
			fputs("\" type=\"AssertionError\">", f);
			failure_body(f, c);
			fputs("</failure>\n", f);
		}
		fputs("      <system-out>", f);
		put(f, c->x.out);
		fputs("</system-out>\n      <system-err>", f);
		put(f, c->x.err);
		fputs("</system-err>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
