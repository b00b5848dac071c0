/*
 * hub/port.c: one port's datagram socket and its bounded send queue.
 *
 * libuv has no AF_UNIX datagram handle, so the socket is a raw non-blocking
 * fd under a uv_poll_t.  Frames are received in batches (recvmmsg) and sent
 * in batches (sendmmsg).  A send that would block does not lose the frame:
 * it waits in the port's queue (bounded in frames and bytes) and the port
 * asks for UV_WRITABLE until the queue drains; only what overflows the
 * queue is dropped, and counted.  The unix socket itself queues very little
 * (net.unix.max_dgram_qlen, often 10, for unconnected peers such as UML's
 * daemon transport), which is why vde_switch loses most of a burst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hub-int.h"

static void port_poll(uv_poll_t *h, int status, int events);

/* Makes (once) a refcounted copy of a received frame; the rx holds one reference. */
struct hub_frame *
hub__rx_copy(struct hub_rx *rx)
{
	if (rx->copy == NULL) {
		rx->copy = xmalloc(sizeof(*rx->copy) + rx->len);
		rx->copy->refs = 1;
		rx->copy->len = rx->len;
		memcpy(rx->copy->data, rx->data, rx->len);
	}
	return rx->copy;
}

/* Drops one reference to a frame copy. */
void
hub__frame_unref(struct hub_frame *f)
{
	if (f != NULL && --f->refs == 0)
		free(f);
}

/* Asks the poll handle for what the port needs now: input unless the hub is
 * holding senders back, writability while frames wait. */
void
hub__port_update(struct hub_port *p)
{
	int events = 0;

	if (p->closing || p->fd == -1)
		return;
	if (!p->hub->paused)
		events |= UV_READABLE;
	if (p->qlen > 0)
		events |= UV_WRITABLE;
	if (events == p->events)
		return;
	p->events = events;
	if (events == 0)
		uv_poll_stop(&p->poll);
	else
		uv_poll_start(&p->poll, events, port_poll);
}

/* Appends a frame to the send queue, or counts a drop if the queue is full. */
static void
queue_push(struct hub_port *p, struct hub_rx *rx)
{
	struct hub_frame *f;

	if (p->qlen >= HUB_QUEUE_FRAMES || p->qbytes + rx->len > HUB_QUEUE_BYTES) {
		p->c.drops++;
		p->hub->total.drops++;
		return;
	}
	if (p->qlen == p->qcap) {
		unsigned int ncap = p->qcap ? p->qcap * 2 : 64, i;
		struct hub_frame **nq = xcalloc(ncap, sizeof(*nq));

		for (i = 0; i < p->qlen; i++)
			nq[i] = p->q[(p->qhead + i) % p->qcap];
		free(p->q);
		p->q = nq;
		p->qcap = ncap;
		p->qhead = 0;
	}
	f = hub__rx_copy(rx);
	f->refs++;
	p->q[(p->qhead + p->qlen) % p->qcap] = f;
	p->qlen++;
	p->qbytes += f->len;
	if (p->qlen >= HUB_QUEUE_HIGH && !p->congested && !p->stalled) {
		p->congested = 1;
		p->progress_mark = p->c.frames_out;
		hub__fwd_congestion(p->hub, +1);
	}
}

/* Removes the first n frames from the queue, releasing them. */
static void
queue_pop(struct hub_port *p, unsigned int n)
{
	while (n-- > 0 && p->qlen > 0) {
		struct hub_frame *f = p->q[p->qhead];

		p->qbytes -= f->len;
		hub__frame_unref(f);
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
	}
	if (p->qlen <= HUB_QUEUE_LOW) {
		p->stalled = 0;
		if (p->congested) {
			p->congested = 0;
			hub__fwd_congestion(p->hub, -1);
		}
	}
}

/* Counts frames delivered to this port. */
static void
count_out(struct hub_port *p, uint64_t bytes, unsigned int frames)
{
	p->c.frames_out += frames;
	p->c.bytes_out += bytes;
	p->hub->total.frames_out += frames;
	p->hub->total.bytes_out += bytes;
}

/* Counts frames this port lost to a send error. */
static void
count_drops(struct hub_port *p, unsigned int frames)
{
	p->c.drops += frames;
	p->hub->total.drops += frames;
}

