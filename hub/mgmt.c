/*
 * hub/mgmt.c: the control interface on DIR/mgmt, a line protocol
 * documented in share/doc/hub-control.md.
 *
 * A connection sends command lines and gets one reply line each: "stats"
 * (one JSON object), "impair" (show or change impairments), "link" and
 * "partition" (link state, hub/link.c), "help", "quit".  "capture [COUNT]" and
 * "events" turn the connection into a stream (pcap, or join/leave/impair/link lines) until the
 * client closes it or COUNT frames have been sent.  A slow capture reader never slows forwarding:
 * past HUB_CAPTURE_BACKLOG unwritten bytes its frames are skipped and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-int.h"

/* A write in flight with its bytes. */
struct mgmt_write {
	uv_write_t req;
	size_t len;
	char data[];
};

static char mgmt_buf[4096];

/* Frees a connection after its pipe has closed. */
static void
mgmt_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Closes a management connection (pending writes are cancelled). */
static void
mgmt_close(struct hub_mgmt *m)
{
	struct hub_mgmt **pp;

	if (m->closing)
		return;
	m->closing = 1;
	if (m->capture)
		m->hub->ncaptures--;
	for (pp = &m->hub->mgmts; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	uv_close((uv_handle_t *)&m->pipe, mgmt_closed);
}

/* Releases a finished write. */
static void
mgmt_written(uv_write_t *req, int status)
{
	free(req);
}

/* Queues len bytes to the client; the data is copied. */
static void
mgmt_send(struct hub_mgmt *m, const void *a, size_t alen, const void *b, size_t blen)
{
	struct mgmt_write *w;
	uv_buf_t buf;

	if (m->closing)
		return;
	w = xmalloc(sizeof(*w) + alen + blen);
	memcpy(w->data, a, alen);
	if (blen > 0)
		memcpy(w->data + alen, b, blen);
	w->len = alen + blen;
	buf = uv_buf_init(w->data, (unsigned int)w->len);
	if (uv_write(&w->req, (uv_stream_t *)&m->pipe, &buf, 1, mgmt_written) != 0) {
		free(w);
		mgmt_close(m);
	}
}

/* Closes the connection once everything queued has been written. */
static void
mgmt_shutdown_done(uv_shutdown_t *req, int status)
{
	struct hub_mgmt *m = req->handle->data;

	free(req);
	mgmt_close(m);
}

/* Finishes a capture stream: flush, then close. */
static void
mgmt_finish(struct hub_mgmt *m)
{
	uv_shutdown_t *req;

	/* Once finishing, the connection takes no more commands: a "capture"
	 * read after the end of the last one would count a stream twice. */
	if (m->finished)
		return;
	m->finished = 1;
	req = xmalloc(sizeof(*req));
	if (m->capture) {
		m->capture = 0;
		m->hub->ncaptures--;
	}
	if (uv_shutdown(req, (uv_stream_t *)&m->pipe, mgmt_shutdown_done) != 0) {
		free(req);
		mgmt_close(m);
	}
}

/* Sends one frame to every live capture stream. */
void
hub__mgmt_capture(struct hub *hub, struct hub_rx *rx)
{
	struct hub_mgmt *m, *next;
	unsigned char rec[16];

	hub__pcap_record(rec, rx);
	for (m = hub->mgmts; m != NULL; m = next) {
		next = m->next;
		if (!m->capture)
			continue;
		if (uv_stream_get_write_queue_size((uv_stream_t *)&m->pipe) > HUB_CAPTURE_BACKLOG) {
			m->dropped++;
			continue;
		}
		mgmt_send(m, rec, sizeof(rec), rx->data, rx->len);
		if (m->left > 0 && --m->left == 0)
			mgmt_finish(m);
	}
}

/* Tells every event stream that a port joined or left. */
void
hub__mgmt_event(struct hub *hub, const char *what, const struct hub_port *p)
{
	struct hub_mgmt *m;
	char line[HUB_DESCR_MAX + 64];
	int n;

	n = snprintf(line, sizeof(line), "%s %u %s\n", what, p->port, p->descr);
	for (m = hub->mgmts; m != NULL; m = m->next) {
		if (m->events)
			mgmt_send(m, line, (size_t)n, NULL, 0);
	}
}

/* Tells every event stream one line (ended by \n). */
void
hub__mgmt_event_line(struct hub *hub, const char *line)
{
	struct hub_mgmt *m;

	for (m = hub->mgmts; m != NULL; m = m->next) {
		if (m->events)
			mgmt_send(m, line, strlen(line), NULL, 0);
	}
}

/* "impair": show; "impair domain SPEC", "impair port N SPEC|domain": change. */
static void
mgmt_impair(struct hub_mgmt *m, char *arg)
{
	char why[256], reply[HUB_SPEC_MAX + 64], *spec, *end;
	unsigned long port = 0;
	int target = -1;

	if (arg == NULL || *arg == '\0') {
		char *json = hub__impair_json(m->hub);

		mgmt_send(m, json, strlen(json), "\n", 1);
		free(json);
		return;
	}
	spec = strchr(arg, ' ');
	if (spec != NULL) {
		*spec++ = '\0';
		spec += strspn(spec, " ");
	}
	if (strcmp(arg, "port") == 0 && spec != NULL) {
		errno = 0;
		port = strtoul(spec, &end, 10);
		if (errno != 0 || end == spec || (*end != ' ' && *end != '\0') || *spec == '-' ||
		    port > HUB_PORTS_MAX) {
			mgmt_send(m, "error bad port\n", 15, NULL, 0);
			return;
		}
		target = (int)port;
		spec = end + strspn(end, " ");
	} else if (strcmp(arg, "domain") != 0 || spec == NULL) {
		static const char usage[] =
		        "error usage: impair [domain SPEC | port N SPEC|domain]\n";

		mgmt_send(m, usage, sizeof(usage) - 1, NULL, 0);
		return;
	}
	if (hub__impair_set(m->hub, target, spec, why, sizeof(why)) == -1) {
		int n = snprintf(reply, sizeof(reply), "error %s\n", why);

		mgmt_send(m, reply, (size_t)n, NULL, 0);
		return;
	}
	mgmt_send(m, "ok\n", 3, NULL, 0);
}

/* Runs one command line. */
static void
mgmt_command(struct hub_mgmt *m, char *line)
{
	static const char help[] = "ok commands: stats, capture [COUNT], events, impair [domain "
	                           "SPEC | port N SPEC|domain], link [domain up|down | port N "
	                           "up|down], partition GROUPS|none, help, quit\n";
	char *arg, *end;

	if ((arg = strchr(line, ' ')) != NULL) {
		*arg++ = '\0';
		arg += strspn(arg, " ");
	}
	if (strcmp(line, "stats") == 0) {
		char *json = hub__stats_json(m->hub);

		mgmt_send(m, json, strlen(json), "\n", 1);
		free(json);
	} else if (strcmp(line, "capture") == 0) {
		unsigned char hdr[24];
		unsigned long count = 0;

		if (arg != NULL && *arg != '\0') {
			errno = 0;
			count = strtoul(arg, &end, 10);
			if (errno != 0 || *end != '\0' || *arg == '-') {
				mgmt_send(m, "error bad count\n", 16, NULL, 0);
				return;
			}
		}
		hub__pcap_header(hdr);
		mgmt_send(m, hdr, sizeof(hdr), NULL, 0);
		m->capture = 1;
		m->left = count;
		m->hub->ncaptures++;
	} else if (strcmp(line, "events") == 0) {
		m->events = 1;
		mgmt_send(m, "ok events\n", 10, NULL, 0);
	} else if (strcmp(line, "impair") == 0) {
		mgmt_impair(m, arg);
	} else if (strcmp(line, "link") == 0 || strcmp(line, "partition") == 0) {
		char *reply = line[0] == 'l' ? hub__link_command(m->hub, arg)
		                             : hub__partition_command(m->hub, arg);

		mgmt_send(m, reply, strlen(reply), NULL, 0);
		free(reply);
	} else if (strcmp(line, "help") == 0) {
		mgmt_send(m, help, sizeof(help) - 1, NULL, 0);
	} else if (strcmp(line, "quit") == 0) {
		mgmt_finish(m);
	} else if (line[0] != '\0') {
		mgmt_send(m, "error unknown command\n", 22, NULL, 0);
	}
}

/* Hands libuv the shared read buffer. */
static void
mgmt_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	buf->base = mgmt_buf;
	buf->len = sizeof(mgmt_buf);
}

