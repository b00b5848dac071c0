/*
 * nat/umlab-nat.c: the host side of a NAT domain (lab.yaml nat: true).
 *
 *   umlab-nat --hub DIR --subnet NET/PREFIX --gateway IP --dns IP
 *             [--dhcp-start IP] [--no-outbound] [--forward PROTO:HPORT:IP:GPORT]...
 *             [--ready-fd N] [--descr TEXT]
 *
 * Plugs Debian's libvdeplug-slirp (slirp://, a user-mode TCP/IP NAT) into
 * the domain's hub, like `vde_plug vde://DIR slirp://...`, and does what
 * vde_plug cannot: it reports failure or readiness only once both ends are
 * open and every host port forward is really listening (the slirp plugin
 * says nothing when a port is taken), on --ready-fd, so lstart knows. It
 * does not daemonise: lstart starts it in the background inside a
 * bubblewrap sandbox (rt/nat.c) and tracks that. Guests control every
 * frame it reads: it never trusts one beyond passing it on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libvdeplug.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FWD_MAX 256

struct fwd {
	bool udp;
	unsigned int host_port, guest_port;
	char guest[INET_ADDRSTRLEN];
};

struct opts {
	const char *hub, *descr;
	char subnet[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN],
	        dhcp[INET_ADDRSTRLEN];
	unsigned int prefix;
	unsigned int hub_port; /* the hub port to ask for; 0: any free one */
	bool outbound;
	struct fwd fwd[FWD_MAX];
	size_t n_fwd;
	int ready_fd;
};

static volatile sig_atomic_t stopping;
static int ready_fd = -1;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Report a failure on stderr and, before readiness, to whoever waits; exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "umlab-nat: %s\n", msg);
	if (ready_fd >= 0) {
		dprintf(ready_fd, "error %s\n", msg);
		close(ready_fd);
	}
	exit(1);
}

static void
usage(FILE *f)
{
	fputs("usage: umlab-nat --hub DIR --subnet NET/PREFIX --gateway IP --dns IP\n"
	      "                 [--dhcp-start IP] [--no-outbound] [--forward "
	      "PROTO:HPORT:IP:GPORT]...\n"
	      "                 [--ready-fd N] [--descr TEXT]\n"
	      "\n"
	      "Join a user-mode NAT (libvdeplug-slirp) to the hub serving DIR: guests on the\n"
	      "domain reach the host at the gateway address (its 127.0.0.1) and what the host\n"
	      "reaches; host ports on 127.0.0.1 reach guests. Runs until the hub goes or a\n"
	      "signal comes. lstart runs it inside a bubblewrap sandbox (umlab-nat(8)).\n"
	      "\n"
	      "  --hub DIR            the hub's directory (its ctl socket)\n"
	      "  --subnet NET/PREFIX  the domain's IPv4 network, e.g. 10.0.2.0/24\n"
	      "  --gateway IP         slirp's address: the guests' default route\n"
	      "  --dns IP             slirp's DNS relay\n"
	      "  --dhcp-start IP      first address slirp's DHCP server gives out\n"
	      "  --no-outbound        guests open no connection out; forwards still work\n"
	      "  --forward SPEC       tcp:8080:10.0.2.15:80 = host 127.0.0.1:8080 to the guest\n"
	      "                       10.0.2.15 port 80 (udp: too); host ports 1024 and up\n"
	      "  --ready-fd N         write \"ready\" (or \"error MESSAGE\") to fd N, then close "
	      "it\n"
	      "  --descr TEXT         how the hub lists this client\n"
	      "  --port N             the hub port to ask for (default: any free one)\n"
	      "  -h, --help           this help\n"
	      "      --version        print the version\n",
	      f);
}

/* An IPv4 address in dotted-quad form, copied canonical into out. */
static bool
ipv4(const char *s, char out[INET_ADDRSTRLEN])
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1 && inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
}

/* A port number lo..65535. */
static bool
port(const char *s, unsigned int lo, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || *s == '+' || v < lo || v > 65535)
		return false;
	*out = (unsigned int)v;
	return true;
}

