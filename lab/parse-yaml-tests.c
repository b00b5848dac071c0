/* lab/parse-yaml-tests.c: the tests: list and suite setup:/teardown: steps of lab.yaml. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

/* A regular expression (POSIX extended) that must compile. */
static void
regex(struct lab__yaml *y, const yaml_node_t *n, const char *what, char **dst)
{
	const char *s = lab__y_scalar(y, n, what);
	regex_t re;
	int rc;

	if (s == NULL)
		return;
	if ((rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB)) != 0) {
		char buf[128];

		regerror(rc, &re, buf, sizeof buf);
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s: bad regular expression '%s': %s", what,
		              s, buf);
		return;
	}
	regfree(&re);
	free(*dst);
	*dst = xstrdup(s);
}

/* A host name that must be in the lab; false after reporting. */
static bool
known_host(struct lab__yaml *y, const yaml_node_t *n, const char *s)
{
	char *hint;

	if (lab__host_lookup(y->c->lab, s) != NULL)
		return true;
	hint = lab__host_hint(y->c->lab, s);
	lab__y_report(y, LAB_E_UNKNOWN_HOST, n, hint, "no host '%s' in this lab", s);
	free(hint);
	return false;
}

/* expect: what the command's result must look like. */
static void
expect(struct lab__yaml *y, struct lab_expect *e, const yaml_node_t *n)
{
	static const char *const keys[] = {"status",     "stdout", "stdout_not", "stderr",
	                                   "stderr_not", "lines",  NULL};
	uint64_t seen = 0;

	if (lab__y_is_null(n) || !lab__y_is_map(y, n, "expect"))
		return;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		int k = lab__y_key(y, p, keys, "in expect", &seen);
		const yaml_node_t *v = lab__y_node(y, p->value);
		const char *s;
		unsigned long u;

		if (k < 0 || v == NULL)
			continue;
		if (k == 0 && (s = lab__y_scalar(y, v, "status")) != NULL) {
			if (strcmp(s, "any") == 0)
				e->has_status = false;
			else if (lab__parse_uint(s, 255, &u))
				e->status = (int)u;
			else
				lab__y_report(y, LAB_E_TYPE, v, NULL,
				              "status must be 0..255 or 'any', not '%s'", s);
		} else if (k == 1) {
			regex(y, v, "stdout", &e->stdout_re);
		} else if (k == 2) {
			regex(y, v, "stdout_not", &e->stdout_not_re);
		} else if (k == 3) {
			regex(y, v, "stderr", &e->stderr_re);
		} else if (k == 4) {
			regex(y, v, "stderr_not", &e->stderr_not_re);
		} else if (k == 5 && (s = lab__y_scalar(y, v, "lines")) != NULL) {
			if (lab__parse_uint(s, 1000000000, &u))
				e->lines = (long)u;
			else
				lab__y_report(y, LAB_E_TYPE, v, NULL,
				              "lines must be a count, not '%s'", s);
		}
	}
}

