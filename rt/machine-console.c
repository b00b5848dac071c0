/*
 * rt/machine-console.c: a machine's console as vstart's --con0 shows it
 * (machines.h). The console is always the guest's window in the tmux
 * server of the machines instance; xterm opens a terminal emulator on it,
 * this attaches the current terminal to it (as lconnect does).
 */
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inst.h"
#include "machines.h"
#include "proc.h"
#include "xalloc.h"

extern char **environ;

int
rt_machine_terminal(const struct rt_inst *in, const char *name, const char *term, char **err)
{
	return rt_guest_open_terminal_as(in, name, term, err);
}

int
rt_machine_wait(pid_t pid)
{
	int fd = rt_pidfd_open(pid), rc;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (fd < 0)
		return 0; /* gone already */
	rc = poll(&p, 1, -1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

int
rt_machine_attach(const struct rt_inst *in, const char *name, pid_t pid, bool until_exit,
                  char **err)
{
	char *sock = rt_tmux_sock(in), *sess = xasprintf("vstart-%d", (int)getpid());
	char *win = xasprintf(":=%s", name), *target = xasprintf("=%s", sess);
	/* A session of its own grouped with the instance's: it goes when detached. */
	char *argv[] = {"tmux",
	                "-S",
	                sock,
	                "new-session",
	                "-s",
	                sess,
	                "-t",
	                "=" RT_TMUX_SESSION,
	                ";",
	                "set",
	                "destroy-unattached",
	                "on",
	                ";",
	                "select-window",
	                "-t",
	                win,
	                NULL};
	struct pollfd p[2];
	pid_t child;
	int st, rc = 0;

	/* Nested in the user's own tmux is what they asked for with this terminal. */
	unsetenv("TMUX");
	if ((rc = posix_spawnp(&child, "tmux", NULL, NULL, argv, environ)) != 0) {
		rt_fail_errno(err, rc, "cannot run tmux");
		rc = -1;
		goto out;
	}
	p[0] = (struct pollfd){.fd = rt_pidfd_open(child), .events = POLLIN};
	p[1] = (struct pollfd){.fd = rt_pidfd_open(pid), .events = POLLIN};
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0) {
			/* The machine stopped: end the view, which ends the client. */
			char *kill[] = {"tmux", "-S", sock, "kill-session", "-t", target, NULL};

			rt_run(kill, NULL, NULL);
			break;
		}
		if (p[0].revents != 0)
			break;
	}
	waitpid(child, &st, 0);
	if (p[1].revents == 0 && until_exit)
		rc = rt_machine_wait(pid);
	if (p[0].fd >= 0)
		close(p[0].fd);
	if (p[1].fd >= 0)
		close(p[1].fd);
out:
	free(sock);
	free(sess);
	free(win);
	free(target);
	return rc;
}
