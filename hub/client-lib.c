/*
 * hub/client-lib.c: connecting to a hub's management socket and one
 * request/answer exchange (hub-client.h). Blocking calls with a bounded
 * wait: one line out, one line back.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hub-client.h"
#include "xalloc.h"

int
hub_client_connect(const char *dir, char **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/mgmt", dir);

	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return rt_fail(err, "%s/mgmt: path longer than a socket address", dir);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return rt_fail_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return rt_fail_errno(err, e, "%s (is a hub running there?)", sa.sun_path);
	}
	return fd;
}

int
hub_client_send(int fd, const char *request, char **err)
{
	char *line;
	size_t len, off = 0;

	if (strchr(request, '\n') != NULL || strlen(request) > HUB_CLIENT_LINE_MAX)
		return rt_fail(err, "a hub request is one line of at most %d bytes",
		               HUB_CLIENT_LINE_MAX);
	line = xasprintf("%s\n", request);
	len = strlen(line);
	while (off < len) {
		ssize_t w = write(fd, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(line);
			return rt_fail_errno(err, errno, "sending '%s' to the hub", request);
		}
		off += (size_t)w;
	}
	free(line);
	return 0;
}

char *
hub_client_request(const char *dir, const char *request, int timeout_ms, char **err)
{
	char buf[65536], *nl = NULL;
	size_t len = 0;
	int fd = hub_client_connect(dir, err);

	if (fd < 0)
		return NULL;
	if (hub_client_send(fd, request, err) < 0) {
		close(fd);
		return NULL;
	}
	while (len < sizeof(buf) - 1 && (nl = memchr(buf, '\n', len)) == NULL) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&pf, 1, timeout_ms) <= 0)
			break;
		if ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (nl == NULL) {
		rt_fail(err, "%s/mgmt: no answer to '%s'", dir, request);
		return NULL;
	}
	return xstrndup(buf, (size_t)(nl - buf));
}
