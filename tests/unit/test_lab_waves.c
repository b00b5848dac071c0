/* tests/unit/test_lab_waves.c: start waves, the ready-to-start predicate and host selection. */
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* A diamond: d needs b and c, which need a; e stands alone. */
static void
diamond(void **state)
{
	lt_write(state, "lab.conf", "a[0]=A\nb[0]=A\nc[0]=A\nd[0]=A\ne[0]=A\n");
	lt_write(state, "lab.dep", "b: a\nc: a\nd: b c\n");
	LT_LOAD_OK(state);
}

/* Waves are topological levels: a and e first, then b and c, then d. */
static void
waves_are_topological_levels(void **state)
{
	unsigned int *w = NULL;

	diamond(state);
	assert_int_equal(lab_waves(LT_LAB(state), &w), 3);
	assert_int_equal(w[0], 0); /* a */
	assert_int_equal(w[1], 1); /* b */
	assert_int_equal(w[2], 1); /* c */
	assert_int_equal(w[3], 2); /* d */
	assert_int_equal(w[4], 0); /* e */
	free(w);
}

/* Without dependencies every host is in wave 0. */
static void
waves_without_dependencies_are_one_wave(void **state)
{
	unsigned int *w = NULL;

	lt_write(state, "lab.yaml", "hosts: { a: [A], b: [A] }\n");
	LT_LOAD_OK(state);
	assert_int_equal(lab_waves(LT_LAB(state), &w), 1);
	assert_int_equal(w[1], 0);
	free(w);
}

/* A host may start once all its dependencies are ready, not before. */
static void
host_can_start_once_its_dependencies_are_ready(void **state)
{
	bool ready[5] = {false};
	const struct lab *lab;

	diamond(state);
	lab = LT_LAB(state);
	assert_true(lab_host_can_start(lab, 0, ready));
	assert_false(lab_host_can_start(lab, 1, ready));
	ready[0] = true;
	assert_true(lab_host_can_start(lab, 1, ready));
	assert_false(lab_host_can_start(lab, 3, ready));
	ready[1] = true;
	assert_false(lab_host_can_start(lab, 3, ready));
	ready[2] = true;
	assert_true(lab_host_can_start(lab, 3, ready));
	assert_false(lab_host_can_start(lab, 99, ready));
}

/* Selecting d brings in everything it depends on, and nothing else. */
static void
select_adds_the_dependency_closure(void **state)
{
	char *names[] = {"d"};
	bool sel[5];
	struct lab_error *errs = NULL;

	diamond(state);
	assert_int_equal(lab_select(LT_LAB(state), names, 1, sel, &errs), 4);
	assert_true(sel[0] && sel[1] && sel[2] && sel[3]);
	assert_false(sel[4]);
	assert_null(errs);
}

/* Unknown names are all reported, with a hint, and nothing is selected. */
static void
select_reports_every_unknown_name(void **state)
{
	char *names[] = {"b", "dd", "zz"};
	bool sel[5];
	struct lab_error *errs = NULL;

	diamond(state);
	assert_int_equal(lab_select(LT_LAB(state), names, 3, sel, &errs), -1);
	assert_int_equal(lab_error_count(errs), 2);
	assert_int_equal(errs->code, LAB_E_UNKNOWN_HOST);
	assert_string_equal(errs->hint, "did you mean 'd'?");
	assert_non_null(strstr(errs->next->msg, "'zz'"));
	assert_false(sel[1]);
	lab_error_free(errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(waves_are_topological_levels),
	        T(waves_without_dependencies_are_one_wave),
	        T(host_can_start_once_its_dependencies_are_ready),
	        T(select_adds_the_dependency_closure),
	        T(select_reports_every_unknown_name),
#undef T
	};

	return cmocka_run_group_tests_name("waves", tests, NULL, NULL);
}
