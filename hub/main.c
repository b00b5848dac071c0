/*
 * hub/main.c: the hub's command line and its event loop.
 *
 *   hub [-d|--daemon] [--pidfile FILE] [--pcap FILE] [--mode OCTAL]
 *       [--exit-when-idle SECS] [--impair SPEC] [--impair-port N:SPEC]...
 *       [--domain-down] [--port-down N]... [--partition GROUPS] [-v] DIR
 *   hub --command LINE DIR
 *   hub --stats DIR
 *   hub --capture DIR [-c COUNT]
 *   hub --events DIR
 *
 * hub_serve sets the hub up (directory, sockets, capture file, signals),
 * reports readiness, runs the loop, and on SIGTERM/SIGINT/SIGHUP or idle
 * exit closes every client and removes every file it made.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub-int.h"

static const int stop_signals[3] = {SIGTERM, SIGINT, SIGHUP};

/* Prints the usage summary on f. */
static void
usage(FILE *f)
{
	fputs("usage: hub [-d|--daemon] [--pidfile FILE] [--pcap FILE] [--mode OCTAL]\n"
	      "           [--exit-when-idle SECS] [--impair SPEC] [--impair-port N:SPEC]...\n"
	      "           [--domain-down] [--port-down N]... [--partition GROUPS] [-v] DIR\n"
	      "       hub --command LINE DIR\n"
	      "       hub --stats DIR\n"
	      "       hub --capture DIR [-c COUNT]\n"
	      "       hub --events DIR\n"
	      "\n"
	      "Serve one VDE collision domain on DIR/ctl for libvdeplug clients (vde://DIR,\n"
	      "vde_plug, UML ethN=vde,DIR) and UML's ethN=daemon,,unix,DIR/ctl.\n"
	      "\n"
	      "  -d, --daemon            detach; return once DIR/ctl accepts clients\n"
	      "      --pidfile FILE      write the hub's pid to FILE\n"
	      "      --pcap FILE         write every frame to FILE in pcap format\n"
	      "      --mode OCTAL        socket mode (default 0600; never world-writable)\n"
	      "      --exit-when-idle S  exit S seconds after the last client leaves\n"
	      "      --impair SPEC       impair frames towards every port, e.g.\n"
	      "                          delay=50ms,jitter=5ms,loss=1%,rate=10mbit (see hub(8))\n"
	      "      --impair-port N:SPEC  impair frames towards port N instead\n"
	      "      --domain-down       start with the domain down: nothing is forwarded\n"
	      "      --port-down N       start with port N's link down: no frame from it or\n"
	      "                          to it (1 to 1023; repeatable)\n"
	      "      --partition GROUPS  start partitioned: \"1,2 3,4\" forwards only within\n"
	      "                          {1,2}, {3,4} and {every other port}\n"
	      "  -v, --verbose           log clients joining and leaving; counters on exit\n"
	      "      --stats DIR         print a running hub's counters as JSON\n"
	      "      --capture DIR       stream a running hub's frames as pcap to stdout\n"
	      "  -c, --count N           with --capture: stop after N frames\n"
	      "      --events DIR        print \"join PORT DESCR\", \"leave PORT DESCR\",\n"
	      "                          \"impair ...\", \"link ...\" and \"partition ...\" lines\n"
	      "                          of a running hub until it stops\n"
	      "      --command LINE DIR  send one control line (\"impair domain loss=5%\",\n"
	      "                          \"link port 3 down\", \"partition 1,2 3\")\n"
	      "                          to a running hub and print its answer\n"
	      "  -h, --help              show this help\n"
	      "  -V, --version           show the version\n",
	      f);
}

/* Signal handler: stop the hub. */
static void
on_signal(uv_signal_t *s, int signum)
{
	hub__stop(s->data);
}

/* Idle timer: nobody came back. */
static void
on_idle(uv_timer_t *t)
{
	hub__stop(t->data);
}

/* Flush timer: let readers of the capture file see recent frames. */
static void
on_flush(uv_timer_t *t)
{
	struct hub *hub = t->data;

	if (hub->pcap != NULL && hub->pcap_dirty) {
		fflush(hub->pcap);
		hub->pcap_dirty = 0;
	}
}

