/*
 * rt/mconsole.c: UML mconsole requests and notifications over AF_UNIX
 * datagram sockets driven by uv_poll_t.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mconsole.h"
#include "xalloc.h"

#define MCONSOLE_MAGIC   0xcafebabeU
#define MCONSOLE_VERSION 2U

/* Request: magic, version, len, data (host endian, as the kernel reads it). */
struct mc_request {
	uint32_t magic;
	uint32_t version;
	uint32_t len;
	char data[RT_MCONSOLE_MAX_DATA];
};

/* Reply: err, more, len (including the NUL), data. */
struct mc_reply {
	uint32_t err;
	uint32_t more;
	uint32_t len;
	char data[RT_MCONSOLE_MAX_DATA];
};

/* Notification: magic, version, type, len, data. */
struct mc_notify {
	uint32_t magic;
	uint32_t version;
	int32_t type;
	uint32_t len;
	char data[RT_MCONSOLE_MAX_DATA];
};

/* One request in flight. */
struct mc_call {
	uv_poll_t poll;
	uv_timer_t timer;
	int fd;
	int open; /* handles not yet closed */
	rt_mconsole_cb cb;
	void *arg;
	int status;
	bool done;
	char *text; /* owned; replies joined */
	char *self; /* owned; our bound socket path, removed when done */
	size_t len;
};

int
rt_mconsole_pack(const char *cmd, unsigned char *buf, size_t size)
{
	struct mc_request req = {.magic = MCONSOLE_MAGIC, .version = MCONSOLE_VERSION};
	size_t n = strlen(cmd);

	if (n >= RT_MCONSOLE_MAX_DATA || size < 12 + n)
		return -1;
	req.len = (uint32_t)n;
	memcpy(req.data, cmd, n);
	/* The kernel terminates data[len] itself; the header and text suffice. */
	memcpy(buf, &req, 12 + n);
	return (int)(12 + n);
}

/* Free the call once both handles are closed. */
static void
call_closed(uv_handle_t *h)
{
	struct mc_call *c = h->data;

	if (--c->open > 0)
		return;
	close(c->fd);
	unlink(c->self);
	free(c->self);
	free(c->text);
	free(c);
}

/* Deliver the result once and tear the call down. */
static void
call_finish(struct mc_call *c, int status)
{
	if (c->done)
		return;
	c->done = true;
	c->cb(c->arg, status, c->text != NULL ? c->text : "");
	uv_close((uv_handle_t *)&c->poll, call_closed);
	uv_close((uv_handle_t *)&c->timer, call_closed);
}

/* Read reply datagrams until one says no more follow. */
static void
call_readable(uv_poll_t *p, int status, int events)
{
	struct mc_call *c = p->data;
	struct mc_reply r;
	ssize_t n;

	if (status < 0) {
		call_finish(c, status);
		return;
	}
	while ((n = recv(c->fd, &r, sizeof(r), 0)) >= 0) {
		size_t len;

		if (n < 12) {
			call_finish(c, -EPROTO);
			return;
		}
		len = r.len;
		if (len > (size_t)n - 12)
			len = (size_t)n - 12;
		/* len counts the NUL; keep the text only. */
		while (len > 0 && r.data[len - 1] == '\0')
			len--;
		c->text = xrealloc(c->text, c->len + len + 1);
		memcpy(c->text + c->len, r.data, len);
		c->len += len;
		c->text[c->len] = '\0';
		if (r.err != 0)
			c->status = 1;
		if (r.more == 0) {
			call_finish(c, c->status);
			return;
		}
	}
	/* ECONNREFUSED here means the guest died between send and reply. */
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		call_finish(c, -errno);
}

/* No reply in time: a stopped or wedged guest. */
static void
call_timeout(uv_timer_t *t)
{
	call_finish(t->data, -ETIMEDOUT);
}

/* Report a failure before any handle exists, from the loop as promised. */
struct mc_early {
	uv_idle_t idle;
	rt_mconsole_cb cb;
	void *arg;
	int status;
};

/* Free an early-failure record. */
static void
early_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Run the callback of a request that failed before it was sent. */
static void
early_run(uv_idle_t *i)
{
	struct mc_early *e = i->data;

	uv_idle_stop(i);
	e->cb(e->arg, e->status, "");
	uv_close((uv_handle_t *)i, early_closed);
}

