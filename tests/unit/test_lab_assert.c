/*
 * tests/unit/test_lab_assert.c: strongSwan-style assertion files
 * (host::command::pattern::YES|NO|N) parsed into lab tests, the BRE to ERE
 * rewrite, and the `local: true` test key of lab.yaml.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* A lab with hosts moon and sun, loaded into the state. */
static void
moon_sun(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  moon: [A]\n  sun: [A]\n");
	LT_LOAD_OK(state);
}

/* Does ere (extended) match s? */
static bool
ere_matches(const char *ere, const char *s)
{
	regex_t re;
	bool m;

	assert_int_equal(regcomp(&re, ere, REG_EXTENDED | REG_NOSUB), 0);
	m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* The three kinds of hit: YES, NO and a count; the exit status never counts. */
static void
assert_yes_no_count(void **state)
{
	struct lab_test *t = NULL;
	struct lab_error *errs = NULL;
	size_t n = 0;

	moon_sun(state);
	assert_int_equal(
	        lab_assert_parse(LT_LAB(state), "evaltest.dat",
	                         "# a comment\n\n"
	                         "moon::swanctl --list-sas::gw-gw.*state=ESTABLISHED::YES\n"
	                         "sun::cat /var/log/x::error::NO\n"
	                         "  moon::ip xfrm state::proto esp::2\r\n",
	                         false, &t, &n, &errs),
	        0);
	assert_null(errs);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].on, "moon");
	assert_string_equal(t[0].run, "swanctl --list-sas");
	assert_string_equal(t[0].expect.stdout_re, "gw-gw.*state=ESTABLISHED");
	assert_false(t[0].expect.has_status);
	assert_int_equal(t[0].expect.lines, -1);
	assert_int_equal(t[0].origin.line, 3);
	assert_string_equal(t[0].name, "evaltest.dat:3 moon: swanctl --list-sas");
	assert_string_equal(t[1].expect.stdout_not_re, "error");
	assert_null(t[1].expect.stdout_re);
	assert_int_equal(t[2].expect.lines, 2);
	assert_string_equal(t[2].expect.lines_re, "proto esp");
	assert_int_equal(t[2].origin.line, 5);
	lab_tests_free(t, n);
}

/* Commands may hold "::" (IPv6 addresses): hit and pattern are split from the right. */
static void
assert_command_with_double_colons(void **state)
{
	struct lab_test *t = NULL;
	struct lab_error *errs = NULL;
	size_t n = 0;

	moon_sun(state);
	assert_int_equal(lab_assert_parse(LT_LAB(state), "evaltest.dat",
	                                  "moon::ping6 -c 1 fec2::10::1 received::YES\n", false, &t,
	                                  &n, &errs),
	                 0);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].run, "ping6 -c 1 fec2::10");
	assert_string_equal(t[0].expect.stdout_re, "1 received");
	lab_tests_free(t, n);
}

/* pretest/posttest steps are host::command, run for their effect only. */
static void
assert_steps(void **state)
{
	struct lab_test *t = NULL;
	struct lab_error *errs = NULL;
	size_t n = 0;

	moon_sun(state);
	assert_int_equal(lab_assert_parse(LT_LAB(state), "pretest.dat",
	                                  "moon::systemctl start strongswan\n"
	                                  "sun::swanctl --initiate --child net-net 2> /dev/null\n",
	                                  true, &t, &n, &errs),
	                 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[1].run, "swanctl --initiate --child net-net 2> /dev/null");
	assert_false(t[1].expect.has_status);
	assert_null(t[1].expect.stdout_re);
	lab_tests_free(t, n);
}

/* Each bad line is reported with its number; good lines are still kept. */
static void
assert_errors_name_the_line(void **state)
{
	struct lab_test *t = NULL;
	struct lab_error *errs = NULL;
	size_t n = 0;

	moon_sun(state);
	assert_int_equal(lab_assert_parse(LT_LAB(state), "evaltest.dat",
	                                  "venus::true::x::YES\n"    /* unknown host */
	                                  "moon::true::x::MAYBE\n"   /* bad hit */
	                                  "moon::true::a\\{1::YES\n" /* bad pattern */
	                                  "moon::only a command\n"   /* too few fields */
	                                  "sun::tcpdump::ESP::YES\n" /* unsupported */
	                                  "moon::true::::YES\n",     /* empty pattern: fine */
	                                  false, &t, &n, &errs),
	                 -1);
	assert_int_equal(n, 1);
	assert_true(lt_has(errs, LAB_E_SYNTAX, 1, "no host 'venus'"));
	assert_true(lt_has(errs, LAB_E_SYNTAX, 2, "YES, NO or a count"));
	assert_true(lt_has(errs, LAB_E_SYNTAX, 3, "bad pattern"));
	assert_true(lt_has(errs, LAB_E_SYNTAX, 4, "host::command::pattern"));
	assert_true(lt_has(errs, LAB_E_SYNTAX, 5, "tcpdump"));
	assert_int_equal(lab_error_count(errs), 5);
	lab_error_free(errs);
	lab_tests_free(t, n);
}

