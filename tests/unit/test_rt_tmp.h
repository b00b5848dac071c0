/*
 * tests/unit/test_rt_tmp.h: the runtime unit tests' fixture: a fresh
 * temporary directory per test (mkdtemp), removed with everything in it
 * afterwards, the environment variables a test changed put back, and small
 * file helpers.
 */
#ifndef UMLAB_TEST_RT_TMP_H
#define UMLAB_TEST_RT_TMP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* What a test's state points to. */
struct rttmp {
	char dir[256]; /* the test's private directory */
};

/* cmocka setup/teardown: mkdtemp; then rm -r it and restore the environment. */
int rttmp_setup(void **state);
int rttmp_teardown(void **state);

/* The test's directory. */
const char *rt_tdir(void **state);
/* DIR/rel in a static buffer (valid until the next call). */
const char *rt_tpath(void **state, const char *rel);
/* Write bytes (or text when len is (size_t)-1) to DIR/rel. */
void rt_twrite(void **state, const char *rel, const void *data, size_t len);
/* Read DIR/rel into a malloc'd NUL-terminated string, or NULL. */
char *rt_tread(void **state, const char *rel);
/* setenv/unsetenv (value NULL) that teardown undoes. */
void rt_tsetenv(const char *name, const char *value);

#endif
