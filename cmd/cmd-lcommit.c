/*
 * cmd/cmd-lcommit.c: lcommit, a new model filesystem from a halted host
 * (rt_lab_commit): a teacher configures a host once, then every lab that
 * says `fs: NAME` starts from that state.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmdrt.h"
#include "commit.h"
#include "lab.h"
#include "rt.h"

enum { OPT_FS_DIR = 256, OPT_SYSTEM };

static const struct option lcommit_longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"fs-dir", required_argument, NULL, OPT_FS_DIR},
        {"system", no_argument, NULL, OPT_SYSTEM},
        {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
};

static int
cmd_lcommit_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_commit_opts o = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	char *err = NULL, *image = NULL;
	bool quiet = false, system = false;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:fqh", lcommit_longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case OPT_FS_DIR:
			o.fs_dir = optarg;
			break;
		case OPT_SYSTEM:
			system = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'q':
			quiet = true;
			break;
		}
	}
	if (argc - optind != 2)
		return lcmd_usage_error(ctx, "give the host and the new model filesystem's name");
	if (system && o.fs_dir != NULL)
		return lcmd_usage_error(ctx, "--system and --fs-dir exclude each other");
	if (system)
		o.fs_dir = "/var/lib/umlab/fs";
	o.opt_w = lo.hostwd;
	o.host = argv[optind];
	o.name = argv[optind + 1];
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	rep = cmdrt_report(ctx, !quiet);
	if (rt_lab_commit(lab, &o, &rep, &image, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else {
		if (!quiet)
			fprintf(stderr,
			        "%s: model filesystem '%s' is %s: give it to hosts with fs: %s\n",
			        ctx->entry->name, o.name, image, o.name);
		printf("%s\n", image);
	}
	free(image);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lcommit_entry = {
        .name = "lcommit",
        .summary = "make a model filesystem from a halted host: its COW file over its image",
        .usage = "[-d DIR] [-w DIR] [--fs-dir DIR | --system] [-f] [-q] HOST NAME",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "      --fs-dir DIR     register NAME in DIR (default: $UMLAB_FS_DIR, else\n"
                "                       ${XDG_DATA_HOME:-~/.local/share}/umlab/fs)\n"
                "      --system         register NAME in /var/lib/umlab/fs, for every user\n"
                "  -f, --force          replace an existing NAME (its old image file stays)\n"
                "  -q, --quiet          print only the new image's path\n"
                "  -h, --help           this help\n"
                "  HOST                 the host, halted with lhalt\n"
                "  NAME                 the new model filesystem: lab.yaml fs: NAME\n"
                "Exit status: 0 made, 1 failed, 2 usage.\n",
        .exec = cmd_lcommit_exec,
};
