/* src/cmd-lstart.c: placeholder until the command is implemented. */
#include "cmd.h"

static int
cmd_lstart_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lcmd_error(ctx, "not implemented yet");
}

const struct lcmd_entry cmd_lstart_entry = {
	.name = "lstart",
	.summary = "not implemented yet",
	.usage = "",
	.help = "",
	.exec = cmd_lstart_exec,
};
