/*
 * cmd/cmd-lexec.c: lexec: run a command in a guest over its out-of-band
 * serial line (share/doc/lexec-protocol.md), with stdin, stdout, stderr and
 * the exit status of the command as lexec's own.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lexec.h"
#include "cmdrt.h"
#include "lab.h"
#include "rt.h"
#include "xalloc.h"

/* lexec's own failures, told apart from the command's statuses (as ssh does). */
#define LEXEC_ERROR   255
#define LEXEC_TIMEOUT 124

enum { OPT_TIMEOUT = 256, OPT_WAIT, OPT_BRIDGE };

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"wait", required_argument, NULL, OPT_WAIT},
        {"env", required_argument, NULL, 'e'},
        {"chdir", required_argument, NULL, 'C'},
        {"no-stdin", no_argument, NULL, 'n'},
        {"agent-bridge", required_argument, NULL, OPT_BRIDGE},
        {NULL, 0, NULL, 0},
};

/* Parse a positive number of seconds. */
static bool
parse_secs(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 1e7)
		return false;
	*out = v;
	return true;
}

/* Why the host cannot be reached, from its state; the fix in the message. */
static int
explain_down(struct lcmd_ctx *ctx, const struct rt_inst *in, const char *host,
             enum rt_agent_fail why, char *err)
{
	enum rt_hstate st = rt_host_state(in, host, NULL);

	if (st == RT_H_HALTED || st == RT_H_CRASHED || st == RT_H_ABSENT) {
		lcmd_error(ctx, "%s is not running (%s); start it with: lstart %s", host,
		           rt_hstate_name(st), host);
	} else if (why == RT_AGENT_NO_LINE) {
		lcmd_error(ctx,
		           "%s has no lexec line: it was started by an older umlab; "
		           "restart it (lhalt %s; lstart %s)",
		           host, host, host);
	} else if (why == RT_AGENT_DOWN) {
		lcmd_error(ctx, "%s is not running (its guest has exited)", host);
	} else {
		lcmd_error(ctx, "%s: %s", host, err != NULL ? err : "cannot reach the agent");
	}
	free(err);
	return LEXEC_ERROR;
}

