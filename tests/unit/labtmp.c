/* tests/unit/labtmp.c: per-test temporary lab directories for the cmocka unit tests. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labtmp.h"

/* Create a temporary directory for one test. */
int
labtmp_setup(void **state)
{
	struct labtmp *t = calloc(1, sizeof *t);
	const char *tmp = getenv("TMPDIR");

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof t->dir, "%s/umlab-unit-XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

/* Make a directory writable and searchable again so it can be removed. */
static int
unlock_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

/* Remove one entry, children first. */
static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* Remove the directory and free what the test loaded. */
int
labtmp_teardown(void **state)
{
	struct labtmp *t = *state;

	chmod(t->dir, 0700);
	nftw(t->dir, unlock_one, 16, FTW_PHYS);
	nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	lab_free(t->lab);
	lab_error_free(t->errs);
	free(t);
	return 0;
}

/* Create every missing parent directory of rel. */
static void
parents(struct labtmp *t, const char *rel)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", t->dir, rel);
	for (char *p = path + strlen(t->dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
}

/* Write a file relative to the lab directory. */
void
lt_write(void **state, const char *rel, const char *text)
{
	struct labtmp *t = *state;
	char path[512];
	FILE *f;

	parents(t, rel);
	snprintf(path, sizeof path, "%s/%s", t->dir, rel);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Make a directory (and its parents) relative to the lab directory. */
void
lt_mkdir(void **state, const char *rel)
{
	struct labtmp *t = *state;
	char path[512];

	parents(t, rel);
	snprintf(path, sizeof path, "%s/%s", t->dir, rel);
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* Make a symlink rel -> target. */
void
lt_symlink(void **state, const char *target, const char *rel)
{
	struct labtmp *t = *state;
	char path[512];

	parents(t, rel);
	snprintf(path, sizeof path, "%s/%s", t->dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* chmod a path relative to the lab directory. */
void
lt_chmod(void **state, const char *rel, unsigned int mode)
{
	struct labtmp *t = *state;
	char path[512];

	snprintf(path, sizeof path, "%s/%s", t->dir, rel);
	assert_int_equal(chmod(path, mode), 0);
}

/* Load the lab directory, keeping the result in the state. */
int
lt_load(void **state)
{
	struct labtmp *t = *state;

	lab_free(t->lab);
	lab_error_free(t->errs);
	t->lab = NULL;
	t->errs = NULL;
	return lab_load(t->dir, &t->lab, &t->errs);
}

/* The first diagnostic with code, or NULL. */
const struct lab_error *
lt_find(const struct lab_error *list, enum lab_error_code code)
{
	for (; list != NULL; list = list->next)
		if (list->code == code)
			return list;
	return NULL;
}

/* Is there a diagnostic of code at line (0: any) whose formatted text contains needle? */
bool
lt_has(const struct lab_error *list, enum lab_error_code code, unsigned int line,
       const char *needle)
{
	for (; list != NULL; list = list->next) {
		char *s;
		bool hit;

		if (list->code != code || (line != 0 && list->line != line))
			continue;
		s = lab_error_format(list);
		hit = strstr(s, needle) != NULL;
		free(s);
		if (hit)
			return true;
	}
	return false;
}

/* Print every diagnostic with its code. */
void
lt_dump(const struct lab_error *list)
{
	for (; list != NULL; list = list->next) {
		char *s = lab_error_format(list);

		fprintf(stderr, "  [%d] %s\n", (int)list->code, s);
		free(s);
	}
}
