/*
 * tests/unit/test_rt_mconsole.c: our mconsole client's request encoding,
 * reply decoding and notify listener (src/mconsole.c), against a peer this
 * test binds: the kernel's side of the protocol, played on a local datagram
 * socket under the same libuv loop. The integration tests talk to real UML.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "mconsole.h"
#include "test_rt_tmp.h"

#define MAGIC 0xcafebabeU

/* How the fake kernel answers a request. */
enum answer { ANSWER_TWO_PARTS, ANSWER_ERROR, ANSWER_NOTHING };

/* The fake kernel side and what the client got. */
struct peer {
	uv_poll_t poll;
	int fd;
	enum answer answer;
	uint32_t magic, version, len; /* of the request received */
	char cmd[RT_MCONSOLE_MAX_DATA + 1];
	int calls;  /* client callbacks run */
	int status; /* client callback's status */
	char *reply;
};

/* Send one reply datagram: err, more, len (counting the NUL), text. */
static void
send_reply(struct peer *p, const struct sockaddr_un *to, socklen_t tolen, uint32_t err,
           uint32_t more, const char *text)
{
	unsigned char buf[12 + RT_MCONSOLE_MAX_DATA];
	uint32_t len = (uint32_t)strlen(text) + 1;

	memcpy(buf, &err, 4);
	memcpy(buf + 4, &more, 4);
	memcpy(buf + 8, &len, 4);
	memcpy(buf + 12, text, len);
	assert_true(sendto(p->fd, buf, 12 + len, 0, (const struct sockaddr *)to, tolen) > 0);
}

/* The fake kernel reads a request, decodes it and answers as told. */
static void
peer_readable(uv_poll_t *h, int status, int events)
{
	struct peer *p = h->data;
	unsigned char buf[12 + RT_MCONSOLE_MAX_DATA];
	struct sockaddr_un from;
	socklen_t fromlen = sizeof(from);
	ssize_t n = recvfrom(p->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);

	(void)status;
	(void)events;
	assert_true(n >= 12);
	memcpy(&p->magic, buf, 4);
	memcpy(&p->version, buf + 4, 4);
	memcpy(&p->len, buf + 8, 4);
	assert_true(p->len <= (size_t)n - 12);
	memcpy(p->cmd, buf + 12, p->len);
	p->cmd[p->len] = '\0';
	if (p->answer == ANSWER_TWO_PARTS) {
		send_reply(p, &from, fromlen, 0, 1, "part one, ");
		send_reply(p, &from, fromlen, 0, 0, "part two");
	} else if (p->answer == ANSWER_ERROR) {
		send_reply(p, &from, fromlen, 1, 0, "unknown command");
	}
}

/* Bind the fake kernel's mconsole socket at path and watch it. */
static void
peer_open(uv_loop_t *loop, struct peer *p, const char *path, enum answer a)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(p, 0, sizeof(*p));
	p->answer = a;
	p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(p->fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	p->poll.data = p;
	uv_poll_init(loop, &p->poll, p->fd);
	uv_poll_start(&p->poll, UV_READABLE, peer_readable);
}

/* The client's callback: record the outcome and stop the fake kernel. */
static void
client_done(void *arg, int status, const char *reply)
{
	struct peer *p = arg;

	p->calls++;
	p->status = status;
	p->reply = strdup(reply);
	if (p->fd >= 0 && !uv_is_closing((uv_handle_t *)&p->poll))
		uv_close((uv_handle_t *)&p->poll, NULL);
}

