/*
 * hub/dir.c: the hub directory: create it (0700 while setting up), lock it
 * for the hub's lifetime, refuse a live DIR/ctl and clear a stale one, bind
 * the listening sockets with their mode, and remove everything on exit.
 *
 * Clients may be able to write in DIR and its parent (umlab's guests can):
 * the directory is opened without following any symlink and checked to be
 * ours, and every socket is bound through that fd (/proc/self/fd/N/NAME), so
 * swapping a directory for a symlink never makes the hub bind elsewhere.
 *
 * The flock on the directory makes two hubs racing for the same DIR safe:
 * the loser fails at once instead of unlinking the winner's socket.  A stale
 * ctl (its hub was killed) refuses connections with ECONNREFUSED, which is
 * how vde_switch tells the two apart as well.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hub-int.h"

/* Longest DIR: "DIR/" plus the longest socket name must fit in sun_path. */
#define DIR_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1 - 16)

/* Returns the directory mode matching a socket mode: group access only if asked. */
unsigned int
hub__dir_mode(unsigned int mode)
{
	return 0700 | ((mode & 0070) ? 0070 : 0);
}

/* Creates dir and its missing parents (0700); sets *made if dir itself was created. */
static int
make_dirs(char *dir, int *made, struct hub_err *err)
{
	char *s;

	*made = 0;
	if (mkdir(dir, 0700) == 0) {
		*made = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return hub__err_errno(err, errno, "mkdir %s", dir);
	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			int e = errno;

			*s = '/';
			return hub__err_errno(err, e, "mkdir %s", dir);
		}
		*s = '/';
	}
	if (mkdir(dir, 0700) == -1)
		return hub__err_errno(err, errno, "mkdir %s", dir);
	*made = 1;
	return 0;
}

/*
 * Opens the directory path without following a symlink in any component
 * (O_NOFOLLOW on the last one only where openat2 is missing).
 */