/* Drops every frame in the send queue: the port's link went down. */
void
hub__port_discard(struct hub_port *p)
{
	p->c.link_drops_out += p->qlen;
	p->hub->total.link_drops_out += p->qlen;
	queue_pop(p, p->qlen);
	hub__port_update(p);
}

/* Sends received frames to this port now, queueing what would block. */
void
hub__port_send(struct hub_port *p, struct hub_rx *rx, unsigned int n)
{
	struct mmsghdr msg[HUB_BATCH];
	struct iovec iov[HUB_BATCH];
	unsigned int i = 0, k;
	uint64_t bytes = 0;
	int sent;

	if (p->qlen == 0) {
		memset(msg, 0, sizeof(msg[0]) * n);
		for (k = 0; k < n; k++) {
			iov[k].iov_base = rx[k].data;
			iov[k].iov_len = rx[k].len;
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(p->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0 && errno != EAGAIN && errno != ENOBUFS) {
			/* The client is gone; its ctl stream's EOF will follow. */
			count_drops(p, n);
			return;
		}
		i = sent < 0 ? 0 : (unsigned int)sent;
		for (k = 0; k < i; k++)
			bytes += rx[k].len;
		count_out(p, bytes, i);
	}
	if (i == n)
		return;
	for (; i < n; i++)
		queue_push(p, &rx[i]);
	hub__port_update(p);
}

/* Sends as much of the queue as the socket takes. */
static void
port_flush(struct hub_port *p)
{
	struct mmsghdr msg[HUB_BATCH];
	struct iovec iov[HUB_BATCH];
	unsigned int n, k;
	uint64_t bytes;
	int sent;

	while (p->qlen > 0) {
		n = p->qlen < HUB_BATCH ? p->qlen : HUB_BATCH;
		memset(msg, 0, sizeof(msg[0]) * n);
		for (k = 0; k < n; k++) {
			struct hub_frame *f = p->q[(p->qhead + k) % p->qcap];

			iov[k].iov_base = f->data;
			iov[k].iov_len = f->len;
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(p->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				return;
			count_drops(p, p->qlen);
			queue_pop(p, p->qlen);
			break;
		}
		for (bytes = 0, k = 0; k < (unsigned int)sent; k++)
			bytes += p->q[(p->qhead + k) % p->qcap]->len;
		count_out(p, bytes, (unsigned int)sent);
		queue_pop(p, (unsigned int)sent);
		if ((unsigned int)sent < n)
			return;
	}
	hub__port_update(p);
}

/* Receives a few batches of frames from the client and forwards them; with
 * drain, even while senders are held back (the port is about to close). */
static void
port_receive(struct hub_port *p, int drain)
{
	struct hub *hub = p->hub;
	struct mmsghdr msg[HUB_BATCH];
	struct iovec iov[HUB_BATCH];
	struct hub_rx rx[HUB_BATCH];
	struct timespec ts;
	unsigned int round, k, n;
	int got, down, eof = 0;

	for (round = 0; round < HUB_RX_ROUNDS && !p->closing && (drain || !hub->paused); round++) {
		memset(msg, 0, sizeof(msg));
		for (k = 0; k < HUB_BATCH; k++) {
			iov[k].iov_base = hub->rxbuf + (size_t)k * HUB_FRAME_MAX;
			iov[k].iov_len = HUB_FRAME_MAX;
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(p->fd, msg, HUB_BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			return;
		clock_gettime(CLOCK_REALTIME, &ts);
		/* A down link takes nothing in: read, count, forget (link.c). */
		down = hub->link.domain_down || hub->link.port_down[p->port];
		for (n = 0, k = 0; k < (unsigned int)got; k++) {
			uint32_t len = msg[k].msg_len;

			/* A connection's end reads as an empty message: the guest left. */
			if (len == 0 && p->kind == HUB_PORT_BESS) {
				eof = 1;
				break;
			}

			if (msg[k].msg_hdr.msg_flags & MSG_TRUNC) {
				p->c.oversize++;
				hub->total.oversize++;
				continue;
			}
			if (len < HUB_FRAME_MIN) {
				p->c.runts++;
				hub->total.runts++;
				continue;
			}
			if (down) {
				p->c.link_drops_in++;
				hub->total.link_drops_in++;
				continue;
			}
			if (len > HUB_FRAME_CLASSIC) {
				p->c.jumbo++;
				hub->total.jumbo++;
			}
			p->c.frames_in++;
			p->c.bytes_in += len;
			hub->total.frames_in++;
			hub->total.bytes_in += len;
			rx[n].data = iov[k].iov_base;
			rx[n].len = len;
			rx[n].ts = ts;
			rx[n].copy = NULL;
			n++;
		}
		if (n > 0)
			hub__fwd_batch(hub, p, rx, n);
		for (k = 0; k < n; k++)
			hub__frame_unref(rx[k].copy);
		if (eof) {
			if (!drain)
				hub__port_close(p);
			return;
		}
		if ((unsigned int)got < HUB_BATCH)
			return;
	}
}

/* Handles the data socket becoming readable or writable. */
static void
port_poll(uv_poll_t *h, int status, int events)
{
	struct hub_port *p = h->data;

	if (status < 0) {
		/* A VDE port lives until its ctl stream ends; a bess port is its
		 * connection. */
		uv_poll_stop(h);
		p->events = 0;
		if (p->kind == HUB_PORT_BESS)
			hub__port_close(p);
		return;
	}
	if (events & UV_WRITABLE)
		port_flush(p);
	if (events & UV_READABLE)
		port_receive(p, 0);
}

/* Creates the port's data socket: connect to the client first, then bind and reply. */
int
hub__port_open(struct hub_port *p, const struct hub_request *req, struct hub_err *err)
{
	struct hub *hub = p->hub;
	struct sockaddr_un sun;
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return hub__err_errno(err, errno, "socket");
	/* All 110 bytes: abstract names from UML end in garbage that is part of the name. */
	if (connect(fd, (const struct sockaddr *)&req->addr, HUB_SUN_LEN) == -1) {
		close(fd);
		return hub__err_errno(err, errno, "cannot reach the client's socket");
	}
	p->serial = ++hub->serial;
	snprintf(p->name, sizeof(p->name), "%03u.%u", p->port, p->serial);
	/* Clients may write in the directory: bound through our fd, mode set at creation. */
	if (hub__bind_at(fd, hub->dirfd, p->name, hub->opts->mode) == -1) {
		int e = errno;

		close(fd);
		hub__sun_path(&sun, hub->dir, p->name);
		p->name[0] = '\0';
		return hub__err_errno(err, e, "bind %s", sun.sun_path);
	}
	p->fd = fd;
	p->abstract = req->abstract;
	memcpy(p->descr, req->descr, sizeof(p->descr));
	uv_poll_init(hub->loop, &p->poll, fd);
	p->poll.data = p;
	p->open++;
	p->events = 0;
	hub__port_update(p);
	return 0;
}

/* Frees the connection once its last handle has closed. */
static void
port_closed(uv_handle_t *h)
{
	struct hub_port *p = h->data;

	if (h == (uv_handle_t *)&p->poll && p->fd != -1) {
		close(p->fd);
		p->fd = -1;
	}
	if (--p->open > 0)
		return;
	free(p->q);
	free(p);
}

/* Closes a connection: leaves the flood set, unlinks its socket, closes its handles. */
void
hub__port_close(struct hub_port *p)
{
	struct hub *hub = p->hub;
	struct hub_port **pp;

	if (p->closing)
		return;
	/* A client's last frames may still wait on the socket when its ctl
	 * stream's end is seen first: deliver them before the port goes. */
	if (p->joined && p->fd != -1 && !hub->stopping)
		port_receive(p, 1);
	/* Before the leave event: whoever reads it may count on the socket being gone. */
	if (p->name[0] != '\0' && hub->dirfd != -1)
		unlinkat(hub->dirfd, p->name, 0);
	if (p->joined)
		hub__fwd_leave(hub, p);
	queue_pop(p, p->qlen);
	hub__impair_detach(p, port_closed);
	p->closing = 1;
	for (pp = &hub->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->fd != -1)
		uv_close((uv_handle_t *)&p->poll, port_closed);
	if (p->kind == HUB_PORT_BESS)
		return; /* no ctl stream, no handshake */
	uv_close((uv_handle_t *)&p->hs_timer, port_closed);
	uv_close((uv_handle_t *)&p->ctl, port_closed);
}
