/*
 * rt/links.c: link changes made while a lab runs (llink(1)).
 *
 * A change goes to the domain's hub first; only what the hub accepted is
 * recorded, in RUNDIR/ID.h/links/DOMAIN (out of guests' reach), one hub
 * command per line, the last one of each kind kept: "impair domain",
 * "impair port N", "link domain", "link port N", "partition". When lstart
 * has to start a hub again, the hub gets its lab file's settings on its
 * command line and then these lines, so what was in force stays in force.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "hub-client.h"
#include "inst.h"
#include "lab.h"
#include "links.h"
#include "safefile.h"
#include "xalloc.h"

#define LINKS_FILE_MAX (256u * 1024)
#define HUB_ANSWER_MS  5000

/* What a command sets: every word but its value ("impair port 3"), or
 * "partition" whose value has several words. */
static size_t
key_len(const char *cmd)
{
	const char *sp = strrchr(cmd, ' ');

	if (strncmp(cmd, "partition ", 10) == 0)
		return 9;
	return sp != NULL ? (size_t)(sp - cmd) : strlen(cmd);
}

static int
hub_send(const struct rt_inst *in, const char *domain, const char *cmd, char **err)
{
	char *dir = rt_hub_dir(in, domain);
	char *answer = hub_client_request(dir, cmd, HUB_ANSWER_MS, err);
	int rc = 0;

	if (answer == NULL) {
		rt_wrap(err, "domain %s", domain);
		rc = -1;
	} else if (strncmp(answer, "ok", 2) != 0) {
		rc = rt_fail(err, "domain %s: the hub refused '%s': %s", domain, cmd,
		             strncmp(answer, "error ", 6) == 0 ? answer + 6 : answer);
	}
	free(answer);
	free(dir);
	return rc;
}

/* The recorded lines of domain (NULL-terminated strv), or NULL when none. */
static char **
load(const struct rt_inst *in, const char *domain, size_t *n)
{
	char *rel = xasprintf("links/%s", domain), *text;
	int dfd = rt_sf_opendir_path(in->hdir);
	char **lines = NULL;
	size_t len;

	*n = 0;
	text = dfd >= 0 ? rt_sf_read(dfd, rel, LINKS_FILE_MAX, &len) : NULL;
	if (dfd >= 0)
		close(dfd);
	free(rel);
	if (text == NULL)
		return NULL;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		strv_push(&lines, n, l);
	free(text);
	return lines;
}

static int
store(const struct rt_inst *in, const char *domain, char **lines, size_t n, char **err)
{
	char *text = xstrdup("");
	int rc;

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s\n", text, lines[i]);

		free(text);
		text = t;
	}
	rc = rt_sf_write_at(in->hdir, "links", domain, text);
	if (rc < 0)
		rt_fail_errno(err, errno, "writing %s/links/%s", in->hdir, domain);
	free(text);
	return rc;
}

int
rt_link_change(const struct rt_inst *in, const char *domain, const char *cmd, char **err)
{
	size_t n = 0, k = key_len(cmd), out = 0;
	char **lines;
	int rc;

	if (hub_send(in, domain, cmd, err) < 0)
		return -1;
	lines = load(in, domain, &n);
	for (size_t i = 0; i < n; i++) {
		if (key_len(lines[i]) == k && strncmp(lines[i], cmd, k) == 0)
			free(lines[i]);
		else
			lines[out++] = lines[i];
	}
	strv_push(&lines, &out, cmd);
	rc = store(in, domain, lines, out, err);
	strv_free(lines, out);
	return rc;
}

int
rt_link_forget(const struct rt_inst *in, const char *domain, char **err)
{
	char *rel = xasprintf("links/%s", domain);
	int rc = rt_sf_remove_below(in->hdir, rel);

	if (rc < 0)
		rt_fail_errno(err, errno, "removing %s/%s", in->hdir, rel);
	free(rel);
	return rc < 0 ? -1 : 0;
}

int
rt_links_replay(const struct rt_inst *in, const char *domain, char **err)
{
	size_t n = 0;
	char **lines = load(in, domain, &n);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = hub_send(in, domain, lines[i], err);
	strv_free(lines, n);
	return rc;
}
