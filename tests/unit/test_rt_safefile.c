/*
 * tests/unit/test_rt_safefile.c: file access below guest-writable
 * directories (src/safefile.c): what a guest plants (symlinks, FIFOs,
 * swapped directories) is never followed, written through or waited on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "test_rt_tmp.h"

/* Symlink DIR/link -> DIR/target (rt_tpath's buffer is static: copy one). */
static int
plant(void **state, const char *target, const char *link)
{
	char *t = strdup(rt_tpath(state, target));
	int rc = symlink(t, rt_tpath(state, link));

	free(t);
	return rc;
}

/* The test directory opened as the trusted dirfd, with a "victim" file beside "g" (the guest's). */
static int
setup_dirs(void **state)
{
	int fd;

	mkdir(rt_tpath(state, "g"), 0700);
	rt_twrite(state, "victim", "precious\n", (size_t)-1);
	fd = rt_sf_opendir_path(rt_tpath(state, "g"));
	assert_true(fd >= 0);
	return fd;
}

/* A symlink to a host file is refused for reading, appending and as a middle component. */
static void
symlinks_not_followed(void **state)
{
	int g = setup_dirs(state);

	assert_int_equal(plant(state, "victim", "g/link"), 0);
	assert_int_equal(rt_sf_open_read(g, "link"), -1);
	assert_int_equal(rt_sf_open_append(g, "link", 0600), -1);
	assert_int_equal(plant(state, ".", "g/up"), 0);
	assert_int_equal(rt_sf_open_read(g, "up/victim"), -1);
	assert_int_equal(rt_sf_opendir(g, "up"), -1);
	assert_int_equal(rt_sf_open_read(g, "../victim"), -1);
	close(g);
}

