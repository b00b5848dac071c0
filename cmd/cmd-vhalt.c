/*
 * cmd/cmd-vhalt.c: vhalt (graceful) and vcrash (immediate): lhalt and
 * lcrash of the named machines (rt_machines_halt).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "lab.h"
#include "machines.h"
#include "vcommon.h"

static const struct option halt_longopts[] = {
        CMDRT_HALT_LONGOPTS, {"user", required_argument, NULL, 'u'},
        LCMD_JSON_LONGOPT,   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static const struct option crash_longopts[] = {
        CMDRT_CRASH_LONGOPTS, {"user", required_argument, NULL, 'u'},
        LCMD_JSON_LONGOPT,    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* Shared by vhalt and vcrash; ctx->entry tells which. */
static int
cmd_vhalt_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	bool crash = strcmp(ctx->entry->name, "vcrash") == 0;
	struct rt_halt_opts o = {.crash = crash, .wait_s = CMDRT_HALT_WAIT_S};
	struct rt_machines m = {.lockfd = -1};
	struct rt_result res = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	const char *user = NULL;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, crash ? ":Fu:h" : ":rqu:h",
	                        crash ? crash_longopts : halt_longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		default:
			if (cmdrt_halt_opt(ctx, c, optarg, &o) < 0)
				return ctx->status;
			break;
		case 'u':
			user = optarg;
			break;
		}
	}
	if (vcmd_user(ctx, user, false) != 0)
		return ctx->status;
	if (optind >= argc)
		return lcmd_usage_error(ctx, "which machines? (vlist lists the running ones)");
	if (rt_machines_open(&m, false, &err) < 0)
		return cmdrt_fail(ctx, err);
	rep = cmdrt_report(ctx, false);
	if (rt_machines_halt(&m, argv + optind, (size_t)(argc - optind), &o, &rep, &lab, &res,
	                     &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else {
		if (lo.json)
			cmdrt_print_json(lab, &res, ctx->entry->name);
		else
			cmdrt_print_table(lab, &res, false);
		if (!res.ok)
			rc = lcmd_error(ctx, "some machines could not be stopped");
	}
	rt_result_clear(&res);
	lab_free(lab);
	rt_machines_close(&m);
	return rc;
}

const struct lcmd_entry cmd_vhalt_entry = {
        .name = "vhalt",
        .summary = "halt machines gracefully (Netkit's vhalt); their COW files are kept",
        .usage = "[-r] [-q | --wait SECS] [-u USER] [--json] MACHINE...",
        .help = "  -r, --remove-fs      remove the COW files after the halt\n"
                "  -q, --quick          do not wait for a clean power-off; halt at once\n"
                "      --wait SECS      wait this long for a power-off before halting (default: "
                "20)\n"
                "  -u, --user USER      only yourself: other users' machines are private\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n",
        .exec = cmd_vhalt_exec,
};

const struct lcmd_entry cmd_vcrash_entry = {
        .name = "vcrash",
        .summary = "stop machines at once (Netkit's vcrash); COW files removed unless -F",
        .usage = "[-F] [-u USER] [--json] MACHINE...",
        .help = "  -F, --keep-fs        keep the COW files (the machines' disks)\n"
                "  -u, --user USER      only yourself: other users' machines are private\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n",
        .exec = cmd_vhalt_exec,
};
