/*
 * ltest/artefacts.c: the results directory of an ltest run: per-host
 * console, startup and shutdown logs and the captures of domains marked
 * `capture: true`, copied out of hostwd before the lab is cleaned; and the
 * small file helpers the other test-*.c files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "rt.h"
#include "ltest.h"
#include "xalloc.h"

int
ltest_mkdirs(const char *dir, char **err)
{
	char *p = xstrdup(dir);

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rt_fail_errno(err, errno, "cannot create %s", p);
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

int
ltest_copy_file(const char *src, const char *dst, char **err)
{
	/* Guests write the logs copied here: no symlink followed, no FIFO waited on. */
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), out;
	char buf[65536];
	ssize_t n = 0;
	struct stat st;

	if (in < 0)
		return rt_fail_errno(err, errno, "cannot read %s", src);
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return rt_fail(err, "%s is not a regular file: not copied", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return rt_fail_errno(err, errno, "cannot write %s", dst);
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				close(in);
				close(out);
				return rt_fail_errno(err, errno, "cannot write %s", dst);
			}
			off += w;
		}
	}
	close(in);
	if (close(out) < 0 || n < 0)
		return rt_fail_errno(err, errno, "copying %s", src);
	return 0;
}

int
ltest_write_file(const char *path, const char *text, char **err)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return rt_fail_errno(err, errno, "cannot write %s", path);
	fputs(text, f);
	if (fclose(f) != 0)
		return rt_fail_errno(err, errno, "cannot write %s", path);
	return 0;
}

char *
ltest_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (f == NULL)
		return NULL;
	buf = read_all(f, NULL);
	fclose(f);
	return buf;
}

/* Copy HOSTWD/[SUB/]name to DIR/name when it exists (sub: a guest's own directory). */
static void
copy_if_there(const char *hostwd, const char *sub, const char *dir, const char *name,
              const struct rt_report *rep)
{
	char *src = sub != NULL ? xasprintf("%s/%s/%s", hostwd, sub, name)
	                        : xasprintf("%s/%s", hostwd, name);
	char *dst = xasprintf("%s/%s", dir, name);
	char *err = NULL;

	if (access(src, R_OK) == 0 && ltest_copy_file(src, dst, &err) < 0)
		rep->warn(rep->ctx, err);
	free(err);
	free(src);
	free(dst);
}

void
ltest_collect_artefacts(const struct lab *lab, const char *hostwd, const char *results,
                        const struct rt_report *rep)
{
	static const char *const suffixes[] = {".console.log", ".startup.log", ".shutdown.log",
	                                       ".ready", NULL};
	char *hosts = xasprintf("%s/hosts", results), *caps = xasprintf("%s/captures", results);
	char *err = NULL;

	if (ltest_mkdirs(hosts, &err) < 0 || ltest_mkdirs(caps, &err) < 0) {
		rep->warn(rep->ctx, err);
		free(err);
	} else {
		for (size_t i = 0; i < lab->n_hosts; i++)
			for (const char *const *s = suffixes; *s != NULL; s++) {
				const char *host = lab->hosts[i].name;
				char *name = xasprintf("%s%s", host, *s);

				/* The console log is the host's; the rest the guest's own. */
				copy_if_there(hostwd, s == suffixes ? NULL : host, hosts, name,
				              rep);
				free(name);
			}
		for (size_t i = 0; i < lab->n_domains; i++) {
			char *name;

			if (!lab->domains[i].capture)
				continue;
			name = xasprintf("%s.pcap", lab->domains[i].name);
			copy_if_there(hostwd, NULL, caps, name, rep);
			free(name);
		}
	}
	free(hosts);
	free(caps);
}