/* Run the loop to the end and close it; nothing may stay open. */
static void
run_loop(uv_loop_t *loop)
{
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

/* Is there a client reply socket (.mc-*) left in dir? */
static bool
client_socket_left(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool left = false;

	while (d != NULL && (de = readdir(d)) != NULL)
		left |= strncmp(de->d_name, ".mc-", 4) == 0;
	if (d != NULL)
		closedir(d);
	return left;
}

/* A request is magic, version 2, the length, then the command without its NUL. */
static void
pack_lays_out_magic_version_length_and_text(void **state)
{
	unsigned char buf[64];
	uint32_t v;

	(void)state;
	assert_int_equal(rt_mconsole_pack("cad", buf, sizeof(buf)), 12 + 3);
	memcpy(&v, buf, 4);
	assert_true(v == MAGIC);
	memcpy(&v, buf + 4, 4);
	assert_int_equal(v, 2);
	memcpy(&v, buf + 8, 4);
	assert_int_equal(v, 3);
	assert_memory_equal(buf + 12, "cad", 3);
}

/* A command that does not fit the kernel's 512-byte buffer (with its NUL) is refused. */
static void
pack_refuses_a_command_too_long_for_the_kernel(void **state)
{
	unsigned char buf[12 + RT_MCONSOLE_MAX_DATA];
	char cmd[RT_MCONSOLE_MAX_DATA + 1];

	(void)state;
	memset(cmd, 'x', sizeof(cmd));
	cmd[RT_MCONSOLE_MAX_DATA - 1] = '\0';
	assert_int_equal(rt_mconsole_pack(cmd, buf, sizeof(buf)), 12 + RT_MCONSOLE_MAX_DATA - 1);
	cmd[RT_MCONSOLE_MAX_DATA - 1] = 'x';
	cmd[RT_MCONSOLE_MAX_DATA] = '\0';
	assert_int_equal(rt_mconsole_pack(cmd, buf, sizeof(buf)), -1);
	assert_int_equal(rt_mconsole_pack("cad", buf, 14), -1);
}

/* The guest receives the request as sent, and a reply in two parts is joined. */
static void
send_delivers_the_request_and_joins_reply_parts(void **state)
{
	char *sock = strdup(rt_tpath(state, "mconsole"));
	struct peer p;
	uv_loop_t loop;

	uv_loop_init(&loop);
	peer_open(&loop, &p, sock, ANSWER_TWO_PARTS);
	rt_mconsole_send(&loop, sock, rt_tdir(state), "version", 5000, client_done, &p);
	run_loop(&loop);
	assert_true(p.magic == MAGIC);
	assert_int_equal(p.version, 2);
	assert_string_equal(p.cmd, "version");
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.status, 0);
	assert_string_equal(p.reply, "part one, part two");
	assert_false(client_socket_left(rt_tdir(state)));
	close(p.fd);
	free(p.reply);
	free(sock);
}

/* A reply with the error flag set gives status 1 and its text. */
static void
send_reports_the_guests_error_flag(void **state)
{
	char *sock = strdup(rt_tpath(state, "mconsole"));
	struct peer p;
	uv_loop_t loop;

	uv_loop_init(&loop);
	peer_open(&loop, &p, sock, ANSWER_ERROR);
	rt_mconsole_send(&loop, sock, rt_tdir(state), "frobnicate", 5000, client_done, &p);
	run_loop(&loop);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.status, 1);
	assert_string_equal(p.reply, "unknown command");
	close(p.fd);
	free(p.reply);
	free(sock);
}

/* A guest that never answers gives -ETIMEDOUT once, and the client socket goes. */
static void
send_times_out_when_the_guest_is_silent(void **state)
{
	char *sock = strdup(rt_tpath(state, "mconsole"));
	struct peer p;
	uv_loop_t loop;

	uv_loop_init(&loop);
	peer_open(&loop, &p, sock, ANSWER_NOTHING);
	rt_mconsole_send(&loop, sock, rt_tdir(state), "halt", 50, client_done, &p);
	run_loop(&loop);
	assert_string_equal(p.cmd, "halt");
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.status, -ETIMEDOUT);
	assert_false(client_socket_left(rt_tdir(state)));
	close(p.fd);
	free(p.reply);
	free(sock);
}

/* No socket at all: -ENOENT, delivered from the loop, not before send returns. */
static void
send_reports_a_missing_socket_from_the_loop(void **state)
{
	struct peer p = {.fd = -1};
	uv_loop_t loop;

	uv_loop_init(&loop);
	rt_mconsole_send(&loop, rt_tpath(state, "nobody"), rt_tdir(state), "cad", 5000, client_done,
	                 &p);
	assert_int_equal(p.calls, 0);
	run_loop(&loop);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.status, -ENOENT);
	assert_false(client_socket_left(rt_tdir(state)));
	free(p.reply);
}

