/*
 * hub/client.c: the client modes hub --stats and hub --capture, which talk
 * to a running hub over DIR/mgmt.  They are plain blocking programs: no
 * event loop is needed to send one line and copy the answer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hub-int.h"

/* Connects to DIR/mgmt. */
static int
mgmt_connect(const char *dir, struct hub_err *err)
{
	struct sockaddr_un sun;
	int fd;

	if (hub__sun_path(&sun, dir, "mgmt") == -1)
		return hub__err_errno(err, errno, "%s/mgmt", dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return hub__err_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "%s (is a hub running there?)", sun.sun_path);
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
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	int s;

	if (strchr(line, '\n') != NULL || strlen(line) > 255)
		return hub__err(err, "a command is one line of at most 255 bytes");
	if ((s = mgmt_connect(dir, err)) == -1)
		return -1;
	if (write_all(s, line, strlen(line)) == -1 || write_all(s, "\n", 1) == -1) {
		close(s);
		return hub__err_errno(err, errno, "%s/mgmt", dir);
	}
	while (len < sizeof(buf) && memchr(buf, '\n', len) == NULL) {
		n = read(s, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(s);
	if (len == 0 || memchr(buf, '\n', len) == NULL)
		return hub__err(err, "%s/mgmt: no answer", dir);
	len = (size_t)((char *)memchr(buf, '\n', len) - buf) + 1;
	if (len > 6 && memcmp(buf, "error ", 6) == 0)
		return hub__err(err, "%.*s", (int)(len - 7), buf + 6);
	if (write_all(fd, buf, len) == -1)
		return hub__err_errno(err, errno, "write");
	return 0;
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
