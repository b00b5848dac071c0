/*
 * tests/unit/test_rt_locate.c: which UML kernel the runtime boots
 * (rt_locate_kernel): a path, a name umlab-mkkernel built, a program in
 * PATH, $UMLAB_KERNEL, the default and the errors naming the fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "locate.h"
#include "xalloc.h"
#include "test_rt_tmp.h"

/* An executable stand-in for a kernel at DIR/rel. */
static void
fake_kernel(void **state, const char *rel)
{
	char *d = xstrdup(rt_tpath(state, rel));

	for (char *s = strchr(d + strlen(rt_tdir(state)) + 1, '/'); s != NULL;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(d, 0755);
		*s = '/';
	}
	rt_twrite(state, rel, "#!/bin/sh\n", (size_t)-1);
	assert_int_equal(chmod(d, 0755), 0);
	free(d);
}

/* The caches and PATH of the test only: $UMLAB_KERNEL_DIR=DIR/k, HOME=DIR/home, PATH=DIR/bin. */
static void
private_places(void **state)
{
	mkdir(rt_tpath(state, "k"), 0755);
	mkdir(rt_tpath(state, "home"), 0755);
	mkdir(rt_tpath(state, "bin"), 0755);
	rt_tsetenv("UMLAB_KERNEL_DIR", rt_tpath(state, "k"));
	rt_tsetenv("HOME", rt_tpath(state, "home"));
	rt_tsetenv("XDG_DATA_HOME", NULL);
	rt_tsetenv("PATH", rt_tpath(state, "bin"));
	rt_tsetenv("UMLAB_KERNEL", NULL);
}

/* rt_locate_kernel(name) is DIR/rel (or the absolute rel), symlinks resolved. */
static void
assert_kernel(void **state, const char *name, const char *rel)
{
	char *err = NULL, *k = rt_locate_kernel(name, &err);
	char *want = realpath(rel[0] == '/' ? rel : rt_tpath(state, rel), NULL);

	assert_non_null(want);
	if (k == NULL)
		fail_msg("%s", err);
	assert_string_equal(k, want);
	free(k);
	free(want);
}

/* A name umlab-mkkernel built is found in its cache, before PATH. */
static void
a_built_name_is_found_in_the_kernel_cache(void **state)
{
	private_places(state);
	fake_kernel(state, "k/linux-9.9/linux.uml");
	fake_kernel(state, "bin/linux-9.9");
	assert_kernel(state, "linux-9.9", "k/linux-9.9/linux.uml");
}

/* The per-user cache counts too. */
static void
the_per_user_cache_is_searched(void **state)
{
	private_places(state);
	fake_kernel(state, "home/.local/share/umlab/kernels/mine/linux.uml");
	assert_kernel(state, "mine", "home/.local/share/umlab/kernels/mine/linux.uml");
}

/* linux.uml (Debian's) is a program in PATH. */
static void
linux_uml_is_looked_up_in_path(void **state)
{
	private_places(state);
	fake_kernel(state, "bin/linux.uml");
	assert_kernel(state, "linux.uml", "bin/linux.uml");
}

/* An unknown name fails, naming where it looked and how to list kernels. */
static void
an_unknown_name_fails_naming_the_fix(void **state)
{
	char *err = NULL;

	private_places(state);
	assert_null(rt_locate_kernel("linux-0.1", &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "'linux-0.1' not found"));
	assert_non_null(strstr(err, rt_tpath(state, "k")));
	assert_non_null(strstr(err, "umlab-mkkernel --list"));
	free(err);
}

/* A path that is no executable fails. */
static void
a_path_must_be_executable(void **state)
{
	char *err = NULL;

	private_places(state);
	rt_twrite(state, "plain", "x", (size_t)-1);
	assert_null(rt_locate_kernel(rt_tpath(state, "plain"), &err));
	assert_non_null(strstr(err, "is not an executable"));
	free(err);
}

/* With nothing named, $UMLAB_KERNEL decides. */
static void
umlab_kernel_names_the_default(void **state)
{
	private_places(state);
	fake_kernel(state, "k/old/linux.uml");
	fake_kernel(state, "k/" RT_DEFAULT_KERNEL "/linux.uml");
	rt_tsetenv("UMLAB_KERNEL", "old");
	assert_kernel(state, NULL, "k/old/linux.uml");
}

/* With nothing named, umlab's own kernel once built. */
static void
the_default_is_umlabs_kernel_when_built(void **state)
{
	private_places(state);
	fake_kernel(state, "bin/linux.uml");
	fake_kernel(state, "k/" RT_DEFAULT_KERNEL "/linux.uml");
	assert_kernel(state, NULL, "k/" RT_DEFAULT_KERNEL "/linux.uml");
}

/* Else Debian's linux.uml (unless the system cache has umlab's kernel). */
static void
the_default_falls_back_to_linux_uml(void **state)
{
	const char *sys = "/var/lib/umlab/kernels/" RT_DEFAULT_KERNEL "/linux.uml";

	private_places(state);
	fake_kernel(state, "bin/linux.uml");
	assert_kernel(state, NULL, access(sys, X_OK) == 0 ? sys : "bin/linux.uml");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(a_built_name_is_found_in_the_kernel_cache),
	        T(the_per_user_cache_is_searched),
	        T(linux_uml_is_looked_up_in_path),
	        T(an_unknown_name_fails_naming_the_fix),
	        T(a_path_must_be_executable),
	        T(umlab_kernel_names_the_default),
	        T(the_default_is_umlabs_kernel_when_built),
	        T(the_default_falls_back_to_linux_uml),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
