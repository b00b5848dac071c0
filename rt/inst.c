/*
 * rt/inst.c: a lab instance's directories: hostwd and RUNDIR/ID.
 *
 * Path rules live in paths.c (shared with linfo); this file creates the
 * directories, private to the user, and names the files inside them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inst.h"
#include "lab.h"
#include "xalloc.h"

int
rt_inst_init(struct rt_inst *in, const struct lab *lab, const char *opt_w, char **err)
{
	memset(in, 0, sizeof(*in));
	in->lab = lab;
	in->user_wd = opt_w != NULL;
	if ((in->labdir = rt_path_absolute(lab->dir, err)) == NULL)
		return -1;
	if ((in->hostwd = rt_hostwd(opt_w, in->labdir, lab->name, err)) == NULL)
		return -1;
	if ((in->base = rt_rundir_base(err)) == NULL)
		return -1;
	rt_instance_id(in->labdir, in->hostwd, in->id);
	in->dir = xasprintf("%s/%s", in->base, in->id);
	in->hdir = xasprintf("%s/%s.h", in->base, in->id);
	return 0;
}

int
rt_inst_init_dirs(struct rt_inst *in, const char *labdir_abs, const char *hostwd_abs, bool user_wd,
                  char **err)
{
	memset(in, 0, sizeof(*in));
	in->user_wd = user_wd;
	in->labdir = xstrdup(labdir_abs);
	in->hostwd = xstrdup(hostwd_abs);
	if ((in->base = rt_rundir_base(err)) == NULL)
		return -1;
	rt_instance_id(in->labdir, in->hostwd, in->id);
	in->dir = xasprintf("%s/%s", in->base, in->id);
	in->hdir = xasprintf("%s/%s.h", in->base, in->id);
	return 0;
}

void
rt_inst_clear(struct rt_inst *in)
{
	free(in->labdir);
	free(in->hostwd);
	free(in->base);
	free(in->dir);
	free(in->hdir);
	memset(in, 0, sizeof(*in));
}

/* Check that an existing directory is ours and private; tighten its mode if needed. */
static int
check_private(const char *dir, char **err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return rt_fail_errno(err, errno, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		return rt_fail(err, "%s exists and is not a directory", dir);
	if (st.st_uid != getuid())
		return rt_fail(err,
		               "%s belongs to uid %u, not to you (uid %u): refusing to use it; "
		               "set UMLAB_RUNDIR to a directory of yours",
		               dir, (unsigned int)st.st_uid, (unsigned int)getuid());
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) < 0)
		return rt_fail_errno(err, errno, "chmod %s", dir);
	return 0;
}

int
rt_mkdir_private(const char *dir, char **err)
{
	char *p = xstrdup(dir);
	int rc = 0;

	/* Parents are created as needed but only the last one is checked. */
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = rt_fail_errno(err, errno, "cannot create %s", p);
		*s = '/';
		if (rc < 0)
			break;
	}
	if (rc == 0 && mkdir(p, 0700) < 0 && errno != EEXIST)
		rc = rt_fail_errno(err, errno, "cannot create %s", p);
	if (rc == 0)
		rc = check_private(p, err);
	free(p);
	return rc;
}

int
rt_inst_create(struct rt_inst *in, char **err)
{
	/* Sockets a guest's kernel uses live in RUNDIR/ID, all else the host trusts in ID.h. */
	static const char *const sub[] = {"/hub", "/uml", "/notify", ".h", ".h/pids", ".h/agent"};

	if (rt_mkdir_private(in->hostwd, err) < 0)
		return -1;
	if (rt_mkdir_private(in->base, err) < 0 || rt_mkdir_private(in->dir, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *d = xasprintf("%s%s", in->dir, sub[i]);
		int rc = rt_mkdir_private(d, err);

		free(d);
		if (rc < 0)
			return -1;
	}
	return 0;
}

bool
rt_inst_relock(const struct rt_inst *in, int fd, int op)
{
	struct stat held, now;

	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return false;
	/* Removed (or removed and made anew) while we waited: not ours to use. */
	if (fstat(fd, &held) < 0 || stat(in->dir, &now) < 0 || held.st_dev != now.st_dev ||
	    held.st_ino != now.st_ino) {
		flock(fd, LOCK_UN);
		return false;
	}
	return true;
}

int
rt_inst_lock(const struct rt_inst *in, int op)
{
	/* A few tries: each failed one means someone removed RUNDIR/ID meanwhile. */
	for (int tries = 0; tries < 8; tries++) {
		int fd = open(in->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		if (rt_inst_relock(in, fd, op))
			return fd;
		close(fd);
	}
	return -1;
}

/* DIR/ followed by the formatted rest; caller frees. */
static char *
path_in(const char *dir, const char *fmt, va_list ap)
{
	char *rel = xvasprintf(fmt, ap), *p = xasprintf("%s/%s", dir, rel);

	free(rel);
	return p;
}

char *
rt_inst_path(const struct rt_inst *in, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = path_in(in->dir, fmt, ap);
	va_end(ap);
	return p;
}

char *
rt_host_path(const struct rt_inst *in, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = path_in(in->hdir, fmt, ap);
	va_end(ap);
	return p;
}

char *
rt_wd_path(const struct rt_inst *in, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = path_in(in->hostwd, fmt, ap);
	va_end(ap);
	return p;
}

char *
rt_gwd_path(const struct rt_inst *in, const char *host, const char *fmt, ...)
{
	va_list ap;
	char *dir = xasprintf("%s/%s", in->hostwd, host), *p;

	va_start(ap, fmt);
	p = path_in(dir, fmt, ap);
	va_end(ap);
	free(dir);
	return p;
}

char *
rt_gwd(const struct rt_inst *in, const char *host)
{
	/* Host names never start with '.' and "shared" is not one: no clash below. */
	return xasprintf("%s/%s", in->hostwd, host);
}

char *
rt_wd_shared(const struct rt_inst *in)
{
	return xasprintf("%s/shared", in->hostwd);
}

char *
rt_guest_pidfile(const struct rt_inst *in, const char *host)
{
	return rt_host_path(in, "pids/guest-%s", host);
}

char *
rt_guest_pausefile(const struct rt_inst *in, const char *host)
{
	return rt_host_path(in, "pids/guest-%s.paused", host);
}

char *
rt_hub_pidfile(const struct rt_inst *in, const char *domain)
{
	return rt_host_path(in, "pids/hub-%s", domain);
}

char *
rt_hub_dir(const struct rt_inst *in, const char *domain)
{
	return rt_inst_path(in, "hub/%s", domain);
}

char *
rt_mconsole_path(const struct rt_inst *in, const char *host)
{
	return rt_inst_path(in, "uml/%s/mconsole", host);
}

char *
rt_notify_path(const struct rt_inst *in, const char *host)
{
	return rt_inst_path(in, "notify/%s", host);
}

char *
rt_tmux_sock(const struct rt_inst *in)
{
	return rt_host_path(in, "tmux");
}
