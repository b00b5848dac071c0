/* The lexec wire format, shared by the guest agent (share/guest/agent.c) and
 * the host side (src/agent-*.c): frames with a checksummed header so a reader
 * can find the next frame after garbage (a peer that died mid-frame). See
 * share/doc/lexec-protocol.md. Header-only: the guest agent is built on its
 * own by umlab-mkfs, the host side includes it from the source tree. */
#ifndef UMLAB_AGENT_PROTO_H
#define UMLAB_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AP_MAGIC0  0xA7
#define AP_MAGIC1  0x4C
#define AP_HDR_LEN 16
#define AP_VERSION 1

/* Largest payload towards the guest (its serial input is slow and small). */
#define AP_MAX_TO_GUEST 4096
/* Largest payload from the guest. */
#define AP_MAX_FROM_GUEST 16384
/* Unacknowledged bytes the host may have on the serial line: less than half
 * the guest tty's 4 KiB receive buffer, so the line is never throttled. */
#define AP_LINK_WINDOW 1536
/* Per-channel credit, in both directions, before a WINDOW frame. */
#define AP_CHAN_WINDOW 65536

/* The guest's end of the line. */
#define AP_GUEST_TTY "/dev/ttyS1"

enum ap_type {
	AP_HELLO = 1,     /* g->h chan 0: u32 nonce (0: unsolicited), then text */
	AP_RESET = 2,     /* h->g chan 0: u32 nonce; close every channel */
	AP_ACK = 3,       /* g->h chan 0: u32 bytes read from the line */
	AP_OPEN = 4,      /* h->g: strings "A<arg>", "E<k=v>", "C<dir>", "N" */
	AP_STDIN = 5,     /* h->g: data for the command's stdin */
	AP_STDIN_EOF = 6, /* h->g: close the command's stdin */
	AP_STDOUT = 7,    /* g->h: data */
	AP_STDERR = 8,    /* g->h: data */
	AP_WINDOW = 9,    /* both: u32 more bytes the peer may send on this channel */
	AP_SIGNAL = 10,   /* h->g: u32 signal for the command's process group */
	AP_EXIT = 11,     /* g->h: u32 status (0..255, 128+signal), u32 signal; channel done */
	AP_CLOSE = 12,    /* h->g: forget the channel, killing its processes; */
	                  /* g->h and bridge->client: channel failed, text reason */
	AP_OPENED = 13,   /* g->h: u32 pid of the started command */
	AP_TYPE_MAX = 13,
};

struct ap_hdr {
	uint8_t type;
	uint32_t chan;
	uint32_t len;
};

static inline void
ap_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t
ap_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 (IEEE, reflected), bitwise: frames are small and this keeps the
 * header free of tables. */
static inline uint32_t
ap_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Write a frame header for payload into out[AP_HDR_LEN]. Layout: magic (2),
 * type (1), zero (1), chan (4), length (4), CRC-32 of the first 12 bytes
 * and the payload, folded with the length so header and body agree (4). */
static inline void
ap_hdr_pack(uint8_t *out, uint8_t type, uint32_t chan, const void *payload, uint32_t len)
{
	out[0] = AP_MAGIC0;
	out[1] = AP_MAGIC1;
	out[2] = type;
	out[3] = 0;
	ap_put32(out + 4, chan);
	ap_put32(out + 8, len);
	uint32_t crc = ap_crc32(0, out, 12);
	ap_put32(out + 12, ap_crc32(crc, payload, len));
}

/* Look for a whole valid frame at the start of buf (n bytes). Returns the
 * frame's total length with *h filled; 0 when more bytes are needed; -1 when
 * buf does not start a valid frame (the caller drops one byte and retries).
 * max is the largest payload this reader accepts. */
static inline long
ap_parse(const uint8_t *buf, size_t n, uint32_t max, struct ap_hdr *h)
{
	if (n >= 1 && buf[0] != AP_MAGIC0)
		return -1;
	if (n >= 2 && buf[1] != AP_MAGIC1)
		return -1;
	if (n >= 3 && (buf[2] == 0 || buf[2] > AP_TYPE_MAX))
		return -1;
	if (n >= 4 && buf[3] != 0)
		return -1;
	if (n < 12)
		return 0;
	uint32_t len = ap_get32(buf + 8);
	if (len > max)
		return -1;
	if (n < AP_HDR_LEN + (size_t)len)
		return 0;
	uint32_t crc = ap_crc32(ap_crc32(0, buf, 12), buf + AP_HDR_LEN, len);
	if (crc != ap_get32(buf + 12))
		return -1;
	h->type = buf[2];
	h->chan = ap_get32(buf + 4);
	h->len = len;
	return AP_HDR_LEN + (long)len;
}

/* Drop garbage from the start of buf: the index of the first byte that may
 * start a frame (a magic byte), or n. */
static inline size_t
ap_skip(const uint8_t *buf, size_t n)
{
	const void *p = memchr(buf + 1, AP_MAGIC0, n > 0 ? n - 1 : 0);
	return p ? (size_t)((const uint8_t *)p - buf) : n;
}

#endif
