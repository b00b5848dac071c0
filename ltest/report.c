/*
 * ltest/report.c: what ltest shows people and scripts: a line per case
 * as it ends (with the reason and the head of the output on failure), the
 * closing summary, and the whole run as JSON (--json).
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lab.h"
#include "ltest.h"

#define HEAD_LINES 10

/* Print up to n lines of text, each behind a marker; say how many were left out. */
static void
head(FILE *f, const char *label, const char *text, unsigned int n)
{
	const char *p = text;
	unsigned int shown = 0;
	long total;

	if (text == NULL || *text == '\0')
		return;
	total = ltest_count_lines(text);
	fprintf(f, "      %s:\n", label);
	while (*p != '\0' && shown < n) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(f, "        | %.*s\n", len, p);
		shown++;
		p += len + (nl != NULL);
	}
	if (total > (long)shown)
		fprintf(f, "        | ... %ld more lines\n", total - (long)shown);
}

void
ltest_print_case(FILE *f, size_t index, size_t total, const struct ltest_case *c, bool verbose)
{
	const struct lab_test *t = c->test;
	const char *where = t == NULL ? "suite" : t->local ? "local" : t->on;

	if (total > 0)
		fprintf(f, "[%*zu/%zu] ", total >= 100 ? 3 : total >= 10 ? 2 : 1, index + 1, total);
	else
		fputs("[suite] ", f);
	fprintf(f, "%s  %s  (%s, %.2fs", c->ok ? "PASS" : "FAIL", c->name, where, c->secs);
	if (c->attempts > 1)
		fprintf(f, ", %u attempts", c->attempts);
	fputs(")\n", f);
	if (!c->ok || verbose) {
		if (c->why != NULL)
			fprintf(f, "      %s\n", c->why);
		head(f, "stdout", c->x.out, verbose ? 1000 : HEAD_LINES);
		head(f, "stderr", c->x.err, verbose ? 1000 : HEAD_LINES);
	}
	fflush(f);
}

void
ltest_print_summary(FILE *f, const struct ltest_suite *s)
{
	fprintf(f, "\n%s: %zu tests, %zu passed, %zu failed in %.1fs\n", s->name, s->n_cases,
	        s->n_cases - s->n_failed, s->n_failed, s->secs);
	for (size_t i = 0; i < s->n_cases; i++)
		if (!s->cases[i].ok)
			fprintf(f, "  FAILED: %s: %s\n", s->cases[i].name,
			        s->cases[i].why ? s->cases[i].why : "");
}

/* A JSON string member holding command output, made valid UTF-8. */
static void
put_text(struct json_out *j, const char *key, const char *text)
{
	char *t = text ? ltest_utf8_clean(text) : NULL;

	json_string(j, key, t);
	free(t);
}

void
ltest_json_write(FILE *f, const struct ltest_suite *s, const char *results_dir)
{
	struct json_out j;

	json_out_init(&j, f, true);
	json_begin_object(&j, NULL);
	json_string(&j, "lab", s->name);
	json_string(&j, "timestamp", s->timestamp);
	json_string(&j, "results", results_dir);
	json_uint(&j, "tests", s->n_cases);
	json_uint(&j, "passed", s->n_cases - s->n_failed);
	json_uint(&j, "failed", s->n_failed);
	json_double(&j, "time", s->secs);
	json_bool(&j, "ok", s->n_failed == 0);
	json_begin_array(&j, "cases");
	for (size_t i = 0; i < s->n_cases; i++) {
		const struct ltest_case *c = &s->cases[i];
		const struct lab_test *t = c->test;

		json_begin_object(&j, NULL);
		json_string(&j, "name", c->name);
		json_string(&j, "class", c->classname);
		json_string(&j, "on", t == NULL ? NULL : t->local ? "local" : t->on);
		json_string(&j, "run", c->step ? c->step : t ? t->run : NULL);
		json_bool(&j, "ok", c->ok);
		json_string(&j, "message", c->why);
		json_uint(&j, "attempts", c->attempts);
		json_double(&j, "time", c->secs);
		if (c->x.status >= 0)
			json_int(&j, "status", c->x.status);
		else
			json_null(&j, "status");
		json_bool(&j, "timed_out", c->x.timed_out);
		put_text(&j, "stdout", c->x.out);
		put_text(&j, "stderr", c->x.err);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_out_finish(&j);
}