static int
cmd_lexec_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	const char *host;
	struct rt_agent_call call = {.wait_s = 0};
	char **env = xcalloc((size_t)argc + 1, sizeof(*env)), *err = NULL;
	char self[PATH_MAX];
	size_t nenv = 0;
	struct rt_inst in = {0};
	struct lab *lab = NULL;
	enum rt_agent_fail why;
	int c, rc = LEXEC_ERROR, sock = -1, status = 0;
	ssize_t sl;

	/* '+': options stop at the host name; the command's own are its own. */
	while ((c = lcmd_getopt(ctx, argc, argv, "+:d:w:e:C:nh", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			free(env);
			return ctx->status;
		case 'e':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				free(env);
				return lcmd_usage_error(ctx, "-e wants VAR=VALUE, not '%s'",
				                        optarg);
			}
			env[nenv++] = optarg;
			break;
		case 'C':
			call.cwd = optarg;
			break;
		case 'n':
			call.stdin_null = true;
			break;
		case OPT_TIMEOUT:
		case OPT_WAIT:
			if (!parse_secs(optarg,
			                c == OPT_TIMEOUT ? &call.timeout_s : &call.wait_s)) {
				free(env);
				return lcmd_usage_error(ctx,
				                        "%s wants a number of seconds, not '%s'",
				                        argv[optind - 1], optarg);
			}
			break;
		case OPT_BRIDGE:
			free(env);
			return rt_agent_bridge_main(optarg, 3);
		}
	}
	if (optind >= argc) {
		free(env);
		return lcmd_usage_error(ctx, "which host?");
	}
	host = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc) {
		free(env);
		return lcmd_usage_error(ctx, "no command to run on %s", host);
	}
	call.argv = argv + optind;
	call.env = env;

	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0) {
		free(env);
		return LEXEC_ERROR;
	}
	if (lab_host_find(lab, host) == NULL) {
		lcmd_error(ctx, "no host '%s' in lab %s", host, lab->name);
		goto out;
	}
	if (rt_inst_init(&in, lab, lo.hostwd, &err) < 0) {
		lcmd_error(ctx, "%s", err);
		free(err);
		goto out;
	}
	if ((sl = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		lcmd_error(ctx, "cannot find my own executable");
		goto out;
	}
	self[sl] = '\0';
	/* A frozen guest's agent cannot answer: say so now, not after --wait. */
	if (rt_host_state(&in, host, NULL) == RT_H_PAUSED) {
		lcmd_error(ctx, "%s is paused; resume it with: lresume %s", host, host);
		goto out;
	}
	if ((sock = rt_agent_connect(&in, host, self, &why, &err)) < 0) {
		rc = explain_down(ctx, &in, host, why, err);
		goto out;
	}
	if (call.wait_s == 0) {
		enum rt_hstate st = rt_host_state(&in, host, NULL);

		/* A ready guest's agent is up within moments; a booting one's later. */
		call.wait_s = st == RT_H_READY || st == RT_H_STARTUP_FAILED ? 20 : 120;
	}
	switch (rt_agent_run(sock, &call, &status, &err)) {
	case RT_AGENT_EXITED:
		rc = status;
		break;
	case RT_AGENT_TIMEOUT:
		lcmd_error(ctx, "%s: timed out after %g s; the command was killed", host,
		           call.timeout_s);
		rc = LEXEC_TIMEOUT;
		break;
	case RT_AGENT_NO_AGENT:
		/* Paused while we waited. */
		if (rt_host_state(&in, host, NULL) == RT_H_PAUSED) {
			lcmd_error(ctx, "%s is paused; resume it with: lresume %s", host, host);
			break;
		}
		lcmd_error(ctx,
		           "%s: no answer from its lexec agent in %g s: the guest is still "
		           "booting, its agent died (see its console: lconnect %s), or its "
		           "model filesystem predates lexec (rebuild it: umlab-mkfs)",
		           host, call.wait_s, host);
		break;
	case RT_AGENT_FAILED: {
		enum rt_hstate st = rt_host_state(&in, host, NULL);

		/* The guest may have stopped just as we connected to its bridge. */
		if (st == RT_H_HALTED || st == RT_H_CRASHED || st == RT_H_ABSENT)
			lcmd_error(ctx, "%s is not running (%s); start it with: lstart %s", host,
			           rt_hstate_name(st), host);
		else
			lcmd_error(ctx, "%s: %s", host, err != NULL ? err : "failed");
		free(err);
		break;
	}
	}
	close(sock);
out:
	rt_inst_clear(&in);
	lab_free(lab);
	free(env);
	/* A command's status 0 must win over anything recorded before. */
	ctx->status = rc;
	return rc;
}

const struct lcmd_entry cmd_lexec_entry = {
        .name = "lexec",
        .summary = "run a command in a guest, out of band: its output, errors and status",
        .usage = "[-d DIR] [-w DIR] [-n] [-e VAR=VALUE]... [-C DIR] [--timeout SECS] "
                 "[--wait SECS] HOST "
                 "[--] COMMAND [ARG]...",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -n, --no-stdin       the command reads /dev/null, not lexec's stdin\n"
                "  -e, --env VAR=VALUE  set a variable for the command (repeatable)\n"
                "  -C, --chdir DIR      run in DIR (default: /root)\n"
                "      --timeout SECS   kill the command after SECS; exit status 124\n"
                "      --wait SECS      how long the guest's agent may take to answer\n"
                "                       (default 20 s for a ready guest, 120 s for a booting one)\n"
                "  -h, --help           this help\n"
                "Exit status: the command's (128+N when killed by signal N); 124 on "
                "timeout;\n"
                "255 when lexec itself fails (unknown host, host not running, no agent);\n"
                "2 for a bad lexec command line.\n",
        .exec = cmd_lexec_exec,
};
