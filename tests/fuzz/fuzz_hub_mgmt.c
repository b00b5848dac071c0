/*
 * tests/fuzz/fuzz_hub_mgmt.c: libFuzzer target for the hub's management
 * protocol (DIR/mgmt, hub/mgmt.c), which reads command lines from any local
 * client. hub/mgmt.c is compiled into this file (its parser is static) and
 * driven as the daemon drives it: one connection on a socketpair, the input
 * fed to its read callback in chunks, with frames and join/leave events
 * arriving between chunks so that capture and event streams are exercised.
 * hub/link.c is linked in whole: "link ..." and "partition ..." change the
 * real link state.
 * Checks: no memory error, the partial line never outgrows its buffer, and
 * until a stream starts every reply is a line "ok", or starting "ok ",
 * "error " or "{" (stats, impair or link JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../hub/mgmt.c"

/* The impairment engine is not part of this target: the mgmt parser's
 * "impair" requests reach this stand-in, which only parses the spec. */
int
hub__impair_set(struct hub *hub, int port, const char *spec, char *why, size_t whylen)
{
	struct hub_impair im;

	(void)hub;
	(void)port;
	return hub_impair_parse(spec, &im, why, whylen);
}

/* Nor are the queues: a link going down would empty them. */
void
hub__port_discard(struct hub_port *p)
{
	(void)p;
}

void
hub__impair_discard(struct hub_port *p)
{
	(void)p;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* The socket binding is dir.c's business, never reached here. */
int
hub__dir_bind(struct hub *hub, uv_pipe_t *srv, const char *name, struct hub_err *err)
{
	(void)hub, (void)srv, (void)name, (void)err;
	abort();
}

static uv_loop_t loop;
static struct hub hub;
static struct hub_port port;
static unsigned char frame[60];
static char out[1 << 20];
static size_t outlen;

/* Reads what the hub wrote so far. */
static void
drain(int fd)
{
	ssize_t n;

	while ((n = read(fd, out + outlen, sizeof(out) - outlen)) > 0) {
		outlen += (size_t)n;
		if (outlen == sizeof(out))
			outlen = 0; /* only the beginning is checked; keep reading */
	}
}

/* Every reply before a stream starts is one well-formed line. */
static void
check_replies(void)
{
	size_t i = 0;

	while (i < outlen) {
		const char *nl = memchr(out + i, '\n', outlen - i);

		if (out[i] == (char)0xd4 ||
		    (outlen - i >= 10 && memcmp(out + i, "ok events\n", 10) == 0))
			return; /* a pcap or event stream: binary or join/leave lines follow */
		if (nl == NULL)
			return; /* cut short by the close */
		if (strncmp(out + i, "ok ", 3) != 0 && strncmp(out + i, "ok\n", 3) != 0 &&
		    strncmp(out + i, "error ", 6) != 0 && out[i] != '{')
			abort();
		i = (size_t)(nl - out) + 1;
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	static int once;
	struct hub_mgmt *m;
	struct hub_rx rx;
	size_t off = 0, step;
	int sv[2];

	if (!once) {
		once = 1;
		uv_loop_init(&loop);
		hub.loop = &loop;
		hub.dirfd = -1;
		snprintf(hub.dir, sizeof(hub.dir), "/fuzz/hub");
		port.hub = &hub;
		port.port = 1;
		port.joined = 1;
		snprintf(port.descr, sizeof(port.descr), "fuzz client");
		hub.byport[1] = &port;
		memset(frame, 0xff, 12);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	m = xcalloc(1, sizeof(*m));
	m->hub = &hub;
	uv_pipe_init(&loop, &m->pipe, 0);
	m->pipe.data = m;
	if (uv_pipe_open(&m->pipe, sv[0]) != 0)
		abort();
	hub.mgmts = m;
	outlen = 0;
	/* The first byte sets the chunk size, as reads may split lines anywhere. */
	step = len > 0 ? 1 + data[0] % 97 : 1;
	if (len > 0)
		off = 1;
	while (off < len && hub.mgmts == m && !m->closing) {
		size_t n = len - off < step ? len - off : step;

		memcpy(mgmt_buf, data + off, n);
		uv_buf_t buf = uv_buf_init(mgmt_buf, (unsigned int)n);
		mgmt_read((uv_stream_t *)&m->pipe, (ssize_t)n, &buf);
		off += n;
		if (m->linelen >= sizeof(m->line))
			abort();
		/* Traffic between reads, as the hub forwards it. */
		rx = (struct hub_rx){.data = frame, .len = sizeof(frame)};
		hub__mgmt_capture(&hub, &rx);
		if (off % 3 == 0)
			hub__mgmt_event(&hub, off % 2 ? "join" : "leave", &port);
		uv_run(&loop, UV_RUN_NOWAIT);
		drain(sv[1]);
	}
	if (hub.mgmts == m && !m->closing) {
		/* The client goes away. */
		uv_buf_t buf = uv_buf_init(mgmt_buf, 0);
		mgmt_read((uv_stream_t *)&m->pipe, UV_EOF, &buf);
	}
	uv_run(&loop, UV_RUN_NOWAIT);
	drain(sv[1]);
	hub__mgmt_stop(&hub);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (hub.mgmts != NULL || hub.ncaptures != 0)
		abort();
	close(sv[1]);
	check_replies();
	return 0;
}
