/*
 * lexec/bridge.c: the per-guest lexec bridge (see agent.h).
 *
 * One process per guest, started by the first lexec that finds none. It
 * owns the guest's serial-line fifos and listens on RUNDIR/ID/agent/HOST.sock;
 * every connection is one lexec call, given a channel number on the line.
 * It never blocks: frames towards the guest wait in one queue paced by the
 * agent's acknowledgements (the guest tty must never fill), frames towards
 * a client wait in that client's queue (bounded by the channel credit the
 * client grants). It exits when the guest closes the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent-proto.h"
#include "lexec.h"
#include "xalloc.h"

#define MAX_CLIENTS 256

/* A growable byte queue with a read offset. */
struct bq {
	uint8_t *buf;
	size_t off, len, cap;
};

struct client {
	int fd;
	uint32_t chan;
	bool opened; /* its OPEN went to the agent */
	bool done;   /* EXIT or CLOSE forwarded: close once flushed */
	uint8_t in[2 * (AP_HDR_LEN + AP_MAX_TO_GUEST)];
	size_t inlen;
	struct bq out;
};

static struct client *clients[MAX_CLIENTS];
static struct bq line; /* towards the guest */
static uint32_t credit = AP_LINK_WINDOW;
static bool ready;
static uint32_t nonce;
static uint32_t next_chan;
static uint8_t gbuf[2 * (AP_HDR_LEN + AP_MAX_FROM_GUEST)];
static size_t glen;

/* Append n bytes to a queue. */
static void
bq_put(struct bq *q, const void *p, size_t n)
{
	if (q->off > 0 && q->off == q->len)
		q->off = q->len = 0;
	if (q->len + n > q->cap) {
		if (q->off > 0) {
			memmove(q->buf, q->buf + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		while (q->len + n > q->cap)
			q->cap = q->cap ? q->cap * 2 : 65536;
		q->buf = xrealloc(q->buf, q->cap);
	}
	memcpy(q->buf + q->len, p, n);
	q->len += n;
}

static size_t
bq_size(const struct bq *q)
{
	return q->len - q->off;
}

/* Write what fd takes from q (at most max bytes); -1 on a real error. */
static ssize_t
bq_flush(struct bq *q, int fd, size_t max)
{
	size_t n = bq_size(q) < max ? bq_size(q) : max;
	ssize_t w;

	if (n == 0)
		return 0;
	w = write(fd, q->buf + q->off, n);
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	q->off += (size_t)w;
	return w;
}

/* Queue a frame. */
static void
put_frame(struct bq *q, uint8_t type, uint32_t chan, const void *p, uint32_t len)
{
	uint8_t h[AP_HDR_LEN];

	ap_hdr_pack(h, type, chan, p, len);
	bq_put(q, h, sizeof(h));
	if (len > 0)
		bq_put(q, p, len);
}

/* Tell a client its call failed, and close it once told. */
static void
fail_client(struct client *c, const char *why)
{
	put_frame(&c->out, AP_CLOSE, c->chan, why, (uint32_t)strlen(why));
	c->done = true;
}

static void
drop_client(int i)
{
	struct client *c = clients[i];

	/* The agent kills what a vanished caller left running. */
	if (c->opened && !c->done)
		put_frame(&line, AP_CLOSE, c->chan, NULL, 0);
	close(c->fd);
	free(c->out.buf);
	free(c);
	clients[i] = NULL;
}

static struct client *
client_of(uint32_t chan)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] != NULL && clients[i]->chan == chan)
			return clients[i];
	return NULL;
}

