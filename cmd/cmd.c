/*
 * cmd/cmd.c: the command table, dispatch, and error reporting.
 *
 * Adding a command is one cmd/cmd-NAME.c file and one line in lcmd_table.
 */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "json.h"

extern const struct lcmd_entry cmd_linfo_entry;
extern const struct lcmd_entry cmd_lstart_entry;
extern const struct lcmd_entry cmd_lhalt_entry;
extern const struct lcmd_entry cmd_lcrash_entry;
extern const struct lcmd_entry cmd_lclean_entry;
extern const struct lcmd_entry cmd_lstatus_entry;
extern const struct lcmd_entry cmd_ltest_entry;
extern const struct lcmd_entry cmd_lrestart_entry;
extern const struct lcmd_entry cmd_lexec_entry;
extern const struct lcmd_entry cmd_lcapture_entry;
extern const struct lcmd_entry cmd_ltop_entry;
extern const struct lcmd_entry cmd_lconnect_entry;
extern const struct lcmd_entry cmd_llink_entry;
extern const struct lcmd_entry cmd_lpause_entry;
extern const struct lcmd_entry cmd_lresume_entry;
extern const struct lcmd_entry cmd_lcommit_entry;
extern const struct lcmd_entry cmd_vstart_entry;
extern const struct lcmd_entry cmd_vhalt_entry;
extern const struct lcmd_entry cmd_vcrash_entry;
extern const struct lcmd_entry cmd_vlist_entry;
extern const struct lcmd_entry cmd_vconfig_entry;
extern const struct lcmd_entry cmd_vclean_entry;

/* One command a line, so that adding one is a one-line change. */
/* clang-format off */
static const struct lcmd_entry *lcmd_table[] = {
        &cmd_linfo_entry,
        &cmd_lstart_entry,
        &cmd_lhalt_entry,
        &cmd_lcrash_entry,
        &cmd_lclean_entry,
        &cmd_lstatus_entry,
        &cmd_ltest_entry,
        &cmd_lrestart_entry,
        &cmd_lexec_entry,
        &cmd_lcapture_entry,
        &cmd_ltop_entry,
        &cmd_lconnect_entry,
        &cmd_llink_entry,
        &cmd_lpause_entry,
        &cmd_lresume_entry, /* lpause's other half (cmd-lpause.c) */
        &cmd_lcommit_entry,
        &cmd_vstart_entry,
        &cmd_vhalt_entry,
        &cmd_vcrash_entry, /* vhalt's other half (cmd-vhalt.c) */
        &cmd_vlist_entry,
        &cmd_vconfig_entry,
        &cmd_vclean_entry,
        NULL,
};
/* clang-format on */

/* Find a command by exact name. */
const struct lcmd_entry *
lcmd_find(const char *name)
{
	for (const struct lcmd_entry **e = lcmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, name) == 0)
			return *e;
	return NULL;
}

static void
vreport(struct lcmd_ctx *ctx, const char *level, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("umlab: out of memory\n", stderr);
		exit(LCMD_FAIL);
	}
	if (ctx->json) {
		fputs("{\"level\":", stderr);
		json_write_string(stderr, level);
		fputs(",\"command\":", stderr);
		json_write_string(stderr, ctx->entry->name);
		fputs(",\"message\":", stderr);
		json_write_string(stderr, msg);
		fputs("}\n", stderr);
	} else if (strcmp(level, "error") == 0) {
		fprintf(stderr, "%s: %s\n", ctx->entry->name, msg);
	} else {
		fprintf(stderr, "%s: %s: %s\n", ctx->entry->name, level, msg);
	}
	free(msg);
}

int
lcmd_error(struct lcmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, "error", fmt, ap);
	va_end(ap);
	if (ctx->status == LCMD_OK)
		ctx->status = LCMD_FAIL;
	return LCMD_FAIL;
}

void
lcmd_warn(struct lcmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, "warning", fmt, ap);
	va_end(ap);
}

int
lcmd_help(struct lcmd_ctx *ctx)
{
	const struct lcmd_entry *e = ctx->entry;

	printf("usage: %s %s\n%s\n\n%s", e->name, e->usage, e->summary, e->help);
	printf("      --version        print the version\n\nSee %s(1).\n", e->name);
	return LCMD_OK;
}

int
lcmd_usage_error(struct lcmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", ctx->entry->name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s\nTry '%s --help'.\n", ctx->entry->name, ctx->entry->usage,
	        ctx->entry->name);
	ctx->status = LCMD_USAGE;
	return LCMD_USAGE;
}

int
lcmd_getopt(struct lcmd_ctx *ctx, int argc, char **argv, const char *shortopts,
            const struct option *longopts, struct lcmd_lab_opts *lab)
{
	int c;

	opterr = 0;
	for (;;) {
		switch ((c = getopt_long(argc, argv, shortopts, longopts, NULL))) {
		case 'd':
			lab->dir = optarg;
			break;
		case 'w':
			lab->hostwd = optarg;
			break;
		case LCMD_OPT_JSON:
			lab->json = ctx->json = true;
			break;
		case 'h':
			lcmd_help(ctx);
			return LCMD_GETOPT_DONE;
		case ':':
			lcmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
			return LCMD_GETOPT_DONE;
		case '?':
			lcmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
			return LCMD_GETOPT_DONE;
		default:
			return c;
		}
	}
}

static int
umlab_help(FILE *f)
{
	fprintf(f, "usage: umlab COMMAND [ARGS...]   (or run COMMAND directly)\n\n");
	for (const struct lcmd_entry **e = lcmd_table; *e != NULL; e++)
		fprintf(f, "  %-8s %s\n", (*e)->name, (*e)->summary);
	fprintf(f, "\nEach command takes --help. See umlab(7).\n");
	return f == stdout ? LCMD_OK : LCMD_USAGE;
}

int
main(int argc, char **argv)
{
	const struct lcmd_entry *e;
	struct lcmd_ctx ctx = {0};
	char *self = strdup(argv[0]);
	const char *base = basename(self);

	e = lcmd_find(base);
	if (e == NULL) {
		/* Called as `umlab CMD ...`. */
		if (argc < 2)
			return free(self), umlab_help(stderr);
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
			return free(self), umlab_help(stdout);
		if (strcmp(argv[1], "--version") == 0) {
			printf("umlab %s\n", UMLAB_VERSION);
			return free(self), LCMD_OK;
		}
		if ((e = lcmd_find(argv[1])) == NULL) {
			fprintf(stderr, "umlab: unknown command '%s'\n", argv[1]);
			return free(self), umlab_help(stderr);
		}
		argc--;
		argv++;
	}
	free(self);
	ctx.entry = e;
	/* Every command answers --version as its first argument. */
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("%s (umlab) %s\n", e->name, UMLAB_VERSION);
		return LCMD_OK;
	}
	/* Commands parse their own options; reset getopt's argv[0] for messages. */
	argv[0] = (char *)e->name;
	int rc = e->exec(&ctx, argc, argv);
	return rc != LCMD_OK ? rc : ctx.status;
}
