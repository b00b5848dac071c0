/*
 * lexec/client.c: lexec's side of a call (see agent.h): find or start
 * the guest's bridge, then run one command over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent-proto.h"
#include "lexec.h"
#include "inst.h"
#include "xalloc.h"

/* Connect to a unix socket; fd or -1 with errno. */
static int
connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Start a bridge for prefix, detached; its first line of report. */
static char *
spawn_bridge(const char *self, const char *prefix)
{
	char buf[256];
	size_t n = 0;
	ssize_t r;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return xasprintf("E-broken pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return xasprintf("E-broken fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* Twice forked and in its own session: nobody's child, no terminal. */
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		dup2(p[1], 3); /* dup2 clears close-on-exec */
		close_range(4, ~0U, 0);
		if (chdir("/") < 0)
			_exit(127);
		execl(self, "lexec", "--agent-bridge", prefix, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	waitpid(pid, NULL, 0);
	while (n < sizeof(buf) - 1 && (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	close(p[0]);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(n > 0 ? buf : "E-broken the bridge did not start");
}

int
rt_agent_connect(const struct rt_inst *in, const char *host, const char *self,
                 enum rt_agent_fail *why, char **err)
{
	char *sock = rt_agent_path(in, host, ".sock"), *fin = rt_agent_path(in, host, ".in");
	char *prefix = rt_agent_path(in, host, ""), *msg = NULL;
	int fd, lock = -1;

	*why = RT_AGENT_BROKEN;
	if ((fd = connect_unix(sock)) >= 0)
		goto out;
	/* Whoever holds the start lock (on the fifo) starts the one bridge. */
	lock = open(fin, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (lock < 0) {
		*why = errno == ENOENT  ? RT_AGENT_NO_LINE
		       : errno == ENXIO ? RT_AGENT_DOWN
		                        : RT_AGENT_BROKEN;
		rt_fail_errno(err, errno, "%s", fin);
		goto out;
	}
	flock(lock, LOCK_EX);
	if ((fd = connect_unix(sock)) >= 0)
		goto out;
	msg = spawn_bridge(self, prefix);
	if (strcmp(msg, "ok") == 0 || strcmp(msg, "busy") == 0) {
		if ((fd = connect_unix(sock)) < 0)
			rt_fail_errno(err, errno, "the lexec bridge of %s does not answer on %s",
			              host, sock);
	} else if (strcmp(msg, "E-noline") == 0) {
		*why = RT_AGENT_NO_LINE;
		rt_fail(err, "no lexec line for %s", host);
	} else if (strcmp(msg, "E-down") == 0) {
		*why = RT_AGENT_DOWN;
		rt_fail(err, "%s is not running", host);
	} else {
		rt_fail(err, "cannot start the lexec bridge of %s: %s", host,
		        strncmp(msg, "E-broken ", 9) == 0 ? msg + 9 : msg);
	}
out:
	if (lock >= 0)
		close(lock);
	free(msg);
	free(sock);
	free(fin);
	free(prefix);
	return fd;
}

/* --- one call ----------------------------------------------------------- */

struct call {
	int sock;
	struct bq_simple {
		uint8_t *buf;
		size_t len, cap;
	} out; /* frames to the bridge */
	uint8_t in[2 * (AP_HDR_LEN + AP_MAX_FROM_GUEST)];
	size_t inlen;
	uint32_t credit; /* stdin bytes the agent accepts */
	bool stdin_done, opened, ended;
	int status;
	char *err;
};

/* Queue a frame for the bridge. */
static void
put(struct call *k, uint8_t type, const void *p, uint32_t len)
{
	size_t need = k->out.len + AP_HDR_LEN + len;

	if (need > k->out.cap) {
		k->out.cap = need * 2;
		k->out.buf = xrealloc(k->out.buf, k->out.cap);
	}
	ap_hdr_pack(k->out.buf + k->out.len, type, 0, p, len);
	memcpy(k->out.buf + k->out.len + AP_HDR_LEN, p, len);
	k->out.len = need;
}

static void
put_u32(struct call *k, uint8_t type, uint32_t v)
{
	uint8_t b[4];

	ap_put32(b, v);
	put(k, type, b, 4);
}

/* Write all of buf to fd (blocking, even if fd was left non-blocking). */
static void
write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = {fd, POLLOUT, 0};

			poll(&p, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a closed stdout: the rest is dropped */
		buf += w;
		n -= (size_t)w;
	}
}

/* Handle one frame from the bridge. */
static void
on_frame(struct call *k, const struct ap_hdr *h, const uint8_t *p)
{
	switch (h->type) {
	case AP_OPENED:
		k->opened = true;
		break;
	case AP_STDOUT:
	case AP_STDERR:
		k->opened = true;
		write_all(h->type == AP_STDOUT ? 1 : 2, p, h->len);
		put_u32(k, AP_WINDOW, h->len);
		break;
	case AP_WINDOW:
		if (h->len >= 4)
			k->credit += ap_get32(p);
		break;
	case AP_EXIT:
		k->ended = true;
		k->status = h->len >= 4 ? (int)ap_get32(p) : 255;
		break;
	case AP_CLOSE:
		k->ended = true;
		k->status = -1;
		k->err = h->len > 0 ? xasprintf("%.*s", (int)h->len, (const char *)p)
		                    : xstrdup("the call was closed");
		break;
	default:
		break;
	}
}

/* Build the OPEN payload: "A<arg>\0"..., "E<k=v>\0"..., "C<dir>\0", "N\0". */
static uint8_t *
open_payload(const struct rt_agent_call *c, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL)
		abort();
	for (char **a = c->argv; *a != NULL; a++)
		fprintf(f, "A%s%c", *a, '\0');
	for (char **e = c->env; e != NULL && *e != NULL; e++)
		fprintf(f, "E%s%c", *e, '\0');
	if (c->cwd != NULL)
		fprintf(f, "C%s%c", c->cwd, '\0');
	if (c->stdin_null)
		fprintf(f, "N%c", '\0');
	fclose(f);
	*len = n;
	return (uint8_t *)buf;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum rt_agent_end
rt_agent_run(int sock, const struct rt_agent_call *c, int *status, char **err)
{
	struct call k = {.sock = sock, .credit = AP_CHAN_WINDOW};
	enum rt_agent_end end = RT_AGENT_FAILED;
	double t0 = now_s(), kill_at = 0;
	bool timed_out = false;
	int last_sig = 0, sfd;
	sigset_t mask, old;
	size_t plen;
	uint8_t *pl = open_payload(c, &plen);

	if (plen > AP_MAX_TO_GUEST) {
		free(pl);
		return rt_fail(err, "the command line is too long (%zu bytes, at most %d)", plen,
		               AP_MAX_TO_GUEST),
		       RT_AGENT_FAILED;
	}
	put(&k, AP_OPEN, pl, (uint32_t)plen);
	free(pl);
	if (c->stdin_null) {
		k.stdin_done = true;
		put(&k, AP_STDIN_EOF, NULL, 0);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* A closed stdout or bridge shows as EPIPE, never as a signal that would
	 * end us, even after the call (a blocked one would, once unblocked). */
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	while (!k.ended) {
		struct pollfd pf[3];
		double now = now_s(), left = -1;
		int tmo = -1;

		if (!k.opened && c->wait_s > 0)
			left = t0 + c->wait_s - now;
		if (c->timeout_s > 0 && !timed_out) {
			double l2 = t0 + c->timeout_s - now;

			left = left < 0 || l2 < left ? l2 : left;
		}
		if (timed_out) {
			double l3 = kill_at + 5 - now;

			left = left < 0 || l3 < left ? l3 : left;
		}
		if (left >= 0)
			tmo = left <= 0 ? 0 : (int)(left * 1000) + 1;
		pf[0] = (struct pollfd){sock, POLLIN | (k.out.len ? POLLOUT : 0), 0};
		pf[1] = (struct pollfd){0, 0, 0};
		if (!k.stdin_done && k.credit > 0 && k.out.len < 65536)
			pf[1].events = POLLIN;
		pf[2] = (struct pollfd){sfd, POLLIN, 0};
		if (poll(pf, 3, tmo) < 0 && errno != EINTR)
			break;
		now = now_s();
		if (!k.opened && c->wait_s > 0 && now >= t0 + c->wait_s) {
			end = RT_AGENT_NO_AGENT;
			break;
		}
		if (c->timeout_s > 0 && !timed_out && now >= t0 + c->timeout_s) {
			timed_out = true;
			kill_at = now;
			put_u32(&k, AP_SIGNAL, SIGKILL);
		}
		if (timed_out && now >= kill_at + 5) {
			end = RT_AGENT_TIMEOUT;
			break;
		}
		if (pf[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				/* The same signal twice: the user means it. */
				if ((int)si.ssi_signo == last_sig) {
					*status = 128 + last_sig;
					end = RT_AGENT_EXITED;
					goto done;
				}
				last_sig = (int)si.ssi_signo;
				put_u32(&k, AP_SIGNAL, si.ssi_signo);
			}
		}
		/* POLLHUP comes unasked: read only when there is credit to read into. */
		if (pf[1].revents && pf[1].events) {
			uint8_t buf[AP_MAX_TO_GUEST];
			size_t want = k.credit < sizeof(buf) ? k.credit : sizeof(buf);
			ssize_t r = read(0, buf, want);

			if (r > 0) {
				put(&k, AP_STDIN, buf, (uint32_t)r);
				k.credit -= (uint32_t)r;
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				k.stdin_done = true;
				put(&k, AP_STDIN_EOF, NULL, 0);
			}
		}
		if (pf[0].revents & POLLOUT) {
			ssize_t w = write(sock, k.out.buf, k.out.len);

			if (w > 0) {
				memmove(k.out.buf, k.out.buf + w, k.out.len - (size_t)w);
				k.out.len -= (size_t)w;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(sock, k.in + k.inlen, sizeof(k.in) - k.inlen);
			size_t off = 0;
			struct ap_hdr h;

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				rt_fail(err, "lost the connection to the lexec bridge");
				break;
			}
			if (r > 0)
				k.inlen += (size_t)r;
			while (off < k.inlen && !k.ended) {
				long n = ap_parse(k.in + off, k.inlen - off, AP_MAX_FROM_GUEST, &h);

				if (n == 0)
					break;
				if (n < 0) {
					rt_fail(err, "garbled data from the lexec bridge");
					goto done;
				}
				on_frame(&k, &h, k.in + off + AP_HDR_LEN);
				off += (size_t)n;
			}
			memmove(k.in, k.in + off, k.inlen - off);
			k.inlen -= off;
		}
	}
	if (k.ended && timed_out) {
		end = RT_AGENT_TIMEOUT;
	} else if (k.ended && k.status >= 0) {
		*status = k.status;
		end = RT_AGENT_EXITED;
	} else if (k.ended) {
		rt_fail(err, "%s", k.err);
	}
done:
	free(k.err);
	free(k.out.buf);
	if (sfd >= 0) {
		struct signalfd_siginfo si;

		/* Signals that came after the end are the call's, not ours to die of. */
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			;
		close(sfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return end;
}
