/*
 * cmd/cmd-lconnect.c: lconnect: attach the terminal to a guest's console in
 * the lab's private tmux server (rt/tmux.h), or to a tiled view of all of
 * them. Each view is a session grouped with the lab's own, so several users
 * and terminals can each show their own console; it disappears on detach
 * while the guests run on. Inside the user's own tmux, the console opens as
 * a new window of the user's session rather than nested in the current pane.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "cmdrt.h"
#include "inst.h"
#include "lab.h"
#include "xalloc.h"

enum { OPT_ALL = 256, OPT_HERE };

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"all", no_argument, NULL, OPT_ALL},
        {"here", no_argument, NULL, OPT_HERE},
        {NULL, 0, NULL, 0},
};

/* A shell command showing host's console in a new grouped session. */
static char *
view_cmd(const char *sock, const char *host, bool status_line)
{
	char *cmd = xstrdup("TMUX= exec tmux -S "), *win = xasprintf(":=%s", host);

	char *tmp;

	rt_shell_quote(&cmd, sock);
	tmp = xasprintf("%s new-session -t =%s \\; set destroy-unattached on \\; %s"
	                "select-window -t ",
	                cmd, RT_TMUX_SESSION, status_line ? "" : "set status off \\; ");
	free(cmd);
	cmd = tmp;
	rt_shell_quote(&cmd, win);
	free(win);
	return cmd;
}

/* Replace ourselves with argv; returns only on failure. */
static int
run(struct lcmd_ctx *ctx, char **argv)
{
	execvp(argv[0], argv);
	return lcmd_error(ctx, "cannot run %s", argv[0]);
}

/* Attach to one host's console. */
static int
connect_one(struct lcmd_ctx *ctx, const char *sock, const char *host, bool here)
{
	char *win = xasprintf(":=%s", host);

	if (getenv("TMUX") != NULL && *getenv("TMUX") != '\0' && !here) {
		/* A window of the user's own session, showing the lab's console. */
		char *cmd = view_cmd(sock, host, true);
		char *argv[] = {"tmux", "new-window", "-n", (char *)host, cmd, NULL};

		fprintf(stderr,
		        "lconnect: %s's console opens as a new window of your tmux "
		        "session (prefix twice reaches the lab's tmux)\n",
		        host);
		return run(ctx, argv);
	}
	unsetenv("TMUX");
	char *argv[] = {"tmux",        "-S",  (char *)sock,
	                "new-session", "-t",  "=" RT_TMUX_SESSION,
	                ";",           "set", "destroy-unattached",
	                "on",          ";",   "select-window",
	                "-t",          win,   NULL};
	return run(ctx, argv);
}

/*
 * One tiled window with a pane per running console. The view lives in a
 * tmux server of its own (RUNDIR/ID.h/view-PID), never in the lab's: each
 * pane is a client of the lab's server in a grouped session that goes when
 * the pane goes, so the lab's server sees clients come and go and nothing
 * else, inside tmux or not, however often.
 */