/* A FIFO is refused at once instead of blocking; a regular file reads. */
static void
fifo_refused_regular_read(void **state)
{
	int g = setup_dirs(state);
	size_t len = 0;
	char *s;

	assert_int_equal(mkfifo(rt_tpath(state, "g/pipe"), 0600), 0);
	assert_int_equal(rt_sf_open_read(g, "pipe"), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(rt_sf_read(g, "pipe", 100, NULL));
	rt_twrite(state, "g/f", "hello world", (size_t)-1);
	s = rt_sf_read(g, "f", 5, &len);
	assert_non_null(s);
	assert_int_equal(len, 5);
	assert_string_equal(s, "hello");
	free(s);
	close(g);
}

/* Planted symlinks at the name and at its temporary name are replaced, not written through. */
static void
write_replace_ignores_plants(void **state)
{
	int g = setup_dirs(state);
	char *v, *s;

	assert_int_equal(plant(state, "victim", "g/conf"), 0);
	assert_int_equal(plant(state, "victim", "g/.conf.tmp"), 0);
	assert_int_equal(rt_sf_write_replace(g, "conf", "new\n", 4, 0600), 0);
	v = rt_tread(state, "victim");
	s = rt_tread(state, "g/conf");
	assert_string_equal(v, "precious\n");
	assert_string_equal(s, "new\n");
	free(v);
	free(s);
	close(g);
}

/* Removing a tree removes symlinks inside it, never what they point to. */
static void
remove_tree_keeps_targets(void **state)
{
	int g = setup_dirs(state);
	char *v;

	mkdir(rt_tpath(state, "keep"), 0700);
	rt_twrite(state, "keep/x", "x", (size_t)-1);
	mkdir(rt_tpath(state, "g/t"), 0700);
	mkdir(rt_tpath(state, "g/t/sub"), 0700);
	rt_twrite(state, "g/t/sub/f", "f", (size_t)-1);
	assert_int_equal(plant(state, "keep", "g/t/sub/l"), 0);
	assert_int_equal(mkfifo(rt_tpath(state, "g/t/p"), 0600), 0);
	assert_int_equal(rt_sf_remove(g, "t"), 0);
	assert_int_equal(access(rt_tpath(state, "g/t"), F_OK), -1);
	assert_int_equal(access(rt_tpath(state, "keep/x"), F_OK), 0);
	/* A symlink named like the tree goes itself; its target stays. */
	assert_int_equal(plant(state, "keep", "g/t"), 0);
	assert_int_equal(rt_sf_remove(g, "t"), 0);
	assert_int_equal(access(rt_tpath(state, "keep/x"), F_OK), 0);
	assert_int_equal(rt_sf_remove(g, "absent"), 0);
	v = rt_tread(state, "victim");
	assert_string_equal(v, "precious\n");
	free(v);
	close(g);
}

/* A swapped parent (g/uml -> elsewhere) stops removal below it. */
static void
remove_below_swapped_parent(void **state)
{
	int g = setup_dirs(state);

	mkdir(rt_tpath(state, "keep"), 0700);
	mkdir(rt_tpath(state, "keep/pc1"), 0700);
	assert_int_equal(plant(state, "keep", "g/uml"), 0);
	assert_int_equal(rt_sf_remove_below(rt_tpath(state, "g"), "uml/pc1"), -1);
	assert_int_equal(access(rt_tpath(state, "keep/pc1"), F_OK), 0);
	unlink(rt_tpath(state, "g/uml"));
	mkdir(rt_tpath(state, "g/uml"), 0700);
	mkdir(rt_tpath(state, "g/uml/pc1"), 0700);
	assert_int_equal(rt_sf_remove_below(rt_tpath(state, "g"), "uml/pc1"), 0);
	assert_int_equal(access(rt_tpath(state, "g/uml/pc1"), F_OK), -1);
	close(g);
}

/* Appending creates a regular file and appends to it. */
static void
append_creates(void **state)
{
	int g = setup_dirs(state), fd;
	char *s;

	fd = rt_sf_open_append(g, "log", 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a", 1), 1);
	close(fd);
	fd = rt_sf_open_append(g, "log", 0600);
	assert_int_equal(write(fd, "b", 1), 1);
	close(fd);
	s = rt_tread(state, "g/log");
	assert_string_equal(s, "ab");
	free(s);
	close(g);
}

/* open_regular: symlinks, FIFOs and directories are refused; a regular file opens read-write. */
static void
open_regular_only_opens_regular_files(void **state)
{
	int g = setup_dirs(state), fd;
	char *v;

	assert_int_equal(plant(state, "victim", "g/disk"), 0);
	assert_int_equal(rt_sf_open_regular(g, "disk", O_RDWR), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(mkfifo(rt_tpath(state, "g/pipe"), 0600), 0);
	assert_int_equal(rt_sf_open_regular(g, "pipe", O_RDWR), -1); /* and did not block */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mkdir(rt_tpath(state, "g/dir"), 0700), 0);
	assert_int_equal(rt_sf_open_regular(g, "dir", O_RDONLY), -1);
	assert_int_equal(rt_sf_open_regular(g, "missing", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
	rt_twrite(state, "g/f", "hello", (size_t)-1);
	fd = rt_sf_open_regular(g, "f", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "J", 1, 0), 1);
	close(fd);
	v = rt_tread(state, "g/f");
	assert_string_equal(v, "Jello");
	free(v);
	v = rt_tread(state, "victim");
	assert_string_equal(v, "precious\n");
	free(v);
	close(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(symlinks_not_followed, rttmp_setup, rttmp_teardown),
	        cmocka_unit_test_setup_teardown(fifo_refused_regular_read, rttmp_setup,
	                                        rttmp_teardown),
	        cmocka_unit_test_setup_teardown(write_replace_ignores_plants, rttmp_setup,
	                                        rttmp_teardown),
	        cmocka_unit_test_setup_teardown(remove_tree_keeps_targets, rttmp_setup,
	                                        rttmp_teardown),
	        cmocka_unit_test_setup_teardown(remove_below_swapped_parent, rttmp_setup,
	                                        rttmp_teardown),
	        cmocka_unit_test_setup_teardown(append_creates, rttmp_setup, rttmp_teardown),
	        cmocka_unit_test_setup_teardown(open_regular_only_opens_regular_files, rttmp_setup,
	                                        rttmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
