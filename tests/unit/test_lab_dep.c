/* tests/unit/test_lab_dep.c: lab.dep, make-like dependencies, merged with lab.yaml's depends. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labtmp.h"

/* Three hosts a, b, c on one domain, as lab.conf. */
static void
three_hosts(void **state)
{
	lt_write(state, "lab.conf", "a[0]=A\nb[0]=A\nc[0]=A\n");
}

/* "target: dep dep" lines, comments and blank lines. */
static void
dep_make_like_lines_give_dependencies(void **state)
{
	const struct lab_host *b;

	three_hosts(state);
	lt_write(state, "lab.dep", "# start a first\n\nb: a\nc: a b   # trailing comment\n");
	LT_LOAD_OK(state);
	assert_true(LT_LAB(state)->has_dep_file);
	b = lab_host_find(LT_LAB(state), "b");
	assert_int_equal(b->n_depends, 1);
	assert_string_equal(b->depends[0], "a");
	assert_int_equal(b->dep_index[0], 0);
	assert_int_equal(lab_host_find(LT_LAB(state), "c")->n_depends, 2);
	assert_int_equal(lab_host_find(LT_LAB(state), "a")->n_depends, 0);
}

/* An empty lab.dep is the common Netkit idiom for "start in parallel". */
static void
dep_empty_file_is_valid_and_marks_parallel_start(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "");
	LT_LOAD_OK(state);
	assert_true(LT_LAB(state)->has_dep_file);
	for (size_t i = 0; i < LT_LAB(state)->n_hosts; i++)
		assert_int_equal(LT_LAB(state)->hosts[i].n_depends, 0);
}

/* A target written twice gets both lines' dependencies, each once. */
static void
dep_repeated_targets_are_merged(void **state)
{
	const struct lab_host *c;

	three_hosts(state);
	lt_write(state, "lab.dep", "c: a\nc: b a\n");
	LT_LOAD_OK(state);
	c = lab_host_find(LT_LAB(state), "c");
	assert_int_equal(c->n_depends, 2);
	assert_string_equal(c->depends[0], "a");
	assert_string_equal(c->depends[1], "b");
}

/* Backslash continuations join lines; several targets may share one rule; CRLF is fine. */
static void
dep_continuations_and_several_targets_work(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "b c: \\\r\n  a\r\n");
	LT_LOAD_OK(state);
	assert_int_equal(lab_host_find(LT_LAB(state), "b")->n_depends, 1);
	assert_int_equal(lab_host_find(LT_LAB(state), "c")->n_depends, 1);
}

/* A dependency on a host the lab does not have is an error at its line, with a hint. */
static void
dep_unknown_host_is_an_error_with_a_hint(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "a: b\nc: bb\nzz: a\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 2, "lab.dep:2:4: dependency c -> bb names 'bb'");
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 2, "(did you mean 'b'?)");
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 3, "names 'zz'");
}

/* A cycle is one error that shows every member in order. */
static void
dep_cycle_names_every_member(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "a: b\nb: c\nc: a\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_CYCLE, 3, "lab.dep:3:4: dependency cycle: a -> b -> c -> a");
	assert_int_equal(lab_error_count(LT_ERRS(state)), 1);
}

/* A host that depends on itself is a cycle of one. */
static void
dep_self_dependency_is_a_cycle(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "b: b\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_CYCLE, 1, "dependency cycle: b -> b");
}

/* Lines that are not "target: deps", and unsafe names, are errors. */
static void
dep_malformed_lines_and_bad_names_are_errors(void **state)
{
	three_hosts(state);
	lt_write(state, "lab.dep", "a b c\nx = y\n: a\nb: a;b\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_SYNTAX, 1, "expected 'host: dependency ...'");
	LT_EXPECT(state, LAB_E_SYNTAX, 2, "make syntax");
	LT_EXPECT(state, LAB_E_SYNTAX, 3, "no host before ':'");
	LT_EXPECT(state, LAB_E_NAME, 4, "'a;b'");
}

/* lab.dep is read from the lab directory, whatever the current directory is. */
static void
dep_is_read_from_the_lab_directory_not_the_current_one(void **state)
{
	char *cwd = getcwd(NULL, 0);

	three_hosts(state);
	lt_write(state, "lab.dep", "b: a\n");
	assert_int_equal(chdir("/"), 0);
	LT_LOAD_OK(state);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	assert_int_equal(lab_host_find(LT_LAB(state), "b")->n_depends, 1);
}

/* lab.yaml's depends and lab.dep are merged. */
static void
dep_and_yaml_depends_are_merged(void **state)
{
	const struct lab_host *c;

	lt_write(state, "lab.yaml",
	         "hosts:\n  a: [A]\n  b: [A]\n  c: { interfaces: [A], depends: a }\n");
	lt_write(state, "lab.dep", "c: b a\n");
	LT_LOAD_OK(state);
	c = lab_host_find(LT_LAB(state), "c");
	assert_int_equal(c->n_depends, 2);
	assert_string_equal(c->depends[0], "a");
	assert_string_equal(c->depends[1], "b");
}

/* lab.dep plus host directories, without lab.conf, is a lab. */
static void
dep_with_host_directories_alone_is_a_lab(void **state)
{
	lt_mkdir(state, "pc1");
	lt_mkdir(state, "pc2");
	lt_write(state, "lab.dep", "pc2: pc1\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->format, LAB_FMT_DIR);
	assert_int_equal(LT_LAB(state)->n_hosts, 2);
	assert_int_equal(LT_LAB(state)->hosts[1].n_depends, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(dep_make_like_lines_give_dependencies),
	        T(dep_empty_file_is_valid_and_marks_parallel_start),
	        T(dep_repeated_targets_are_merged),
	        T(dep_continuations_and_several_targets_work),
	        T(dep_unknown_host_is_an_error_with_a_hint),
	        T(dep_cycle_names_every_member),
	        T(dep_self_dependency_is_a_cycle),
	        T(dep_malformed_lines_and_bad_names_are_errors),
	        T(dep_is_read_from_the_lab_directory_not_the_current_one),
	        T(dep_and_yaml_depends_are_merged),
	        T(dep_with_host_directories_alone_is_a_lab),
#undef T
	};

	return cmocka_run_group_tests_name("lab.dep", tests, NULL, NULL);
}
