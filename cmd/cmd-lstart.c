/*
 * cmd/cmd-lstart.c: lstart: bring a lab up (options, then rt_lab_start,
 * then the summary and, for each failure, the tail of its logs).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_S 180

enum { OPT_TIMEOUT = 256, OPT_HEADLESS, OPT_DRY_RUN, OPT_ABORT };

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"parallel", required_argument, NULL, 'p'},
        {"sequential", no_argument, NULL, 's'},
        {"pass", required_argument, NULL, 'o'},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"headless", no_argument, NULL, OPT_HEADLESS},
        LCMD_JSON_LONGOPT,
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"abort-on-failure", no_argument, NULL, OPT_ABORT},
        {"kernel", required_argument, NULL, 'k'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
};

/* Parse a positive integer option value. */
static int
parse_uint(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 100000)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* For each failed host: why, and the last lines of its logs. */
static void
print_failures(const struct lab *lab, const struct rt_result *res)
{
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct rt_host_result *hr = &res->hosts[i];

		if (rt_hstate_failed(hr->state) && hr->state != RT_H_NOT_STARTED)
			cmdrt_print_failure_logs(res, lab->hosts[i].name, hr);
	}
}

static int
cmd_lstart_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_start_opts o = {.timeout_s = DEFAULT_TIMEOUT_S};
	const char *dir = NULL, *kernel = NULL;
	bool json = false, quiet = false;
	struct rt_result res = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:p:so:k:qh", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			rt_guest_opts_clear(&o.gopts);
			return ctx->status;
		case 'p':
			if (parse_uint(optarg, &o.parallel) < 0)
				return lcmd_usage_error(ctx, "-p wants a number, not '%s'", optarg);
			o.sequential = false;
			break;
		case 's':
			o.sequential = true;
			o.parallel = 0;
			break;
		case 'o':
			if (rt_guest_opt_add(&o.gopts, optarg, &err) < 0) {
				rt_guest_opts_clear(&o.gopts);
				rc = lcmd_usage_error(ctx, "%s", err);
				free(err);
				return rc;
			}
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, &o.timeout_s) < 0 || o.timeout_s == 0)
				return lcmd_usage_error(ctx, "--timeout wants seconds, not '%s'",
				                        optarg);
			break;
		case OPT_HEADLESS:
			o.headless = true;
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_ABORT:
			o.abort_on_failure = true;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		}
	}
	dir = lo.dir;
	o.opt_w = lo.hostwd;
	json = lo.json;
	o.hosts = argv + optind;
	o.n_hosts = (size_t)(argc - optind);
	if (!isatty(STDIN_FILENO) && !isatty(STDOUT_FILENO))
		o.headless = true;
	if (cmdrt_load(ctx, dir, false, &lab) < 0 || cmdrt_force_kernel(ctx, lab, kernel) < 0) {
		rt_guest_opts_clear(&o.gopts);
		lab_free(lab);
		return LCMD_FAIL;
	}
	rep = cmdrt_report(ctx, !quiet && !o.dry_run);
	if (rt_lab_start(lab, &o, &rep, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else if (!o.dry_run) {
		if (json) {
			cmdrt_print_json(lab, &res, "lstart");
		} else {
			char *sock = rt_tmux_sock(&res.inst);

			cmdrt_print_table(lab, &res, false);
			printf("\nhostwd: %s\n", res.inst.hostwd);
			if (!o.headless)
				printf("consoles: tmux -S %s attach   (a window per host; "
				       "Ctrl-b w to pick one)\nhalt: lhalt%s%s\n",
				       sock, dir ? " -d " : "", dir ? dir : "");
			free(sock);
		}
		print_failures(lab, &res);
		if (!res.ok)
			rc = lcmd_error(ctx, "some hosts did not become ready (see above)");
	}
	rt_result_clear(&res);
	rt_guest_opts_clear(&o.gopts);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lstart_entry = {
        .name = "lstart",
        .summary = "start a lab: hubs, then every guest, waiting until each is ready",
        .usage = "[-d DIR] [-w DIR] [-p N | -s] [--timeout SECS] [-o OPT]... [-k KERNEL] "
                 "[--headless] "
                 "[--json] [--dry-run] [--abort-on-failure] [-q] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory (default: per user, per lab)\n"
                "  -p, --parallel N     at most N guests booting at once (default: from cores "
                "and memory)\n"
                "  -s, --sequential     one guest at a time, in dependency order\n"
                "      --timeout SECS   per guest, until its ready marker (default: 180)\n"
                "  -o, --pass OPT       for every guest: mem=MB, or a kernel argument\n"
                "  -k, --kernel KERNEL  every guest boots KERNEL (a name umlab-mkkernel --list\n"
                "                       shows, linux.uml for Debian's, or a path)\n"
                "      --headless       open no terminals, print no console hints\n"
                "      --json           print the summary as JSON\n"
                "      --dry-run        print the plan (each step's exact command), run nothing\n"
                "      --abort-on-failure  stop every guest of this run at the first failure\n"
                "  -q, --quiet          no progress lines\n"
                "  -h, --help           this help\n"
                "  HOST...              start these hosts and their prerequisites only\n"
                "Exit status: 0 every host ready, 1 a host failed or nothing started, 2 "
                "usage.\n",
        .exec = cmd_lstart_exec,
};
