/*
 * tests/unit/test_rt_json.c: JSON string escaping and the streaming writer
 * behind every --json output (src/json.c), written to a memory stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "test_rt_tmp.h"

/* What json_write_string makes of s. */
static char *
escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	return buf;
}

/* Assert that s is written as want, and free the text. */
static void
expect_escape(const char *s, const char *want)
{
	char *got = escaped(s);

	assert_string_equal(got, want);
	free(got);
}

/* Quotes and backslashes are escaped. */
static void
string_escapes_quotes_and_backslashes(void **state)
{
	(void)state;
	expect_escape("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"");
}

/* Newline, CR and tab get their short escapes. */
static void
string_uses_short_escapes_for_common_controls(void **state)
{
	(void)state;
	expect_escape("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
}

/* Other control characters and DEL become \u00XX. */
static void
string_escapes_other_controls_as_unicode(void **state)
{
	(void)state;
	expect_escape("\x01\x1f\x7f\x1b[0m", "\"\\u0001\\u001f\\u007f\\u001b[0m\"");
}

/* UTF-8 passes through unchanged. */
static void
string_keeps_utf8_bytes(void **state)
{
	(void)state;
	expect_escape("h\xc3\xb4te \xe2\x9c\x93", "\"h\xc3\xb4te \xe2\x9c\x93\"");
}

/* A NULL string is JSON null. */
static void
null_string_is_json_null(void **state)
{
	(void)state;
	expect_escape(NULL, "null");
}

/* A compact document has commas between members and none after the last. */
static void
writer_separates_members_with_commas(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	(void)state;
	json_out_init(&j, f, false);
	json_begin_object(&j, NULL);
	json_string(&j, "a", "x");
	json_uint(&j, "n", 18446744073709551615ULL);
	json_int(&j, "i", -5);
	json_bool(&j, "b", true);
	json_null(&j, "z");
	json_begin_array(&j, "l");
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	json_end_array(&j);
	json_begin_object(&j, "e");
	json_end_object(&j);
	json_end_object(&j);
	assert_true(json_out_finish(&j));
	fclose(f);
	assert_string_equal(buf, "{\"a\":\"x\",\"n\":18446744073709551615,\"i\":-5,\"b\":true,"
	                         "\"z\":null,\"l\":[1,2],\"e\":{}}\n");
	free(buf);
}

/* Pretty output indents nested members by two spaces. */
static void
writer_indents_pretty_output(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	(void)state;
	json_out_init(&j, f, true);
	json_begin_object(&j, NULL);
	json_begin_array(&j, "hosts");
	json_begin_object(&j, NULL);
	json_string(&j, "name", "pc1");
	json_end_object(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_out_finish(&j);
	fclose(f);
	assert_string_equal(buf,
	                    "{\n  \"hosts\": [\n    {\n      \"name\": \"pc1\"\n    }\n  ]\n}\n");
	free(buf);
}

/* JSON has no NaN nor infinity: they are written as null. */
static void
writer_writes_non_finite_numbers_as_null(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	(void)state;
	json_out_init(&j, f, false);
	json_begin_array(&j, NULL);
	json_double(&j, NULL, NAN);
	json_double(&j, NULL, INFINITY);
	json_double(&j, NULL, 1.5);
	json_end_array(&j);
	json_out_finish(&j);
	fclose(f);
	assert_string_equal(buf, "[null,null,1.5]\n");
	free(buf);
}

/* Keys are escaped like values. */
static void
writer_escapes_keys(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	(void)state;
	json_out_init(&j, f, false);
	json_begin_object(&j, NULL);
	json_bool(&j, "a\"b", false);
	json_end_object(&j);
	json_out_finish(&j);
	fclose(f);
	assert_string_equal(buf, "{\"a\\\"b\":false}\n");
	free(buf);
}

/* Finishing with a container still open reports it. */
static void
writer_reports_unclosed_containers(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	(void)state;
	json_out_init(&j, f, false);
	json_begin_object(&j, NULL);
	json_begin_array(&j, "x");
	json_end_array(&j);
	assert_false(json_out_finish(&j));
	fclose(f);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(string_escapes_quotes_and_backslashes),
	        cmocka_unit_test(string_uses_short_escapes_for_common_controls),
	        cmocka_unit_test(string_escapes_other_controls_as_unicode),
	        cmocka_unit_test(string_keeps_utf8_bytes),
	        cmocka_unit_test(null_string_is_json_null),
	        cmocka_unit_test(writer_separates_members_with_commas),
	        cmocka_unit_test(writer_indents_pretty_output),
	        cmocka_unit_test(writer_writes_non_finite_numbers_as_null),
	        cmocka_unit_test(writer_escapes_keys),
	        cmocka_unit_test(writer_reports_unclosed_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
