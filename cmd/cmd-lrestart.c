/*
 * cmd/cmd-lrestart.c: lrestart: reboot hosts of a running lab (all, or the
 * named ones): a graceful halt through the runtime, then a start. With
 * --clean their COW files and logs go in between, so they come back
 * pristine from the model filesystem (a first boot).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"

#define DEFAULT_TIMEOUT_S 180
#define HALT_WAIT_S       10

enum { OPT_TIMEOUT = 256, OPT_CLEAN, OPT_CRASH };

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"clean", no_argument, NULL, OPT_CLEAN},
        {"crash", no_argument, NULL, OPT_CRASH},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        LCMD_JSON_LONGOPT,
        {"kernel", required_argument, NULL, 'k'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
};

static int
cmd_lrestart_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_halt_opts ho = {.wait_s = HALT_WAIT_S};
	struct rt_start_opts so = {.timeout_s = DEFAULT_TIMEOUT_S, .headless = true};
	const char *dir = NULL, *kernel = NULL;
	bool clean = false, json = false, quiet = false;
	struct rt_result res = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	char *err = NULL, *end;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:k:qh", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case OPT_CLEAN:
			clean = true;
			break;
		case OPT_CRASH:
			ho.crash = true;
			ho.keep_fs = true; /* --clean decides about the COW files */
			break;
		case OPT_TIMEOUT:
			so.timeout_s = (unsigned int)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || so.timeout_s == 0)
				return lcmd_usage_error(ctx, "--timeout wants seconds, not '%s'",
				                        optarg);
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
	ho.opt_w = so.opt_w = lo.hostwd;
	json = lo.json;
	ho.hosts = so.hosts = argv + optind;
	ho.n_hosts = so.n_hosts = (size_t)(argc - optind);
	if (cmdrt_load(ctx, dir, quiet, &lab) < 0 || cmdrt_force_kernel(ctx, lab, kernel) < 0) {
		lab_free(lab);
		return LCMD_FAIL;
	}
	rep = cmdrt_report(ctx, !quiet);
	if (rt_lab_halt(lab, &ho, &rep, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	rt_result_clear(&res);
	memset(&res, 0, sizeof res);
	/* Pristine: drop COW files, markers and logs of the hosts (all when none named). */
	if (clean && rt_lab_clean(lab, ho.opt_w, ho.hosts, ho.n_hosts, &rep, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	if (rt_lab_start(lab, &so, &rep, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	if (json)
		cmdrt_print_json(lab, &res, "lrestart");
	else if (!quiet)
		cmdrt_print_table(lab, &res, false);
	if (!res.ok)
		rc = lcmd_error(ctx, "some hosts did not come back (see lstatus and their logs)");
out:
	rt_result_clear(&res);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lrestart_entry = {
        .name = "lrestart",
        .summary = "reboot hosts of a lab; --clean brings them back pristine",
        .usage = "[-d DIR] [-w DIR] [--clean] [--crash] [--timeout SECS] [-k KERNEL] [--json] [-q] "
                 "[HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory (default: per user, per lab)\n"
                "      --clean          discard the hosts' COW files: a pristine first boot\n"
                "      --crash          stop them at once instead of a graceful halt\n"
                "      --timeout SECS   per guest, until ready again (default: 180)\n"
                "  -k, --kernel KERNEL  boot KERNEL (a name umlab-mkkernel --list shows,\n"
                "                       linux.uml for Debian's, or a path)\n"
                "      --json           print the summary as JSON\n"
                "  -q, --quiet          no progress lines\n"
                "  -h, --help           this help\n"
                "  HOST...              these hosts (default: every host of the lab)\n",
        .exec = cmd_lrestart_exec,
};
