/*
 * rt/mconsole.h: our own UML mconsole client and notify listener.
 *
 * The protocol (see share/doc/runtime-layout.md and the kernel's
 * arch/um/drivers/mconsole*): requests are datagrams to the guest's
 * uml_dir/UMID/mconsole socket, replies come back to the client's own
 * (autobound, abstract) address; the kernel announces boot, panics and
 * /proc/mconsole writes as datagrams to a socket the controller binds.
 * libuv has no AF_UNIX datagram handle, so both sides are raw sockets under
 * uv_poll_t, kept in this one file.
 */
#ifndef UMLAB_MCONSOLE_H
#define UMLAB_MCONSOLE_H

#include <uv.h>

#define RT_MCONSOLE_MAX_DATA 512

enum rt_notify_type {
	RT_NOTIFY_SOCKET = 0, /* kernel booted; data is the mconsole socket path */
	RT_NOTIFY_PANIC = 1,  /* kernel panic; data is the panic message */
	RT_NOTIFY_HANG = 2,
	RT_NOTIFY_USER = 3, /* a guest process wrote to /proc/mconsole */
};

/*
 * Reply callback: status 0 on success, 1 when the guest answered with its
 * error flag set, or a negative errno (-ETIMEDOUT, -ECONNREFUSED for a dead
 * guest, -ENOENT for a missing socket). reply is the joined reply text.
 */
typedef void (*rt_mconsole_cb)(void *arg, int status, const char *reply);

/*
 * Send cmd to the mconsole at sock; cb runs exactly once, from the loop.
 * The reply comes to a socket bound in client_dir: a path, not an abstract
 * name, because the guest lives in its own network namespace, where our
 * abstract names do not exist.
 */
void rt_mconsole_send(uv_loop_t *loop, const char *sock, const char *client_dir, const char *cmd,
                      unsigned int timeout_ms, rt_mconsole_cb cb, void *arg);

/*
 * The same on a private loop, for a caller without one: the callback's
 * status, the reply text in *reply (caller frees; "" when none).
 */
int rt_mconsole_call(const char *sock, const char *client_dir, const char *cmd,
                     unsigned int timeout_ms, char **reply);

/* Build a request datagram; returns its length or -1 if cmd is too long. */
int rt_mconsole_pack(const char *cmd, unsigned char *buf, size_t size);

struct rt_notify;
typedef void (*rt_notify_cb)(struct rt_notify *n, int type, const char *data);

/* A bound notify socket for one guest. */
struct rt_notify {
	uv_poll_t poll;
	int fd;
	char *path; /* owned */
	rt_notify_cb cb;
	void *data;                          /* the owner's */
	void (*closed)(struct rt_notify *n); /* after rt_notify_close, may free n */
};

/* Bind path (removing a stale socket first) and start listening. */
int rt_notify_open(uv_loop_t *loop, struct rt_notify *n, const char *path, rt_notify_cb cb,
                   char **err);
/* Stop listening, unlink the socket; n->closed runs from the loop. */
void rt_notify_close(struct rt_notify *n);

#endif
