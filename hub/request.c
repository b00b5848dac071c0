/*
 * hub/request.c: parse and validate one VDE2 control request (version 3).
 *
 * A pure function over a buffer, shared by the daemon (hub/ctl.c), the unit
 * test and the fuzz target.  Layout, in host byte order: magic (4), version
 * (4), type (4: kind in the low byte, port above it), a 110-byte
 * struct sockaddr_un, then up to 128 bytes of description without a NUL.
 * UML's eth=daemon transport sends 124 bytes: an unpacked struct whose two
 * padding bytes are uninitialised, and an abstract address whose tail is
 * garbage; the address is therefore kept verbatim, all 110 bytes.
 */
#include <string.h>
#include <sys/socket.h>

#include "hub.h"

/* Reads a host-order 32-bit field at offset off, whatever its alignment. */
static uint32_t
get_u32(const unsigned char *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* Copies the description, keeping printable ASCII and stopping at a NUL. */
static void
copy_descr(char *dst, const unsigned char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len && src[i] != '\0'; i++) {
		/* Descriptions reach JSON and terminals: nothing but plain ASCII. */
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	}
	dst[i] = '\0';
}

/* Parses one control request of len bytes; on failure sets *why to a static reason. */
int
hub_request_parse(const void *buf, size_t len, struct hub_request *req, const char **why)
{
	const unsigned char *p = buf;
	uint32_t type;
	uint16_t family;
	const char *path;

	if (len < HUB_REQ_MIN) {
		*why = "short request";
		return -1;
	}
	if (len > HUB_REQ_MAX) {
		*why = "description too long";
		return -1;
	}
	if (get_u32(p, 0) != HUB_SWITCH_MAGIC) {
		*why = "bad magic";
		return -1;
	}
	if (get_u32(p, 4) != HUB_SWITCH_VER) {
		*why = "unsupported protocol version";
		return -1;
	}
	type = get_u32(p, 8);
	if ((type & 0xff) != HUB_REQ_NEW_CTL && (type & 0xff) != HUB_REQ_NEW_PORT0) {
		*why = "unknown request type";
		return -1;
	}
	if ((type >> 8) >= HUB_PORTS_MAX) {
		*why = "port out of range";
		return -1;
	}
	if ((type & 0xff) == HUB_REQ_NEW_PORT0 && (type >> 8) != 0) {
		*why = "port 0 request names another port";
		return -1;
	}
	memcpy(&family, p + HUB_REQ_HDR, sizeof(family));
	if (family != AF_UNIX) {
		*why = "client address is not AF_UNIX";
		return -1;
	}

	memset(req, 0, sizeof(*req));
	memcpy(&req->addr, p + HUB_REQ_HDR, HUB_SUN_LEN);
	req->kind = type & 0xff;
	req->port = type >> 8;
	path = req->addr.sun_path;
	req->abstract = path[0] == '\0';
	if (!req->abstract) {
		if (memchr(path, '\0', sizeof(req->addr.sun_path)) == NULL) {
			*why = "client path not terminated";
			return -1;
		}
		if (path[0] != '/') {
			*why = "client path not absolute";
			return -1;
		}
	}
	/* UML daemon requests carry padding, not a description. */
	if (req->abstract && len == HUB_REQ_DAEMON)
		req->descr[0] = '\0';
	else
		copy_descr(req->descr, p + HUB_REQ_MIN, len - HUB_REQ_MIN);
	return 0;
}
