/*
 * cmd/vcommon.h: what the machine commands (vstart, vhalt, vcrash, vlist,
 * vconfig, vclean) share: Netkit's --ethN=DOMAIN options, -u USER, and the
 * tails of a failed machine's logs.
 */
#ifndef UMLAB_VCOMMON_H
#define UMLAB_VCOMMON_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd.h"
#include "lab.h"
#include "rt.h"

/* getopt values of --eth0 .. --eth63: VCMD_OPT_ETH + N. */
#define VCMD_OPT_ETH 0x2000

/*
 * A long option table: the command's own (base, NULL-terminated) then
 * --eth0=DOMAIN .. --eth63=DOMAIN; static storage, rebuilt on each call.
 */
const struct option *vcmd_longopts(const struct option *base);

/*
 * -u USER: only the current user's machines can be reached; "-" (all
 * users) with all_ok shows the user's own and says why. 0 ok, else a usage
 * error was reported.
 */
int vcmd_user(struct lcmd_ctx *ctx, const char *user, bool all_ok);

/* The current user's name (or uid as text); static storage. */
const char *vcmd_user_name(void);

#endif
