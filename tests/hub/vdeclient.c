/*
 * tests/hub/vdeclient.c: a real VDE client for the hub tests.
 *
 *   vdeclient [-D DESCR] [-i ID] [-t SECS] TRANSPORT ACTION...
 *
 * TRANSPORT is how it reaches the hub:
 *   vde:VNL         libvdeplug (vde_open), e.g. vde:vde:///tmp/h[5]
 *   plug:VNL        a vde_plug child in stream mode (2-byte length framing)
 *   daemon:CTL      UML's eth=daemon protocol: 124-byte request, abstract
 *                   address with garbage bytes, sendto on an unbound peer
 * ACTIONs run in order:
 *   ready           print "ready" (the hub has given us a port)
 *   send SIZE [N]   send N (default 1) frames of SIZE bytes
 *   marker          send an end marker
 *   recv-until-marker  receive until another client's marker; print
 *                   "frame LEN FROM-ID SEQ ok|corrupt" per frame
 *   wait-stdin      block until stdin reaches EOF (keeps the port open)
 *   wait-line       block until a line (or EOF) on stdin: the test's go-ahead
 *   stamp SIZE N GAP_US  send N timestamped frames of SIZE (>= 30) bytes, one
 *                   every GAP_US on an absolute schedule (0: back to back)
 *   measure N IDLE_MS  receive until N stamped frames came or none for
 *                   IDLE_MS; print "received R corrupt C dups D reordered O
 *                   gaps G median_us M p10_us A p90_us B bytes Y span_us S"
 *                   (one-way latency; span from first to last frame)
 *
 *   vdeclient badreq KIND CTL
 *
 * sends one malformed request (short, magic, version, type, port, descr,
 * family, relative, unterminated, unreachable) to CTL and prints "rejected"
 * (exit 0) if the hub closes the stream without replying, "accepted" if not.
 * Frames are broadcasts from 02:00:00:00:00:ID with ethertype 0x88b5, a
 * 4-byte sequence number and a byte pattern, so corruption is detected.
 * Every wait is bounded by -t (default 20 s); exit status 0 on success.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvdeplug.h>

#define BUFSZ      (VDE_ETHBUFSIZE + 16)
#define ETH_TEST   0x88b5
#define ETH_MARKER 0x88b6
#define ETH_STAMP  0x88b7
#define STAMP_MAX  (1U << 20)

enum transport { T_VDE, T_PLUG, T_DAEMON };

static enum transport tr;
static VDECONN *conn;                   /* T_VDE */
static int plug_in = -1, plug_out = -1; /* T_PLUG: to and from vde_plug */
static pid_t plug_pid = -1;
static int dfd = -1;             /* T_DAEMON: our datagram socket */
static struct sockaddr_un dpeer; /* T_DAEMON: the hub's port socket */
static int ctlfd = -1;           /* T_DAEMON: the ctl stream */
static unsigned int my_id = 1;
static int timeout_ms = 20000;
static unsigned int seq;