/* Splits input into command lines; streams ignore further input. */
static void
mgmt_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct hub_mgmt *m = s->data;
	ssize_t i;

	if (nread < 0) {
		mgmt_close(m);
		return;
	}
	for (i = 0; i < nread && !m->closing && !m->finished && !m->capture && !m->events; i++) {
		char c = buf->base[i];

		if (c == '\n') {
			if (m->linelen > 0 && m->line[m->linelen - 1] == '\r')
				m->linelen--;
			m->line[m->linelen] = '\0';
			m->linelen = 0;
			mgmt_command(m, m->line);
		} else if (m->linelen + 1 >= sizeof(m->line)) {
			mgmt_send(m, "error line too long\n", 20, NULL, 0);
			mgmt_finish(m);
		} else {
			m->line[m->linelen++] = c;
		}
	}
}

/* Accepts a management connection. */
static void
mgmt_accept(uv_stream_t *srv, int status)
{
	struct hub *hub = srv->data;
	struct hub_mgmt *m;

	if (status < 0 || hub->stopping)
		return;
	m = xcalloc(1, sizeof(*m));
	m->hub = hub;
	uv_pipe_init(hub->loop, &m->pipe, 0);
	m->pipe.data = m;
	m->next = hub->mgmts;
	hub->mgmts = m;
	if (uv_accept(srv, (uv_stream_t *)&m->pipe) != 0) {
		mgmt_close(m);
		return;
	}
	uv_read_start((uv_stream_t *)&m->pipe, mgmt_alloc, mgmt_read);
}

/* Binds DIR/mgmt and starts accepting management connections. */
int
hub__mgmt_start(struct hub *hub, struct hub_err *err)
{
	int rc;

	if (hub__dir_bind(hub, &hub->mgmt_srv, "mgmt", err) == -1)
		return -1;
	hub->mgmt_srv.data = hub;
	if ((rc = uv_listen((uv_stream_t *)&hub->mgmt_srv, 16, mgmt_accept)) != 0)
		return hub__err(err, "listen %s/mgmt: %s", hub->dir, uv_strerror(rc));
	return 0;
}

/* Stops the control interface and closes its connections. */
void
hub__mgmt_stop(struct hub *hub)
{
	if (hub->mgmt_srv.loop != NULL && !uv_is_closing((uv_handle_t *)&hub->mgmt_srv))
		uv_close((uv_handle_t *)&hub->mgmt_srv, NULL);
	while (hub->mgmts != NULL)
		mgmt_close(hub->mgmts);
}
