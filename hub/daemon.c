/*
 * hub/daemon.c: --daemon and --pidfile.
 *
 * The parent forks before any libuv state exists and then blocks on a pipe:
 * the child writes one byte only after DIR/ctl is bound and listening, so
 * the parent's exit status 0 means "clients can connect now".  If the child
 * fails first it prints why on the inherited stderr and exits; the parent
 * sees EOF and returns the child's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hub-int.h"

/* Forks; returns 1 in the parent once the child is ready, 0 in the child. */
int
hub__daemon_fork(int *readyfd, struct hub_err *err)
{
	int fds[2], status;
	pid_t pid;
	ssize_t n;
	char c;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return hub__err_errno(err, errno, "pipe");
	if ((pid = fork()) == -1)
		return hub__err_errno(err, errno, "fork");
	if (pid == 0) {
		close(fds[0]);
		setsid();
		*readyfd = fds[1];
		return 0;
	}
	close(fds[1]);
	do
		n = read(fds[0], &c, 1);
	while (n == -1 && errno == EINTR);
	close(fds[0]);
	if (n == 1)
		return 1;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	/* The child has already said why on stderr. */
	err->msg[0] = '\0';
	return -1;
}

/* Tells the waiting parent that the hub accepts clients, and detaches stdio. */
void
hub__daemon_ready(int readyfd)
{
	struct stat st;
	int null;

	if (readyfd == -1)
		return;
	while (write(readyfd, "R", 1) == -1 && errno == EINTR)
		;
	close(readyfd);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return;
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	/* A log file may stay; a pipe or terminal would keep the caller waiting. */
	if (fstat(STDERR_FILENO, &st) == -1 || !S_ISREG(st.st_mode))
		dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
	if (chdir("/") == -1)
		return;
}

/* Writes our pid to path. */
int
hub__pidfile_write(const char *path, struct hub_err *err)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1)
		return hub__err_errno(err, errno, "%s", path);
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "write %s", path);
	}
	close(fd);
	return 0;
}
