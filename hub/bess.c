/*
 * hub/bess.c: ports for UML's vector network driver, `transport=bess`, on
 * DIR/bess.
 *
 * The guest's kernel makes one AF_UNIX SOCK_SEQPACKET socket per interface,
 * binds it to its `src=` path if given and connects it to `dst=`: each
 * accepted connection is a port, each message one Ethernet frame, with no
 * header and no handshake, and the end of the connection is the guest
 * leaving. There is no process between the guest and the hub: the
 * connection is the data path (see share/doc/hub-control.md, "Vector
 * transport"). A client asks for port N by binding `src=DIR/bess.N`; the
 * hub removes that file once connected (the connection does not need it,
 * and a guest started again must be able to bind it again). A client
 * without one gets the lowest free port.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hub-int.h"

#define BESS_PREFIX "bess."

/* The port a peer's bound name asks for (1 .. HUB_PORTS_MAX-1), or 0. */
static unsigned int
asked_port(const struct hub *hub, const struct sockaddr_un *sun, socklen_t len, char *name,
           size_t size)
{
	const char *base;
	char *end;
	unsigned long n;

	name[0] = '\0';
	if (len <= offsetof(struct sockaddr_un, sun_path) || sun->sun_path[0] == '\0')
		return 0;
	base = strrchr(sun->sun_path, '/');
	base = base != NULL ? base + 1 : sun->sun_path;
	/* Only a name in our own directory is ours to remove afterwards. */
	if (strncmp(sun->sun_path, hub->dir, strlen(hub->dir)) != 0 ||
	    base != sun->sun_path + strlen(hub->dir) + 1 ||
	    strncmp(base, BESS_PREFIX, strlen(BESS_PREFIX)) != 0)
		return 0;
	n = strtoul(base + strlen(BESS_PREFIX), &end, 10);
	if (*end != '\0' || n == 0 || n >= HUB_PORTS_MAX || end == base + strlen(BESS_PREFIX))
		return 0;
	snprintf(name, size, "%s", base);
	return (unsigned int)n;
}

/* Accepts one guest interface as a port, or closes the connection. */
static void
bess_accept(uv_poll_t *h, int status, int events)
{
	struct hub *hub = h->data;
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct hub_port *p;
	char name[sizeof(sun.sun_path)];
	unsigned int port, i;
	int fd;

	(void)events;
	if (status < 0 || hub->stopping)
		return;
	memset(&sun, 0, sizeof(sun));
	fd = accept4(hub->bess_fd, (struct sockaddr *)&sun, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	port = asked_port(hub, &sun, len, name, sizeof(name));
	if (name[0] != '\0')
		unlinkat(hub->dirfd, name, 0);
	if (port != 0 && hub->byport[port] != NULL) {
		hub->requests_rejected++;
		if (hub->opts->verbose)
			fprintf(stderr, "hub: %s: bess client asked for port %u, in use\n",
			        hub->dir, port);
		close(fd);
		return;
	}
	for (i = 1; port == 0 && i < HUB_PORTS_MAX; i++)
		if (hub->byport[i] == NULL)
			port = i;
	if (port == 0) {
		hub->requests_rejected++;
		close(fd);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->hub = hub;
	p->kind = HUB_PORT_BESS;
	p->fd = fd;
	p->port = port;
	p->uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		p->uid = cred.uid;
		p->pid = cred.pid;
	}
	snprintf(p->descr, sizeof(p->descr), "UML vector bess%s%s", name[0] ? " " : "", name);
	p->next = hub->conns;
	hub->conns = p;
	uv_poll_init(hub->loop, &p->poll, fd);
	p->poll.data = p;
	p->open = 1;
	hub__port_update(p);
	hub__fwd_join(hub, p);
	if (hub->opts->verbose)
		fprintf(stderr, "hub: %s: port %u joined (%s)\n", hub->dir, p->port, p->descr);
}

int
hub__bess_start(struct hub *hub, struct hub_err *err)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	hub->bess_fd = -1;
	if (fd == -1)
		return hub__err_errno(err, errno, "socket");
	if (hub__bind_at(fd, hub->dirfd, "bess", hub->opts->mode) == -1) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "bind %s/bess", hub->dir);
	}
	if (listen(fd, 128) == -1) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "listen %s/bess", hub->dir);
	}
	hub->bess_fd = fd;
	uv_poll_init(hub->loop, &hub->bess_poll, fd);
	hub->bess_poll.data = hub;
	uv_poll_start(&hub->bess_poll, UV_READABLE, bess_accept);
	return 0;
}

static void
bess_closed(uv_handle_t *h)
{
	struct hub *hub = h->data;

	close(hub->bess_fd);
	hub->bess_fd = -1;
}

void
hub__bess_stop(struct hub *hub)
{
	if (hub->bess_fd != -1 && !uv_is_closing((uv_handle_t *)&hub->bess_poll))
		uv_close((uv_handle_t *)&hub->bess_poll, bess_closed);
	if (hub->dirfd != -1)
		unlinkat(hub->dirfd, "bess", 0);
}
