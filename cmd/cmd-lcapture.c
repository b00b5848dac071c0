/*
 * cmd/cmd-lcapture.c: lcapture: stream a collision domain's traffic as pcap,
 * from its hub's capture endpoint (DIR/mgmt, share/doc/hub-control.md), so
 * every frame of every host on the domain is seen without touching guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rt.h"
#include "cmdrt.h"
#include "inst.h"
#include "hub-client.h"
#include "lab.h"
#include "xalloc.h"

enum { OPT_HOSTWD = 256 };

static const struct option longopts[] = {
        {"directory", required_argument, NULL, 'd'},
        {"hostwd", required_argument, NULL, OPT_HOSTWD},
        {"write", required_argument, NULL, 'w'},
        {"count", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* Write all of buf; false when the reader is gone or the disk refuses. */
static bool
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Connect to the hub's mgmt socket and ask for the capture; fd or -1. */
static int
open_capture(const char *hubdir, unsigned long count, char **err)
{
	char cmd[64];
	int fd = hub_client_connect(hubdir, err);

	snprintf(cmd, sizeof(cmd), "capture %lu", count);
	if (fd >= 0 && hub_client_send(fd, cmd, err) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Copy the stream to out until the hub ends it or the reader goes. */
static int
pump(struct lcmd_ctx *ctx, int s, int out, const char *domain)
{
	static char buf[65536];
	size_t got = 0;

	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return lcmd_error(ctx, "reading the capture of %s: %s", domain,
			                  strerror(errno));
		if (n == 0)
			break;
		/* The hub answers an unknown command with a text line, not pcap. */
		if (got == 0 && strncmp(buf, "error", 5) == 0)
			return lcmd_error(ctx, "the hub of %s refused: %.*s", domain,
			                  (int)strcspn(buf, "\n"), buf);
		got += (size_t)n;
		if (!write_all(out, buf, (size_t)n)) {
			if (errno == EPIPE)
				return LCMD_OK; /* | head, or tcpdump -c: a normal end */
			return lcmd_error(ctx, "write: %s", strerror(errno));
		}
	}
	if (got < 24)
		return lcmd_error(ctx, "the hub of %s stopped before the capture began", domain);
	return LCMD_OK;
}

static int
cmd_lcapture_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	const char *dir = NULL, *wd = NULL, *file = NULL, *domain;
	unsigned long count = 0;
	struct rt_inst in = {0};
	struct lab *lab = NULL;
	char *err = NULL, *hubdir = NULL, *end;
	int c, rc = LCMD_FAIL, s = -1, out = 1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:w:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case OPT_HOSTWD:
			wd = optarg;
			break;
		case 'w':
			file = optarg;
			break;
		case 'c':
			count = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || count == 0 || optarg[0] == '-')
				return lcmd_usage_error(ctx, "-c wants a positive count, not '%s'",
				                        optarg);
			break;
		case 'h':
			return lcmd_help(ctx);
		case ':':
			return lcmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return lcmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return lcmd_usage_error(ctx, optind >= argc ? "which collision domain?"
		                                            : "one collision domain at a time");
	domain = argv[optind];
	if (file == NULL && isatty(1))
		return lcmd_usage_error(ctx, "stdout is a terminal: write to a file (-w FILE) or "
		                             "a pipe (| tcpdump -n -r -)");
	if (cmdrt_load(ctx, dir, true, &lab) < 0)
		return LCMD_FAIL;
	if (lab_domain_find(lab, domain) == NULL) {
		lcmd_error(ctx, "no collision domain '%s' in lab %s", domain, lab->name);
		goto out;
	}
	if (rt_inst_init(&in, lab, wd, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	if (!rt_hub_running(&in, domain)) {
		lcmd_error(ctx, "the hub of domain %s is not running (is the lab started? lstart)",
		           domain);
		goto out;
	}
	hubdir = rt_hub_dir(&in, domain);
	if ((s = open_capture(hubdir, count, &err)) < 0) {
		rc = cmdrt_fail(ctx, err);
		goto out;
	}
	if (file != NULL && strcmp(file, "-") != 0 &&
	    (out = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		lcmd_error(ctx, "%s: %s", file, strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (isatty(2))
		fprintf(stderr, "lcapture: capturing domain %s%s (Ctrl-C to stop)\n", domain,
		        file != NULL ? "" : " to stdout");
	rc = pump(ctx, s, out, domain);
	if (out != 1 && close(out) < 0 && rc == LCMD_OK)
		rc = lcmd_error(ctx, "%s: %s", file, strerror(errno));
out:
	if (s >= 0)
		close(s);
	free(hubdir);
	rt_inst_clear(&in);
	lab_free(lab);
	return rc;
}

const struct lcmd_entry cmd_lcapture_entry = {
        .name = "lcapture",
        .summary = "stream a collision domain's traffic as pcap, from its hub",
        .usage = "[-d DIR] [--hostwd DIR] DOMAIN [-w FILE] [-c COUNT]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "      --hostwd DIR     host working directory, as given to lstart -w\n"
                "  -w, --write FILE     write the pcap stream to FILE (default or -: stdout)\n"
                "  -c, --count N        stop after N frames\n"
                "  -h, --help           this help\n"
                "Note: -w is --write here (as in tcpdump), not --hostwd.\n"
                "Examples: lcapture A | tcpdump -n -r -     lcapture A | wireshark -k -i -\n",
        .exec = cmd_lcapture_exec,
};