/* One test mapping into t. */
static void
test_map(struct lab__yaml *y, struct lab_test *t, const yaml_node_t *n, size_t number)
{
	static const char *const keys[] = {"name",    "on",    "run",      "expect", "within",
	                                   "timeout", "setup", "teardown", "local",  NULL};
	const yaml_node_t *on = NULL, *run = NULL;
	uint64_t seen = 0;

	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		int k = lab__y_key(y, p, keys, "in a test", &seen);
		const yaml_node_t *v = lab__y_node(y, p->value);

		if (k < 0 || v == NULL)
			continue;
		if (k == 0)
			lab__y_set_str(y, v, "name", &t->name);
		else if (k == 1)
			on = v;
		else if (k == 2)
			run = v;
		else if (k == 3)
			expect(y, &t->expect, v);
		else if (k == 4)
			lab__y_duration(y, v, "within", 1000, &t->within_ms);
		else if (k == 5)
			lab__y_duration(y, v, "timeout", 1000, &t->timeout_ms);
		else if (k == 6)
			lab__y_strv(y, v, "setup", &t->setup, &t->n_setup);
		else if (k == 7)
			lab__y_strv(y, v, "teardown", &t->teardown, &t->n_teardown);
		else if (k == 8) {
			const char *s = lab__y_scalar(y, v, "local");

			if (s != NULL && !lab__parse_bool(s, &t->local))
				lab__y_report(y, LAB_E_TYPE, v, NULL,
				              "local must be true or false");
		}
	}
	if (t->name == NULL)
		t->name = xasprintf("test-%zu", number);
	if (t->local && on != NULL) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "test '%s': 'local: true' takes no 'on'",
		              t->name);
		return;
	}
	if (t->local && run != NULL) {
		lab__y_set_str(y, run, "run", &t->run);
		return;
	}
	if (on == NULL || run == NULL) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "test '%s' needs both 'on' and 'run'",
		              t->name);
		return;
	}
	lab__y_set_str(y, on, "on", &t->on);
	lab__y_set_str(y, run, "run", &t->run);
	if (t->on != NULL)
		known_host(y, on, t->on);
}

/* tests: a list of test mappings. */
void
lab__yaml_tests(struct lab__yaml *y, int node_id)
{
	const yaml_node_t *n = lab__y_node(y, node_id);
	struct lab *lab = y->c->lab;

	if (n == NULL || lab__y_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "tests must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = lab__y_node(y, *it);
		struct lab_test *t;

		if (item == NULL || !lab__y_is_map(y, item, "a test"))
			continue;
		lab->tests = xreallocarray(lab->tests, lab->n_tests + 1, sizeof *lab->tests);
		t = &lab->tests[lab->n_tests++];
		memset(t, 0, sizeof *t);
		t->expect.has_status = true;
		t->expect.lines = -1;
		t->origin = lab__y_origin(y, item);
		test_map(y, t, item, lab->n_tests);
		for (size_t i = 0; i + 1 < lab->n_tests; i++)
			if (strcmp(lab->tests[i].name, t->name) == 0) {
				lab__y_report(y, LAB_E_DUPLICATE, item, NULL,
				              "test '%s' defined twice (first at line %u)", t->name,
				              lab->tests[i].origin.line);
				break;
			}
	}
}

/* setup:/teardown: a list of {on: HOST, run: COMMAND}. */
void
lab__yaml_suite_steps(struct lab__yaml *y, int node_id, bool setup)
{
	static const char *const keys[] = {"on", "run", NULL};
	const yaml_node_t *n = lab__y_node(y, node_id);
	struct lab *lab = y->c->lab;
	char ***cmds = setup ? &lab->setup : &lab->teardown;
	char ***ons = setup ? &lab->setup_on : &lab->teardown_on;
	size_t *count = setup ? &lab->n_setup : &lab->n_teardown;
	const char *what = setup ? "setup" : "teardown";

	if (n == NULL || lab__y_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be a list of {on, run}", what);
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = lab__y_node(y, *it), *on = NULL, *run = NULL;
		const char *son, *srun;
		uint64_t seen = 0;
		size_t k;

		if (item == NULL || !lab__y_is_map(y, item, "a suite step"))
			continue;
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
		     p < item->data.mapping.pairs.top; p++) {
			int key = lab__y_key(y, p, keys, setup ? "in setup" : "in teardown", &seen);

			if (key == 0)
				on = lab__y_node(y, p->value);
			else if (key == 1)
				run = lab__y_node(y, p->value);
		}
		if (on == NULL || run == NULL) {
			lab__y_report(y, LAB_E_TYPE, item, NULL, "a %s step needs 'on' and 'run'",
			              what);
			continue;
		}
		son = lab__y_scalar(y, on, "on");
		srun = lab__y_scalar(y, run, "run");
		if (son == NULL || srun == NULL || !known_host(y, on, son))
			continue;
		k = *count;
		strv_push(cmds, count, srun);
		strv_push(ons, &k, son);
	}
}
