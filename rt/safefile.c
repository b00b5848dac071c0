/*
 * rt/safefile.c: no-follow, no-block file access below guest-writable
 * directories (see safefile.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "safefile.h"
#include "xalloc.h"

#define RM_DEPTH_MAX 64 /* a guest could nest directories without end */

/*
 * Fallback for kernels without openat2: walk rel one component at a time,
 * each with O_NOFOLLOW; intermediate components must be directories.
 */
static int
open_walk(int dirfd, const char *rel, int flags, mode_t mode)
{
	char *copy = xstrdup(rel), *save = NULL, *next;
	int cur;

	if ((cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(copy);
		return -1;
	}
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = next) {
		int nfd;

		next = strtok_r(NULL, "/", &save);
		if (strcmp(c, "..") == 0) {
			close(cur);
			free(copy);
			errno = EXDEV;
			return -1;
		}
		if (next != NULL)
			nfd = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		else
			nfd = openat(cur, c, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		close(cur);
		if (nfd < 0) {
			free(copy);
			return -1;
		}
		cur = nfd;
	}
	free(copy);
	return cur;
}

/* openat2 beneath dirfd without symlinks; the walk when the kernel lacks it. */
static int
open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
	        .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
	        .mode = (flags & O_CREAT) ? mode : 0,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* EPERM: seccomp filters */
		return open_walk(dirfd, rel, flags, mode);
	return (int)fd;
}

int
rt_sf_opendir(int dirfd, const char *rel)
{
	return open_beneath(dirfd, rel, O_RDONLY | O_DIRECTORY, 0);
}

int
rt_sf_opendir_path(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Keep fd only if it is a regular file, and make it blocking again. */
static int
regular_only(int fd)
{
	struct stat st;
	int fl;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int
rt_sf_open_read(int dirfd, const char *rel)
{
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer forever. */
	return regular_only(open_beneath(dirfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0));
}

char *
rt_sf_read(int dirfd, const char *rel, size_t max, size_t *len)
{
	int fd = rt_sf_open_read(dirfd, rel);
	size_t n = 0;
	ssize_t r;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(max + 1);
	while (n < max && (r = read(fd, buf + n, max - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return NULL;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

FILE *
rt_sf_fopen_read(const char *path)
{
	int fd =
	        regular_only(open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
	FILE *f;

	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

FILE *
rt_sf_fopen_new(const char *path)
{
	int fd;
	FILE *f;

	if (unlink(path) < 0 && errno != ENOENT && errno != EISDIR)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "w")) == NULL)
		close(fd);
	return f;
}

int
rt_sf_open_regular(int dirfd, const char *rel, int flags)
{
	int pfd = open_beneath(dirfd, rel, O_PATH, 0), fd, saved;
	struct stat st = {0};
	char self[40];

	if (pfd < 0)
		return -1;
	/* O_PATH|O_NOFOLLOW gives a symlink itself: refused as such. */
	if (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(pfd);
		errno = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
		return -1;
	}
	/* The magic link names the very inode pfd holds: no window for a swap. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOCTTY | O_CLOEXEC);
	saved = errno;
	close(pfd);
	errno = saved;
	return fd;
}

int
rt_sf_open_append(int dirfd, const char *rel, mode_t mode)
{
	return regular_only(open_beneath(
	        dirfd, rel, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY, mode));
}

int
rt_sf_write_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char *tmp;
	size_t off = 0;
	int fd, rc = 0, saved;

	if (strchr(name, '/') != NULL || name[0] == '\0' || strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	tmp = xasprintf(".%s.tmp", name);
	/* Whatever sits at the temporary name (a planted symlink) goes, unfollowed. */
	if (rt_sf_remove(dirfd, tmp) < 0 ||
	    (fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) <
	            0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	while (off < len && rc == 0) {
		ssize_t w = write(fd, (const char *)data + off, len - off);

		if (w < 0 && errno != EINTR)
			rc = -1;
		else if (w > 0)
			off += (size_t)w;
	}
	if (close(fd) < 0)
		rc = -1;
	/* rename replaces a symlink at name itself; it never writes through it. */
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -1;
	saved = errno;
	if (rc < 0)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	errno = saved;
	return rc;
}

/* Remove every entry of directory fd dfd, depth levels deep at most. */
static int
empty_dir(int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > RM_DEPTH_MAX) {
		close(dfd);
		errno = ELOOP;
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = -1;
			continue;
		}
		/* A directory: O_NOFOLLOW, so a symlink swapped in meanwhile fails here. */
		sub = openat(dirfd(d), de->d_name,
		             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (sub < 0 || empty_dir(sub, depth + 1) < 0 ||
		    (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT))
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
rt_sf_remove(int dirfd, const char *name)
{
	int sub;

	if (strchr(name, '/') != NULL || name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	/* unlinkat never follows a symlink: it removes the link itself. */
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (sub < 0)
		return errno == ENOENT ? 0 : -1;
	if (empty_dir(sub, 1) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
rt_sf_remove_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int rc;

	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	parent = slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
	rc = rt_sf_remove_below(parent, slash + 1);
	free(parent);
	return rc;
}

int
rt_sf_remove_below(const char *dir, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	int top = rt_sf_opendir_path(dir), parent, rc, saved;

	if (top < 0)
		return errno == ENOENT ? 0 : -1;
	if (slash == NULL) {
		parent = top;
	} else {
		char *pre = xasprintf("%.*s", (int)(slash - rel), rel);

		parent = rt_sf_opendir(top, pre);
		saved = errno;
		free(pre);
		close(top);
		errno = saved;
		/* A missing parent holds nothing; a symlink parent is not ours to follow. */
		if (parent < 0)
			return errno == ENOENT ? 0 : -1;
	}
	rc = rt_sf_remove(parent, slash == NULL ? rel : slash + 1);
	saved = errno;
	close(parent);
	errno = saved;
	return rc;
}

int
rt_sf_write_at(const char *dir, const char *sub, const char *name, const char *text)
{
	int top = rt_sf_opendir_path(dir), d = -1, rc = -1, saved;

	if (top < 0)
		return -1;
	if (sub == NULL)
		d = top;
	else if ((mkdirat(top, sub, 0700) == 0 || errno == EEXIST))
		d = rt_sf_opendir(top, sub);
	if (d >= 0)
		rc = rt_sf_write_replace(d, name, text, strlen(text), 0600);
	saved = errno;
	if (d >= 0 && d != top)
		close(d);
	close(top);
	errno = saved;
	return rc;
}