void
rt_mconsole_send(uv_loop_t *loop, const char *sock, const char *client_dir, const char *cmd,
                 unsigned int timeout_ms, rt_mconsole_cb cb, void *arg)
{
	static unsigned int serial;
	struct sockaddr_un sa = {.sun_family = AF_UNIX}, self = {.sun_family = AF_UNIX};
	char *selfpath = xasprintf("%s/.mc-%d-%u", client_dir, (int)getpid(), serial++);
	unsigned char buf[sizeof(struct mc_request)];
	struct mc_call *c;
	int len, fd, status = 0;

	len = rt_mconsole_pack(cmd, buf, sizeof(buf));
	if (len < 0 || strlen(sock) >= sizeof(sa.sun_path) ||
	    strlen(selfpath) >= sizeof(self.sun_path)) {
		status = -ENAMETOOLONG;
		goto early;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		status = -errno;
		goto early;
	}
	/* The kernel replies to the sender's address. */
	strcpy(self.sun_path, selfpath);
	unlink(selfpath);
	if (bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0 ||
	    sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		status = -errno;
		close(fd);
		unlink(selfpath);
		goto early;
	}
	c = xcalloc(1, sizeof(*c));
	c->self = selfpath;
	selfpath = NULL;
	c->fd = fd;
	c->cb = cb;
	c->arg = arg;
	c->open = 2;
	c->poll.data = c;
	c->timer.data = c;
	uv_poll_init(loop, &c->poll, fd);
	uv_timer_init(loop, &c->timer);
	uv_poll_start(&c->poll, UV_READABLE, call_readable);
	uv_timer_start(&c->timer, call_timeout, timeout_ms, 0);
	return;
early : {
	struct mc_early *e = xcalloc(1, sizeof(*e));

	free(selfpath);
	e->cb = cb;
	e->arg = arg;
	e->status = status;
	e->idle.data = e;
	uv_idle_init(loop, &e->idle);
	uv_idle_start(&e->idle, early_run);
}
}

/* Read notifications and hand each to the owner. */
static void
notify_readable(uv_poll_t *p, int status, int events)
{
	struct rt_notify *n = p->data;
	struct mc_notify m;
	ssize_t got;

	if (status < 0)
		return;
	while ((got = recv(n->fd, &m, sizeof(m) - 1, 0)) >= 0) {
		size_t len;

		if (got < 16 || m.magic != MCONSOLE_MAGIC)
			continue;
		len = m.len;
		if (len > (size_t)got - 16)
			len = (size_t)got - 16;
		m.data[len] = '\0';
		n->cb(n, m.type, m.data);
		/* The callback may have closed us. */
		if (uv_is_closing((uv_handle_t *)&n->poll))
			return;
	}
}

int
rt_notify_open(uv_loop_t *loop, struct rt_notify *n, const char *path, rt_notify_cb cb, char **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (strlen(path) >= sizeof(sa.sun_path))
		return rt_fail(err, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return rt_fail_errno(err, errno, "socket");
	unlink(path);
	if (bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(n->fd);
		return rt_fail_errno(err, e, "cannot bind %s", path);
	}
	n->path = xstrdup(path);
	n->cb = cb;
	n->poll.data = n;
	uv_poll_init(loop, &n->poll, n->fd);
	uv_poll_start(&n->poll, UV_READABLE, notify_readable);
	return 0;
}

/* Release the socket once the poll handle is closed. */
static void
notify_closed(uv_handle_t *h)
{
	struct rt_notify *n = h->data;

	close(n->fd);
	free(n->path);
	n->path = NULL;
	if (n->closed != NULL)
		n->closed(n);
}

void
rt_notify_close(struct rt_notify *n)
{
	if (uv_is_closing((uv_handle_t *)&n->poll))
		return;
	unlink(n->path);
	uv_close((uv_handle_t *)&n->poll, notify_closed);
}

/* The answer of a call run on its own loop. */
struct mc_sync {
	int status;
	char *reply;
};

static void
sync_replied(void *arg, int status, const char *reply)
{
	struct mc_sync *s = arg;

	s->status = status;
	s->reply = xstrdup(reply);
}

int
rt_mconsole_call(const char *sock, const char *client_dir, const char *cmd, unsigned int timeout_ms,
                 char **reply)
{
	struct mc_sync s = {.status = -EINPROGRESS};
	uv_loop_t loop;

	uv_loop_init(&loop);
	rt_mconsole_send(&loop, sock, client_dir, cmd, timeout_ms, sync_replied, &s);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (reply != NULL)
		*reply = s.reply != NULL ? s.reply : xstrdup("");
	else
		free(s.reply);
	return s.status;
}
