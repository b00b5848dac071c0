/*
 * cmd/cmd-vclean.c: vclean: Netkit's panic button for the user's machines
 * (rt_machines_clean): unused hubs by default; with options every machine,
 * every hub, and the whole machines instance.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "machines.h"
#include "vcommon.h"

enum { OPT_CLEAN_DIRS = 256, OPT_CLEAN_ALL, OPT_TEST };

static const struct option longopts[] = {
        {"remove-hubs", no_argument, NULL, 'H'},
        {"force", no_argument, NULL, 'f'},
        {"kill-machines", no_argument, NULL, 'K'},
        {"remove-tunnels", no_argument, NULL, 'T'},
        {"clean-directories", no_argument, NULL, OPT_CLEAN_DIRS},
        {"clean-all", no_argument, NULL, OPT_CLEAN_ALL},
        {"test", no_argument, NULL, OPT_TEST},
        {"user", required_argument, NULL, 'u'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static int
cmd_vclean_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_vclean_opts o = {0};
	struct rt_machines m = {.lockfd = -1};
	struct rt_report rep;
	const char *user = NULL;
	bool verbose = false, quiet = false, clean_all = false;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":HfKTu:qvh", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case 'H':
			break; /* the default action, always done */
		case 'f':
			o.all_hubs = true;
			break;
		case 'K':
			o.kill_machines = true;
			break;
		case 'T':
			o.remove_tunnels = true;
			break;
		case OPT_CLEAN_DIRS:
			o.directories = true;
			break;
		case OPT_CLEAN_ALL:
			clean_all = true;
			break;
		case OPT_TEST:
			o.test = true;
			break;
		case 'u':
			user = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		}
	}
	if (optind < argc)
		return lcmd_usage_error(ctx, "no arguments but options ('%s')", argv[optind]);
	/* Netkit's --clean-all is for all users; here it is all of yours. */
	if (vcmd_user(ctx, user, true) != 0)
		return ctx->status;
	if (clean_all)
		o.kill_machines = o.directories = o.remove_tunnels = true;
	rep = cmdrt_report(ctx, (verbose || o.test) && !quiet);
	if (rt_machines_open(&m, true, &err) < 0 || rt_machines_clean(&m, &o, &rep, &err) < 0)
		rc = cmdrt_fail(ctx, err);
	rt_machines_close(&m);
	return rc;
}

const struct lcmd_entry cmd_vclean_entry = {
        .name = "vclean",
        .summary = "clean up your machines (Netkit's vclean): unused hubs, or everything",
        .usage = "[-H] [-f] [-K] [-T] [--clean-directories] [--clean-all] [--test] [-u USER] "
                 "[-q] [-v]",
        .help = "  -H, --remove-hubs    stop the hubs no running machine uses (the default)\n"
                "  -f, --force          stop every hub, in use or not\n"
                "  -K, --kill-machines  crash every machine (COW files kept), stop every hub\n"
                "  -T, --remove-tunnels remove tap state: there is none (see vclean(1))\n"
                "      --clean-directories  -K, then remove every machine, record and disk\n"
                "      --clean-all      -K -T --clean-directories (your machines only)\n"
                "      --test           say what would be done, do nothing\n"
                "  -u, --user USER      only yourself (USER, or '-')\n"
                "  -q, --quiet          say nothing\n"
                "  -v, --verbose        say what is done\n"
                "  -h, --help           this help\n",
        .exec = cmd_vclean_exec,
};
