/*
 * rt/tmux.c: driving the lab's private tmux server through tmux clients.
 *
 * Every target is exact (=umlab:=NAME) so pc1 never matches pc10.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "run.h"
#include "tmux.h"
#include "xalloc.h"

/* The config every lab server starts with. */
static const char tmux_conf[] = "# Written by lstart: the lab's private tmux server.\n"
                                "set -g remain-on-exit on\n"
                                "set -g history-limit 20000\n"
                                "set -g exit-empty on\n"
                                "set -g base-index 0\n"
                                "set -g status-left '[#{session_name}] '\n"
                                "set -g set-titles on\n"
                                "set -g set-titles-string '#{window_name}'\n"
                                "set -g automatic-rename off\n"
                                "set -g allow-rename off\n"
                                /* Consoles take the size of the client that
                                 * attached last, not the 200x50 they start at. */
                                "set -g window-size latest\n"
                                "set -g aggressive-resize on\n";

/* "=umlab:=NAME" */
static char *
target(const char *name)
{
	return xasprintf("=%s:=%s", RT_TMUX_SESSION, name);
}

/* Run "tmux -S sock ARGS..." quietly; returns its exit status or -1. */
static int
tmux(const char *sock, char **out, char **err, const char *a0, const char *a1, const char *a2,
     const char *a3)
{
	char *argv[] = {"tmux",     "-S",       (char *)sock, (char *)a0,
	                (char *)a1, (char *)a2, (char *)a3,   NULL};

	return rt_run(argv, out, err);
}

bool
rt_tmux_alive(const char *sock)
{
	char *err = NULL;
	int rc = tmux(sock, NULL, &err, "has-session", "-t", "=" RT_TMUX_SESSION, NULL);

	free(err);
	return rc == 0;
}

bool
rt_tmux_listening(const char *sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

pid_t
rt_tmux_server_pid(const char *sock)
{
	char *out = NULL, *err = NULL;
	pid_t pid = -1;

	if (tmux(sock, &out, &err, "display-message", "-p", "#{pid}", NULL) == 0)
		pid = atoi(out);
	free(out);
	free(err);
	return pid > 0 ? pid : -1;
}

bool
rt_tmux_has_window(const char *sock, const char *name)
{
	char *t = target(name), *out = NULL, *err = NULL;
	int rc = tmux(sock, &out, &err, "display-message", "-p", "-t", t);

	free(t);
	free(out);
	free(err);
	return rc == 0;
}

char *
rt_tmux_window_names(const char *sock)
{
	char *out = NULL, *err = NULL;
	char *t = xasprintf("=%s", RT_TMUX_SESSION);

	if (tmux(sock, &out, &err, "list-windows", "-t", t, "-F#{window_name}") != 0) {
		free(out);
		out = NULL;
	}
	free(t);
	free(err);
	return out;
}

char **
rt_tmux_window_argv(const char *sock, const char *conf, const char *name, char *const argv[],
                    const char *logpath, bool fresh)
{
	/*
	 * The log is in hostwd, where a guest can plant a symlink or a FIFO in
	 * its place: dd appends without following a symlink and without waiting
	 * for a FIFO's reader (cat >> would do both). bs= makes dd write each
	 * read as it comes; without it dd gathers 512-byte blocks, and the log
	 * lags the console by up to 511 bytes until the guest ends.
	 */
	char *pipe_cmd = xstrdup("exec dd status=none bs=65536 conv=notrunc "
	                         "oflag=append,nofollow,nonblock of=");
	size_t n = 0, nargv = 0;

	while (argv[nargv] != NULL)
		nargv++;
	char **full = xcalloc(nargv + 32, sizeof(*full));

	rt_shell_quote(&pipe_cmd, logpath);
	full[n++] = xstrdup("tmux");
	full[n++] = xstrdup("-S");
	full[n++] = xstrdup(sock);
	if (fresh) {
		/* The first window starts the server with our configuration. */
		full[n++] = xstrdup("-f");
		full[n++] = xstrdup(conf);
		full[n++] = xstrdup("new-session");
		full[n++] = xstrdup("-d");
		full[n++] = xstrdup("-s");
		full[n++] = xstrdup(RT_TMUX_SESSION);
		full[n++] = xstrdup("-x");
		full[n++] = xstrdup("200");
		full[n++] = xstrdup("-y");
		full[n++] = xstrdup("50");
	} else {
		full[n++] = xstrdup("new-window");
		full[n++] = xstrdup("-d");
		full[n++] = xstrdup("-t");
		full[n++] = xstrdup("=" RT_TMUX_SESSION ":");
	}
	full[n++] = xstrdup("-n");
	full[n++] = xstrdup(name);
	full[n++] = xstrdup("-P");
	full[n++] = xstrdup("-F");
	full[n++] = xstrdup("#{pane_pid}");
	full[n++] = xstrdup("--");
	for (size_t i = 0; i < nargv; i++)
		full[n++] = xstrdup(argv[i]);
	/*
	 * Queued in the same client, pipe-pane runs before the server reads
	 * the new pane's first output, so the log misses nothing.
	 */
	full[n++] = xstrdup(";");
	full[n++] = xstrdup("pipe-pane");
	full[n++] = xstrdup("-t");
	full[n++] = target(name);
	full[n++] = pipe_cmd;
	full[n] = NULL;
	return full;
}

int
rt_tmux_run_window(char *const tmux_argv[], const char *name, pid_t *pid, char **err)
{
	char *out = NULL;
	int rc = rt_run(tmux_argv, &out, err);

	if (rc == 0 && (*pid = atoi(out)) <= 0)
		rc = rt_fail(err, "tmux did not report the pid of %s", name);
	else if (rc != 0)
		rt_wrap(err, "tmux");
	free(out);
	return rc == 0 ? 0 : -1;
}

void
rt_tmux_kill_window(const char *sock, const char *name)
{
	char *t = target(name), *err = NULL;

	tmux(sock, NULL, &err, "kill-window", "-t", t, NULL);
	free(err);
	free(t);
}

void
rt_tmux_kill_server(const char *sock)
{
	char *err = NULL;

	tmux(sock, NULL, &err, "kill-server", NULL, NULL, NULL);
	free(err);
}

int
rt_tmux_write_conf(const char *path, char **err)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return rt_fail_errno(err, errno, "cannot write %s", path);
	fputs(tmux_conf, f);
	if (fclose(f) != 0)
		return rt_fail_errno(err, errno, "cannot write %s", path);
	return 0;
}

char *
rt_tmux_attach_cmd(const char *sock, const char *name)
{
	return xasprintf("tmux -S %s attach -t =%s:=%s", sock, RT_TMUX_SESSION, name);
}