/* lab_assert_load reads a file relative to the lab directory. */
static void
assert_load_file(void **state)
{
	struct lab_test *t = NULL;
	struct lab_error *errs = NULL;
	size_t n = 0;

	lt_write(state, "evaltest.dat", "sun::ip route::default::NO\n");
	moon_sun(state);
	assert_int_equal(lab_assert_load(LT_LAB(state), "evaltest.dat", false, &t, &n, &errs), 0);
	assert_int_equal(n, 1);
	lab_tests_free(t, n);
	n = 0;
	t = NULL;
	assert_int_equal(lab_assert_load(LT_LAB(state), "missing.dat", false, &t, &n, &errs), -1);
	assert_true(lt_has(errs, LAB_E_IO, 0, "cannot read"));
	lab_error_free(errs);
}

/* BRE operators become ERE ones; ERE operators that are literal in BRE get escaped. */
static void
assert_bre_to_ere(void **state)
{
	static const struct {
		const char *bre, *ere;
	} cases[] = {
	        {"a.*b", "a.*b"},
	        {"icmp_.eq=1", "icmp_.eq=1"},
	        {"\\(ab\\)\\{2\\}", "(ab){2}"},
	        {"a+b?c|d", "a\\+b\\?c\\|d"},
	        {"(1 received)", "\\(1 received\\)"},
	        {"x\\+", "x+"},
	        {"*star", "\\*star"},
	        {"^*star", "^\\*star"},
	        {"[(+)]", "[(+)]"},
	        {"[]a]", "[]a]"},
	        {"[^]a]+", "[^]a]\\+"},
	        {"\\.", "\\."},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *e = lab_bre_to_ere(cases[i].bre);

		assert_string_equal(e, cases[i].ere);
		free(e);
	}
	{
		char *e = lab_bre_to_ere("state=ESTABLISHED (1 up)");

		assert_true(ere_matches(e, "gw-gw: #1, state=ESTABLISHED (1 up)"));
		assert_false(ere_matches(e, "state=ESTABLISHED 1 up"));
		free(e);
	}
}

/* lab.yaml: `local: true` runs on the machine running ltest and takes no `on`. */
static void
yaml_local_tests(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n  pc1: [A]\n"
	         "domains:\n  A: { capture: true }\n"
	         "tests:\n"
	         "  - name: capture has frames\n    local: true\n"
	         "    run: test -s \"$UMLAB_HOSTWD/A.pcap\"\n"
	         "  - name: in the guest\n    on: pc1\n    run: true\n    local: false\n");
	LT_LOAD_OK(state);
	assert_true(LT_LAB(state)->tests[0].local);
	assert_null(LT_LAB(state)->tests[0].on);
	assert_false(LT_LAB(state)->tests[1].local);
	assert_string_equal(LT_LAB(state)->tests[1].on, "pc1");
}

/* local with on is a contradiction; local must be a boolean. */
static void
yaml_local_errors(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n  pc1: [A]\n"
	         "tests:\n"
	         "  - { name: a, local: true, on: pc1, run: 'true' }\n"
	         "  - { name: b, local: perhaps, run: 'true' }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 4, "takes no 'on'");
	LT_EXPECT(state, LAB_E_TYPE, 5, "local must be true or false");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(assert_yes_no_count, labtmp_setup, labtmp_teardown),
	        cmocka_unit_test_setup_teardown(assert_command_with_double_colons, labtmp_setup,
	                                        labtmp_teardown),
	        cmocka_unit_test_setup_teardown(assert_steps, labtmp_setup, labtmp_teardown),
	        cmocka_unit_test_setup_teardown(assert_errors_name_the_line, labtmp_setup,
	                                        labtmp_teardown),
	        cmocka_unit_test_setup_teardown(assert_load_file, labtmp_setup, labtmp_teardown),
	        cmocka_unit_test(assert_bre_to_ere),
	        cmocka_unit_test_setup_teardown(yaml_local_tests, labtmp_setup, labtmp_teardown),
	        cmocka_unit_test_setup_teardown(yaml_local_errors, labtmp_setup, labtmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
