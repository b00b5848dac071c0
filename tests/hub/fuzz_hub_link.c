/*
 * tests/hub/fuzz_hub_link.c: libFuzzer target for the link-state parsers
 * (hub/link-spec.c), which read lines from the mgmt socket and the command
 * line.  Besides memory errors it checks the parsers' promises: an accepted
 * partition has groups 1..ngroups (each holding a port, at most
 * HUB_GROUPS_MAX, port 0 in none) and prints as text that parses back to
 * exactly the same partition; a refused one comes with a reason and leaves
 * the old partition alone; an accepted port is 1 to 1023.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

/* Checks that every group number is in range and used. */
static void
check_groups(const struct hub_partition *pt)
{
	unsigned int used[HUB_GROUPS_MAX + 1] = {0};

	if (pt->ngroups > HUB_GROUPS_MAX || pt->group[0] != 0)
		abort();
	for (unsigned int i = 1; i < HUB_PORTS_MAX; i++) {
		if (pt->group[i] > pt->ngroups)
			abort();
		used[pt->group[i]]++;
	}
	for (unsigned int g = 1; g <= pt->ngroups; g++) {
		if (used[g] == 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	static struct hub_partition a, b, old;
	static char text[HUB_PARTITION_TEXT_MAX];
	char *s, why[128] = "", num[16];
	unsigned int port, again;

	if (len > 8192)
		return 0;
	s = malloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	if (hub_port_parse(s, &port) == 0) {
		if (port == 0 || port >= HUB_PORTS_MAX)
			abort();
		snprintf(num, sizeof(num), "%u", port);
		if (hub_port_parse(num, &again) == -1 || again != port)
			abort();
	}
	memset(&a, 0x5a, sizeof(a));
	old = a;
	if (hub_partition_parse(s, &a, why, sizeof(why)) == -1) {
		if (why[0] == '\0' || memcmp(&a, &old, sizeof(a)) != 0)
			abort();
		free(s);
		return 0;
	}
	check_groups(&a);
	hub_partition_format(&a, text, sizeof(text));
	if (strlen(text) + strlen("partition ") > HUB_MGMT_LINE_MAX)
		abort(); /* every partition must fit in one command line */
	if (hub_partition_parse(text, &b, why, sizeof(why)) == -1 || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	free(s);
	return 0;
}
