/*
 * tests/unit/test_rt_paths.c: instance IDs, lexical absolute paths, the
 * default hostwd and the runtime directory base with its length and
 * character rules (src/paths.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "xalloc.h"
#include "test_rt_tmp.h"

/* FNV-1a 64 gives the published test vectors. */
static void
fnv1a64_matches_the_reference_vectors(void **state)
{
	(void)state;
	assert_true(fnv1a64(FNV1A64_INIT, "", 0) == 0xcbf29ce484222325ULL);
	assert_true(fnv1a64(FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a64(FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
}

/* An instance ID is 12 lowercase hex digits, the same for the same inputs. */
static void
instance_id_is_twelve_hex_digits_and_stable(void **state)
{
	char a[RT_HASH12_LEN + 1], b[RT_HASH12_LEN + 1];

	(void)state;
	rt_instance_id("/labs/two-hosts", "/home/u/wd", a);
	rt_instance_id("/labs/two-hosts", "/home/u/wd", b);
	assert_int_equal(strlen(a), 12);
	assert_int_equal(strspn(a, "0123456789abcdef"), 12);
	assert_string_equal(a, b);
}

/* The NUL separator keeps ("/a/b", "c") and ("/a", "b/c") apart. */
static void
instance_id_separates_labdir_from_hostwd(void **state)
{
	char a[RT_HASH12_LEN + 1], b[RT_HASH12_LEN + 1];

	(void)state;
	rt_instance_id("/a/b", "c", a);
	rt_instance_id("/a", "b/c", b);
	assert_string_not_equal(a, b);
}

/* Two hostwds of one lab are two instances. */
static void
instance_id_differs_per_hostwd(void **state)
{
	char a[RT_HASH12_LEN + 1], b[RT_HASH12_LEN + 1];

	(void)state;
	rt_instance_id("/labs/x", "/wd1", a);
	rt_instance_id("/labs/x", "/wd2", b);
	assert_string_not_equal(a, b);
}

/* ".", ".." and repeated or trailing slashes are resolved lexically. */
static void
path_absolute_normalises_lexically(void **state)
{
	static const char *const cases[][2] = {
	        {"/a/./b//c/", "/a/b/c"}, {"/a/b/../c", "/a/c"}, {"/..", "/"},
	        {"/a/../..", "/"},        {"//", "/"},           {"/a/b/.", "/a/b"},
	};
	char *err = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = rt_path_absolute(cases[i][0], &err);

		assert_non_null(p);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
}

/* A relative path is taken from the current directory. */
static void
path_absolute_joins_relative_paths_to_the_cwd(void **state)
{
	char *cwd = getcwd(NULL, 0), *p, *want;

	assert_int_equal(chdir(rt_tdir(state)), 0);
	p = rt_path_absolute("x/../y", NULL);
	want = malloc(strlen(rt_tdir(state)) + 3);
	strcpy(want, rt_tdir(state));
	strcat(want, "/y");
	assert_string_equal(p, want);
	assert_int_equal(chdir(cwd), 0);
	free(p);
	free(want);
	free(cwd);
}

/* An empty path is an error with a message, not a crash. */
static void
path_absolute_refuses_an_empty_path(void **state)
{
	char *err = NULL;

	(void)state;
	assert_null(rt_path_absolute("", &err));
	assert_non_null(err);
	free(err);
}

/* The default hostwd is XDG_STATE_HOME/umlab/labs/LABNAME-HASH of the lab dir. */
static void
hostwd_default_lives_under_xdg_state_home(void **state)
{
	char hash[RT_HASH12_LEN + 1], want[512];
	char *p;

	rt_tsetenv("XDG_STATE_HOME", "/st");
	rt_labdir_hash("/labs/two-hosts", hash);
	p = rt_hostwd_default("/labs/two-hosts", "two-hosts", NULL);
	snprintf(want, sizeof(want), "/st/umlab/labs/two-hosts-%s", hash);
	assert_string_equal(p, want);
	free(p);
	(void)state;
}

/* A relative XDG_STATE_HOME is ignored (XDG spec): HOME/.local/state is used. */
static void
hostwd_default_ignores_a_relative_xdg_state_home(void **state)
{
	char *p;

	rt_tsetenv("XDG_STATE_HOME", "relative/state");
	rt_tsetenv("HOME", "/home/u");
	p = rt_hostwd_default("/labs/x", "x", NULL);
	assert_int_equal(strncmp(p, "/home/u/.local/state/umlab/labs/x-", 34), 0);
	free(p);
	(void)state;
}

/* Characters outside [A-Za-z0-9._-] become '_' and the name is cut to 32. */
static void
hostwd_default_sanitises_and_cuts_the_lab_name(void **state)
{
	char *p, *base;

	rt_tsetenv("XDG_STATE_HOME", "/st");
	p = rt_hostwd_default("/l", "a b/c$d", NULL);
	assert_non_null(strstr(p, "/a_b_c_d-"));
	free(p);
	p = rt_hostwd_default("/l", "0123456789012345678901234567890123456789", NULL);
	base = strrchr(p, '/') + 1;
	assert_int_equal(strlen(base), 32 + 1 + RT_HASH12_LEN);
	free(p);
	p = rt_hostwd_default("/l", "", NULL);
	assert_non_null(strstr(p, "/_-"));
	free(p);
	(void)state;
}

/* -w wins over the default and is made absolute. */
static void
hostwd_prefers_the_w_option(void **state)
{
	char *p;

	rt_tsetenv("XDG_STATE_HOME", "/st");
	p = rt_hostwd("/tmp/./w/", "/l", "l", NULL);
	assert_string_equal(p, "/tmp/w");
	free(p);
	(void)state;
}

/* A hostwd inside the lab directory is refused: guests write there. */
static void
hostwd_inside_the_lab_is_refused(void **state)
{
	char *err = NULL;

	assert_null(rt_hostwd("/l", "/l", "l", &err));
	assert_non_null(strstr(err, "inside the lab directory"));
	free(err);
	err = NULL;
	assert_null(rt_hostwd("/l/wd", "/l", "l", &err));
	free(err);
	err = NULL;
	char *p = rt_hostwd("/lab2", "/l", "l", &err);
	assert_string_equal(p, "/lab2");
	free(p);
	(void)state;
}

/* UMLAB_RUNDIR is used as given, normalised. */
static void
rundir_base_uses_umlab_rundir(void **state)
{
	char *p;

	rt_tsetenv("UMLAB_RUNDIR", "/tmp/r//x/");
	p = rt_rundir_base(NULL);
	assert_string_equal(p, "/tmp/r/x");
	free(p);
	(void)state;
}

/* A relative UMLAB_RUNDIR is refused with a message. */
static void
rundir_base_refuses_a_relative_umlab_rundir(void **state)
{
	char *err = NULL;

	rt_tsetenv("UMLAB_RUNDIR", "run");
	assert_null(rt_rundir_base(&err));
	assert_non_null(strstr(err, "absolute"));
	free(err);
	(void)state;
}

/* A base of exactly RT_RUNDIR_BASE_MAX bytes fits; one more does not. */
static void
rundir_base_enforces_the_socket_length_limit(void **state)
{
	char buf[RT_RUNDIR_BASE_MAX + 2], *p, *err = NULL;

	memset(buf, 'r', sizeof(buf));
	buf[0] = '/';
	buf[RT_RUNDIR_BASE_MAX] = '\0';
	rt_tsetenv("UMLAB_RUNDIR", buf);
	p = rt_rundir_base(NULL);
	assert_non_null(p);
	assert_int_equal(strlen(p), RT_RUNDIR_BASE_MAX);
	free(p);
	buf[RT_RUNDIR_BASE_MAX] = 'r';
	buf[RT_RUNDIR_BASE_MAX + 1] = '\0';
	setenv("UMLAB_RUNDIR", buf, 1);
	assert_null(rt_rundir_base(&err));
	assert_non_null(strstr(err, "longer than"));
	free(err);
	(void)state;
}

/* The longest socket below the longest base still fits sun_path. */
static void
rundir_base_limit_leaves_room_for_the_longest_socket(void **state)
{
	/* BASE/ID/uml/HOST/mconsole with a 32-character host name, plus the NUL. */
	size_t longest = RT_RUNDIR_BASE_MAX + 1 + RT_HASH12_LEN + strlen("/uml/") + 32 +
	                 strlen("/mconsole") + 1;

	(void)state;
	assert_true(longest <= 108);
}

/* A comma or a blank would split a kernel argument: refused. */
static void
rundir_base_refuses_kernel_separators(void **state)
{
	static const char *const bad[] = {"/tmp/a,b", "/tmp/a b", "/tmp/a'b", "/tmp/a=b"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;

		rt_tsetenv("UMLAB_RUNDIR", bad[i]);
		assert_null(rt_rundir_base(&err));
		assert_non_null(strstr(err, "contains"));
		free(err);
	}
	(void)state;
}

/* Without UMLAB_RUNDIR, an owned XDG_RUNTIME_DIR gives XDG_RUNTIME_DIR/umlab. */
static void
rundir_base_uses_an_owned_xdg_runtime_dir(void **state)
{
	char want[512], *p;

	rt_tsetenv("UMLAB_RUNDIR", NULL);
	rt_tsetenv("XDG_RUNTIME_DIR", rt_tdir(state));
	snprintf(want, sizeof(want), "%s/umlab", rt_tdir(state));
	p = rt_rundir_base(NULL);
	assert_string_equal(p, want);
	free(p);
}

/* A missing XDG_RUNTIME_DIR falls back to /tmp/umlab-UID. */
static void
rundir_base_falls_back_to_tmp_per_uid(void **state)
{
	char want[64], *p;

	rt_tsetenv("UMLAB_RUNDIR", NULL);
	rt_tsetenv("XDG_RUNTIME_DIR", rt_tpath(state, "missing"));
	snprintf(want, sizeof(want), "/tmp/umlab-%u", (unsigned int)getuid());
	p = rt_rundir_base(NULL);
	assert_string_equal(p, want);
	free(p);
}

/* RUNDIR/ID joins the base and the instance ID. */
static void
rundir_is_base_slash_instance_id(void **state)
{
	char id[RT_HASH12_LEN + 1], want[128], *p;

	rt_tsetenv("UMLAB_RUNDIR", "/tmp/r");
	rt_instance_id("/l", "/w", id);
	snprintf(want, sizeof(want), "/tmp/r/%s", id);
	p = rt_rundir("/l", "/w", NULL);
	assert_string_equal(p, want);
	free(p);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(fnv1a64_matches_the_reference_vectors),
	        T(instance_id_is_twelve_hex_digits_and_stable),
	        T(instance_id_separates_labdir_from_hostwd),
	        T(instance_id_differs_per_hostwd),
	        T(path_absolute_normalises_lexically),
	        T(path_absolute_joins_relative_paths_to_the_cwd),
	        T(path_absolute_refuses_an_empty_path),
	        T(hostwd_default_lives_under_xdg_state_home),
	        T(hostwd_default_ignores_a_relative_xdg_state_home),
	        T(hostwd_default_sanitises_and_cuts_the_lab_name),
	        T(hostwd_prefers_the_w_option),
	        T(hostwd_inside_the_lab_is_refused),
	        T(rundir_base_uses_umlab_rundir),
	        T(rundir_base_refuses_a_relative_umlab_rundir),
	        T(rundir_base_enforces_the_socket_length_limit),
	        T(rundir_base_limit_leaves_room_for_the_longest_socket),
	        T(rundir_base_refuses_kernel_separators),
	        T(rundir_base_uses_an_owned_xdg_runtime_dir),
	        T(rundir_base_falls_back_to_tmp_per_uid),
	        T(rundir_is_base_slash_instance_id),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
