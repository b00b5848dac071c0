/*
 * cmd/cmd-lclean.c: lclean: remove every trace of a lab (rt_lab_clean), or of
 * a lab that no longer loads, from what lstart recorded (rt_lab_clean_dir).
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {NULL, 0, NULL, 0},
};

static int
cmd_lclean_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	const char *dir;
	struct rt_report rep;
	struct lab_error *errs = NULL;
	struct lab *lab = NULL;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:h", longopts, &lo)) != -1) {
		if (c == LCMD_GETOPT_DONE)
			return ctx->status;
	}
	dir = lo.dir != NULL ? lo.dir : ".";
	rep = cmdrt_report(ctx, false);
	if (lab_load(dir, &lab, &errs) < 0) {
		/* A lab broken or deleted since lstart still has to be cleaned. */
		char *why = errs != NULL ? lab_error_format(errs) : NULL;

		lcmd_warn(ctx, "cannot load the lab in %s (%s): cleaning what lstart recorded", dir,
		          why != NULL ? why : "unknown error");
		free(why);
		lab_error_free(errs);
		if (rt_lab_clean_dir(dir, lo.hostwd, argv + optind, (size_t)(argc - optind), &rep,
		                     &err) < 0)
			rc = cmdrt_fail(ctx, err);
		return rc;
	}
	lab_error_free(errs);
	if (rt_lab_clean(lab, lo.hostwd, argv + optind, (size_t)(argc - optind), &rep, &err) < 0)
		rc = cmdrt_fail(ctx, err);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lclean_entry = {
        .name = "lclean",
        .summary = "remove every trace of a lab: processes, hubs, sockets, tmux, disks, logs",
        .usage = "[-d DIR] [-w DIR] [HOST...]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -h, --help           this help\n"
                "  HOST...              clean only these hosts (their processes and files)\n",
        .exec = cmd_lclean_exec,
};
