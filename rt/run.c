/*
 * rt/run.c: run helper programs to completion; shell and kernel-argument
 * quoting rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "xalloc.h"

extern char **environ;

/* Append what is readable on fd to *buf. Returns 0 at EOF. */
static int
drain(int fd, char **buf, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0)
		return n < 0 && errno == EINTR ? 1 : 0; /* EAGAIN also ends a final drain */
	*buf = xrealloc(*buf, *len + (size_t)n + 1);
	memcpy(*buf + *len, tmp, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

/* Milliseconds left of RT_RUN_TIMEOUT_MS since t0, at least 0. */
static int
left_ms(const struct timespec *t0)
{
	struct timespec now;
	long long spent;

	clock_gettime(CLOCK_MONOTONIC, &now);
	spent = (long long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
	return spent >= RT_RUN_TIMEOUT_MS ? 0 : (int)(RT_RUN_TIMEOUT_MS - spent);
}

int
rt_run(char *const argv[], char **out, char **err)
{
	posix_spawn_file_actions_t fa;
	int po[2], pe[2], status, rc;
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	struct pollfd pfd[3];
	struct timespec t0;
	bool timed_out = false;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) < 0)
		return rt_fail_errno(err, errno, "pipe");
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return rt_fail_errno(err, errno, "pipe");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		return rt_fail_errno(err, rc, "cannot run %s", argv[0]);
	}
	/*
	 * A daemon's child may keep our pipes open for its whole life: stop
	 * reading when the helper itself exits (its pidfd turns readable) and
	 * take what is already buffered.
	 */
	pfd[0] = (struct pollfd){.fd = po[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = pe[0], .events = POLLIN};
	pfd[2] = (struct pollfd){.fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		int n = poll(pfd, 3, left_ms(&t0));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			/* Not yet reaped, the pid is still our child's: safe to kill. */
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		if (pfd[0].fd >= 0 && pfd[0].revents && !drain(po[0], &obuf, &olen))
			pfd[0].fd = -1;
		if (pfd[1].fd >= 0 && pfd[1].revents && !drain(pe[0], &ebuf, &elen))
			pfd[1].fd = -1;
		if (pfd[2].fd >= 0 && pfd[2].revents) {
			fcntl(po[0], F_SETFL, O_NONBLOCK);
			fcntl(pe[0], F_SETFL, O_NONBLOCK);
			while (pfd[0].fd >= 0 && drain(po[0], &obuf, &olen) > 0)
				;
			while (pfd[1].fd >= 0 && drain(pe[0], &ebuf, &elen) > 0)
				;
			break;
		}
	}
	if (pfd[2].fd >= 0)
		close(pfd[2].fd);
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out != NULL)
		*out = obuf != NULL ? obuf : xstrdup("");
	else
		free(obuf);
	if (ebuf != NULL)
		while (elen > 0 && (ebuf[elen - 1] == '\n' || ebuf[elen - 1] == ' '))
			ebuf[--elen] = '\0';
	if (timed_out) {
		rc = rt_fail(err, "%s did not finish within %d s: killed", argv[0],
		             RT_RUN_TIMEOUT_MS / 1000);
	} else if (!WIFEXITED(status)) {
		rc = rt_fail(err, "%s died of signal %d", argv[0], WTERMSIG(status));
	} else {
		rc = WEXITSTATUS(status);
		if (rc != 0)
			rt_fail(err, "%s", ebuf != NULL && *ebuf ? ebuf : "failed");
	}
	free(ebuf);
	return rc;
}

void
rt_shell_quote(char **cmd, const char *s)
{
	size_t n = strlen(*cmd), extra = 3;
	char *p;

	for (const char *q = s; *q; q++)
		extra += *q == '\'' ? 4 : 1;
	*cmd = xrealloc(*cmd, n + extra + 1);
	p = *cmd + n;
	*p++ = '\'';
	for (const char *q = s; *q; q++) {
		if (*q == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *q;
		}
	}
	*p++ = '\'';
	*p = '\0';
}