/* Called when the last client has left: arm --exit-when-idle. */
void
hub__client_gone(struct hub *hub)
{
	if (hub->opts->idle_secs >= 0 && !hub->stopping)
		uv_timer_start(&hub->idle_timer, on_idle, (uint64_t)hub->opts->idle_secs * 1000, 0);
}

/* Closes a handle unless it was never initialised or is closing already. */
static void
close_handle(uv_handle_t *h)
{
	if (h->loop != NULL && !uv_is_closing(h))
		uv_close(h, NULL);
}

/* Stops the hub: closes clients and listeners, removes every file, ends the loop. */
void
hub__stop(struct hub *hub)
{
	unsigned int i;

	if (hub->stopping)
		return;
	hub->stopping = 1;
	if (hub->opts->verbose && hub->started)
		hub__stats_print(hub, stderr);
	hub__bess_stop(hub);
	hub__ctl_stop(hub);
	for (i = 0; i < 3; i++)
		close_handle((uv_handle_t *)&hub->sig[i]);
	close_handle((uv_handle_t *)&hub->idle_timer);
	close_handle((uv_handle_t *)&hub->flush_timer);
	close_handle((uv_handle_t *)&hub->stall_timer);
	hub__pcap_close(hub);
	hub__dir_remove(hub);
	if (hub->pidfile != NULL)
		unlink(hub->pidfile);
	/* Last, so that a stream reader's EOF means every file is gone. */
	hub__mgmt_stop(hub);
}

/* Returns path made absolute against the current directory (caller frees). */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *s;

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	if (asprintf(&s, "%s/%s", cwd, path) == -1)
		return xstrdup(path);
	return s;
}

/* Sets up everything that can fail; the hub accepts clients afterwards. */
static int
setup(struct hub *hub, struct hub_err *err)
{
	unsigned int i;
	int rc;

	if (hub__dir_open(hub, hub->opts->dir, err) == -1)
		return -1;
	if (hub->opts->pcap != NULL && hub__pcap_open(hub, hub->opts->pcap, err) == -1)
		return -1;
	if (hub__ctl_start(hub, err) == -1 || hub__bess_start(hub, err) == -1 ||
	    hub__mgmt_start(hub, err) == -1)
		return -1;
	if (fchmod(hub->dirfd, hub__dir_mode(hub->opts->mode)) == -1)
		return hub__err_errno(err, errno, "chmod %s", hub->dir);
	for (i = 0; i < 3; i++) {
		uv_signal_init(hub->loop, &hub->sig[i]);
		hub->sig[i].data = hub;
		if ((rc = uv_signal_start(&hub->sig[i], on_signal, stop_signals[i])) != 0)
			return hub__err(err, "signal: %s", uv_strerror(rc));
	}
	uv_timer_init(hub->loop, &hub->idle_timer);
	hub->idle_timer.data = hub;
	uv_timer_init(hub->loop, &hub->stall_timer);
	hub->stall_timer.data = hub;
	uv_timer_init(hub->loop, &hub->flush_timer);
	hub->flush_timer.data = hub;
	if (hub->pcap != NULL) {
		uv_timer_start(&hub->flush_timer, on_flush, 1000, 1000);
		uv_unref((uv_handle_t *)&hub->flush_timer);
	}
	if (hub->opts->pidfile != NULL) {
		hub->pidfile = absolute(hub->opts->pidfile);
		if (hub__pidfile_write(hub->pidfile, err) == -1) {
			free(hub->pidfile);
			hub->pidfile = NULL;
			return -1;
		}
	}
	return 0;
}

