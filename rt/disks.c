/*
 * rt/disks.c: making, growing and removing a host's extra disks (see
 * disks.h). The sparse file costs nothing on the host until the guest
 * writes to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disks.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "rt.h"
#include "safefile.h"
#include "xalloc.h"

char *
rt_disk_file(const char *host, size_t k)
{
	return xasprintf("%s.ubd%c.img", host, (char)('b' + k));
}

char *
rt_disk_karg(const char *host, size_t k)
{
	return xasprintf("ubd%zud=/umlab/wd/%s.ubd%c.img", k + 1, host, (char)('b' + k));
}

/*
 * Format the new disk open on fd with ext4. mke2fs is given the file as
 * /proc/PID/fd/N: it opens the very file we made, whatever happens to its
 * name. The root directory belongs to the guest's root, not to us; no blocks
 * are reserved (the guest's root is its only user).
 */
static int
format_ext4(int fd, const char *label, const char *what, char **err)
{
	char *mke2fs = rt_locate_sbin("mke2fs"), *path, *e = NULL;
	char *argv[16];
	size_t n = 0;
	int rc;

	if (mke2fs == NULL)
		return rt_fail(err, "cannot format %s: mke2fs not found (install e2fsprogs)", what);
	path = xasprintf("/proc/%d/fd/%d", (int)getpid(), fd);
	argv[n++] = mke2fs;
	argv[n++] = "-q";
	argv[n++] = "-F";
	argv[n++] = "-t";
	argv[n++] = "ext4";
	argv[n++] = "-m";
	argv[n++] = "0";
	argv[n++] = "-E";
	argv[n++] = "root_owner=0:0";
	if (label != NULL) {
		argv[n++] = "-L";
		argv[n++] = (char *)label;
	}
	argv[n++] = path;
	argv[n] = NULL;
	rc = rt_run(argv, NULL, &e);
	if (rc != 0) {
		rt_fail(err, "cannot format %s with ext4: %s", what,
		        e != NULL ? e : "mke2fs failed");
		rc = -1;
	}
	free(e);
	free(path);
	free(mke2fs);
	return rc;
}

/*
 * Make disk d as name in directory dfd: a fresh temporary (whatever was at
 * its name removed, never followed), sized, formatted, then renamed to name
 * unless something is there by now. A failed format leaves no half disk.
 */
static int
make_disk(int dfd, const char *name, const struct lab_disk *d, const char *what, char **err)
{
	char *tmp = xasprintf(".%s.tmp", name);
	int fd, rc = 0;

	if (rt_sf_remove(dfd, tmp) < 0 ||
	    (fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = rt_fail_errno(err, errno, "cannot make %s", what);
		free(tmp);
		return rc;
	}
	if (ftruncate(fd, (off_t)d->size_mb << 20) < 0)
		rc = rt_fail_errno(err, errno, "cannot make %s of %lu MiB", what, d->size_mb);
	if (rc == 0 && d->format != NULL)
		rc = format_ext4(fd, d->label, what, err);
	close(fd);
	if (rc == 0 && renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) < 0)
		rc = rt_fail_errno(err, errno, "cannot make %s", what);
	if (rc < 0)
		unlinkat(dfd, tmp, 0);
	free(tmp);
	return rc;
}

/* An existing disk: grown to the lab's size, never shrunk. */
static int
keep_disk(const struct rt_inst *in, const struct lab_host *h, int fd, const struct lab_disk *d,
          const char *what, char **err)
{
	off_t want = (off_t)d->size_mb << 20;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return rt_fail_errno(err, errno, "cannot read %s", what);
	if (st.st_size > want)
		return rt_fail(err,
		               "%s is %lld MiB, larger than the %lu MiB the lab now asks for; "
		               "shrinking it would lose its data: discard it with 'lclean -d %s "
		               "%s' (or 'lcrash -d %s %s'), or give it its old size",
		               what, (long long)(st.st_size >> 20), d->size_mb, in->labdir, h->name,
		               in->labdir, h->name);
	/* The filesystem on it keeps its size: resize2fs in the guest grows it. */
	if (st.st_size < want && ftruncate(fd, want) < 0)
		return rt_fail_errno(err, errno, "cannot grow %s to %lu MiB", what, d->size_mb);
	return 0;
}

int
rt_disks_prepare(const struct rt_inst *in, const struct lab_host *h, char **err)
{
	char *gwd;
	int dfd, rc = 0;

	if (h->n_disks == 0)
		return 0;
	gwd = rt_gwd(in, h->name);
	/* HOSTWD/NAME: a mount point of the guest's sandbox, never swapped by it. */
	if ((dfd = rt_sf_opendir_path(gwd)) < 0) {
		rc = rt_fail_errno(err, errno, "cannot open %s", gwd);
		free(gwd);
		return rc;
	}
	for (size_t k = 0; k < h->n_disks && rc == 0; k++) {
		char *name = rt_disk_file(h->name, k), *what = xasprintf("%s/%s", gwd, name);
		int fd = rt_sf_open_regular(dfd, name, O_RDWR);

		if (fd >= 0) {
			rc = keep_disk(in, h, fd, &h->disks[k], what, err);
			close(fd);
		} else if (errno == ENOENT) {
			rc = make_disk(dfd, name, &h->disks[k], what, err);
		} else if (errno == ELOOP || errno == EINVAL) {
			rc = rt_fail(
			        err,
			        "%s is not a regular file (the guest may have replaced it); "
			        "remove it, or discard the host's disks with 'lclean -d %s %s'",
			        what, in->labdir, h->name);
		} else {
			rc = rt_fail_errno(err, errno, "cannot open %s", what);
		}
		free(name);
		free(what);
	}
	close(dfd);
	free(gwd);
	return rc;
}

void
rt_disks_remove(const struct rt_inst *in, const char *host)
{
	for (size_t k = 0; k < LAB_DISKS_MAX; k++) {
		char *name = rt_disk_file(host, k);
		char *f = rt_gwd_path(in, host, "%s", name),
		     *t = rt_gwd_path(in, host, ".%s.tmp", name);

		/* unlink removes a planted symlink itself, never its target. */
		unlink(f);
		unlink(t);
		free(name);
		free(f);
		free(t);
	}
}