static void
parse_forward(struct opts *o, const char *spec)
{
	char copy[128], *f[4], *save = NULL;
	size_t n = 0;
	struct fwd *w;

	if (o->n_fwd == FWD_MAX)
		die("more than %d forwards", FWD_MAX);
	if (strlen(spec) >= sizeof copy)
		die("forward '%s' is too long", spec);
	strcpy(copy, spec);
	for (char *t = strtok_r(copy, ":", &save); t != NULL && n < 4;
	     t = strtok_r(NULL, ":", &save))
		f[n++] = t;
	w = &o->fwd[o->n_fwd];
	if (n != 4 || strtok_r(NULL, ":", &save) != NULL ||
	    (strcmp(f[0], "tcp") != 0 && strcmp(f[0], "udp") != 0) ||
	    !port(f[1], 1024, &w->host_port) || !ipv4(f[2], w->guest) ||
	    !port(f[3], 1, &w->guest_port))
		die("forward '%s' is not tcp|udp:HOSTPORT(1024..65535):GUESTIP:GUESTPORT", spec);
	w->udp = f[0][0] == 'u';
	o->n_fwd++;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	        {"hub", required_argument, NULL, 'H'},
	        {"subnet", required_argument, NULL, 's'},
	        {"gateway", required_argument, NULL, 'g'},
	        {"dns", required_argument, NULL, 'n'},
	        {"dhcp-start", required_argument, NULL, 'D'},
	        {"no-outbound", no_argument, NULL, 'o'},
	        {"forward", required_argument, NULL, 'f'},
	        {"ready-fd", required_argument, NULL, 'r'},
	        {"descr", required_argument, NULL, 'd'},
	        {"port", required_argument, NULL, 'p'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	char net[64], *slash;
	unsigned int fd;
	int c;

	memset(o, 0, sizeof *o);
	o->outbound = true;
	o->ready_fd = -1;
	o->descr = "umlab-nat";
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->hub = optarg;
			break;
		case 'p':
			if (!port(optarg, 1, &o->hub_port) || o->hub_port > 1023)
				die("--port %s is not a hub port (1..1023)", optarg);
			break;
		case 's':
			snprintf(net, sizeof net, "%s", optarg);
			if ((slash = strchr(net, '/')) == NULL)
				die("--subnet %s has no /PREFIX", optarg);
			*slash++ = '\0';
			if (!ipv4(net, o->subnet) || !port(slash, 8, &o->prefix) || o->prefix > 30)
				die("--subnet %s is not NET/PREFIX (8..30)", optarg);
			break;
		case 'g':
		case 'n':
		case 'D':
			if (!ipv4(optarg, c == 'g' ? o->gateway : c == 'n' ? o->dns : o->dhcp))
				die("'%s' is not an IPv4 address", optarg);
			break;
		case 'o':
			o->outbound = false;
			break;
		case 'f':
			parse_forward(o, optarg);
			break;
		case 'r':
			if (!port(optarg, 3, &fd) || fcntl((int)fd, F_GETFD) < 0)
				die("--ready-fd %s is not an open descriptor", optarg);
			o->ready_fd = ready_fd = (int)fd;
			break;
		case 'd':
			o->descr = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("umlab-nat (umlab) %s\n", UMLAB_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || o->hub == NULL || !*o->subnet || !*o->gateway || !*o->dns) {
		usage(stderr);
		exit(2);
	}
	/* The hub path goes into a URL: nothing that libvdeplug would read as syntax. */
	if (o->hub[0] != '/' || strpbrk(o->hub, "[]'\"\\ ") != NULL)
		die("--hub %s must be an absolute path without brackets, quotes or blanks", o->hub);
}

/* Try to bind 127.0.0.1:port; 0 when it was free, else the errno. */
static int
probe(bool udp, unsigned int p)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)p),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0), one = 1, rc;

	if (s < 0)
		return errno;
	/* TCP: a port in TIME_WAIT is free to slirp, whose listener reuses
	 * addresses too; a listener still refuses us. UDP: sharing needs both
	 * to ask, and slirp does, so we must not. */
	if (!udp)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	rc = bind(s, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
	close(s);
	return rc;
}

