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
int cmdrt_load(struct lcmd_ctx *ctx, const char *dir, bool quiet, struct lab **out);
/* A struct rt_report printing through ctx; progress lines only when verbose. */
struct rt_report cmdrt_report(struct lcmd_ctx *ctx, bool progress);
/* Host table of a result (hosts not involved are skipped). */
void cmdrt_print_table(const struct lab *lab, const struct rt_result *res, bool uptime);
/* The result as JSON on stdout. */
void cmdrt_print_json(const struct lab *lab, const struct rt_result *res, const char *command);
/* Report a runtime error (and free it); returns LCMD_FAIL. */
int cmdrt_fail(struct lcmd_ctx *ctx, char *err);

#endif
