/*
 * hub/fwd.c: hub forwarding and the flood set.
 *
 * Every frame goes to every joined port except the one it came from and
 * except port 0 (the VDE management port, never flooded to); the
 * capture file and live capture streams see it too, as it was sent.  Ports
 * with impairments get it through hub/impair.c.  There is no MAC
 * learning: this is a collision domain, as in vde_switch --hub.  Link
 * state (hub/link.c) withholds frames from ports that are down or in
 * another partition group; frames from a down port never get here.
 *
 * Flow control: a local burst should not be lost because one receiver is a
 * little slower than the sender.  While some port's queue is congested the
 * hub stops reading from every port, so senders block in their own socket
 * buffers (libvdeplug and vde_plug send blocking).  A port that makes no
 * progress for HUB_STALL_MS (a stopped or hung guest) is marked stalled and
 * no longer holds anyone back; frames for it are then dropped and counted.
 */
#include <stdlib.h>

#include "hub-int.h"

/* Counts n frames withheld from d by link state. */
static void
count_link(struct hub *hub, struct hub_port *d, unsigned int n)
{
	if (hub->link.port_down[d->port]) {
		d->c.link_drops_out += n;
		hub->total.link_drops_out += n;
	} else {
		d->c.partition_drops += n;
		hub->total.partition_drops += n;
	}
}

/* Forwards a batch of frames received on src to every other port (of its
 * partition group, whose link is up: hub/link.c). */
void
hub__fwd_batch(struct hub *hub, struct hub_port *src, struct hub_rx *rx, unsigned int n)
{
	const unsigned char *group = hub->link.partition.group, *down = hub->link.port_down;
	unsigned int i;

	if (hub->pcap != NULL) {
		for (i = 0; i < n; i++)
			hub__pcap_write(hub, &rx[i]);
	}
	if (hub->ncaptures > 0) {
		for (i = 0; i < n; i++)
			hub__mgmt_capture(hub, &rx[i]);
	}
	for (i = 0; i < hub->ndests; i++) {
		struct hub_port *d = hub->dests[i];

		if (d == src)
			continue;
		if (hub->link_filter && (down[d->port] || group[d->port] != group[src->port])) {
			count_link(hub, d, n);
			continue;
		}
		if (d->sh.active)
			hub__impair_send(d, rx, n);
		else
			hub__port_send(d, rx, n);
	}
}

/* Adds a port that finished its handshake to the hub. */
void
hub__fwd_join(struct hub *hub, struct hub_port *p)
{
	p->joined = 1;
	hub->byport[p->port] = p;
	if (p->port != 0) {
		hub->dests = xrealloc(hub->dests, (hub->ndests + 1) * sizeof(*hub->dests));
		hub->dests[hub->ndests++] = p;
		hub__impair_attach(p);
	}
	hub->nclients++;
	hub->clients_total++;
	uv_timer_stop(&hub->idle_timer);
	hub__mgmt_event(hub, "join", p);
}

/* Removes a leaving port from the hub; starts the idle timer after the last one. */
void
hub__fwd_leave(struct hub *hub, struct hub_port *p)
{
	unsigned int i;

	p->joined = 0;
	hub->byport[p->port] = NULL;
	for (i = 0; i < hub->ndests; i++) {
		if (hub->dests[i] == p) {
			hub->dests[i] = hub->dests[--hub->ndests];
			break;
		}
	}
	hub->nclients--;
	hub__mgmt_event(hub, "leave", p);
	if (hub->nclients == 0)
		hub__client_gone(hub);
}

/* Pauses or resumes reading on every port. */
static void
update_all(struct hub *hub)
{
	struct hub_port *p;

	for (p = hub->conns; p != NULL; p = p->next)
		hub__port_update(p);
}

/* Stall check: a congested port that sent nothing since the last check stops
 * holding back the others. */
static void
stall_check(uv_timer_t *t)
{
	struct hub *hub = t->data;
	struct hub_port *p;

	for (p = hub->conns; p != NULL; p = p->next) {
		if (!p->congested)
			continue;
		if (p->c.frames_out == p->progress_mark) {
			p->congested = 0;
			p->stalled = 1;
			hub__fwd_congestion(hub, -1);
		} else {
			p->progress_mark = p->c.frames_out;
		}
	}
}

/* Counts a port becoming congested (+1) or relieved (-1); pauses or resumes input. */
void
hub__fwd_congestion(struct hub *hub, int delta)
{
	hub->ncongested = (unsigned int)((int)hub->ncongested + delta);
	if (hub->ncongested > 0 && !hub->paused && !hub->stopping) {
		hub->paused = 1;
		update_all(hub);
		hub->stall_timer.data = hub;
		uv_timer_start(&hub->stall_timer, stall_check, HUB_STALL_MS, HUB_STALL_MS);
	} else if (hub->ncongested == 0 && hub->paused) {
		hub->paused = 0;
		update_all(hub);
		uv_timer_stop(&hub->stall_timer);
	}
}
