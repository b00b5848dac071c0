/*
 * hub/link.c: link state, the hub's cable-pulling: a port's link down (no
 * frame from it is taken in, none is delivered to it), the whole domain
 * down (nothing is forwarded), and a partition of the ports into groups
 * that do not hear each other.  The mgmt commands "link ..." and
 * "partition ..." land here; every change is an event line.
 *
 * The forwarding path pays for this only with flag checks: port.c drops
 * frames from a down port (or any port while the domain is down) before
 * they are counted as received or captured, and fwd.c compares each
 * destination's down flag and group with the sender's only while
 * link_filter says some port is down or a partition is in force.
 *
 * Frames already waiting for a port (its send queue, its impairment
 * queue) when its link or the domain goes down are dropped, as frames on a
 * cable that is pulled are lost: after "ok" nothing more reaches the port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-int.h"

/* Forwarding needs per-destination checks while a port is down or the
 * ports are partitioned. */
static void
update_filter(struct hub *hub)
{
	hub->link_filter = hub->link.partition.ngroups > 0 ||
	                   memchr(hub->link.port_down, 1, sizeof(hub->link.port_down)) != NULL;
}

/* Drops every frame waiting for p. */
static void
discard(struct hub_port *p)
{
	hub__port_discard(p);
	hub__impair_discard(p);
}

/* Puts the state given at start in force (before any client joins). */
void
hub__link_init(struct hub *hub, const struct hub_link *l)
{
	hub->link = *l;
	hub->link.port_down[0] = 0; /* the management port has no link of its own */
	update_filter(hub);
}

/* Takes the domain down or up; tells the event streams. */
static void
set_domain(struct hub *hub, int down)
{
	hub->link.domain_down = down;
	if (down) {
		for (unsigned int i = 0; i < hub->ndests; i++)
			discard(hub->dests[i]);
	}
	hub__mgmt_event_line(hub, down ? "link domain down\n" : "link domain up\n");
}

/* Takes one port's link down or up, whether or not a client holds it. */
static void
set_port(struct hub *hub, unsigned int port, int down)
{
	char line[64];

	hub->link.port_down[port] = (unsigned char)down;
	update_filter(hub);
	if (down && hub->byport[port] != NULL)
		discard(hub->byport[port]);
	snprintf(line, sizeof(line), "link port %u %s\n", port, down ? "down" : "up");
	hub__mgmt_event_line(hub, line);
}

/* "up" or "down" as 0 or 1; -1 for anything else. */
static int
updown(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "down") == 0)
		return 1;
	return strcmp(s, "up") == 0 ? 0 : -1;
}

/* Splits arg at spaces into at most max words; returns how many, or max + 1
 * if there are more. */
static unsigned int
words(char *arg, char **w, unsigned int max)
{
	unsigned int n = 0;

	while (arg != NULL && *arg != '\0') {
		arg += strspn(arg, " ");
		if (*arg == '\0')
			break;
		if (n == max)
			return max + 1;
		w[n++] = arg;
		arg += strcspn(arg, " ");
		if (*arg != '\0')
			*arg++ = '\0';
	}
	return n;
}

/* "link": the state as JSON; "link domain up|down", "link port N up|down":
 * change it.  Returns the answer line (owned, ends in a newline). */
char *
hub__link_command(struct hub *hub, char *arg)
{
	char *w[4];
	unsigned int n = words(arg, w, 3), port;
	int down;

	if (n == 0) {
		char *json = hub__link_json(hub), *line = xasprintf("%s\n", json);

		free(json);
		return line;
	}
	if (n == 2 && strcmp(w[0], "domain") == 0 && (down = updown(w[1])) != -1) {
		set_domain(hub, down);
		return xstrdup("ok\n");
	}
	if (n == 3 && strcmp(w[0], "port") == 0 && (down = updown(w[2])) != -1) {
		if (hub_port_parse(w[1], &port) == -1)
			return xasprintf("error port must be 1 to %u\n", HUB_PORTS_MAX - 1);
		set_port(hub, port, down);
		return xstrdup("ok\n");
	}
	return xstrdup("error usage: link [domain up|down | port N up|down]\n");
}

/* "partition GROUPS|none": replaces the partition.  Returns the answer line
 * (owned, ends in a newline). */
char *
hub__partition_command(struct hub *hub, const char *arg)
{
	char why[128], text[HUB_PARTITION_TEXT_MAX], line[HUB_PARTITION_TEXT_MAX + 16];

	if (arg == NULL || *arg == '\0')
		return xstrdup("error usage: partition GROUPS|none (GROUPS like 1,2 3,4,5)\n");
	if (hub_partition_parse(arg, &hub->link.partition, why, sizeof(why)) == -1)
		return xasprintf("error %s\n", why);
	update_filter(hub);
	hub_partition_format(&hub->link.partition, text, sizeof(text));
	snprintf(line, sizeof(line), "partition %s\n", text);
	hub__mgmt_event_line(hub, line);
	return xstrdup("ok\n");
}