/* The slirp:// URL of libvdeplug_slirp(1): options after '/', a '/' inside one escaped. */
static char *
slirp_url(const struct opts *o)
{
	size_t cap = 512 + o->n_fwd * 48;
	char *url = malloc(cap);
	size_t n;

	if (url == NULL)
		die("out of memory");
	/* v4: slirp's IPv6 would also hand out addresses and routes nobody set. */
	n = (size_t)snprintf(url, cap, "slirp:///v4/addr=%s\\/%u/vnameserver=%s%s%s%s", o->gateway,
	                     o->prefix, o->dns, *o->dhcp ? "/dhcp=" : "", o->dhcp,
	                     o->outbound ? "" : "/restricted");
	for (int udp = 0; udp < 2; udp++) {
		bool first = true;

		for (size_t i = 0; i < o->n_fwd; i++) {
			if (o->fwd[i].udp != (udp != 0))
				continue;
			/* Always 127.0.0.1: the plugin's default is every address. */
			n += (size_t)snprintf(url + n, cap - n, "%s127.0.0.1:%u:%s:%u",
			                      first ? (udp ? "/udpfwd=" : "/tcpfwd=") : ",",
			                      o->fwd[i].host_port, o->fwd[i].guest,
			                      o->fwd[i].guest_port);
			first = false;
		}
	}
	return url;
}

/* Pass frames between the hub and slirp until one side ends or a signal comes. */
static void
relay(VDECONN *hub, VDECONN *slirp)
{
	static unsigned char buf[VDE_ETHBUFSIZE];
	struct pollfd p[3] = {
	        {.fd = vde_datafd(hub), .events = POLLIN},
	        {.fd = vde_datafd(slirp), .events = POLLIN},
	        {.fd = vde_ctlfd(hub), .events = POLLIN},
	};

	while (!stopping) {
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		/* The hub's control socket speaks only to say it is closing. */
		if ((p[0].revents | p[1].revents | p[2].revents) & (POLLHUP | POLLERR | POLLNVAL) ||
		    p[2].revents & POLLIN)
			return;
		/* Shorter than an Ethernet header is no frame (and libvdeslirp
		 * reads pointer-sized writes as its own requests). */
		if (p[0].revents & POLLIN && (n = vde_recv(hub, buf, sizeof buf, 0)) >= 14)
			vde_send(slirp, buf, (size_t)n, 0);
		if (p[1].revents & POLLIN && (n = vde_recv(slirp, buf, sizeof buf, 0)) >= 14)
			vde_send(hub, buf, (size_t)n, 0);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa = {.sa_handler = on_stop};
	VDECONN *hub, *slirp;
	char *hub_url, *url;
	int devnull;

	signal(SIGPIPE, SIG_IGN);
	parse(argc, argv, &o);
	/* Nothing of whoever started us stays open in here (bwrap's --info-fd
	 * pipe, say, whose reader waits for its end), only the ready pipe. */
	if (o.ready_fd >= 0) {
		if (o.ready_fd > 3)
			close_range(3, (unsigned int)o.ready_fd - 1, 0);
		close_range((unsigned int)o.ready_fd + 1, ~0u, 0);
	} else {
		close_range(3, ~0u, 0);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (size_t i = 0; i < o.n_fwd; i++) {
		int e = probe(o.fwd[i].udp, o.fwd[i].host_port);

		if (e != 0)
			die("host port 127.0.0.1:%u/%s cannot be forwarded: %s", o.fwd[i].host_port,
			    o.fwd[i].udp ? "udp" : "tcp",
			    e == EADDRINUSE ? "another program uses it" : strerror(e));
	}
	/* A fixed port keeps clear of the guests' (lab's rt/ports.c numbers them from 1). */
	if ((o.hub_port ? asprintf(&hub_url, "vde://%s[%u]", o.hub, o.hub_port)
	                : asprintf(&hub_url, "vde://%s", o.hub)) < 0)
		die("out of memory");
	if ((hub = vde_open(hub_url, (char *)o.descr, NULL)) == NULL)
		die("cannot join the hub at %s: %s", o.hub, strerror(errno));
	url = slirp_url(&o);
	if ((slirp = vde_open(url, (char *)o.descr, NULL)) == NULL)
		die("cannot start slirp (%s): %s; is Debian's libvdeplug-slirp installed?", url,
		    strerror(errno));
	for (size_t i = 0; i < o.n_fwd; i++)
		if (probe(o.fwd[i].udp, o.fwd[i].host_port) != EADDRINUSE)
			die("slirp did not take host port 127.0.0.1:%u/%s", o.fwd[i].host_port,
			    o.fwd[i].udp ? "udp" : "tcp");
	free(url);
	free(hub_url);
	if (o.ready_fd >= 0) {
		dprintf(o.ready_fd, "ready\n");
		close(o.ready_fd);
		ready_fd = -1;
	}
	/* Nobody reads us any more; what slirp says about guests would only
	 * let a guest fill a log. */
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		close(devnull);
	}
	relay(hub, slirp);
	vde_close(slirp);
	vde_close(hub);
	return 0;
}
