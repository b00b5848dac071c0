/*
 * hub/util.c: error messages and socket address building for the hub
 * (allocation is common/xalloc.h's).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hub-int.h"

/* Fills err with a formatted message and returns -1. */
int
hub__err(struct hub_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Fills err with a formatted message and strerror(errnum) and returns -1. */
int
hub__err_errno(struct hub_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

/*
 * Builds the address /proc/self/fd/DIRFD/NAME: a bind through it creates the
 * socket in the directory dirfd holds, whatever its path now leads to.
 */
int
hub__sun_at(struct sockaddr_un *sun, int dirfd, const char *name)
{
	char dir[32];

	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", dirfd);
	return hub__sun_path(sun, dir, name);
}

/*
 * Binds fd to NAME in the directory dirfd holds, with the socket's mode set
 * at creation (the umask): a chmod by name afterwards could follow a symlink
 * someone swapped in meanwhile.
 */
int
hub__bind_at(int fd, int dirfd, const char *name, unsigned int mode)
{
	struct sockaddr_un sun;
	mode_t old;
	int rc, e;

	if (hub__sun_at(&sun, dirfd, name) == -1)
		return -1;
	old = umask(~mode & 0777);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	errno = e;
	return rc;
}

/* Builds the address DIR/NAME; returns -1 if it does not fit in sun_path. */
int
hub__sun_path(struct sockaddr_un *sun, const char *dir, const char *name)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
