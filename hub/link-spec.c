/*
 * hub/link-spec.c: the text forms of link state, as read from the command
 * line (--port-down, --partition) and the mgmt socket ("link port N ...",
 * "partition ...") and printed in events: port numbers and partitions.
 *
 * A partition is "1,2 3,4,5": groups separated by spaces, ports in a group
 * by commas.  Groups are renumbered by their lowest port so that the same
 * partition written in any order parses to the same struct and prints the
 * same (the fuzz target checks that round trip).
 */
#include <stdio.h>
#include <string.h>

#include "hub.h"

int
hub_port_parse(const char *s, unsigned int *port)
{
	unsigned int v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v >= HUB_PORTS_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = v;
	return 0;
}

/* Renumbers the groups by their lowest port: the first group met going up
 * the ports is 1, the next new one 2, and so on. */
static void
renumber(struct hub_partition *pt)
{
	unsigned char map[HUB_GROUPS_MAX + 1] = {0};
	unsigned int next = 0;

	for (unsigned int i = 1; i < HUB_PORTS_MAX; i++) {
		unsigned char g = pt->group[i];

		if (g != 0 && map[g] == 0)
			map[g] = (unsigned char)++next;
		pt->group[i] = map[g];
	}
}

int
hub_partition_parse(const char *spec, struct hub_partition *pt, char *why, size_t whylen)
{
	struct hub_partition v;
	const char *p = spec;

	memset(&v, 0, sizeof(v));
	if (strnlen(spec, HUB_MGMT_LINE_MAX + 1) > HUB_MGMT_LINE_MAX) {
		snprintf(why, whylen, "partition longer than %u bytes", HUB_MGMT_LINE_MAX);
		return -1;
	}
	p += strspn(p, " ");
	if (strncmp(p, "none", 4) == 0 && p[4 + strspn(p + 4, " ")] == '\0') {
		*pt = v;
		return 0;
	}
	if (*p == '\0') {
		snprintf(why, whylen, "no groups: give groups like 1,2 3,4 or none");
		return -1;
	}
	while (*p != '\0') {
		if (v.ngroups == HUB_GROUPS_MAX) {
			snprintf(why, whylen, "more than %u groups", HUB_GROUPS_MAX);
			return -1;
		}
		v.ngroups++;
		for (;;) {
			size_t len = strcspn(p, ", ");
			char num[8];
			unsigned int port;

			if (len == 0) {
				snprintf(why, whylen, "group %u has an empty port (a stray comma)",
				         v.ngroups);
				return -1;
			}
			if (len < sizeof(num)) {
				memcpy(num, p, len);
				num[len] = '\0';
			}
			if (len >= sizeof(num) || hub_port_parse(num, &port) == -1) {
				snprintf(why, whylen, "'%.*s' is not a port from 1 to %u",
				         (int)(len > 20 ? 20 : len), p, HUB_PORTS_MAX - 1);
				return -1;
			}
			if (v.group[port] != 0) {
				snprintf(why, whylen, "port %u given twice", port);
				return -1;
			}
			v.group[port] = (unsigned char)v.ngroups;
			p += len;
			if (*p != ',')
				break;
			p++;
		}
		p += strspn(p, " ");
	}
	renumber(&v);
	*pt = v;
	return 0;
}

void
hub_partition_format(const struct hub_partition *pt, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (pt->ngroups == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned int g = 1; g <= pt->ngroups; g++) {
		const char *sep = g > 1 ? " " : "";

		for (unsigned int i = 1; i < HUB_PORTS_MAX && n < len; i++) {
			int w;

			if (pt->group[i] != g)
				continue;
			w = snprintf(buf + n, len - n, "%s%u", sep, i);
			if (w < 0 || (size_t)w >= len - n) {
				buf[n] = '\0'; /* never a half-printed port */
				return;
			}
			n += (size_t)w;
			sep = ",";
		}
	}
}
