/* src/cmd-lhalt.c: placeholder until the command is implemented. */
#include "cmd.h"

static int
cmd_lhalt_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lcmd_error(ctx, "not implemented yet");
}

const struct lcmd_entry cmd_lhalt_entry = {
	.name = "lhalt",
	.summary = "not implemented yet",
	.usage = "",
	.help = "",
	.exec = cmd_lhalt_exec,
};

const struct lcmd_entry cmd_lcrash_entry = {
	.name = "lcrash",
	.summary = "not implemented yet",
	.usage = "",
	.help = "",
	.exec = cmd_lhalt_exec,
};
