/*
 * hub/client.c: the client modes hub --stats and hub --capture, which talk
 * to a running hub over DIR/mgmt.  They are plain blocking programs: no
 * event loop is needed to send one line and copy the answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hub-client.h"
#include "hub-int.h"

_Static_assert(HUB_CLIENT_LINE_MAX == HUB_MGMT_LINE_MAX, "the client's and the hub's line limits");

/* Connects to DIR/mgmt (hub-client.h), with the daemon's error type. */
static int
mgmt_connect(const char *dir, struct hub_err *err)
{
	char *e = NULL;
	int fd = hub_client_connect(dir, &e);

	if (fd == -1) {
		hub__err(err, "%s", e);
		free(e);
	}
	return fd;
}

/* Writes all of buf to fd. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Client mode: sends one command line, prints the hub's one-line answer on
 * fd; an answer starting with "error " is a failure (message in err). */
int
hub_client_command(const char *dir, const char *line, int fd, struct hub_err *err)
{
	char *e = NULL, *answer = hub_client_request(dir, line, 10000, &e);
	int rc = 0;

	if (answer == NULL) {
		hub__err(err, "%s", e);
		free(e);
		return -1;
	}
	if (strncmp(answer, "error ", 6) == 0)
		rc = hub__err(err, "%s", answer + 6);
	else if (write_all(fd, answer, strlen(answer)) == -1 || write_all(fd, "\n", 1) == -1)
		rc = hub__err_errno(err, errno, "write");
	free(answer);
	return rc;
}

/* Client mode: prints the running hub's counters (JSON) on fd. */
int
hub_client_stats(const char *dir, int fd, struct hub_err *err)
{
	return hub_client_command(dir, "stats", fd, err);
}

/* Sends one command, then copies the hub's stream to fd until the hub ends it. */
static int
client_stream(const char *dir, const char *cmd, int fd, struct hub_err *err)
{
	char buf[65536];
	ssize_t n;
	int s;

	if ((s = mgmt_connect(dir, err)) == -1)
		return -1;
	if (write_all(s, cmd, strlen(cmd)) == -1) {
		close(s);
		return hub__err_errno(err, errno, "%s/mgmt", dir);
	}
	for (;;) {
		n = read(s, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			break;
		if (n == -1) {
			int e = errno;

			close(s);
			return hub__err_errno(err, e, "%s/mgmt", dir);
		}
		if (write_all(fd, buf, (size_t)n) == -1) {
			int e = errno;

			close(s);
			/* A reader that went away (| head) is a normal end. */
			if (e == EPIPE)
				return 0;
			return hub__err_errno(err, e, "write");
		}
	}
	close(s);
	return 0;
}

/* Client mode: streams the hub's frames as pcap on fd; count 0 means forever. */
int
hub_client_capture(const char *dir, unsigned long count, int fd, struct hub_err *err)
{
	char cmd[64];

	/* The hub ends the stream after count frames, or when it stops. */
	snprintf(cmd, sizeof(cmd), "capture %lu\n", count);
	return client_stream(dir, cmd, fd, err);
}

/* Client mode: prints ports joining and leaving on fd until the hub stops. */
int
hub_client_events(const char *dir, int fd, struct hub_err *err)
{
	return client_stream(dir, "events\n", fd, err);
}