/* Runs the hub until SIGTERM/SIGINT or idle exit; returns 0 or < 0 with err. */
int
hub_serve(const struct hub_opts *opts, struct hub_err *err)
{
	struct hub *hub;
	uv_loop_t loop;
	int readyfd = -1, rc = 0;

	if (opts->daemon) {
		if ((rc = hub__daemon_fork(&readyfd, err)) != 0)
			return rc > 0 ? 0 : -1;
	}
	/* Sockets are chmod'ed to opts->mode right after bind; never looser before. */
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	uv_loop_init(&loop);
	hub = xcalloc(1, sizeof(*hub));
	hub->loop = &loop;
	hub->opts = opts;
	hub->dirfd = -1;
	hub->parentfd = -1;
	hub->bess_fd = -1;
	hub->rxbuf = xmalloc((size_t)HUB_BATCH * HUB_FRAME_MAX);
	hub->start_ms = uv_now(&loop);
	hub->impair = opts->impair;
	hub__link_init(hub, &opts->link);
	for (size_t i = 0; i < opts->nports; i++) {
		unsigned int port = opts->ports[i].port;

		if (hub->port_impair[port] == NULL)
			hub->port_impair[port] = xmalloc(sizeof(struct hub_impair));
		*hub->port_impair[port] = opts->ports[i].im;
	}
	/* Unseeded runs differ; a seed in the spec replaces this. */
	hub->seed = uv_hrtime() ^ ((uint64_t)getpid() << 32);
	if (setup(hub, err) == -1) {
		rc = -1;
		hub__stop(hub);
	} else {
		hub->started = 1;
		hub__daemon_ready(readyfd);
		readyfd = -1;
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	if (readyfd != -1)
		close(readyfd);
	if (uv_loop_close(&loop) != 0 && rc == 0)
		rc = hub__err(err, "internal error: handles left open");
	hub__impair_free(hub);
	free(hub->rxbuf);
	free(hub->dests);
	free(hub->pidfile);
	free(hub);
	return rc;
}

/* Parses an octal socket mode; refuses anything world-writable. */
static int
parse_mode(const char *s, unsigned int *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno != 0 || *end != '\0' || *s == '\0' || v > 0777)
		return -1;
	if (v & 0002)
		return -2;
	*mode = (unsigned int)v | 0600;
	return 0;
}

/* Parses a non-negative decimal number. */
static int
parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0' || *s == '\0' || *s == '-') ? -1 : 0;
}

/* Parses --impair-port N:SPEC into ports[*n]; prints why not and returns -1. */
static int
parse_port_impair(const char *arg, struct hub_port_impair **ports, size_t *n)
{
	char why[256], *end;
	unsigned long port;

	errno = 0;
	port = strtoul(arg, &end, 10);
	if (errno != 0 || *end != ':' || end == arg || *arg == '-' || port == 0 ||
	    port >= HUB_PORTS_MAX) {
		fprintf(stderr, "hub: --impair-port %s: not PORT:SPEC with a port from 1 to %u\n",
		        arg, HUB_PORTS_MAX - 1);
		return -1;
	}
	*ports = xrealloc(*ports, (*n + 1) * sizeof(**ports));
	(*ports)[*n].port = (unsigned int)port;
	if (hub_impair_parse(end + 1, &(*ports)[*n].im, why, sizeof(why)) == -1) {
		fprintf(stderr, "hub: --impair-port %s: %s\n", arg, why);
		return -1;
	}
	(*n)++;
	return 0;
}

