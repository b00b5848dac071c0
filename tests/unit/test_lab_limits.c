/*
 * tests/unit/test_lab_limits.c: hostile sizes and shapes for every lab
 * parser (issue 11): YAML nested 100,000 deep is refused fast, before libyaml
 * builds a document; a lab file over the 4 MiB cap is refused with a clear
 * error; huge lab.conf and lab.dep lines are errors, not crashes nor hangs;
 * a lab file that is a FIFO or a symlink (out of the lab, or even inside
 * it) is refused without being opened for reading.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labtmp.h"

#define MIB (1u << 20)

/* A string of prefix, n copies of fill, then suffix. */
static char *
repeat(const char *prefix, const char *fill, size_t n, const char *suffix)
{
	size_t lp = strlen(prefix), lf = strlen(fill), ls = strlen(suffix);
	char *s = malloc(lp + lf * n + ls + 1), *p = s;

	assert_non_null(s);
	memcpy(p, prefix, lp);
	p += lp;
	for (size_t i = 0; i < n; i++, p += lf)
		memcpy(p, fill, lf);
	memcpy(p, suffix, ls + 1);
	return s;
}

/* Write a lab file of exactly size bytes: a host line, then a comment. */
static void
write_sized(void **state, const char *name, const char *head, size_t size)
{
	size_t lh = strlen(head);
	char *s = malloc(size + 1);

	assert_non_null(s);
	assert_true(size > lh + 2);
	memcpy(s, head, lh);
	s[lh] = '#';
	memset(s + lh + 1, 'x', size - lh - 2);
	s[size - 1] = '\n';
	s[size] = '\0';
	lt_write(state, name, s);
	free(s);
}

static char *
lab_path(void **state, const char *rel)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", ((struct labtmp *)*state)->dir, rel);
	return p;
}

/* 100,000 nested flow sequences and mappings: refused on parser events. */
static void
yaml_100000_deep_nesting_is_refused_before_building_a_document(void **state)
{
	static const char *const open_close[][2] = {{"[", "]"}, {"{a: ", "}"}};

	for (size_t k = 0; k < 2; k++) {
		char *body = repeat("hosts:\n  pc1: ", open_close[k][0], 100000, "");
		char *tail = repeat(body, open_close[k][1], 100000, "\n");
		/* Refused on parser events, before libyaml builds 100,000 nodes
		 * (that took minutes, quadratic in libyaml); ctest's timeout is the
		 * bound, not a clock here. */
		lt_write(state, "lab.yaml", tail);
		LT_LOAD_FAILS(state);
		LT_EXPECT(state, LAB_E_SYNTAX, 2, "nested deeper than 64 levels");
		free(body);
		free(tail);
		/* The next load starts afresh. */
		lab_free(LT_LAB(state));
		lab_error_free(LT_ERRS(state));
		LT_LAB(state) = NULL;
		LT_ERRS(state) = NULL;
	}
}

/* 64 levels load; 65 are refused. */
static void
yaml_nesting_limit_is_64_levels(void **state)
{
	/* The document's mapping and hosts: are two levels. */
	char *a = repeat("hosts:\n  pc1: { interfaces: [A], x: ", "[", 61, "");
	char *b = repeat(a, "]", 61, " }\n");

	lt_write(state, "lab.yaml", b);
	lt_load(state);
	assert_false(lt_has(LT_ERRS(state), LAB_E_SYNTAX, 0, "nested deeper"));
	free(a);
	free(b);
	lab_free(LT_LAB(state));
	lab_error_free(LT_ERRS(state));
	LT_LAB(state) = NULL;
	LT_ERRS(state) = NULL;
	a = repeat("hosts:\n  pc1: { interfaces: [A], x: ", "[", 62, "");
	b = repeat(a, "]", 62, " }\n");
	lt_write(state, "lab.yaml", b);
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_SYNTAX, 2, "nested deeper than 64 levels");
	free(a);
	free(b);
}

/* Each lab file one byte over 4 MiB is refused, naming the file and the cap. */
static void
lab_files_over_4_mib_are_refused_with_a_clear_error(void **state)
{
	static const char *const files[][2] = {{"lab.yaml", "hosts:\n  pc1: [A]\n"},
	                                       {"lab.conf", "pc1[0]=A\n"},
	                                       {"lab.dep", "pc1: pc2\n"}};

	for (size_t i = 0; i < 3; i++) {
		char want[64];

		lt_mkdir(state, "pc1");
		lt_mkdir(state, "pc2");
		write_sized(state, files[i][0], files[i][1], 4 * MIB + 1);
		LT_LOAD_FAILS(state);
		snprintf(want, sizeof(want), "%s is not a regular file under 4 MiB", files[i][0]);
		LT_EXPECT(state, LAB_E_IO, 0, want);
		unlink(lab_path(state, files[i][0]));
		lab_free(LT_LAB(state));
		lab_error_free(LT_ERRS(state));
		LT_LAB(state) = NULL;
		LT_ERRS(state) = NULL;
	}
}

/* A lab.conf of exactly 4 MiB (a huge comment) still loads. */
static void
lab_conf_of_exactly_4_mib_loads(void **state)
{
	write_sized(state, "lab.conf", "pc1[0]=A\n", 4 * MIB);
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->n_hosts, 1);
}

