/*
 * tests/unit/planfix.c: the plan unit tests' fixture (planfix.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "planfix.h"
#include "test_rt_tmp.h"
#include "xalloc.h"

void
planfix_load(void **state, struct planfix *f, const char *lab_yaml)
{
	char *dir = xstrdup(rt_tpath(state, "lab")), *file;
	struct lab_error *errs = NULL;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	mkdir(dir, 0700);
	file = xasprintf("%s/lab.yaml", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs(lab_yaml, fp);
	fclose(fp);
	assert_int_equal(lab_load(dir, &f->lab, &errs), 0);
	assert_true(f->lab->n_hosts <= PLANFIX_MAX);
	f->in.lab = f->lab;
	f->in.labdir = xstrdup(dir);
	f->in.hostwd = xstrdup(rt_tpath(state, "wd"));
	f->in.dir = xstrdup("/tmp/umlab-t/0123456789ab");
	f->in.hdir = xstrdup("/tmp/umlab-t/0123456789ab.h");
	f->env.launcher = "/usr/libexec/umlab/guest-launch";
	f->env.opts = &f->opts;
	for (size_t i = 0; i < PLANFIX_MAX; i++) {
		f->images[i] = "/var/lib/umlab/fs/default-0.img";
		f->boot[i] = true;
	}
	free(file);
	free(dir);
}

void
planfix_unload(struct planfix *f)
{
	lab_free(f->lab);
	free(f->in.labdir);
	free(f->in.hostwd);
	free(f->in.dir);
	free(f->in.hdir);
}

int
planfix_word(char *const *argv, const char *w)
{
	for (int i = 0; argv[i] != NULL; i++)
		if (strcmp(argv[i], w) == 0)
			return i;
	return -1;
}
