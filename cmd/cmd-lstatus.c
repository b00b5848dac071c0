/*
 * cmd/cmd-lstatus.c: lstatus: what each host of a lab is doing, where its
 * console and logs are, and its hubs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrt.h"
#include "hubstate.h"
#include "lab.h"
#include "rt.h"
#include "xalloc.h"

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        LCMD_JSON_LONGOPT,
        {NULL, 0, NULL, 0},
};

/* One line per domain: hub running or not, with its counters; a nat domain's NAT. */
static void
print_hubs(const struct lab *lab, const struct rt_inst *in)
{
	printf("\n%-12s  %-8s  %s\n", "DOMAIN", "HUB", "TRAFFIC");
	for (size_t d = 0; d < lab->n_domains; d++) {
		const char *name = lab->domains[d].name;
		bool up = rt_hub_running(in, name);
		struct hubstate_totals t;
		char *links;

		printf("%-12s  %-8s  ", name, up ? "running" : "-");
		/* Only the headline numbers; llink show or hub --stats has the rest. */
		if (up && hubstate_totals(in, name, &t))
			printf("clients %u, frames %llu, drops %llu", t.clients,
			       (unsigned long long)t.frames, (unsigned long long)t.drops);
		if (lab->domains[d].nat.enabled)
			printf("%snat %s", up ? ", " : "",
			       rt_nat_running(in, name) ? "running" : "down");
		putchar('\n');
		if ((links = up ? hubstate_summary(lab, in, d) : NULL) != NULL)
			printf("%-12s  %-8s  %s (llink show %s)\n", "", "", links, name);
		free(links);
	}
}

/* Is name a line of the newline-separated list? */
static bool
has_line(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return false;
}

/*
 * NAME.SUFFIX relative to hostwd when it exists, else "-"; in the guest's
 * NAME/ when guest says so; caller frees.
 */
static char *
wd_file(const struct rt_inst *in, const char *name, const char *suffix, bool guest)
{
	char *rel =
	        guest ? xasprintf("%s/%s%s", name, name, suffix) : xasprintf("%s%s", name, suffix);
	char *path = rt_wd_path(in, "%s", rel);

	if (access(path, F_OK) < 0) {
		free(rel);
		rel = xstrdup("-");
	}
	free(path);
	return rel;
}

/*
 * Where each host's console and logs are: its tmux window (while the lab's
 * server has it: panes outlive their guest) and its log files, relative to
 * hostwd, which is printed once with the attach command.
 */
static void
print_consoles(const struct lab *lab, const struct rt_inst *in)
{
	char *sock = rt_tmux_sock(in), *windows = rt_tmux_window_names(sock);
	int wh = 4, ww = 7, wc = 11;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		int len = (int)strlen(lab->hosts[i].name);

		if (len > wh)
			wh = len;
		/* "=umlab:=NAME" and "NAME.console.log" */
		if (len + (int)strlen(RT_TMUX_SESSION) + 3 > ww)
			ww = len + (int)strlen(RT_TMUX_SESSION) + 3;
		if (len + 12 > wc)
			wc = len + 12;
	}
	printf("\n%-*s  %-*s  %-*s  %s\n", wh, "HOST", ww, "CONSOLE", wc, "CONSOLE LOG",
	       "STARTUP LOG");
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const char *name = lab->hosts[i].name;
		char *win = has_line(windows, name) ? xasprintf("=%s:=%s", RT_TMUX_SESSION, name)
		                                    : xstrdup("-");
		char *con = wd_file(in, name, ".console.log", false),
		     *st = wd_file(in, name, ".startup.log", true);

		printf("%-*s  %-*s  %-*s  %s\n", wh, name, ww, win, wc, con, st);
		free(win);
		free(con);
		free(st);
	}
	free(windows);
	free(sock);
}

static int
cmd_lstatus_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_result res = {0};
	struct lab *lab = NULL;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:h", longopts, &lo)) != -1) {
		if (c == LCMD_GETOPT_DONE)
			return ctx->status;
	}
	if (optind < argc)
		return lcmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	if (rt_lab_status(lab, lo.hostwd, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else if (lo.json) {
		cmdrt_print_json(lab, &res, "lstatus");
	} else {
		char *sock = rt_tmux_sock(&res.inst);

		cmdrt_print_table(lab, &res, true);
		print_consoles(lab, &res.inst);
		print_hubs(lab, &res.inst);
		printf("\nhostwd:  %s (the logs above)\n"
		       "attach:  tmux -S %s attach -t CONSOLE\n",
		       res.inst.hostwd, sock);
		free(sock);
	}
	rt_result_clear(&res);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lstatus_entry = {
        .name = "lstatus",
        .summary = "show what each host of a lab is doing: state, pid, uptime, memory, hubs",
        .usage = "[-d DIR] [-w DIR] [--json]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "      --json           print the status as JSON\n"
                "  -h, --help           this help\n",
        .exec = cmd_lstatus_exec,
};