/* A frame from the guest. */
static void
from_guest(const struct ap_hdr *h, const uint8_t *p)
{
	struct client *c;

	switch (h->type) {
	case AP_HELLO:
		if (h->len < 4)
			return;
		/* Nonce 0: the agent (re)started, so calls already sent are lost. */
		if (ap_get32(p) == 0 && ready)
			for (int i = 0; i < MAX_CLIENTS; i++)
				if (clients[i] != NULL && clients[i]->opened && !clients[i]->done)
					fail_client(clients[i], "the guest's agent restarted");
		if (ap_get32(p) == 0 || ap_get32(p) == nonce)
			ready = true;
		return;
	case AP_ACK:
		if (h->len >= 4) {
			uint64_t c2 = (uint64_t)credit + ap_get32(p);
			credit = c2 > AP_LINK_WINDOW ? AP_LINK_WINDOW : (uint32_t)c2;
		}
		return;
	default:
		break;
	}
	if (h->chan == 0 || (c = client_of(h->chan)) == NULL || c->done)
		return;
	put_frame(&c->out, h->type, h->chan, p, h->len);
	if (h->type == AP_EXIT || h->type == AP_CLOSE)
		c->done = true;
}

/* Frames a client may send; anything else ends its call. */
static bool
client_type_ok(uint8_t t)
{
	return t == AP_OPEN || t == AP_STDIN || t == AP_STDIN_EOF || t == AP_WINDOW ||
	       t == AP_SIGNAL;
}

