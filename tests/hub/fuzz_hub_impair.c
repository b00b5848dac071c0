/*
 * tests/hub/fuzz_hub_impair.c: libFuzzer target for the impairment spec
 * parser (hub/impair-spec.c), which reads lines from the mgmt socket.
 * Besides memory errors it checks the parser's promise: an accepted spec
 * prints as text that parses back to exactly the same impairments, and a
 * refused one comes with a reason.
 */
#include <stdlib.h>
#include <string.h>

#include "hub.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* Parses one input as a NUL-terminated line; checks the round trip. */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct hub_impair a, b;
	char *s, why[256] = "", text[HUB_SPEC_MAX];

	if (len > 1024)
		return 0;
	s = malloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	if (hub_impair_parse(s, &a, why, sizeof(why)) == -1) {
		if (why[0] == '\0')
			abort();
		free(s);
		return 0;
	}
	hub_impair_format(&a, text, sizeof(text));
	if (hub_impair_parse(text, &b, why, sizeof(why)) == -1 || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	free(s);
	return 0;
}
