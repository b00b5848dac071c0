/* src/cmd-lstatus.c: placeholder until the command is implemented. */
#include "cmd.h"

static int
cmd_lstatus_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return lcmd_error(ctx, "not implemented yet");
}

const struct lcmd_entry cmd_lstatus_entry = {
	.name = "lstatus",
	.summary = "not implemented yet",
	.usage = "",
	.help = "",
	.exec = cmd_lstatus_exec,
};
