/*
 * tests/unit/test_lab_validate.c: checks across formats: names, interface gaps,
 * per-host files, overlay symlinks, "not a lab", MACs and the error format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labtmp.h"

/* The allowed name set: [A-Za-z0-9][A-Za-z0-9_-]{0,31}, not "shared". */
static void
names_are_limited_to_the_documented_safe_set(void **state)
{
	assert_true(lab_name_valid("pc1"));
	assert_true(lab_name_valid("R_2-b"));
	assert_true(lab_name_valid("0"));
	assert_true(lab_name_valid("abcdefghijklmnopqrstuvwxyz012345")); /* 32 */
	assert_false(lab_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_false(lab_name_valid(""));
	assert_false(lab_name_valid("-a"));
	assert_false(lab_name_valid("_test"));
	assert_false(lab_name_valid("shared"));
	assert_false(lab_name_valid("a.b"));
	assert_false(lab_name_valid("a b"));
	assert_false(lab_name_valid("a/b"));
	assert_false(lab_name_valid("a;b"));
	assert_false(lab_name_valid("caf\xc3\xa9"));
	assert_false(lab_name_valid(NULL));
}

/* eth0 and eth2 without eth1 is a gap, reported at eth2. */
static void
interface_gap_is_reported_at_the_interface_after_it(void **state)
{
	lt_write(state, "lab.conf", "pc1[0]=A\npc1[2]=B\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_IFACE_GAP, 2, "host 'pc1' has eth2 but no eth1");
	lt_write(state, "lab.yaml", "hosts:\n  pc1: { interfaces: { eth1: A } }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_IFACE_GAP, 2, "has eth1 but no eth0");
}

/* A directory with none of the lab files nor host directories is not a lab. */
static void
empty_directory_is_not_a_lab(void **state)
{
	lt_write(state, "README", "hello\n");
	LT_LOAD_FAILS(state);
	assert_non_null(lt_find(LT_ERRS(state), LAB_E_NOT_A_LAB));
	assert_int_equal(lab_error_count(LT_ERRS(state)), 1);
}

/* A missing directory, or a file, is not a lab either. */
static void
missing_directory_or_file_is_not_a_lab(void **state)
{
	struct lab *lab = (struct lab *)1;
	struct lab_error *errs = NULL;
	char path[512];

	snprintf(path, sizeof path, "%s/nope", ((struct labtmp *)*state)->dir);
	assert_int_equal(lab_load(path, &lab, &errs), -1);
	assert_null(lab);
	assert_int_equal(errs->code, LAB_E_NOT_A_LAB);
	lab_error_free(errs);
	errs = NULL;
	lt_write(state, "file", "x");
	snprintf(path, sizeof path, "%s/file", ((struct labtmp *)*state)->dir);
	assert_int_equal(lab_load(path, &lab, &errs), -1);
	assert_int_equal(errs->code, LAB_E_NOT_A_LAB);
	lab_error_free(errs);
}

/* NAME.startup, NAME.shutdown, NAME/ and the shared ones are found. */
static void
per_host_and_shared_files_are_found(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.yaml", "hosts: { pc1: [A], pc2: [A] }\n");
	lt_write(state, "pc1.startup", "ip a\n");
	lt_write(state, "pc1.shutdown", "true\n");
	lt_write(state, "pc1/etc/hosts", "127.0.0.1 localhost\n");
	lt_write(state, "shared.startup", "true\n");
	lt_write(state, "shared.shutdown", "true\n");
	lt_write(state, "shared/root/x", "x\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc1");
	assert_string_equal(h->startup, "pc1.startup");
	assert_string_equal(h->shutdown, "pc1.shutdown");
	assert_string_equal(h->overlay, "pc1");
	h = lab_host_find(LT_LAB(state), "pc2");
	assert_null(h->startup);
	assert_null(h->overlay);
	assert_string_equal(LT_LAB(state)->shared_startup, "shared.startup");
	assert_string_equal(LT_LAB(state)->shared_shutdown, "shared.shutdown");
	assert_string_equal(LT_LAB(state)->shared_dir, "shared");
}

/* A startup "file" that is a directory is an I/O error naming it. */
static void
startup_that_is_not_a_regular_file_is_an_error(void **state)
{
	lt_write(state, "lab.yaml", "hosts: { pc1: [A] }\n");
	lt_mkdir(state, "pc1.startup");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_IO, 0, "pc1.startup: pc1.startup exists but is not a regular file");
}

/* A startup file without read permission is an error (root reads everything: skipped). */
static void
unreadable_startup_file_is_an_error(void **state)
{
	if (geteuid() == 0)
		skip();
	lt_write(state, "lab.yaml", "hosts: { pc1: [A] }\n");
	lt_write(state, "pc1.startup", "true\n");
	lt_chmod(state, "pc1.startup", 0);
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_IO, 0, "pc1.startup exists but cannot be read");
}

/* Overlay symlinks: absolute targets and ../ out of the lab are errors; inside is fine. */
static void
overlay_symlinks_escaping_the_lab_are_errors(void **state)
{
	lt_write(state, "lab.yaml", "hosts: { pc1: [A], pc2: [A] }\n");
	lt_write(state, "pc1/etc/real", "x\n");
	lt_symlink(state, "real", "pc1/etc/ok");
	lt_symlink(state, "../../pc2.startup", "pc1/etc/ok2");
	lt_symlink(state, "/etc/passwd", "pc1/etc/abs");
	lt_symlink(state, "../../../secret", "pc1/etc/up");
	lt_symlink(state, "a/../../../../x", "pc2/deep");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "pc1/etc/abs -> /etc/passwd");
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "pc1/etc/up -> ../../../secret");
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "pc2/deep");
	assert_int_equal(lab_error_count(LT_ERRS(state)), 3);
	assert_string_equal(lt_find(LT_ERRS(state), LAB_E_UNSAFE_PATH)->file, "pc1/etc/abs");
}