/* Prints a message and exits with status 1. */
static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vdeclient: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Reads exactly len bytes from fd (stream), or returns -1. */
static int
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Connects the UML eth=daemon way: abstract address with garbage, 124-byte request. */
static void
open_daemon(const char *ctl)
{
	struct sockaddr_un me, sun;
	unsigned char req[124];
	uint32_t v;
	struct timeval tv;
	int pid = getpid();
	ssize_t n;

	memset(&me, 0xa5, sizeof(me)); /* the garbage UML leaves in the name */
	me.sun_family = AF_UNIX;
	me.sun_path[0] = '\0';
	gettimeofday(&tv, NULL);
	memcpy(me.sun_path + 4, &pid, sizeof(pid));
	memcpy(me.sun_path + 8, &tv.tv_usec, sizeof(int));
	if ((dfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(dfd, (struct sockaddr *)&me, sizeof(me)) == -1)
		die("daemon socket: %s", strerror(errno));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl);
	if ((ctlfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(ctlfd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("%s: %s", ctl, strerror(errno));
	memset(req, 0x5a, sizeof(req)); /* padding bytes are uninitialised in UML too */
	v = 0xfeedface;
	memcpy(req, &v, 4);
	v = 3;
	memcpy(req + 4, &v, 4);
	v = 0;
	memcpy(req + 8, &v, 4);
	memcpy(req + 12, &me, sizeof(me));
	if (write(ctlfd, req, sizeof(req)) != (ssize_t)sizeof(req))
		die("request: %s", strerror(errno));
	/* UML insists on exactly 110 bytes. */
	n = read(ctlfd, &dpeer, sizeof(dpeer));
	if (n != (ssize_t)sizeof(dpeer))
		die("reply: got %zd bytes, want %zu", n, sizeof(dpeer));
}

/* Starts vde_plug VNL with its stdin and stdout on our pipes. */
static void
open_plug(const char *vnl, const char *descr)
{
	int in[2], out[2];

	if (pipe(in) == -1 || pipe(out) == -1)
		die("pipe: %s", strerror(errno));
	if ((plug_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (plug_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp("vde_plug", "vde_plug", "--descr", descr, vnl, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	plug_in = in[1];
	plug_out = out[0];
}

/* Sends one frame. */
static void
send_frame(const unsigned char *buf, size_t len)
{
	ssize_t n = -1;

	switch (tr) {
	case T_VDE:
		n = vde_send(conn, buf, len, 0);
		break;
	case T_PLUG: {
		unsigned char hdr[2] = {(unsigned char)(len >> 8), (unsigned char)len};

		if (write(plug_in, hdr, 2) == 2)
			n = write(plug_in, buf, len);
		break;
	}
	case T_DAEMON:
		n = sendto(dfd, buf, len, 0, (struct sockaddr *)&dpeer, sizeof(dpeer));
		break;
	}
	if (n != (ssize_t)len)
		die("send %zu bytes: %s", len, n < 0 ? strerror(errno) : "short");
}

/* Receives one frame within the deadline; returns its length. */
static ssize_t
recv_frame(unsigned char *buf, size_t size, int ms)
{
	struct pollfd pfd = {.events = POLLIN};
	unsigned char hdr[2];
	size_t len;

	pfd.fd = tr == T_VDE ? vde_datafd(conn) : tr == T_PLUG ? plug_out : dfd;
	if (poll(&pfd, 1, ms) != 1)
		die("no frame within %d ms", ms);
	switch (tr) {
	case T_VDE:
		return vde_recv(conn, buf, size, 0);
	case T_PLUG:
		if (read_full(plug_out, hdr, 2) == -1)
			die("vde_plug ended");
		len = ((size_t)hdr[0] << 8) | hdr[1];
		if (len > size || read_full(plug_out, buf, len) == -1)
			die("vde_plug stream broken");
		return (ssize_t)len;
	case T_DAEMON:
		return recv(dfd, buf, size, 0);
	}
	return -1;
}

/* Builds a test frame of len bytes with the next sequence number. */
static void
make_frame(unsigned char *buf, size_t len, int type)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seq + i);
	if (len >= 14) {
		memset(buf, 0xff, 6);
		buf[6] = 0x02;
		memset(buf + 7, 0, 3);
		buf[10] = (unsigned char)(my_id >> 8);
		buf[11] = (unsigned char)my_id;
		buf[12] = (unsigned char)(type >> 8);
		buf[13] = (unsigned char)type;
	}
	if (len >= 18) {
		buf[14] = (unsigned char)(seq >> 24);
		buf[15] = (unsigned char)(seq >> 16);
		buf[16] = (unsigned char)(seq >> 8);
		buf[17] = (unsigned char)seq;
	}
	seq++;
}

/* Checks and reports one received frame; returns 1 for another client's marker. */
static int
report_frame(const unsigned char *buf, size_t len)
{
	unsigned int from, type, s = 0;
	size_t i;
	int ok = 1;

	if (len < 14) {
		printf("frame %zu ? ? runt\n", len);
		return 0;
	}
	from = ((unsigned int)buf[10] << 8) | buf[11];
	type = ((unsigned int)buf[12] << 8) | buf[13];
	if (type == ETH_MARKER && from != my_id)
		return 1;
	if (len >= 18) {
		s = ((unsigned int)buf[14] << 24) | ((unsigned int)buf[15] << 16) |
		    ((unsigned int)buf[16] << 8) | buf[17];
		for (i = 18; i < len; i++) {
			if (buf[i] != (unsigned char)(s + i))
				ok = 0;
		}
	}
	printf("frame %zu %u %u %s%s\n", len, from, s, ok ? "ok" : "corrupt",
	       type == ETH_MARKER ? " marker" : "");
	return 0;
}

/* Nanoseconds on the monotonic clock (shared by all processes). */
static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* FNV-1a: any flipped bit changes it. */
static uint32_t
fnv(const unsigned char *p, size_t len)
{
	uint32_t h = 2166136261U;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619U;
	return h;
}

/* Sends n stamped frames: header, seq at 14, send time at 18, pattern, FNV
 * of everything before the last 4 bytes in them. */
static void
stamp(size_t size, unsigned long n, unsigned long gap_us)
{
	static unsigned char buf[BUFSZ];
	uint64_t t0 = now_ns();

	for (unsigned long k = 0; k < n; k++) {
		uint64_t at = t0 + (uint64_t)k * gap_us * 1000, t;
		uint32_t h;

		if (gap_us > 0) {
			struct timespec ts = {(time_t)(at / 1000000000ULL),
			                      (long)(at % 1000000000ULL)};

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		make_frame(buf, size, ETH_STAMP);
		t = now_ns();
		memcpy(buf + 18, &t, 8);
		h = fnv(buf, size - 4);
		memcpy(buf + size - 4, &h, 4);
		send_frame(buf, size);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Receives stamped frames and prints what arrived and how late. */
static void
measure(unsigned long want, int idle_ms)
{
	static unsigned char buf[BUFSZ], seen[STAMP_MAX];
	uint64_t *lat = calloc(want * 2 + 1, sizeof(*lat)), first = 0, last = 0, bytes = 0;
	unsigned long got = 0, corrupt = 0, dups = 0, reordered = 0, nlat = 0, gaps = 0;
	uint32_t maxseq = 0, s, h;
	struct pollfd pfd = {.events = POLLIN};

	pfd.fd = tr == T_VDE ? vde_datafd(conn) : tr == T_PLUG ? plug_out : dfd;
	while (got < want) {
		ssize_t n;
		uint64_t t;

		if (poll(&pfd, 1, got + corrupt == 0 ? timeout_ms : idle_ms) != 1)
			break;
		if ((n = recv_frame(buf, sizeof(buf), timeout_ms)) < 0)
			die("recv: %s", strerror(errno));
		t = now_ns();
		if (first == 0)
			first = t;
		last = t;
		bytes += (uint64_t)n;
		if (n >= 30)
			memcpy(&h, buf + n - 4, 4);
		if (n < 30 || buf[12] != (ETH_STAMP >> 8) || buf[13] != (ETH_STAMP & 0xff) ||
		    fnv(buf, (size_t)n - 4) != h) {
			corrupt++;
			continue;
		}
		s = ((uint32_t)buf[14] << 24) | ((uint32_t)buf[15] << 16) |
		    ((uint32_t)buf[16] << 8) | buf[17];
		if (s >= STAMP_MAX || seen[s]) {
			dups++;
			continue;
		}
		seen[s] = 1;
		if (got > 0 && s < maxseq)
			reordered++;
		if (s > maxseq)
			maxseq = s;
		memcpy(&t, buf + 18, 8);
		lat[nlat++] = (last - t) / 1000;
		got++;
	}
	/* Runs of missing frames before the last one seen: losses in a row. */
	for (s = 0; s < maxseq; s++) {
		if (!seen[s] && (s == 0 || seen[s - 1]))
			gaps++;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("received %lu corrupt %lu dups %lu reordered %lu gaps %lu median_us %llu p10_us "
	       "%llu "
	       "p90_us %llu bytes %llu span_us %llu\n",
	       got, corrupt, dups, reordered, gaps, nlat ? (unsigned long long)lat[nlat / 2] : 0ULL,
	       nlat ? (unsigned long long)lat[nlat / 10] : 0ULL,
	       nlat ? (unsigned long long)lat[nlat * 9 / 10] : 0ULL, (unsigned long long)bytes,
	       (unsigned long long)((last - first) / 1000));
	free(lat);
}

/* Sends one malformed request and tells whether the hub rejected it. */
static int
bad_request(const char *kind, const char *ctl)
{
	unsigned char req[512];
	struct sockaddr_un me, sun;
	struct pollfd pfd = {.events = POLLIN};
	size_t len = 122 + 9;
	uint32_t v;
	char reply[128];
	ssize_t n;
	int fd, s;

	/* A real client socket, so that only the field under test is wrong. */
	memset(&me, 0, sizeof(me));
	me.sun_family = AF_UNIX;
	snprintf(me.sun_path, sizeof(me.sun_path), "/tmp/.vdeclient-%d", (int)getpid());
	unlink(me.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1)
		die("client socket: %s", strerror(errno));
	memset(req, 0, sizeof(req));
	v = 0xfeedface;
	memcpy(req, &v, 4);
	v = 3;
	memcpy(req + 4, &v, 4);
	memcpy(req + 12, &me, sizeof(me));
	memcpy(req + 122, "badclient", 9);
	if (strcmp(kind, "short") == 0) {
		len = 60;
	} else if (strcmp(kind, "magic") == 0) {
		v = 0xdeadbeef;
		memcpy(req, &v, 4);
	} else if (strcmp(kind, "version") == 0) {
		v = 2;
		memcpy(req + 4, &v, 4);
	} else if (strcmp(kind, "type") == 0) {
		v = 7;
		memcpy(req + 8, &v, 4);
	} else if (strcmp(kind, "port") == 0) {
		v = 5000U << 8;
		memcpy(req + 8, &v, 4);
	} else if (strcmp(kind, "descr") == 0) {
		memset(req + 122, 'x', 200);
		len = 122 + 200;
	} else if (strcmp(kind, "family") == 0) {
		req[12] = 2; /* AF_INET */
	} else if (strcmp(kind, "relative") == 0) {
		memcpy(req + 14, "relative/sock", 14);
	} else if (strcmp(kind, "unterminated") == 0) {
		memset(req + 14, 'A', 108);
	} else if (strcmp(kind, "unreachable") == 0) {
		memset(req + 14, 0, 108);
		memcpy(req + 14, "/nonexistent/sock", 17);
	} else {
		die("unknown bad request %s", kind);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("%s: %s", ctl, strerror(errno));
	if (write(s, req, len) != (ssize_t)len)
		die("write: %s", strerror(errno));
	pfd.fd = s;
	if (poll(&pfd, 1, timeout_ms) != 1)
		die("%s: no answer within %d ms", kind, timeout_ms);
	n = read(s, reply, sizeof(reply));
	unlink(me.sun_path);
	close(fd);
	close(s);
	printf("%s %s\n", kind, n == 0 ? "rejected" : "accepted");
	return n == 0 ? 0 : 1;
}

/* Opens the transport, then runs the actions in order. */
int
main(int argc, char **argv)
{
	static unsigned char buf[BUFSZ];
	const char *descr = "vdeclient", *t;
	int c, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt(argc, argv, "+D:i:t:")) != -1) {
		switch (c) {
		case 'D':
			descr = optarg;
			break;
		case 'i':
			my_id = (unsigned int)atoi(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg) * 1000;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		die("usage: vdeclient [-D descr] [-i id] [-t secs] TRANSPORT ACTION...");
	t = argv[optind++];
	if (strcmp(t, "badreq") == 0) {
		if (optind + 2 != argc)
			die("usage: vdeclient badreq KIND CTL");
		return bad_request(argv[optind], argv[optind + 1]);
	}
	if (strncmp(t, "vde:", 4) == 0) {
		tr = T_VDE;
		if ((conn = vde_open((char *)t + 4, (char *)descr, NULL)) == NULL)
			die("vde_open %s: %s", t + 4, strerror(errno));
	} else if (strncmp(t, "plug:", 5) == 0) {
		tr = T_PLUG;
		open_plug(t + 5, descr);
	} else if (strncmp(t, "daemon:", 7) == 0) {
		tr = T_DAEMON;
		open_daemon(t + 7);
	} else {
		die("unknown transport %s", t);
	}

	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "ready") == 0) {
			printf("ready\n");
		} else if (strcmp(argv[i], "send") == 0 && i + 1 < argc) {
			size_t size = strtoul(argv[++i], NULL, 10);
			unsigned long n = 1, k;

			if (i + 1 < argc &&
			    strspn(argv[i + 1], "0123456789") == strlen(argv[i + 1]))
				n = strtoul(argv[++i], NULL, 10);
			if (size > VDE_ETHBUFSIZE)
				die("frame too large");
			for (k = 0; k < n; k++) {
				make_frame(buf, size, ETH_TEST);
				send_frame(buf, size);
			}
		} else if (strcmp(argv[i], "marker") == 0) {
			make_frame(buf, 60, ETH_MARKER);
			send_frame(buf, 60);
		} else if (strcmp(argv[i], "recv-until-marker") == 0) {
			ssize_t n;

			do
				n = recv_frame(buf, sizeof(buf), timeout_ms);
			while (n >= 0 && report_frame(buf, (size_t)n) == 0);
			if (n < 0)
				die("recv: %s", strerror(errno));
			printf("marker\n");
		} else if (strcmp(argv[i], "stamp") == 0 && i + 3 < argc) {
			size_t size = strtoul(argv[i + 1], NULL, 10);

			if (size < 30 || size > VDE_ETHBUFSIZE)
				die("stamp: size must be 30 to %d", VDE_ETHBUFSIZE);
			stamp(size, strtoul(argv[i + 2], NULL, 10), strtoul(argv[i + 3], NULL, 10));
			i += 3;
		} else if (strcmp(argv[i], "measure") == 0 && i + 2 < argc) {
			measure(strtoul(argv[i + 1], NULL, 10), atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(argv[i], "wait-line") == 0) {
			char ch;

			while (read(0, &ch, 1) == 1 && ch != '\n')
				;
		} else if (strcmp(argv[i], "wait-stdin") == 0) {
			while (read(0, buf, sizeof(buf)) > 0)
				;
		} else {
			die("unknown action %s", argv[i]);
		}
	}
	if (tr == T_VDE)
		vde_close(conn);
	if (tr == T_PLUG) {
		close(plug_in);
		close(plug_out);
		kill(plug_pid, SIGTERM);
		waitpid(plug_pid, NULL, 0);
	}
	return 0;
}
