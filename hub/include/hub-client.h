/*
 * hub/include/hub-client.h: the one client of a hub's management socket
 * (DIR/mgmt, share/doc/hub-control.md), for every program that talks to a
 * running hub: the hub's own client modes, lstatus, ltop, lcapture, and
 * whatever changes a running hub's impairments or link state ("impair ...",
 * "link port 3 down", "partition 1,2 3": each answered by one line, "ok" or
 * "error REASON"; "link" and "impair" alone by one line of JSON).
 * Errors follow common/errmsg.h.
 */
#ifndef UMLAB_HUB_CLIENT_H
#define UMLAB_HUB_CLIENT_H

/* Longest request line, without its newline (the hub's HUB_MGMT_LINE_MAX):
 * a partition naming every port fits. */
#define HUB_CLIENT_LINE_MAX 4095

/* Connect to DIR/mgmt; a connected socket, or -1 with *err. */
int hub_client_connect(const char *dir, char **err);

/*
 * Send one request line (no newline in it) and return the first answer line
 * without its newline, waiting at most timeout_ms for it: a hub answers at
 * once, a wedged one must not freeze the caller. NULL with *err on failure;
 * an answer "error ..." is returned as it is.
 */
char *hub_client_request(const char *dir, const char *request, int timeout_ms, char **err);

/* Send one request line on a connected socket; 0, or -1 with *err. */
int hub_client_send(int fd, const char *request, char **err);

#endif
