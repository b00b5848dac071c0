/*
 * tests/unit/test_rt_names.c: what may reach a kernel command line or a
 * shell (src/spawn.c, src/guest.c): kernel-word validation, shell quoting
 * (proved by a real /bin/sh), -o options, and running helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "lab.h"
#include "rt.h"
#include "run.h"
#include "test_rt_tmp.h"
#include "xalloc.h"

/* Words UML itself uses pass: '=', ',', '/', ':' and '.' separate fields. */
static void
karg_accepts_uml_style_words(void **state)
{
	(void)state;
	assert_true(lab_karg_valid("eth0=vde,/tmp/umlab-1000/3f2a/hub/A,02:00:00:00:00:01"));
	assert_true(lab_karg_valid("mem=64M"));
	assert_true(lab_karg_valid("umlab.host=pc1"));
}

/* Blanks, quotes, ';', backslashes, control characters and DEL are refused. */
static void
karg_refuses_separators_quotes_and_controls(void **state)
{
	static const char *const bad[] = {"",    "a b",  "a\tb", "a\"b",  "a'b",
	                                  "a;b", "a\\b", "a\nb", "a\x7f", "\x01"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(lab_karg_valid(bad[i]));
}

/* A quoted word reaches a real shell unchanged, whatever it contains. */
static void
shell_quote_survives_a_real_shell(void **state)
{
	static const char *const words[] = {"plain", "it's", "$HOME `id` $(id)", "a\nb", "'", "",
	                                    "*?[x]", "\\"};

	(void)state;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char *cmd = xstrdup("printf %s "), *out = NULL, *err = NULL;
		char *argv[] = {"/bin/sh", "-c", NULL, NULL};

		rt_shell_quote(&cmd, words[i]);
		argv[2] = cmd;
		assert_int_equal(rt_run(argv, &out, &err), 0);
		assert_string_equal(out, words[i]);
		free(out);
		free(err);
		free(cmd);
	}
}

/* rt_run gives stdout, the exit status, and stderr as the error. */
static void
run_reports_status_and_stderr(void **state)
{
	char *argv[] = {"/bin/sh", "-c", "echo out; echo oops >&2; exit 3", NULL};
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(rt_run(argv, &out, &err), 3);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "oops");
	free(out);
	free(err);
}

/* A program that does not exist is an error, not a crash. */
static void
run_reports_a_missing_program(void **state)
{
	char *argv[] = {"/nonexistent/umlab-helper", NULL};
	char *err = NULL;

	(void)state;
	assert_true(rt_run(argv, NULL, &err) != 0);
	assert_non_null(err);
	free(err);
}

/* -o mem=N (also --mem=N and an M suffix) sets every guest's memory. */
static void
guest_option_mem_sets_memory(void **state)
{
	struct rt_guest_opts go = {0};

	(void)state;
	assert_int_equal(rt_guest_opt_add(&go, "mem=96", NULL), 0);
	assert_int_equal(go.mem_mb, 96);
	assert_int_equal(rt_guest_opt_add(&go, "--mem=128M", NULL), 0);
	assert_int_equal(go.mem_mb, 128);
	assert_int_equal(go.n_kargs, 0);
	rt_guest_opts_clear(&go);
}

/* Memory outside the lab library's bounds, or not a number, is refused. */
static void
guest_option_mem_is_bounded(void **state)
{
	struct rt_guest_opts go = {0};
	char *err = NULL, low[32], high[32];

	(void)state;
	snprintf(low, sizeof(low), "mem=%d", LAB_MEM_MIN_MB - 1);
	snprintf(high, sizeof(high), "mem=%d", LAB_MEM_MAX_MB + 1);
	assert_int_equal(rt_guest_opt_add(&go, low, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(rt_guest_opt_add(&go, high, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(rt_guest_opt_add(&go, "mem=lots", &err), -1);
	assert_non_null(err);
	free(err);
	assert_int_equal(go.mem_mb, 0);
}

/* Other options are kernel words, checked like any other. */
static void
guest_option_kernel_words_are_validated(void **state)
{
	struct rt_guest_opts go = {0};
	char *err = NULL;

	(void)state;
	assert_int_equal(rt_guest_opt_add(&go, "--append=loglevel=3", NULL), 0);
	assert_int_equal(rt_guest_opt_add(&go, "quiet", NULL), 0);
	assert_int_equal(go.n_kargs, 2);
	assert_string_equal(go.kargs[0], "loglevel=3");
	assert_int_equal(rt_guest_opt_add(&go, "init=/bin/sh; reboot", &err), -1);
	free(err);
	err = NULL;
	/* A word starting with '-' would be read as an option by guest-launch. */
	assert_int_equal(rt_guest_opt_add(&go, "-x", &err), -1);
	free(err);
	assert_int_equal(go.n_kargs, 2);
	rt_guest_opts_clear(&go);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(karg_accepts_uml_style_words),
	        cmocka_unit_test(karg_refuses_separators_quotes_and_controls),
	        cmocka_unit_test(shell_quote_survives_a_real_shell),
	        cmocka_unit_test(run_reports_status_and_stderr),
	        cmocka_unit_test(run_reports_a_missing_program),
	        cmocka_unit_test(guest_option_mem_sets_memory),
	        cmocka_unit_test(guest_option_mem_is_bounded),
	        cmocka_unit_test(guest_option_kernel_words_are_validated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
