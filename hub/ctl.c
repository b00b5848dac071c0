/*
 * hub/ctl.c: the VDE control stream on DIR/ctl: accept clients, read their
 * one request, give them a port and reply with the port's socket address.
 *
 * Protocol rules that matter here (see share/doc/hub-control.md for ours):
 * the request arrives in the first read, with no length field; the data
 * socket must be connected to the client before the reply, because a
 * libvdeplug client unlinks its socket as soon as it has the reply; after
 * the reply the stream stays silent, and its EOF is the client leaving.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hub-int.h"

/* Requests are tiny; a stream read never needs more than this. */
static char ctl_buf[1024];

/* Hands libuv the shared read buffer (reads are handled synchronously). */
static void
ctl_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	buf->base = ctl_buf;
	buf->len = sizeof(ctl_buf);
}

/* Logs a port joining or leaving on stderr when the hub runs with -v. */
static void
log_port(struct hub *hub, const char *what, const struct hub_port *p)
{
	if (hub->opts->verbose)
		fprintf(stderr, "hub: %s: port %u %s (%s)\n", hub->dir, p->port, what, p->descr);
}

/* Logs a rejected request on stderr when the hub runs with -v. */
static void
log_reject(struct hub *hub, const struct hub_port *p, const char *why)
{
	if (hub->opts->verbose)
		fprintf(stderr, "hub: %s: request from pid %ld rejected: %s\n", hub->dir,
		        (long)p->pid, why);
}

/* Picks the port for a request, or returns -1 with *why if none can be had. */
static int
choose_port(struct hub *hub, const struct hub_request *req, const char **why)
{
	unsigned int i;

	if (req->kind == HUB_REQ_NEW_PORT0) {
		if (hub->byport[0] != NULL) {
			*why = "port 0 is in use";
			return -1;
		}
		return 0;
	}
	if (req->port != 0) {
		if (hub->byport[req->port] != NULL) {
			*why = "requested port is in use";
			return -1;
		}
		return (int)req->port;
	}
	for (i = 1; i < HUB_PORTS_MAX; i++) {
		if (hub->byport[i] == NULL)
			return (int)i;
	}
	*why = "no free port";
	return -1;
}

/* Turns a pending connection into a port, or rejects it by closing the stream. */
static void
handshake(struct hub_port *p, const char *buf, size_t len)
{
	struct hub *hub = p->hub;
	struct hub_request req;
	struct hub_err err;
	const char *why = NULL;
	uv_buf_t reply;
	int port;

	uv_timer_stop(&p->hs_timer);
	if (hub_request_parse(buf, len, &req, &why) == -1 ||
	    (port = choose_port(hub, &req, &why)) == -1)
		goto reject;
	p->port = (unsigned int)port;
	if (hub__port_open(p, &req, &err) == -1) {
		why = err.msg;
		goto reject;
	}
	/* The reply is the port socket's address, always the full 110 bytes. */
	{
		struct sockaddr_un sun;

		hub__sun_path(&sun, hub->dir, p->name);
		reply = uv_buf_init((char *)&sun, HUB_SUN_LEN);
		/* A fresh stream's buffer always takes 110 bytes at once. */
		if (uv_try_write((uv_stream_t *)&p->ctl, &reply, 1) != (int)HUB_SUN_LEN) {
			why = "could not send the reply";
			goto reject;
		}
	}
	hub__fwd_join(hub, p);
	log_port(hub, "joined", p);
	return;

reject:
	hub->requests_rejected++;
	log_reject(hub, p, why);
	hub__port_close(p);
}

/* Reads the request, then watches the silent stream for the client leaving. */
static void
ctl_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct hub_port *p = s->data;

	if (nread < 0) {
		if (p->joined)
			log_port(p->hub, "left", p);
		hub__port_close(p);
		return;
	}
	if (nread == 0 || p->joined)
		return; /* clients are silent after the reply; tolerate chatter */
	handshake(p, buf->base, (size_t)nread);
}

/* Drops a connection that never sent its request. */
static void
ctl_handshake_timeout(uv_timer_t *t)
{
	struct hub_port *p = t->data;

	p->hub->requests_rejected++;
	log_reject(p->hub, p, "no request in time");
	hub__port_close(p);
}

/* Accepts a client on DIR/ctl and waits for its request. */
static void
ctl_accept(uv_stream_t *srv, int status)
{
	struct hub *hub = srv->data;
	struct hub_port *p;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uv_os_fd_t fd;

	if (status < 0 || hub->stopping)
		return;
	p = xcalloc(1, sizeof(*p));
	p->hub = hub;
	p->fd = -1;
	p->uid = (uid_t)-1;
	uv_pipe_init(hub->loop, &p->ctl, 0);
	p->ctl.data = p;
	uv_timer_init(hub->loop, &p->hs_timer);
	p->hs_timer.data = p;
	p->open = 2;
	p->next = hub->conns;
	hub->conns = p;
	if (uv_accept(srv, (uv_stream_t *)&p->ctl) != 0) {
		hub__port_close(p);
		return;
	}
	if (uv_fileno((uv_handle_t *)&p->ctl, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		p->uid = cred.uid;
		p->pid = cred.pid;
	}
	uv_timer_start(&p->hs_timer, ctl_handshake_timeout, HUB_HANDSHAKE_MS, 0);
	uv_read_start((uv_stream_t *)&p->ctl, ctl_alloc, ctl_read);
}

/* Binds DIR/ctl and starts accepting clients. */
int
hub__ctl_start(struct hub *hub, struct hub_err *err)
{
	int rc;

	if (hub__dir_bind(hub, &hub->ctl_srv, "ctl", err) == -1)
		return -1;
	hub->ctl_srv.data = hub;
	if ((rc = uv_listen((uv_stream_t *)&hub->ctl_srv, 128, ctl_accept)) != 0)
		return hub__err(err, "listen %s/ctl: %s", hub->dir, uv_strerror(rc));
	return 0;
}

/* Stops accepting clients and closes every connection. */
void
hub__ctl_stop(struct hub *hub)
{
	if (hub->ctl_srv.loop != NULL && !uv_is_closing((uv_handle_t *)&hub->ctl_srv))
		uv_close((uv_handle_t *)&hub->ctl_srv, NULL);
	while (hub->conns != NULL)
		hub__port_close(hub->conns);
}