/* An overlay directory or startup file that is itself a symlink out of the lab is an error. */
static void
overlay_or_startup_that_links_outside_is_an_error(void **state)
{
	lt_write(state, "lab.yaml", "hosts: { pc1: [A], pc2: [A] }\n");
	lt_symlink(state, "/etc", "pc1");
	lt_symlink(state, "/etc/hostname", "pc2.startup");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "pc1 is a symlink that leads out");
	LT_EXPECT(state, LAB_E_UNSAFE_PATH, 0, "pc2.startup is a symlink that leads out");
}

/* Two interfaces with the same explicit MAC are an error. */
static void
repeated_mac_is_an_error(void **state)
{
	lt_write(state, "lab.conf", "a[0]=A/02:00:00:00:00:01\nb[0]=B/02:00:00:00:00:01\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_DUPLICATE, 2, "MAC 02:00:00:00:00:01 of b:eth0 is used twice");
}

/* Generated MACs: locally administered unicast, stable, different per host and index. */
static void
generated_macs_are_stable_local_unicast_and_distinct(void **state)
{
	struct lab *lab;
	char m1[18], m2[18], m3[18], m4[18];
	unsigned int first;

	lt_write(state, "lab.yaml", "name: maclab\nhosts: { a: [A, B], b: [A] }\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	lab_iface_mac(lab, &lab->hosts[0], &lab->hosts[0].ifaces[0], m1);
	lab_iface_mac(lab, &lab->hosts[0], &lab->hosts[0].ifaces[1], m2);
	lab_iface_mac(lab, &lab->hosts[1], &lab->hosts[1].ifaces[0], m3);
	lab_iface_mac(lab, &lab->hosts[0], &lab->hosts[0].ifaces[0], m4);
	assert_int_equal(strlen(m1), 17);
	assert_int_equal(sscanf(m1, "%2x", &first), 1);
	assert_int_equal(first & 3, 2); /* locally administered, unicast */
	assert_string_not_equal(m1, m2);
	assert_string_not_equal(m1, m3);
	assert_string_equal(m1, m4);
	free(lab->name);
	lab->name = strdup("otherlab");
	lab_iface_mac(lab, &lab->hosts[0], &lab->hosts[0].ifaces[0], m4);
	assert_string_not_equal(m1, m4);
}

/* lab_error_format leaves out what is unknown. */
static void
error_format_is_file_line_col_message_hint(void **state)
{
	struct lab_error e = {.code = LAB_E_SYNTAX,
	                      .file = "lab.conf",
	                      .line = 3,
	                      .col = 7,
	                      .msg = "bad",
	                      .hint = "did you mean 'x'?"};
	char *s;

	s = lab_error_format(&e);
	assert_string_equal(s, "lab.conf:3:7: bad (did you mean 'x'?)");
	free(s);
	e.col = 0;
	e.hint = NULL;
	s = lab_error_format(&e);
	assert_string_equal(s, "lab.conf:3: bad");
	free(s);
	e.line = 0;
	s = lab_error_format(&e);
	assert_string_equal(s, "lab.conf: bad");
	free(s);
	e.file = NULL;
	s = lab_error_format(&e);
	assert_string_equal(s, "bad");
	free(s);
	assert_false(lab_error_is_warning(&e));
	e.code = LAB_W_STYLE;
	assert_true(lab_error_is_warning(&e));
}

/* Problems from different files and checks all arrive in one list. */
static void
problems_from_every_file_are_reported_together(void **state)
{
	size_t n_errors = 0;

	lt_write(state, "lab.conf", "a[0]=A\na[2]=A\nb[mem]=1\n");
	lt_write(state, "lab.dep", "a: ghost\n");
	lt_mkdir(state, "b.startup");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_IFACE_GAP, 2, "eth2");
	LT_EXPECT(state, LAB_E_MEMORY, 3, "1M");
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 1, "ghost");
	LT_EXPECT(state, LAB_E_IO, 0, "b.startup");
	/* Warnings follow the errors, so that a failed load loses nothing. */
	for (const struct lab_error *e = LT_ERRS(state); e != NULL; e = e->next)
		n_errors += !lab_error_is_warning(e);
	assert_int_equal(n_errors, 4);
	LT_EXPECT(state, LAB_W_STYLE, 0, "directory 'b.startup' is not a host");
}

