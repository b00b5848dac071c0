/*
 * tests/unit/test_ltest.c: the pure parts of the ltest engine: XML
 * escaping, a whole JUnit document read back by its structure, the
 * expectation checks, line counting and the Netkit signature comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab.h"
#include "ltest.h"

/* Escape a C string. */
static char *
esc(const char *s)
{
	return ltest_xml_escape(s, strlen(s));
}

/* Markup characters become entities; CR is kept as a character reference. */
static void
xml_escapes_markup(void **state)
{
	char *e = esc("a<b>&\"c\" 'd'\r\n\tend");

	(void)state;
	assert_string_equal(e, "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#13;\n\tend");
	free(e);
}

/* Bytes XML 1.0 forbids and invalid UTF-8 become U+FFFD; valid UTF-8 stays. */
static void
xml_replaces_forbidden_bytes(void **state)
{
	static const char in[] = "ok\x01\x1b[0m\xff\xc3\xa9\xe2\x82\xac\xed\xa0\x80\xc0\xaf|";
	char *e = ltest_xml_escape(in, sizeof in - 1);

	(void)state;
	assert_string_equal(e, "ok\xef\xbf\xbd\xef\xbf\xbd[0m\xef\xbf\xbd\xc3\xa9\xe2\x82\xac"
	                       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|");
	free(e);
	/* A NUL inside the given length is forbidden too. */
	e = ltest_xml_escape("a\0b", 3);
	assert_string_equal(e, "a\xef\xbf\xbd"
	                       "b");
	free(e);
	/* A sequence cut by the end of the buffer. */
	e = ltest_xml_escape("x\xe2\x82", 3);
	assert_string_equal(e, "x\xef\xbf\xbd\xef\xbf\xbd");
	free(e);
}

/* For JSON: invalid UTF-8 replaced, the rest untouched. */
static void
utf8_clean(void **state)
{
	char *c = ltest_utf8_clean("caf\xc3\xa9 \xff!");

	(void)state;
	assert_string_equal(c, "caf\xc3\xa9 \xef\xbf\xbd!");
	free(c);
}

/* A suite with one passing and one failing case, written to a string. */
static char *
junit_text(void)
{
	struct lab_test t = {.name = "t2", .on = "pc1", .run = "ping <x>"};
	struct ltest_suite s = {0};
	struct ltest_case *c;
	/* Static: the stream keeps pointers to them until fclose. */
	static char *buf;
	static size_t len;
	FILE *f = open_memstream(&buf, &len);

	t.origin.file = "lab.yaml";
	t.origin.line = 7;
	s.name = strdup("lab&1");
	s.timestamp = strdup("2024-01-01T00:00:00");
	s.secs = 1.5;
	c = ltest_suite_add(&s, NULL, strdup("t1"), strdup("lab.pc1"));
	c->ok = true;
	c->x.out = strdup("fine\n");
	c->x.err = strdup("");
	c = ltest_suite_add(&s, &t, strdup("t2"), strdup("lab.pc1"));
	c->why = strdup("stdout does not match /1 received/");
	c->attempts = 2;
	c->x.status = 1;
	c->x.out = strdup("0 received <sad>\n");
	c->x.err = strdup("oops\n");
	s.n_failed = 1;
	assert_int_equal(ltest_junit_write(f, &s), 0);
	fclose(f);
	s.cases[1].test = NULL;
	ltest_suite_clear(&s);
	return buf;
}

/* The JUnit document: counts, escaped names, a failure with message, location and output. */
static void
junit_structure(void **state)
{
	char *x = junit_text();

	(void)state;
	assert_non_null(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
	assert_non_null(strstr(x, "<testsuite name=\"lab&amp;1\" tests=\"2\" failures=\"1\" "
	                          "errors=\"0\" skipped=\"0\" time=\"1.500\""));
	assert_non_null(strstr(x, "<testcase name=\"t1\" classname=\"lab.pc1\" time="));
	assert_non_null(strstr(x, "<failure message=\"stdout does not match /1 received/\" "
	                          "type=\"AssertionError\">lab.yaml:7: stdout does not match"));
	assert_non_null(strstr(x, "command: ping &lt;x&gt;\non: pc1\nattempts: 2\nexit status: 1"));
	assert_non_null(strstr(x, "--- stdout ---\n0 received &lt;sad&gt;\n"));
	assert_non_null(strstr(x, "<system-err>oops\n</system-err>"));
	/* One failure element only, every element closed. */
	assert_null(strstr(strstr(x, "<failure") + 1, "<failure"));
	assert_non_null(strstr(x, "</testsuite>\n</testsuites>\n"));
	free(x);
}

/* A result with this status and output. */
static struct ltest_exec
result(int status, const char *out, const char *err)
{
	return (struct ltest_exec){.status = status, .out = (char *)out, .err = (char *)err};
}

/* Check and free the reason; returns whether it passed. */
static bool
check(const struct lab_expect *e, struct ltest_exec x, const char *why_part)
{
	char *why = NULL;
	bool ok = ltest_expect_check(e, &x, &why);

	if (why_part != NULL) {
		assert_non_null(why);
		if (strstr(why, why_part) == NULL)
			fail_msg("'%s' not in '%s'", why_part, why);
	}
	free(why);
	return ok;
}

/* Status, regexes per line (^ and $ at line ends), line counts. */
static void
expectations(void **state)
{
	struct lab_expect e = {.has_status = true, .lines = -1};

	(void)state;
	assert_true(check(&e, result(0, "", ""), NULL));
	assert_false(check(&e, result(2, "", ""), "exit status 2, expected 0"));
	e.has_status = false;
	assert_true(check(&e, result(2, "", ""), NULL));
	e.stdout_re = "^second$";
	assert_true(check(&e, result(0, "first\nsecond\nthird\n", ""), NULL));
	assert_false(check(&e, result(0, "first second\n", ""), "stdout does not match"));
	e.stdout_re = NULL;
	e.stdout_not_re = "ICMP";
	assert_false(check(&e, result(0, "IP a > b: ICMP echo\n", ""), "which it must not"));
	e.stdout_not_re = NULL;
	e.stderr_re = "warn";
	assert_false(check(&e, result(0, "warn\n", ""), "stderr does not match"));
	e.stderr_re = NULL;
	e.lines = 2;
	assert_true(check(&e, result(0, "a\nb", ""), NULL));
	assert_false(check(&e, result(0, "a\nb\nc\n", ""), "3 stdout lines, expected 2"));
	e.lines_re = "esp";
	assert_true(check(&e, result(0, "esp 1\nah\nesp 2\n", ""), NULL));
	assert_false(check(&e, result(0, "esp 1\n", ""), "1 stdout lines match /esp/"));
}

/* Timeouts and commands that could not run fail whatever is expected. */
static void
expectations_timeouts_and_errors(void **state)
{
	struct lab_expect e = {.has_status = false, .lines = -1};
	struct ltest_exec x = result(-1, "", "");

	(void)state;
	x.timed_out = true;
	x.secs = 2.0;
	assert_false(check(&e, x, "timed out after 2.0s"));
	x.timed_out = false;
	x.error = "cannot run lexec: no such file or directory";
	assert_false(check(&e, x, "cannot run lexec"));
}

/* Lines: a last line without newline counts; empty output has none. */
static void
line_counts(void **state)
{
	(void)state;
	assert_int_equal(ltest_count_lines(""), 0);
	assert_int_equal(ltest_count_lines("a"), 1);
	assert_int_equal(ltest_count_lines("a\n"), 1);
	assert_int_equal(ltest_count_lines("a\n\nb"), 3);
}

/* Netkit's diff -qEbB: blank lines and amounts of white space do not count. */
static void
signature_compare(void **state)
{
	(void)state;
	assert_true(ltest_sig_equal("a b\nc\n", "a b\nc\n"));
	assert_true(ltest_sig_equal("a  b\t \n\n\nc", "a b\nc\n\n"));
	assert_true(ltest_sig_equal("", "\n\n  \n"));
	assert_true(ltest_sig_equal("x\r\n", "x\n"));
	assert_false(ltest_sig_equal("a b\n", "ab\n"));
	assert_false(ltest_sig_equal("a\nb\n", "b\na\n"));
	assert_false(ltest_sig_equal("a\n", "a\nb\n"));
	assert_false(ltest_sig_equal("10.0.0.1/24\n", "10.0.0.2/24\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(xml_escapes_markup),
	        cmocka_unit_test(xml_replaces_forbidden_bytes),
	        cmocka_unit_test(utf8_clean),
	        cmocka_unit_test(junit_structure),
	        cmocka_unit_test(expectations),
	        cmocka_unit_test(expectations_timeouts_and_errors),
	        cmocka_unit_test(line_counts),
	        cmocka_unit_test(signature_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
