/*
 * cmd/cmdrt.h: what the runtime commands (lstart, lhalt, lcrash, lclean,
 * lstatus) share: loading the lab with its diagnostics, reporting runtime
 * progress and warnings through the command, and printing results.
 */
#ifndef UMLAB_CMDRT_H
#define UMLAB_CMDRT_H

#include <stdbool.h>

#include "cmd.h"
#include "rt.h"

struct lab;

/* Load the lab in dir (NULL: "."); errors reported; warnings unless quiet. */
/*
 * lhalt/lcrash and vhalt/vcrash: the halt options (-r, -q, --wait, -F) and
 * their long names, shared so that both pairs parse them alike.
 */
#define CMDRT_HALT_WAIT_S 20
#define CMDRT_OPT_WAIT    0x1100 /* clear of cmd.h's LCMD_OPT_* */
#define CMDRT_HALT_LONGOPTS                                                                        \
	{"remove-fs", no_argument, NULL, 'r'}, {"quick", no_argument, NULL, 'q'},                  \
	{                                                                                          \
		"wait", required_argument, NULL, CMDRT_OPT_WAIT                                    \
	}
#define CMDRT_CRASH_LONGOPTS                                                                       \
	{                                                                                          \
		"keep-fs", no_argument, NULL, 'F'                                                  \
	}
/*
 * Apply option c (value arg) to o: 1 if it was a halt option, 0 if not, -1
 * if its value is bad (reported as a usage error).
 */
int cmdrt_halt_opt(struct lcmd_ctx *ctx, int c, const char *arg, struct rt_halt_opts *o);

/*
 * A failed host on stderr: its state and why, then the last lines of its
 * console log and of its startup log (lstart, vstart).
 */
void cmdrt_print_failure_logs(const struct rt_result *res, const char *name,
                              const struct rt_host_result *hr);
int cmdrt_load(struct lcmd_ctx *ctx, const char *dir, bool quiet, struct lab **out);
/*
 * -k KERNEL of lstart and lrestart: every host of lab boots kernel (a name or
 * a path, rt_locate_kernel), whatever the lab file says. 0, or -1 reported.
 */
int cmdrt_force_kernel(struct lcmd_ctx *ctx, struct lab *lab, const char *kernel);
/* A struct rt_report printing through ctx; progress lines only when verbose. */
struct rt_report cmdrt_report(struct lcmd_ctx *ctx, bool progress);
/* Host table of a result (hosts not involved are skipped). */
void cmdrt_print_table(const struct lab *lab, const struct rt_result *res, bool uptime);
/* The result as JSON on stdout. */
void cmdrt_print_json(const struct lab *lab, const struct rt_result *res, const char *command);
/* Report a runtime error (and free it); returns LCMD_FAIL. */
int cmdrt_fail(struct lcmd_ctx *ctx, char *err);

#endif