static int
open_dir_nofollow(const char *path)
{
	struct open_how how = {
	        .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
	        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	if (fd == -1 && (errno == ENOSYS || errno == EPERM))
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return (int)fd;
}

/* Tells whether name is one of the sockets a hub creates in its directory. */
static int
is_hub_socket_name(const char *name)
{
	if (strcmp(name, "ctl") == 0 || strcmp(name, "mgmt") == 0 || strcmp(name, "bess") == 0)
		return 1;
	/* A vector client's bound name (bess.c), left if it never got in. */
	if (strncmp(name, "bess.", 5) == 0 && name[5] != '\0' &&
	    strspn(name + 5, "0123456789") == strlen(name + 5))
		return 1;
	/* Port sockets are NNN.SERIAL. */
	if (strspn(name, "0123456789") < 3 || strchr(name, '.') == NULL)
		return 0;
	return strspn(name, "0123456789.") == strlen(name);
}

/* Unlinks the sockets a dead hub left behind in the locked directory. */
static void
clear_stale(struct hub *hub)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	int fd;

	if ((fd = openat(hub->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_hub_socket_name(de->d_name))
			continue;
		if (fstatat(hub->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISSOCK(st.st_mode))
			unlinkat(hub->dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* Fails if something accepts connections on DIR/ctl; a refused connect means stale. */
static int
check_live(struct hub *hub, struct hub_err *err)
{
	struct sockaddr_un sun;
	int fd, rc;

	if (hub__sun_at(&sun, hub->dirfd, "ctl") == -1)
		return hub__err_errno(err, errno, "%s/ctl", hub->dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return hub__err_errno(err, errno, "socket");
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0)
		return hub__err(err, "%s/ctl: a switch is already running there", hub->dir);
	if (errno == ENOENT || errno == ECONNREFUSED)
		return 0;
	return hub__err_errno(err, errno, "%s/ctl", hub->dir);
}

/* Creates or takes over the hub directory and locks it; fills hub->dir. */
int
hub__dir_open(struct hub *hub, const char *dir, struct hub_err *err)
{
	char abs[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX], *slash;
	struct stat st;
	int n, fd, pfd;

	if (dir[0] == '\0')
		return hub__err(err, "empty directory name");
	if (dir[0] == '/')
		n = snprintf(abs, sizeof(abs), "%s", dir);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return hub__err_errno(err, errno, "getcwd");
	else
		n = snprintf(abs, sizeof(abs), "%s/%s", cwd, dir);
	if (n < 0 || (size_t)n >= sizeof(abs))
		return hub__err(err, "%s: path too long", dir);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';

	/* Make nothing through a symlink: an existing parent must be reached without. */
	slash = strrchr(abs, '/');
	*slash = '\0';
	pfd = slash == abs ? -1 : open_dir_nofollow(abs);
	*slash = '/';
	/* O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR. */
	if (pfd == -1 && (errno == ELOOP || errno == ENOTDIR))
		return hub__err(err, "%s: a component is a symlink; refusing it", abs);
	if (pfd != -1)
		close(pfd);
	if (make_dirs(abs, &hub->made_dir, err) == -1)
		return -1;
	if (lstat(abs, &st) == -1)
		return hub__err_errno(err, errno, "%s", abs);
	if (!S_ISDIR(st.st_mode))
		return hub__err(err, "%s: not a directory", abs);
	if (st.st_uid != geteuid())
		return hub__err(err, "%s: owned by uid %u, not by us", abs, (unsigned)st.st_uid);
	if (realpath(abs, real) == NULL)
		return hub__err_errno(err, errno, "%s", abs);
	/* Clients receive socket paths in replies: they must fit sun_path. */
	if (strlen(real) > DIR_MAX)
		return hub__err(err, "%s: longer than %zu bytes, sockets would not fit", real,
		                DIR_MAX);
	strcpy(hub->dir, real);

	/* What we bind in must be the directory we checked, reached without symlinks. */
	fd = open_dir_nofollow(abs);
	if (fd == -1 && (errno == ELOOP || errno == ENOTDIR))
		return hub__err(err, "%s: a component is a symlink; refusing it", abs);
	if (fd == -1)
		return hub__err_errno(err, errno, "%s", abs);
	if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return hub__err(err, "%s: not a directory of ours", abs);
	}
	slash = strrchr(abs, '/');
	*slash = '\0';
	pfd = open_dir_nofollow(slash == abs ? "/" : abs);
	*slash = '/';
	if (pfd == -1) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "%s/..", abs);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int e = errno;

		close(fd);
		close(pfd);
		if (e == EWOULDBLOCK)
			return hub__err(err, "%s: another hub is running there", hub->dir);
		return hub__err_errno(err, e, "lock %s", hub->dir);
	}
	hub->dirfd = fd;
	if (check_live(hub, err) == -1) {
		close(fd);
		close(pfd);
		hub->dirfd = -1;
		return -1;
	}
	/* From here on the directory is ours to clean up. */
	hub->parentfd = pfd;
	clear_stale(hub);
	/* Closed while the sockets are bound; opened to the group at the end. */
	if (fchmod(hub->dirfd, 0700) == -1)
		return hub__err_errno(err, errno, "chmod %s", hub->dir);
	return 0;
}

/* Binds a listening pipe to DIR/name and gives it the socket mode. */
int
hub__dir_bind(struct hub *hub, uv_pipe_t *srv, const char *name, struct hub_err *err)
{
	struct sockaddr_un sun;
	mode_t old;
	int rc;

	/* Through our fd, the mode set at creation: see hub__bind_at. */
	if (hub__sun_at(&sun, hub->dirfd, name) == -1)
		return hub__err_errno(err, errno, "%s/%s", hub->dir, name);
	if ((rc = uv_pipe_init(hub->loop, srv, 0)) != 0)
		return hub__err(err, "uv_pipe_init: %s", uv_strerror(rc));
	old = umask(~hub->opts->mode & 0777);
	rc = uv_pipe_bind(srv, sun.sun_path);
	umask(old);
	if (rc != 0)
		return hub__err(err, "bind %s/%s: %s", hub->dir, name, uv_strerror(rc));
	return 0;
}

/* Removes the listening sockets and the directory (port sockets go with their ports). */
void
hub__dir_remove(struct hub *hub)
{
	if (hub->dirfd == -1)
		return;
	unlinkat(hub->dirfd, "ctl", 0);
	unlinkat(hub->dirfd, "mgmt", 0);
	/* A directory someone else filled stays; ours is empty by now. By name in
	 * the parent we opened: the path may lead elsewhere by now. */
	if (hub->parentfd != -1) {
		struct stat st, now;

		/* Only if the name still is our directory. */
		if (fstat(hub->dirfd, &st) == 0 &&
		    fstatat(hub->parentfd, strrchr(hub->dir, '/') + 1, &now, AT_SYMLINK_NOFOLLOW) ==
		            0 &&
		    st.st_dev == now.st_dev && st.st_ino == now.st_ino)
			unlinkat(hub->parentfd, strrchr(hub->dir, '/') + 1, AT_REMOVEDIR);
		close(hub->parentfd);
		hub->parentfd = -1;
	}
	close(hub->dirfd);
	hub->dirfd = -1;
}