/* One 3 MiB line in lab.conf: a domain name, an option value, not a line at all. */
static void
lab_conf_huge_lines_are_errors(void **state)
{
	char *s = repeat("pc1[0]=", "A", 3 * MIB, "\n");

	lt_write(state, "lab.conf", s);
	free(s);
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_NAME, 1, "");
	lab_free(LT_LAB(state));
	lab_error_free(LT_ERRS(state));
	LT_LAB(state) = NULL;
	LT_ERRS(state) = NULL;

	s = repeat("pc1[0]=A\npc1[mem]=", "9", 3 * MIB, "\n");
	lt_write(state, "lab.conf", s);
	free(s);
	LT_LOAD_FAILS(state);
	assert_non_null(LT_ERRS(state));
	assert_true(LT_ERRS(state)->line == 2);
	lab_free(LT_LAB(state));
	lab_error_free(LT_ERRS(state));
	LT_LAB(state) = NULL;
	LT_ERRS(state) = NULL;

	/* Not a line of lab.conf at all: ignored with a warning quoting only its start. */
	s = repeat("pc1[0]=A\n", "x", 3 * MIB, "\n");
	lt_write(state, "lab.conf", s);
	free(s);
	LT_LOAD_OK(state);
	const struct lab_error *w;
	for (w = LT_LAB(state)->warnings; w != NULL && w->line != 2; w = w->next)
		;
	assert_non_null(w);
	assert_non_null(strstr(w->msg, "line ignored"));
	assert_true(strlen(w->msg) < 1024);
}

/* One 3 MiB line in lab.dep: a huge name, and 500,000 prerequisites. */
static void
lab_dep_huge_lines_are_errors(void **state)
{
	char *s = repeat("pc1: ", "p", 3 * MIB, "\n");
	lt_mkdir(state, "pc1");
	lt_write(state, "lab.dep", s);
	free(s);
	LT_LOAD_FAILS(state);
	assert_non_null(LT_ERRS(state));
	assert_true(LT_ERRS(state)->line == 1);
	lab_free(LT_LAB(state));
	lab_error_free(LT_ERRS(state));
	LT_LAB(state) = NULL;
	LT_ERRS(state) = NULL;

	s = repeat("pc1:", " pc2", 500000, "\n");
	lt_mkdir(state, "pc2");
	lt_write(state, "lab.dep", s);
	free(s);
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->n_hosts, 2);
}

/* A FIFO as any lab file is refused at once (a blocking open would hang here). */
static void
lab_files_that_are_fifos_are_refused(void **state)
{
	static const char *const files[] = {"lab.yaml", "lab.conf", "lab.dep"};

	for (size_t i = 0; i < 3; i++) {
		char want[64];

		lt_mkdir(state, "pc1");
		assert_int_equal(mkfifo(lab_path(state, files[i]), 0600), 0);
		LT_LOAD_FAILS(state);
		snprintf(want, sizeof(want), "%s is not a regular file", files[i]);
		LT_EXPECT(state, LAB_E_IO, 0, want);
		unlink(lab_path(state, files[i]));
		lab_free(LT_LAB(state));
		lab_error_free(LT_ERRS(state));
		LT_LAB(state) = NULL;
		LT_ERRS(state) = NULL;
	}
}

/* A lab file that is a symlink is refused, out of the lab or not. */
static void
lab_files_that_are_symlinks_are_refused(void **state)
{
	static const char *const files[] = {"lab.conf", "lab.yaml", "lab.dep"};
	char outside[600];
	FILE *f;

	/* A perfectly good lab.conf outside the lab: it must not be read. */
	snprintf(outside, sizeof(outside), "%s.outside", ((struct labtmp *)*state)->dir);
	assert_non_null(f = fopen(outside, "w"));
	fputs("evil[0]=A\n", f);
	fclose(f);
	for (size_t i = 0; i < 3; i++) {
		char want[96];

		lt_mkdir(state, "pc1");
		lt_symlink(state, outside, files[i]);
		LT_LOAD_FAILS(state);
		snprintf(want, sizeof(want), "%s is a symlink", files[i]);
		LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, want);
		assert_null(LT_LAB(state) ? lab_host_find(LT_LAB(state), "evil") : NULL);
		unlink(lab_path(state, files[i]));
		lab_free(LT_LAB(state));
		lab_error_free(LT_ERRS(state));
		LT_LAB(state) = NULL;
		LT_ERRS(state) = NULL;
	}
	/* Inside the lab too: lab files are regular files. */
	lt_write(state, "real.conf", "pc1[0]=A\n");
	lt_symlink(state, "real.conf", "lab.conf");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "lab.conf is a symlink");
	unlink(outside);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(yaml_100000_deep_nesting_is_refused_before_building_a_document),
	        T(yaml_nesting_limit_is_64_levels),
	        T(lab_files_over_4_mib_are_refused_with_a_clear_error),
	        T(lab_conf_of_exactly_4_mib_loads),
	        T(lab_conf_huge_lines_are_errors),
	        T(lab_dep_huge_lines_are_errors),
	        T(lab_files_that_are_fifos_are_refused),
	        T(lab_files_that_are_symlinks_are_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
