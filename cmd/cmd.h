/*
 * cmd/cmd.h: the command table and the one place errors reach the user.
 *
 * Every l* command is one cmd/cmd-NAME.c file holding a const struct
 * lcmd_entry and its exec function. The single binary `umlab` dispatches on
 * the basename of argv[0] (linfo, lstart, ... are symlinks to it) or on its
 * first argument (`umlab linfo`). Commands never call exit() nor print errors
 * themselves: they call lcmd_error() and return its value.
 */
#ifndef UMLAB_CMD_H
#define UMLAB_CMD_H

#include <getopt.h>
#include <stdbool.h>

struct lcmd_ctx;

struct lcmd_entry {
	const char *name;    /* "linfo" */
	const char *summary; /* one line for `umlab --help` */
	const char *usage;   /* "[-d DIR] [--json] [--dot]" */
	const char *help;    /* option list printed by --help, one per line */
	int (*exec)(struct lcmd_ctx *ctx, int argc, char **argv);
};

struct lcmd_ctx {
	const struct lcmd_entry *entry;
	bool json;  /* errors as JSON objects on stderr */
	int status; /* exit status so far */
};

/* Print "NAME: message" (or a JSON object) on stderr; returns 1 and records it. */
int lcmd_error(struct lcmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "NAME: warning: message" on stderr. */
void lcmd_warn(struct lcmd_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print usage and help to stdout; returns 0. */
int lcmd_help(struct lcmd_ctx *ctx);
/* Print "usage: ..." to stderr; returns 2 (bad invocation). */
int lcmd_usage_error(struct lcmd_ctx *ctx, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

const struct lcmd_entry *lcmd_find(const char *name);

/* Options every lab command shares; lcmd_getopt fills them. */
struct lcmd_lab_opts {
	const char *dir;    /* -d, --directory: the lab directory, NULL for "." */
	const char *hostwd; /* -w, --hostwd: host working directory, NULL for the default */
	bool json;          /* --json: also sets ctx->json so errors come out as JSON */
};

#define LCMD_OPT_JSON 0x1000 /* getopt value of --json */
/* Long options lcmd_getopt handles; put them first in a command's table. */
#define LCMD_LAB_LONGOPTS                                                                          \
	{"directory", required_argument, NULL, 'd'}, {"hostwd", required_argument, NULL, 'w'},     \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
#define LCMD_JSON_LONGOPT                                                                          \
	{                                                                                          \
		"json", no_argument, NULL, LCMD_OPT_JSON                                           \
	}

/* lcmd_getopt's answer when the command must return ctx->status now. */
#define LCMD_GETOPT_DONE (-2)

/*
 * getopt_long for a lab command: handles -d, -w, --json and --help itself,
 * reports bad options and missing values as usage errors, and returns every
 * other option for the command's own switch. shortopts must start with ':'
 * (after an optional '+').
 */
int lcmd_getopt(struct lcmd_ctx *ctx, int argc, char **argv, const char *shortopts,
                const struct option *longopts, struct lcmd_lab_opts *lab);

/* Exit statuses shared by all commands. */
#define LCMD_OK    0
#define LCMD_FAIL  1 /* the operation failed */
#define LCMD_USAGE 2 /* bad command line */

#endif