/* A socket file nobody listens on any more (a dead guest): -ECONNREFUSED. */
static void
send_reports_a_dead_guest_as_refused(void **state)
{
	char *sock = strdup(rt_tpath(state, "mconsole"));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct peer p = {.fd = -1};
	uv_loop_t loop;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	strcpy(sa.sun_path, sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	uv_loop_init(&loop);
	rt_mconsole_send(&loop, sock, rt_tdir(state), "cad", 5000, client_done, &p);
	run_loop(&loop);
	assert_int_equal(p.calls, 1);
	assert_int_equal(p.status, -ECONNREFUSED);
	free(p.reply);
	free(sock);
}

/* What the notify listener got. */
struct heard {
	int calls;
	int type;
	char data[RT_MCONSOLE_MAX_DATA + 1];
	bool closed;
};

/* Notify callback: record the first notification and close the listener. */
static void
notified(struct rt_notify *n, int type, const char *data)
{
	struct heard *h = n->data;

	h->calls++;
	h->type = type;
	snprintf(h->data, sizeof(h->data), "%s", data);
	rt_notify_close(n);
}

/* The listener's socket is released. */
static void
notify_released(struct rt_notify *n)
{
	((struct heard *)n->data)->closed = true;
}

/* Send a notification as the kernel does: magic, version, type, len, data (host endian). */
static void
kernel_notify(const char *path, uint32_t magic, int32_t type, const char *text)
{
	unsigned char buf[16 + RT_MCONSOLE_MAX_DATA];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint32_t version = 2, len = (uint32_t)strlen(text) + 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &version, 4);
	memcpy(buf + 8, &type, 4);
	memcpy(buf + 12, &len, 4);
	memcpy(buf + 16, text, len);
	strcpy(sa.sun_path, path);
	assert_true(sendto(fd, buf, 16 + len, 0, (struct sockaddr *)&sa, sizeof(sa)) > 0);
	close(fd);
}

/* A panic notification reaches the owner with its type and message. */
static void
notify_delivers_a_panic_with_its_message(void **state)
{
	char *path = strdup(rt_tpath(state, "notify"));
	struct rt_notify n = {.data = NULL};
	struct heard h = {0};
	uv_loop_t loop;

	uv_loop_init(&loop);
	n.data = &h;
	n.closed = notify_released;
	assert_int_equal(rt_notify_open(&loop, &n, path, notified, NULL), 0);
	kernel_notify(path, MAGIC, RT_NOTIFY_PANIC, "Attempted to kill init!");
	run_loop(&loop);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.type, RT_NOTIFY_PANIC);
	assert_string_equal(h.data, "Attempted to kill init!");
	assert_true(h.closed);
	assert_int_equal(access(path, F_OK), -1); /* the socket file is gone */
	free(path);
}

/* A datagram without the magic is ignored; the next good one is delivered. */
static void
notify_ignores_datagrams_without_the_magic(void **state)
{
	char *path = strdup(rt_tpath(state, "notify"));
	struct rt_notify n = {.data = NULL};
	struct heard h = {0};
	uv_loop_t loop;

	uv_loop_init(&loop);
	n.data = &h;
	n.closed = notify_released;
	assert_int_equal(rt_notify_open(&loop, &n, path, notified, NULL), 0);
	kernel_notify(path, 0xdeadbeef, RT_NOTIFY_PANIC, "forged");
	kernel_notify(path, MAGIC, RT_NOTIFY_SOCKET, "/run/uml/pc1/mconsole");
	run_loop(&loop);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.type, RT_NOTIFY_SOCKET);
	assert_string_equal(h.data, "/run/uml/pc1/mconsole");
	free(path);
}

/* A stale socket file from a crashed run is replaced, not an error. */
static void
notify_replaces_a_stale_socket(void **state)
{
	char *path = strdup(rt_tpath(state, "notify"));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct rt_notify n = {.data = NULL};
	struct heard h = {0};
	uv_loop_t loop;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	uv_loop_init(&loop);
	n.data = &h;
	assert_int_equal(rt_notify_open(&loop, &n, path, notified, NULL), 0);
	kernel_notify(path, MAGIC, RT_NOTIFY_USER, "hello");
	run_loop(&loop);
	assert_int_equal(h.calls, 1);
	assert_string_equal(h.data, "hello");
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(pack_lays_out_magic_version_length_and_text),
	        T(pack_refuses_a_command_too_long_for_the_kernel),
	        T(send_delivers_the_request_and_joins_reply_parts),
	        T(send_reports_the_guests_error_flag),
	        T(send_times_out_when_the_guest_is_silent),
	        T(send_reports_a_missing_socket_from_the_loop),
	        T(send_reports_a_dead_guest_as_refused),
	        T(notify_delivers_a_panic_with_its_message),
	        T(notify_ignores_datagrams_without_the_magic),
	        T(notify_replaces_a_stale_socket),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