/* Read a client's frames onto the line, under its channel number. */
static bool
from_client(struct client *c)
{
	ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	size_t off = 0;
	struct ap_hdr h;

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (r < 0)
		return true;
	c->inlen += (size_t)r;
	while (off < c->inlen) {
		long n = ap_parse(c->in + off, c->inlen - off, AP_MAX_TO_GUEST, &h);

		if (n == 0)
			break;
		if (n < 0 || !client_type_ok(h.type) || (h.type == AP_OPEN) == c->opened)
			return false;
		if (h.type == AP_OPEN)
			c->opened = true;
		put_frame(&line, h.type, c->chan, c->in + off + AP_HDR_LEN, h.len);
		off += (size_t)n;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return true;
}

/* Parse the guest's bytes, skipping garbage. */
static void
parse_guest(void)
{
	size_t off = 0;
	struct ap_hdr h;

	while (off < glen) {
		long n = ap_parse(gbuf + off, glen - off, AP_MAX_FROM_GUEST, &h);

		if (n == 0)
			break;
		if (n < 0) {
			off += ap_skip(gbuf + off, glen - off);
			continue;
		}
		from_guest(&h, gbuf + off + AP_HDR_LEN);
		off += (size_t)n;
	}
	memmove(gbuf, gbuf + off, glen - off);
	glen -= off;
}

/* Tell the spawning lexec how the start went, then let go of it. */
static void
report(int *ready_fd, const char *msg)
{
	if (*ready_fd >= 0) {
		if (write(*ready_fd, msg, strlen(msg)) < 0) {
			/* The spawner is gone; nothing to tell. */
		}
		close(*ready_fd);
		*ready_fd = -1;
	}
}

/* Open the fifos and the socket; 0, or -1 after reporting why. */
static int
setup(const char *prefix, int *ready_fd, int *gin, int *gout, int *lsock, char **sockpath)
{
	char *in = xasprintf("%s.in", prefix), *out = xasprintf("%s.out", prefix);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc = -1;

	*sockpath = xasprintf("%s.sock", prefix);
	*gout = open(out, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*gout < 0) {
		report(ready_fd,
		       errno == ENOENT ? "E-noline\n" : "E-broken cannot open the line\n");
		goto out;
	}
	if (flock(*gout, LOCK_EX | LOCK_NB) < 0) {
		report(ready_fd, "busy\n");
		goto out;
	}
	*gin = open(in, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (*gin < 0) {
		report(ready_fd, errno == ENXIO ? "E-down\n" : "E-broken cannot open the line\n");
		goto out;
	}
	if (strlen(*sockpath) >= sizeof(sa.sun_path)) {
		report(ready_fd, "E-broken socket path too long\n");
		goto out;
	}
	strcpy(sa.sun_path, *sockpath);
	unlink(*sockpath);
	*lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (*lsock < 0 || bind(*lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(*lsock, 64) < 0) {
		report(ready_fd, "E-broken cannot listen\n");
		goto out;
	}
	chmod(*sockpath, 0600);
	rc = 0;
out:
	free(in);
	free(out);
	return rc;
}

int
rt_agent_bridge_main(const char *prefix, int ready_fd)
{
	static const uint8_t zeros[AP_HDR_LEN + AP_MAX_TO_GUEST];
	struct pollfd pf[3 + MAX_CLIENTS];
	int gin = -1, gout = -1, lsock = -1, idx[MAX_CLIENTS];
	char *sockpath = NULL;
	struct stat st;
	uint8_t nb[4];

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (setup(prefix, &ready_fd, &gin, &gout, &lsock, &sockpath) < 0) {
		free(sockpath);
		return 1;
	}
	stat(sockpath, &st);
	report(&ready_fd, "ok\n");

	/* Complete whatever frame a dead predecessor left half sent, then reset. */
	if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce) || nonce == 0)
		nonce = (uint32_t)getpid() | 1u;
	bq_put(&line, zeros, sizeof(zeros));
	ap_put32(nb, nonce);
	put_frame(&line, AP_RESET, 0, nb, 4);

	for (;;) {
		nfds_t n = 3;
		int nc = 0;

		pf[0] = (struct pollfd){gout, POLLIN, 0};
		pf[1] = (struct pollfd){gin, bq_size(&line) > 0 && credit > 0 ? POLLOUT : 0, 0};
		pf[2] = (struct pollfd){lsock, POLLIN, 0};
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = clients[i];
			short ev = 0;

			if (c == NULL)
				continue;
			/* Until the agent answers, calls wait in their sockets. */
			if (ready && !c->done && bq_size(&line) < (1u << 20))
				ev |= POLLIN;
			if (bq_size(&c->out) > 0)
				ev |= POLLOUT;
			idx[nc++] = i;
			pf[n++] = (struct pollfd){c->fd, ev, 0};
		}
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents) {
			ssize_t r = read(gout, gbuf + glen, sizeof(gbuf) - glen);

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				break; /* the guest is gone */
			if (r > 0) {
				glen += (size_t)r;
				parse_guest();
			}
		}
		if (pf[1].revents & (POLLERR | POLLHUP))
			break;
		if (pf[1].revents & POLLOUT) {
			ssize_t w = bq_flush(&line, gin, credit);

			if (w < 0)
				break;
			credit -= (uint32_t)w;
		}
		if (pf[2].revents & POLLIN) {
			int fd;

			while ((fd = accept4(lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
			       0) {
				int i;

				for (i = 0; i < MAX_CLIENTS && clients[i] != NULL; i++)
					;
				if (i == MAX_CLIENTS) {
					close(fd);
					continue;
				}
				clients[i] = xcalloc(1, sizeof(**clients));
				clients[i]->fd = fd;
				clients[i]->chan = ++next_chan ? next_chan : ++next_chan;
			}
		}
		for (int k = 0; k < nc; k++) {
			struct client *c = clients[idx[k]];
			short re = pf[3 + k].revents;

			if (c == NULL || re == 0)
				continue;
			if ((re & POLLOUT) && bq_flush(&c->out, c->fd, SIZE_MAX) < 0) {
				drop_client(idx[k]);
				continue;
			}
			if ((re & (POLLIN | POLLHUP | POLLERR)) && !c->done && !from_client(c)) {
				drop_client(idx[k]);
				continue;
			}
			if (c->done && bq_size(&c->out) == 0)
				drop_client(idx[k]);
		}
	}

	/* The guest went away: tell every caller, then leave. */
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = clients[i];

		if (c == NULL)
			continue;
		if (!c->done)
			fail_client(c, "the guest stopped");
		fcntl(c->fd, F_SETFL, 0);
		bq_flush(&c->out, c->fd, SIZE_MAX);
		drop_client(i);
	}
	/* Remove our socket unless a successor already replaced it. */
	{
		struct stat now;

		if (stat(sockpath, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev)
			unlink(sockpath);
	}
	free(sockpath);
	free(line.buf);
	return 0;
}
