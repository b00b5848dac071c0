/*
 * cmd/cmd-vconfig.c: vconfig: plug interfaces into a running machine
 * (Netkit's vconfig, later vconf): rt_machine_config adds them to the
 * machine's record and lstart on the running machine hot-plugs them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "lab.h"
#include "machines.h"
#include "uconf.h"
#include "vcommon.h"
#include "xalloc.h"

static const struct option base_longopts[] = {
        {"user", required_argument, NULL, 'u'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static int
cmd_vconfig_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	const struct option *longopts = vcmd_longopts(base_longopts);
	char *ifaces[LAB_IFACES_MAX] = {NULL}, *err = NULL;
	struct rt_machines m = {.lockfd = -1};
	struct rt_uconf c;
	struct rt_report rep;
	const char *user = NULL;
	size_t n = 0;
	bool quiet = false;
	int ch, rc = LCMD_OK;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":u:qh", longopts, NULL)) != -1) {
		if (ch == 'h')
			return lcmd_help(ctx);
		if (ch == 'u') {
			user = optarg;
		} else if (ch == 'q') {
			quiet = true;
		} else if (ch == ':') {
			return lcmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		} else if (ch >= VCMD_OPT_ETH && ch < VCMD_OPT_ETH + LAB_IFACES_MAX) {
			size_t i = (size_t)(ch - VCMD_OPT_ETH);

			if (*optarg == '\0') {
				rc = lcmd_usage_error(
				        ctx,
				        "--eth%zu=: taking an interface out of a running "
				        "machine is not supported; it goes when the "
				        "machine restarts without it",
				        i);
				goto out;
			}
			free(ifaces[i]);
			ifaces[i] = xstrdup(optarg);
			n = i + 1 > n ? i + 1 : n;
		} else {
			rc = lcmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (vcmd_user(ctx, user, false) != 0) {
		rc = ctx->status;
		goto out;
	}
	if (argc - optind != 1 || n == 0) {
		rc = lcmd_usage_error(ctx, "%s",
		                      argc - optind != 1 ? "one machine, by name"
		                                         : "which interface? (--ethN=DOMAIN)");
		goto out;
	}
	if (rt_uconf_load(&c, &err) < 0) {
		rt_uconf_clear(&c);
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	rep = cmdrt_report(ctx, !quiet);
	if (rt_machines_open(&m, true, &err) < 0 ||
	    rt_machine_config(&m, argv[optind], ifaces, n, c.max_ifaces, &rep, &err) < 0)
		rc = cmdrt_fail(ctx, err);
	rt_uconf_clear(&c);
	rt_machines_close(&m);
out:
	for (size_t i = 0; i < LAB_IFACES_MAX; i++)
		free(ifaces[i]);
	return rc;
}

const struct lcmd_entry cmd_vconfig_entry = {
        .name = "vconfig",
        .summary = "plug interfaces into a running machine (Netkit's vconfig)",
        .usage = "--ethN=DOMAIN... [-u USER] [-q] MACHINE",
        .help = "      --ethN=DOMAIN    plug ethN (the next free number) into DOMAIN\n"
                "  -u, --user USER      only yourself: other users' machines are private\n"
                "  -q, --quiet          no progress lines\n"
                "  -h, --help           this help\n",
        .exec = cmd_vconfig_exec,
};
