/*
 * cmd/cmd-lhalt.c: lhalt (graceful, parallel) and lcrash (immediate): the
 * same verb, rt_lab_halt, with different options.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"

static const struct option halt_longopts[] = {
        LCMD_LAB_LONGOPTS,
        CMDRT_HALT_LONGOPTS,
        LCMD_JSON_LONGOPT,
        {NULL, 0, NULL, 0},
};

/* lcrash's own table: its options differ from lhalt's, so neither accepts the other's. */
static const struct option crash_longopts[] = {
        LCMD_LAB_LONGOPTS,
        CMDRT_CRASH_LONGOPTS,
        LCMD_JSON_LONGOPT,
        {NULL, 0, NULL, 0},
};

/* Shared by lhalt and lcrash; ctx->entry tells which. */
static int
cmd_lhalt_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	bool crash = strcmp(ctx->entry->name, "lcrash") == 0, json = false;
	struct rt_halt_opts o = {.crash = crash, .wait_s = CMDRT_HALT_WAIT_S};
	const char *dir = NULL;
	struct rt_result res = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, crash ? ":d:w:Fh" : ":d:w:rqh",
	                        crash ? crash_longopts : halt_longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		default:
			if (cmdrt_halt_opt(ctx, c, optarg, &o) < 0)
				return ctx->status;
			break;
		}
	}
	dir = lo.dir;
	o.opt_w = lo.hostwd;
	json = lo.json;
	o.hosts = argv + optind;
	o.n_hosts = (size_t)(argc - optind);
	if (cmdrt_load(ctx, dir, true, &lab) < 0)
		return LCMD_FAIL;
	rep = cmdrt_report(ctx, false);
	if (rt_lab_halt(lab, &o, &rep, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else {
		if (json)
			cmdrt_print_json(lab, &res, ctx->entry->name);
		else
			cmdrt_print_table(lab, &res, false);
		if (!res.ok)
			rc = lcmd_error(ctx, "some guests could not be stopped");
	}
	rt_result_clear(&res);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lhalt_entry = {
        .name = "lhalt",
        .summary = "halt a lab gracefully: shutdown scripts run, COW files are kept",
        .usage = "[-d DIR] [-w DIR] [-r] [-q | --wait SECS] [--json] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -r, --remove-fs      remove the COW files after the halt\n"
                "  -q, --quick          do not wait for a clean power-off; halt at once\n"
                "      --wait SECS      wait this long for a power-off before halting (default: "
                "20)\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n"
                "  HOST...              halt only these hosts\n",
        .exec = cmd_lhalt_exec,
};

const struct lcmd_entry cmd_lcrash_entry = {
        .name = "lcrash",
        .summary = "stop a lab at once (no shutdown scripts); COW files removed unless -F",
        .usage = "[-d DIR] [-w DIR] [-F] [--json] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -F, --keep-fs        keep the COW files (the guests' disks)\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n"
                "  HOST...              crash only these hosts\n",
        .exec = cmd_lhalt_exec,
};
