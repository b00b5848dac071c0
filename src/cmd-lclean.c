/* src/cmd-lclean.c: placeholder until the command is implemented. */
#include "cmd.h"

static int
cmd_lclean_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lcmd_error(ctx, "not implemented yet");
}

const struct lcmd_entry cmd_lclean_entry = {
	.name = "lclean",
	.summary = "not implemented yet",
	.usage = "",
	.help = "",
	.exec = cmd_lclean_exec,
};