/* A successful load leaves the caller's error list alone. */
static void
successful_load_leaves_the_error_list_alone(void **state)
{
	struct lab *lab = NULL;
	struct lab_error *errs = NULL;

	lt_write(state, "lab.yaml", "hosts: { a: [A] }\n");
	assert_int_equal(lab_load(((struct labtmp *)*state)->dir, &lab, &errs), 0);
	assert_null(errs);
	assert_non_null(lab);
	assert_non_null(strchr(lab->dir, '/'));
	assert_int_equal(lab->dir[0], '/');
	lab_free(lab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(names_are_limited_to_the_documented_safe_set),
	        T(interface_gap_is_reported_at_the_interface_after_it),
	        T(empty_directory_is_not_a_lab),
	        T(missing_directory_or_file_is_not_a_lab),
	        T(per_host_and_shared_files_are_found),
	        T(startup_that_is_not_a_regular_file_is_an_error),
	        T(unreadable_startup_file_is_an_error),
	        T(overlay_symlinks_escaping_the_lab_are_errors),
	        T(overlay_or_startup_that_links_outside_is_an_error),
	        T(repeated_mac_is_an_error),
	        T(generated_macs_are_stable_local_unicast_and_distinct),
	        T(error_format_is_file_line_col_message_hint),
	        T(problems_from_every_file_are_reported_together),
	        T(successful_load_leaves_the_error_list_alone),
#undef T
	};

	return cmocka_run_group_tests_name("validation", tests, NULL, NULL);
}