static int
connect_all(struct lcmd_ctx *ctx, const struct lab *lab, const struct rt_inst *in, const char *sock)
{
	char *view = rt_host_path(in, "view-%d", (int)getpid()), **argv;
	size_t n = 0, cap = 32 + 12 * lab->n_hosts, shown = 0;
	bool in_tmux = getenv("TMUX") != NULL && *getenv("TMUX") != '\0';

	argv = xcalloc(cap, sizeof(*argv));
	argv[n++] = "tmux";
	argv[n++] = "-S";
	argv[n++] = view;
	argv[n++] = "-f";
	argv[n++] = "/dev/null";
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const char *h = lab->hosts[i].name;

		if (!rt_tmux_has_window(sock, h))
			continue;
		if (shown++ == 0) {
			argv[n++] = "new-session";
			argv[n++] = "-d";
			argv[n++] = "-s";
			argv[n++] = "all";
			argv[n++] = "-n";
			argv[n++] = "all";
		} else {
			argv[n++] = ";";
			argv[n++] = "split-window";
			argv[n++] = "-t";
			argv[n++] = "=all:";
		}
		argv[n++] = view_cmd(sock, h, false);
		argv[n++] = ";";
		argv[n++] = "select-layout";
		argv[n++] = "-t";
		argv[n++] = "=all:";
		argv[n++] = "tiled";
	}
	if (shown == 0)
		return lcmd_error(ctx, "no console is open in lab %s (lstart first)", lab->name);
	/* The view's server ends with its last pane or its client. */
	argv[n++] = ";";
	argv[n++] = "set";
	argv[n++] = "-g";
	argv[n++] = "exit-empty";
	argv[n++] = "on";
	argv[n++] = ";";
	argv[n++] = "set";
	argv[n++] = "-g";
	argv[n++] = "remain-on-exit";
	argv[n++] = "off";
	/* The view's server is ours, not the user's: no TMUX for it. */
	char *user_tmux = in_tmux ? xstrdup(getenv("TMUX")) : NULL, *out = NULL, *err = NULL;
	unsetenv("TMUX");
	if (rt_run(argv, &out, &err) != 0)
		return lcmd_error(ctx, "tmux: %s", err != NULL ? err : "failed");
	free(out);
	if (user_tmux != NULL)
		setenv("TMUX", user_tmux, 1);
	/* Attached, the view goes when its client detaches, and its socket too. */
	char *cmd = xstrdup("TMUX= tmux -S "), *q = xstrdup("");
	rt_shell_quote(&cmd, view);
	rt_shell_quote(&q, view);
	char *full = xasprintf("%s attach -t =all \\; set destroy-unattached on; rm -f %s", cmd, q);
	if (in_tmux) {
		char *uargv[] = {"tmux", "new-window", "-n", "lab", full, NULL};
		return run(ctx, uargv);
	}
	char *aargv[] = {"sh", "-c", full, NULL};
	return run(ctx, aargv);
}

static int
cmd_lconnect_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	const char *host = NULL;
	bool all = false, here = false;
	struct rt_inst in = {0};
	struct lab *lab = NULL;
	char *err = NULL, *sock = NULL;
	int c, rc = LCMD_FAIL;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:h", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case OPT_ALL:
			all = true;
			break;
		case OPT_HERE:
			here = true;
			break;
		}
	}
	if (all ? optind != argc : optind != argc - 1)
		return lcmd_usage_error(ctx, all ? "--all takes no host" : "which host?");
	host = all ? NULL : argv[optind];
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	if (host != NULL && lab_host_find(lab, host) == NULL) {
		lcmd_error(ctx, "no host '%s' in lab %s", host, lab->name);
		goto out;
	}
	if (rt_inst_init(&in, lab, lo.hostwd, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	sock = rt_tmux_sock(&in);
	if (!rt_tmux_alive(sock)) {
		lcmd_error(ctx, "lab %s is not running (no console server): lstart first",
		           lab->name);
		goto out;
	}
	if (host != NULL && !rt_tmux_has_window(sock, host)) {
		lcmd_error(ctx, "%s has no console (not started? lstart %s)", host, host);
		goto out;
	}
	rc = all ? connect_all(ctx, lab, &in, sock) : connect_one(ctx, sock, host, here);
out:
	free(sock);
	rt_inst_clear(&in);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lconnect_entry = {
        .name = "lconnect",
        .summary = "attach the terminal to a guest's console (tmux); detaching leaves it running",
        .usage = "[-d DIR] [-w DIR] [--here] HOST | --all",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "      --all            one tiled view of every console\n"
                "      --here           inside tmux, nest in this pane instead of a new window\n"
                "  -h, --help           this help\n"
                "Detach with the tmux prefix then d (Ctrl-b d); the guest keeps running.\n",
        .exec = cmd_lconnect_exec,
};
