/*
 * tests/fuzz/fuzz_lexec.c: libFuzzer target for lexec's frame decoding
 * (share/guest/agent-proto.h) on the host, where the bytes come from a
 * guest's root (the serial line) or any caller of the bridge socket.
 * lexec/bridge.c and lexec/client.c are compiled into this file
 * (their decoders are static and work on globals) and driven as in the
 * running processes: the bridge's parser of the guest's line with two open
 * calls, the bridge's reader of a caller's socket, and lexec's whole call
 * loop (rt_agent_run) reading the input from its bridge socket. The first
 * byte chooses the chunk size and whether frame checksums are fixed up
 * first, so that the fuzzer reaches past the CRC. Checks: no memory error,
 * ap_parse's promises, and every frame the bridge queues re-parses as a
 * valid frame of an allowed type and channel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* Output meant for lexec's stdout and stderr goes nowhere. */
static ssize_t
fuzz_write(int fd, const void *buf, size_t n)
{
	return fd == 1 || fd == 2 ? (ssize_t)n : write(fd, buf, n);
}
#define write fuzz_write
#include "../../lexec/bridge.c"
#include "../../lexec/client.c"
#undef write

#include <sys/socket.h>

/* ap_parse's promises for one position of a buffer. */
static long
parse_checked(const uint8_t *b, size_t n, uint32_t max, struct ap_hdr *h)
{
	long r = ap_parse(b, n, max, h);

	if (r > 0 && ((size_t)r > n || (size_t)r != AP_HDR_LEN + h->len || h->len > max ||
	              h->type == 0 || h->type > AP_TYPE_MAX))
		abort();
	if (r < 0) {
		size_t s = ap_skip(b, n);

		if (n > 0 && (s == 0 || s > n || (s < n && b[s] != AP_MAGIC0)))
			abort();
	}
	return r;
}

/* Every byte of q is whole valid frames; each type passes ok(), each channel chan (0: any). */
static void
check_queue(const struct bq *q, uint32_t max, bool (*ok)(uint8_t), uint32_t chan)
{
	size_t off = q->off;
	struct ap_hdr h;

	while (off < q->len) {
		long n = parse_checked(q->buf + off, q->len - off, max, &h);

		/* The bridge's own padding of zeros before its RESET is no frame. */
		if (n <= 0 || !ok(h.type) || (chan != 0 && h.chan != chan))
			abort();
		off += (size_t)n;
	}
}

static bool
any_type(uint8_t t)
{
	return t >= 1 && t <= AP_TYPE_MAX;
}

/* Recomputes the checksum of every plausible frame, so the decoders get past it. */
static void
fix_crcs(uint8_t *b, size_t n, uint32_t max)
{
	size_t off = 0;

	while (off + AP_HDR_LEN <= n) {
		uint32_t len = ap_get32(b + off + 8);

		if (b[off] == AP_MAGIC0 && len <= max && off + AP_HDR_LEN + len <= n) {
			b[off + 1] = AP_MAGIC1;
			b[off + 3] = 0;
			if (b[off + 2] == 0 || b[off + 2] > AP_TYPE_MAX)
				b[off + 2] = (uint8_t)(1 + b[off + 2] % AP_TYPE_MAX);
			ap_put32(b + off + 12,
			         ap_crc32(ap_crc32(0, b + off, 12), b + off + AP_HDR_LEN, len));
			off += AP_HDR_LEN + len;
		} else {
			off++;
		}
	}
}

/* The bridge reading the guest's line, two calls open. */
static void
bridge_guest(const uint8_t *b, size_t n, size_t step)
{
	struct client cs[2] = {{.fd = -1, .chan = 1, .opened = true},
	                       {.fd = -1, .chan = 2, .opened = true}};
	size_t off = 0;

	clients[0] = &cs[0];
	clients[1] = &cs[1];
	ready = false;
	credit = AP_LINK_WINDOW;
	nonce = 0x12345678;
	glen = 0;
	while (off < n) {
		size_t k = sizeof(gbuf) - glen;

		k = k < step ? k : step;
		k = k < n - off ? k : n - off;
		memcpy(gbuf + glen, b + off, k);
		glen += k;
		off += k;
		parse_guest();
		if (glen >= sizeof(gbuf) || credit > AP_LINK_WINDOW)
			abort();
	}
	for (int i = 0; i < 2; i++) {
		check_queue(&cs[i].out, AP_MAX_FROM_GUEST, any_type, cs[i].chan);
		free(cs[i].out.buf);
		clients[i] = NULL;
	}
}

/* The bridge reading one caller's socket. */
static void
bridge_client(const uint8_t *b, size_t n, size_t step)
{
	struct client c = {.chan = 7};
	size_t off = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		abort();
	c.fd = sv[0];
	while (off < n) {
		size_t k = step < n - off ? step : n - off;

		if (fuzz_write(sv[1], b + off, k) != (ssize_t)k)
			abort();
		off += k;
		if (!from_client(&c))
			break;
		if (c.inlen >= sizeof(c.in))
			abort();
	}
	check_queue(&line, AP_MAX_TO_GUEST, client_type_ok, c.chan);
	close(sv[0]);
	close(sv[1]);
	free(line.buf);
	line = (struct bq){0};
}

/* lexec's call loop, its bridge being the input. */
static void
client_run(const uint8_t *b, size_t n)
{
	char *argv[] = {"true", NULL}, *err = NULL;
	struct rt_agent_call c = {.argv = argv, .stdin_null = true};
	int sv[2], status = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		abort();
	if (n > 0 && fuzz_write(sv[1], b, n) != (ssize_t)n)
		abort();
	shutdown(sv[1], SHUT_WR);
	rt_agent_run(sv[0], &c, &status, &err);
	free(err);
	close(sv[0]);
	close(sv[1]);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	size_t n = len > 0 ? len - 1 : 0, step;
	uint8_t *b;

	if (len == 0 || len > 65536)
		return 0;
	step = 1 + (size_t)(data[0] >> 1) * 97;
	b = malloc(n + 1);
	memcpy(b, data + 1, n);
	/* The decoders' own resynchronisation, as parse_guest does it. */
	for (size_t off = 0; off < n;) {
		struct ap_hdr h;
		long r = parse_checked(b + off, n - off, AP_MAX_FROM_GUEST, &h);

		if (r == 0)
			break;
		off += r > 0 ? (size_t)r : ap_skip(b + off, n - off);
	}
	if (data[0] & 1)
		fix_crcs(b, n, AP_MAX_FROM_GUEST);
	bridge_guest(b, n, step);
	client_run(b, n);
	if (data[0] & 1) {
		memcpy(b, data + 1, n);
		fix_crcs(b, n, AP_MAX_TO_GUEST);
	}
	bridge_client(b, n, step);
	free(b);
	return 0;
}