/* Parses the command line and runs the daemon or one of the client modes. */
int
main(int argc, char **argv)
{
	enum {
		O_PIDFILE = 256,
		O_PCAP,
		O_MODE,
		O_IDLE,
		O_STATS,
		O_CAPTURE,
		O_EVENTS,
		O_IMPAIR,
		O_IMPAIR_PORT,
		O_COMMAND,
		O_DOMAIN_DOWN,
		O_PORT_DOWN,
		O_PARTITION
	};
	static const struct option longopts[] = {
	        {"daemon", no_argument, NULL, 'd'},
	        {"pidfile", required_argument, NULL, O_PIDFILE},
	        {"pcap", required_argument, NULL, O_PCAP},
	        {"mode", required_argument, NULL, O_MODE},
	        {"exit-when-idle", required_argument, NULL, O_IDLE},
	        {"verbose", no_argument, NULL, 'v'},
	        {"stats", no_argument, NULL, O_STATS},
	        {"capture", no_argument, NULL, O_CAPTURE},
	        {"events", no_argument, NULL, O_EVENTS},
	        {"impair", required_argument, NULL, O_IMPAIR},
	        {"impair-port", required_argument, NULL, O_IMPAIR_PORT},
	        {"command", required_argument, NULL, O_COMMAND},
	        {"domain-down", no_argument, NULL, O_DOMAIN_DOWN},
	        {"port-down", required_argument, NULL, O_PORT_DOWN},
	        {"partition", required_argument, NULL, O_PARTITION},
	        {"count", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	struct hub_opts opts = {.mode = 0600, .idle_secs = -1};
	struct hub_err err = {""};
	struct hub_port_impair *ports = NULL;
	const char *command = NULL;
	char why[256];
	unsigned long count = 0, v;
	unsigned int port;
	int c, stats = 0, capture = 0, events = 0, rc;

	while ((c = getopt_long(argc, argv, "dvc:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			opts.daemon = 1;
			break;
		case O_PIDFILE:
			opts.pidfile = optarg;
			break;
		case O_PCAP:
			opts.pcap = optarg;
			break;
		case O_MODE:
			if ((rc = parse_mode(optarg, &opts.mode)) != 0) {
				fprintf(stderr, "hub: --mode %s: %s\n", optarg,
				        rc == -2 ? "world-writable sockets are refused"
				                 : "not an octal mode");
				return 2;
			}
			break;
		case O_IDLE:
			if (parse_ulong(optarg, &v) == -1 || v > 86400UL * 365) {
				fprintf(stderr,
				        "hub: --exit-when-idle %s: not a number of seconds\n",
				        optarg);
				return 2;
			}
			opts.idle_secs = (long)v;
			break;
		case 'v':
			opts.verbose = 1;
			break;
		case O_STATS:
			stats = 1;
			break;
		case O_CAPTURE:
			capture = 1;
			break;
		case O_EVENTS:
			events = 1;
			break;
		case O_IMPAIR:
			if (hub_impair_parse(optarg, &opts.impair, why, sizeof(why)) == -1) {
				fprintf(stderr, "hub: --impair %s: %s\n", optarg, why);
				return 2;
			}
			break;
		case O_IMPAIR_PORT:
			if (parse_port_impair(optarg, &ports, &opts.nports) == -1) {
				free(ports);
				return 2;
			}
			opts.ports = ports;
			break;
		case O_COMMAND:
			command = optarg;
			break;
		case O_DOMAIN_DOWN:
			opts.link.domain_down = 1;
			break;
		case O_PORT_DOWN:
			if (hub_port_parse(optarg, &port) == -1) {
				fprintf(stderr, "hub: --port-down %s: not a port from 1 to %u\n",
				        optarg, HUB_PORTS_MAX - 1);
				free(ports);
				return 2;
			}
			opts.link.port_down[port] = 1;
			break;
		case O_PARTITION:
			if (hub_partition_parse(optarg, &opts.link.partition, why, sizeof(why)) ==
			    -1) {
				fprintf(stderr, "hub: --partition %s: %s\n", optarg, why);
				free(ports);
				return 2;
			}
			break;
		case 'c':
			if (parse_ulong(optarg, &count) == -1 || count == 0) {
				fprintf(stderr, "hub: -c %s: not a positive number\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("hub (umlab) %s\n", UMLAB_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || stats + capture + events + (command != NULL) > 1 ||
	    (count != 0 && !capture)) {
		usage(stderr);
		free(ports);
		return 2;
	}
	opts.dir = argv[optind];
	if (command != NULL) {
		rc = hub_client_command(opts.dir, command, STDOUT_FILENO, &err);
	} else if (stats || capture || events) {
		signal(SIGPIPE, SIG_IGN);
		if (stats)
			rc = hub_client_stats(opts.dir, STDOUT_FILENO, &err);
		else if (capture)
			rc = hub_client_capture(opts.dir, count, STDOUT_FILENO, &err);
		else
			rc = hub_client_events(opts.dir, STDOUT_FILENO, &err);
	} else {
		rc = hub_serve(&opts, &err);
	}
	free(ports);
	if (rc < 0) {
		if (err.msg[0] != '\0')
			fprintf(stderr, "hub: %s\n", err.msg);
		return 1;
	}
	return 0;
}
