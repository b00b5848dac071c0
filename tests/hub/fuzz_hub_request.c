/*
 * tests/hub/fuzz_hub_request.c: libFuzzer target for the hub's control
 * request parser (hub/request.c), which reads bytes from any local client.
 * Besides memory errors it checks the parser's promises: accepted requests
 * have a known kind, a port in range, an absolute terminated path or an
 * abstract address, and a printable description of at most 128 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "hub.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* Feeds one input to the parser and checks what it accepted. */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct hub_request req;
	const char *why = NULL;
	size_t i, n;

	if (hub_request_parse(data, len, &req, &why) == -1) {
		if (why == NULL || why[0] == '\0')
			abort();
		return 0;
	}
	if (len < HUB_REQ_MIN || len > HUB_REQ_MAX)
		abort();
	if (req.kind != HUB_REQ_NEW_CTL && req.kind != HUB_REQ_NEW_PORT0)
		abort();
	if (req.port >= HUB_PORTS_MAX)
		abort();
	if (!req.abstract && (req.addr.sun_path[0] != '/' ||
	                      memchr(req.addr.sun_path, '\0', sizeof(req.addr.sun_path)) == NULL))
		abort();
	n = strnlen(req.descr, sizeof(req.descr));
	if (n > HUB_DESCR_MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (req.descr[i] < 0x20 || req.descr[i] > 0x7e)
			abort();
	}
	return 0;
}
