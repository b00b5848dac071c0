/*
 * rt/record.c: reading and writing the instance record (see record.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inst.h"
#include "lab.h"
#include "record.h"
#include "safefile.h"
#include "xalloc.h"

/* Is name already in the list? */
static bool
listed(char **list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

void
rt_record_add(struct rt_record *rec, char kind, const char *name)
{
	char ***list = kind == 'h' ? &rec->hosts : &rec->domains;
	size_t *n = kind == 'h' ? &rec->n_hosts : &rec->n_domains;

	/* The same rule as the lab's own names: safe in paths, tmux targets, kernel words. */
	if (!lab_name_valid(name) || listed(*list, *n, name))
		return;
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrdup(name);
}

void
rt_record_clear(struct rt_record *rec)
{
	for (size_t i = 0; i < rec->n_hosts; i++)
		free(rec->hosts[i]);
	for (size_t i = 0; i < rec->n_domains; i++)
		free(rec->domains[i]);
	free(rec->hosts);
	free(rec->domains);
	free(rec->labdir);
	free(rec->hostwd);
	memset(rec, 0, sizeof(*rec));
}

int
rt_record_read(const char *path, struct rt_record *rec)
{
	FILE *f = rt_sf_fopen_read(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(rec, 0, sizeof(*rec));
	if (f == NULL)
		return -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *v = strchr(line, '=');

		line[strcspn(line, "\r\n")] = '\0';
		if (v == NULL || line[0] == '#')
			continue;
		*v++ = '\0';
		if (strcmp(line, "labdir") == 0 && v[0] == '/') {
			free(rec->labdir);
			rec->labdir = xstrdup(v);
		} else if (strcmp(line, "hostwd") == 0 && v[0] == '/') {
			free(rec->hostwd);
			rec->hostwd = xstrdup(v);
		} else if (strcmp(line, "host") == 0) {
			rt_record_add(rec, 'h', v);
		} else if (strcmp(line, "domain") == 0) {
			rt_record_add(rec, 'd', v);
		}
	}
	free(line);
	fclose(f);
	if (rec->labdir == NULL) {
		rt_record_clear(rec);
		return -1;
	}
	return 0;
}

int
rt_record_save(const char *path, const struct rt_record *rec, char **err)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = rt_sf_fopen_new(tmp); /* hostwd's copy: a guest may have planted a symlink */
	int rc = 0;

	if (f == NULL) {
		rc = rt_fail_errno(err, errno, "cannot write %s", tmp);
		free(tmp);
		return rc;
	}
	fputs("# Written by lstart: what lclean removes if the lab cannot be loaded.\n", f);
	fprintf(f, "labdir=%s\n", rec->labdir != NULL ? rec->labdir : "");
	if (rec->hostwd != NULL)
		fprintf(f, "hostwd=%s\n", rec->hostwd);
	for (size_t i = 0; i < rec->n_hosts; i++)
		fprintf(f, "host=%s\n", rec->hosts[i]);
	for (size_t i = 0; i < rec->n_domains; i++)
		fprintf(f, "domain=%s\n", rec->domains[i]);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		rc = rt_fail_errno(err, errno, "cannot write %s", path);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* Merge the record at path into rec if it is about the same instance. */
static void
merge(struct rt_record *rec, const char *path)
{
	struct rt_record old;

	if (rt_record_read(path, &old) < 0)
		return;
	if (strcmp(old.labdir, rec->labdir) == 0 &&
	    (old.hostwd == NULL || strcmp(old.hostwd, rec->hostwd) == 0)) {
		for (size_t i = 0; i < old.n_hosts; i++)
			rt_record_add(rec, 'h', old.hosts[i]);
		for (size_t i = 0; i < old.n_domains; i++)
			rt_record_add(rec, 'd', old.domains[i]);
	}
	rt_record_clear(&old);
}

void
rt_record_load(const struct rt_inst *in, struct rt_record *rec)
{
	char *wd = rt_wd_path(in, "%s", RT_RECORD_WD), *run = rt_host_path(in, "%s", RT_RECORD_RUN);

	if (rec->labdir == NULL)
		rec->labdir = xstrdup(in->labdir);
	if (rec->hostwd == NULL)
		rec->hostwd = xstrdup(in->hostwd);
	merge(rec, wd);
	merge(rec, run);
	free(wd);
	free(run);
}

int
rt_record_write(const struct rt_inst *in, char **err)
{
	struct rt_record rec = {0};
	char *wd = rt_wd_path(in, "%s", RT_RECORD_WD), *run = rt_host_path(in, "%s", RT_RECORD_RUN);
	int rc;

	for (size_t i = 0; in->lab != NULL && i < in->lab->n_hosts; i++)
		rt_record_add(&rec, 'h', in->lab->hosts[i].name);
	for (size_t i = 0; in->lab != NULL && i < in->lab->n_domains; i++)
		rt_record_add(&rec, 'd', in->lab->domains[i].name);
	rt_record_load(in, &rec);
	rc = rt_record_save(wd, &rec, err);
	if (rc == 0)
		rc = rt_record_save(run, &rec, err);
	rt_record_clear(&rec);
	free(wd);
	free(run);
	return rc;
}
