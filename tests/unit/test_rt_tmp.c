/* tests/unit/test_rt_tmp.c: the runtime unit tests' fixture (see test_rt_tmp.h). */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_rt_tmp.h"

#define SAVED_MAX 16

/* Environment variables to put back, with their old values (NULL: unset). */
static struct {
	char *name;
	char *value;
	bool set;
} saved[SAVED_MAX];
static size_t n_saved;

/* Remove one entry of the tree (nftw callback). */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
rttmp_setup(void **state)
{
	struct rttmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/umlab-rtunit.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

int
rttmp_teardown(void **state)
{
	struct rttmp *t = *state;

	while (n_saved > 0) {
		n_saved--;
		if (saved[n_saved].set)
			setenv(saved[n_saved].name, saved[n_saved].value, 1);
		else
			unsetenv(saved[n_saved].name);
		free(saved[n_saved].name);
		free(saved[n_saved].value);
	}
	/* The tests make only files, directories and sockets: nothing to chmod back. */
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

const char *
rt_tdir(void **state)
{
	return ((struct rttmp *)*state)->dir;
}

const char *
rt_tpath(void **state, const char *rel)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", rt_tdir(state), rel);
	return buf;
}

void
rt_twrite(void **state, const char *rel, const void *data, size_t len)
{
	FILE *f = fopen(rt_tpath(state, rel), "w");

	assert_non_null(f);
	if (len == (size_t)-1)
		len = strlen(data);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

char *
rt_tread(void **state, const char *rel)
{
	FILE *f = fopen(rt_tpath(state, rel), "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

void
rt_tsetenv(const char *name, const char *value)
{
	const char *old = getenv(name);

	assert_true(n_saved < SAVED_MAX);
	saved[n_saved].name = strdup(name);
	saved[n_saved].value = old != NULL ? strdup(old) : NULL;
	saved[n_saved].set = old != NULL;
	n_saved++;
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}
