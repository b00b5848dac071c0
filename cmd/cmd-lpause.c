/*
 * cmd/cmd-lpause.c: lpause (freeze running guests) and lresume (thaw
 * them): the same verb, rt_lab_pause, one way or the other.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"quiet", no_argument, NULL, 'q'},
        LCMD_JSON_LONGOPT,
        {NULL, 0, NULL, 0},
};

/* Shared by lpause and lresume; ctx->entry tells which. */
static int
cmd_lpause_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_pause_opts o = {.resume = strcmp(ctx->entry->name, "lresume") == 0};
	struct rt_result res = {0};
	struct lab *lab = NULL;
	bool quiet = false;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:qh", longopts, &lo)) != -1) {
		if (c == LCMD_GETOPT_DONE)
			return ctx->status;
		if (c == 'q')
			quiet = true;
	}
	o.opt_w = lo.hostwd;
	o.hosts = argv + optind;
	o.n_hosts = (size_t)(argc - optind);
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	if (rt_lab_pause(lab, &o, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else {
		if (lo.json)
			cmdrt_print_json(lab, &res, ctx->entry->name);
		else if (!quiet)
			cmdrt_print_table(lab, &res, false);
		/* Each host that could not be reached, by name: the table may be off (-q). */
		for (size_t i = 0; i < lab->n_hosts; i++) {
			const struct rt_host_result *hr = &res.hosts[i];

			if (hr->state == RT_H_FAILED)
				rc = lcmd_error(ctx, "%s: %s", lab->hosts[i].name, hr->detail);
			else if (hr->state != RT_H_UNSELECTED && hr->pid <= 0)
				rc = lcmd_error(ctx, "%s is not running (%s)", lab->hosts[i].name,
				                rt_hstate_name(hr->state));
		}
	}
	rt_result_clear(&res);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lpause_entry = {
        .name = "lpause",
        .summary = "freeze running guests where they are (mconsole stop); lresume thaws them",
        .usage = "[-d DIR] [-w DIR] [-q] [--json] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -q, --quiet          print nothing but errors\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n"
                "  HOST...              pause only these hosts (default: every running one)\n",
        .exec = cmd_lpause_exec,
};

const struct lcmd_entry cmd_lresume_entry = {
        .name = "lresume",
        .summary = "thaw guests frozen by lpause (mconsole go)",
        .usage = "[-d DIR] [-w DIR] [-q] [--json] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -q, --quiet          print nothing but errors\n"
                "      --json           print the result as JSON\n"
                "  -h, --help           this help\n"
                "  HOST...              resume only these hosts (default: every running one)\n",
        .exec = cmd_lpause_exec,
};
