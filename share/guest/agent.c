/* umlab guest agent (installed as /usr/lib/umlab/agent, started by the init
 * once the guest is ready): runs the commands lexec sends over the serial
 * line /dev/ttyS1, which the host carries to a fifo pair in the lab's runtime
 * directory, so lexec works whatever happens to the lab's own network. One
 * process serves many concurrent commands, each a channel of the framed
 * protocol of share/doc/lexec-protocol.md: its stdout and stderr go back
 * separately, stdin streams in with per-channel credit, and the exit status
 * comes back last. Static and single-threaded; commands start with
 * posix_spawn (vfork), the cheap way to start a process in a UML guest. */
#include "proto/agent-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHANS 64
#define MAX_ARGS  256

extern char **environ;

struct chan {
	bool used;
	uint32_t id;
	pid_t pid;        /* 0 once reaped */
	int status;       /* shell-style exit status once reaped */
	int sig;          /* terminating signal, or 0 */
	int in, out, err; /* our ends of the command's pipes; -1 when closed */
	uint8_t *inbuf;   /* stdin bytes received, not yet written */
	size_t inlen;
	bool in_eof;      /* the host closed stdin */
	uint32_t credit;  /* bytes of output the host still accepts */
	uint32_t in_done; /* stdin bytes written since the last WINDOW */
};

static struct chan chans[MAX_CHANS];
static int tty = -1;
static uint8_t rbuf[2 * (AP_HDR_LEN + AP_MAX_TO_GUEST)];
static size_t rlen;
static uint8_t *wq; /* bytes queued for the line */
static size_t wq_len, wq_cap;
static uint32_t unacked; /* bytes read from the line, not yet acknowledged */

/* Queue raw bytes for the line; out of memory ends the agent (init restarts it). */
static void
queue_raw(const void *p, size_t n)
{
	if (wq_len + n > wq_cap) {
		size_t cap = wq_cap ? wq_cap : 65536;
		while (cap < wq_len + n)
			cap *= 2;
		uint8_t *nq = realloc(wq, cap);
		if (nq == NULL)
			_exit(1);
		wq = nq;
		wq_cap = cap;
	}
	memcpy(wq + wq_len, p, n);
	wq_len += n;
}

/* Queue one frame for the line. */
static void
send_frame(uint8_t type, uint32_t chan, const void *payload, uint32_t len)
{
	uint8_t h[AP_HDR_LEN];

	ap_hdr_pack(h, type, chan, payload, len);
	queue_raw(h, sizeof h);
	if (len)
		queue_raw(payload, len);
}

/* Queue a frame whose payload is one 32-bit number. */
static void
send_u32(uint8_t type, uint32_t chan, uint32_t v)
{
	uint8_t b[4];

	ap_put32(b, v);
	send_frame(type, chan, b, 4);
}

/* Announce this agent; nonce answers a RESET, 0 means we just started. The
 * zeros first complete any frame a dead predecessor left half written, so
 * the host's parser gets back in step. */
static void
send_hello(uint32_t nonce)
{
	static const uint8_t zeros[AP_HDR_LEN + AP_MAX_FROM_GUEST];
	char text[96], host[65] = "";
	uint8_t p[4 + sizeof text];

	if (nonce == 0)
		queue_raw(zeros, sizeof zeros);
	gethostname(host, sizeof host - 1);
	int n = snprintf(text, sizeof text, "umlab-agent %d %s", AP_VERSION, host);
	ap_put32(p, nonce);
	memcpy(p + 4, text, (size_t)n);
	send_frame(AP_HELLO, 0, p, 4 + (uint32_t)n);
}

static struct chan *
find_chan(uint32_t id)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (chans[i].used && chans[i].id == id)
			return &chans[i];
	return NULL;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Forget a channel; its processes are killed unless they have exited. */
static void
drop_chan(struct chan *c)
{
	if (c->pid > 0)
		kill(-c->pid, SIGKILL);
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->err);
	free(c->inbuf);
	/* A killed command is reaped later by the SIGCHLD handler (pid unknown then). */
	memset(c, 0, sizeof *c);
	c->in = c->out = c->err = -1;
}

/* Refuse or abort a channel with a reason. */
static void
fail_chan(uint32_t id, const char *why)
{
	send_frame(AP_CLOSE, id, why, (uint32_t)strlen(why));
}

/* Start the command of an OPEN frame on a new channel. */
static void
open_chan(uint32_t id, const uint8_t *p, uint32_t len)
{
	char *args[MAX_ARGS + 1], *envs[MAX_ARGS + 1], *cwd = "/root", *end;
	size_t na = 0, ne = 0;
	bool stdin_null = false;
	struct chan *c = NULL;
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	char *copy = malloc(len + 1);

	if (copy == NULL || find_chan(id) != NULL) {
		free(copy);
		fail_chan(id, copy ? "channel already open" : "out of memory");
		return;
	}
	memcpy(copy, p, len);
	copy[len] = '\0';
	end = copy + len;
	for (char *s = copy; s < end; s += strlen(s) + 1) {
		if (*s == 'A' && na < MAX_ARGS)
			args[na++] = s + 1;
		else if (*s == 'E' && ne < MAX_ARGS && strchr(s + 1, '='))
			envs[ne++] = s + 1;
		else if (*s == 'C')
			cwd = s + 1;
		else if (*s == 'N')
			stdin_null = true;
	}
	args[na] = NULL;
	envs[ne] = NULL;
	for (int i = 0; i < MAX_CHANS && !c; i++)
		if (!chans[i].used)
			c = &chans[i];
	if (na == 0 || c == NULL) {
		fail_chan(id,
		          na == 0 ? "no command" : "too many concurrent commands in this guest");
		free(copy);
		return;
	}
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		fail_chan(id, "cannot create pipes");
		for (int i = 0; i < 2; i++) {
			close_fd(&pin[i]);
			close_fd(&pout[i]);
			close_fd(&perr[i]);
		}
		free(copy);
		return;
	}

	/* The command's environment: ours, overridden by the host's entries. */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **env = calloc(nenv + ne + 1, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; env && i < nenv; i++) {
		size_t kl = strcspn(environ[i], "=");
		bool over = false;
		for (size_t j = 0; j < ne; j++)
			if (strncmp(envs[j], environ[i], kl + 1) == 0)
				over = true;
		if (!over)
			env[k++] = environ[i];
	}
	for (size_t j = 0; env && j < ne; j++)
		env[k++] = envs[j];

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	pid_t pid = 0;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	if (stdin_null)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	else
		posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
	                                      POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	rc = env ? posix_spawnp(&pid, args[0], &fa, &at, args, env) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);

	if (rc != 0) {
		/* As a shell would: 127 for a missing command, 126 otherwise. */
		char msg[300];
		int n = snprintf(msg, sizeof msg, "lexec: %s: %s\n", args[0], strerror(rc));
		send_frame(AP_STDERR, id, msg,
		           (uint32_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
		uint8_t b[8];
		ap_put32(b, rc == ENOENT ? 127 : 126);
		ap_put32(b + 4, 0);
		send_frame(AP_EXIT, id, b, 8);
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		free(copy);
		return;
	}
	memset(c, 0, sizeof *c);
	c->used = true;
	c->id = id;
	c->pid = pid;
	c->in = pin[1];
	c->out = pout[0];
	c->err = perr[0];
	c->credit = AP_CHAN_WINDOW;
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	fcntl(c->out, F_SETFL, O_NONBLOCK);
	fcntl(c->err, F_SETFL, O_NONBLOCK);
	if (stdin_null)
		close_fd(&c->in);
	send_u32(AP_OPENED, id, (uint32_t)pid);
	free(copy);
}

/* Act on one frame from the host. */
static void
handle(const struct ap_hdr *h, const uint8_t *p)
{
	struct chan *c = h->type == AP_OPEN || h->type == AP_RESET ? NULL : find_chan(h->chan);

	switch (h->type) {
	case AP_RESET:
		for (int i = 0; i < MAX_CHANS; i++)
			if (chans[i].used)
				drop_chan(&chans[i]);
		send_hello(h->len >= 4 ? ap_get32(p) : 0);
		break;
	case AP_OPEN:
		open_chan(h->chan, p, h->len);
		break;
	case AP_STDIN:
		if (c == NULL || c->in < 0 || c->in_eof)
			break;
		{
			uint8_t *nb = realloc(c->inbuf, c->inlen + h->len);
			if (nb == NULL)
				break;
			c->inbuf = nb;
			memcpy(c->inbuf + c->inlen, p, h->len);
			c->inlen += h->len;
		}
		break;
	case AP_STDIN_EOF:
		if (c != NULL) {
			c->in_eof = true;
			if (c->inlen == 0)
				close_fd(&c->in);
		}
		break;
	case AP_WINDOW:
		if (c != NULL && h->len >= 4)
			c->credit += ap_get32(p);
		break;
	case AP_SIGNAL:
		if (c != NULL && c->pid > 0 && h->len >= 4)
			kill(-c->pid, (int)ap_get32(p));
		break;
	case AP_CLOSE:
		if (c != NULL)
			drop_chan(c);
		break;
	default:
		break;
	}
}

/* Parse every whole frame in the read buffer, skipping garbage. */
static void
parse_input(void)
{
	size_t off = 0;
	struct ap_hdr h;

	while (off < rlen) {
		long n = ap_parse(rbuf + off, rlen - off, AP_MAX_TO_GUEST, &h);
		if (n == 0)
			break;
		if (n < 0) {
			off += ap_skip(rbuf + off, rlen - off);
			continue;
		}
		handle(&h, rbuf + off + AP_HDR_LEN);
		off += (size_t)n;
	}
	memmove(rbuf, rbuf + off, rlen - off);
	rlen -= off;
}

/* Read one of a channel's output pipes into frames, within its credit.
 * Returns false at end of file (or nothing left once the command exited). */
static bool
pump_output(struct chan *c, int fd, uint8_t type)
{
	static uint8_t buf[AP_MAX_FROM_GUEST];
	size_t want = c->credit < sizeof buf ? c->credit : sizeof buf;
	ssize_t n;

	if (want == 0)
		return true;
	n = read(fd, buf, want);
	if (n > 0) {
		send_frame(type, c->id, buf, (uint32_t)n);
		c->credit -= (uint32_t)n;
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		/* Whatever an exited command wrote is in the pipe already; what
		 * its background children write later is not ours to wait for. */
		return c->pid > 0;
	return false;
}

/* Send the exit status once the command has exited and its output is drained. */
static void
maybe_finish(struct chan *c)
{
	if (!c->used || c->pid != 0 || c->out >= 0 || c->err >= 0)
		return;
	uint8_t b[8];
	ap_put32(b, (uint32_t)c->status);
	ap_put32(b + 4, (uint32_t)c->sig);
	send_frame(AP_EXIT, c->id, b, 8);
	drop_chan(c);
}

/* Reap exited children; ours get their status recorded. */
static void
reap(void)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHANS; i++) {
			struct chan *c = &chans[i];
			if (!c->used || c->pid != p)
				continue;
			c->pid = 0;
			c->sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
			c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + c->sig;
		}
	}
}

/* Open and configure the guest end of the line. */
static int
open_line(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct pollfd pf[2 + 3 * MAX_CHANS];
	struct {
		struct chan *c;
		int which;
	} who[3 * MAX_CHANS];
	sigset_t mask;
	int sfd;

	tty = open_line(argc > 1 ? argv[1] : AP_GUEST_TTY);
	if (tty < 0) {
		fprintf(stderr, "umlab-agent: cannot open %s: %s\n",
		        argc > 1 ? argv[1] : AP_GUEST_TTY, strerror(errno));
		return 1;
	}
	for (int i = 0; i < MAX_CHANS; i++)
		chans[i].in = chans[i].out = chans[i].err = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	send_hello(0);

	for (;;) {
		nfds_t n = 0;
		int nw = 0;

		pf[n++] = (struct pollfd){tty, POLLIN | (wq_len ? POLLOUT : 0), 0};
		pf[n++] = (struct pollfd){sfd, POLLIN, 0};
		for (int i = 0; i < MAX_CHANS; i++) {
			struct chan *c = &chans[i];
			if (!c->used)
				continue;
			if (c->in >= 0 && c->inlen > 0) {
				who[nw++] = (typeof(who[0])){c, 0};
				pf[n++] = (struct pollfd){c->in, POLLOUT, 0};
			}
			/* A full line queue stops reading output: the host is slow. */
			if (c->out >= 0 && c->credit > 0 && wq_len < (1u << 20)) {
				who[nw++] = (typeof(who[0])){c, 1};
				pf[n++] = (struct pollfd){c->out, POLLIN, 0};
			}
			if (c->err >= 0 && c->credit > 0 && wq_len < (1u << 20)) {
				who[nw++] = (typeof(who[0])){c, 2};
				pf[n++] = (struct pollfd){c->err, POLLIN, 0};
			}
		}
		if (poll(pf, n, -1) < 0 && errno != EINTR)
			return 1;

		if (pf[1].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) > 0)
				;
			reap();
		}
		for (int i = 0; i < nw; i++) {
			struct pollfd *p = &pf[2 + i];
			struct chan *c = who[i].c;
			if (!p->revents || !c->used)
				continue;
			if (who[i].which == 0) {
				ssize_t w = write(c->in, c->inbuf, c->inlen);
				if (w > 0) {
					memmove(c->inbuf, c->inbuf + w, c->inlen - (size_t)w);
					c->inlen -= (size_t)w;
					c->in_done += (uint32_t)w;
					if (c->in_done >= AP_CHAN_WINDOW / 4 || c->inlen == 0) {
						send_u32(AP_WINDOW, c->id, c->in_done);
						c->in_done = 0;
					}
				} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
					/* The command closed its stdin: discard the rest. */
					c->inlen = 0;
					close_fd(&c->in);
				}
				if (c->in >= 0 && c->inlen == 0 && c->in_eof)
					close_fd(&c->in);
			} else if (!pump_output(c, who[i].which == 1 ? c->out : c->err,
			                        who[i].which == 1 ? AP_STDOUT : AP_STDERR)) {
				close_fd(who[i].which == 1 ? &c->out : &c->err);
			}
		}
		/* An exited command whose pipes were not polled this round (no
		 * credit) is finished when they drain; the rest right away. */
		for (int i = 0; i < MAX_CHANS; i++) {
			struct chan *c = &chans[i];
			if (!c->used || c->pid != 0)
				continue;
			if (c->out >= 0 && c->credit > 0 && !pump_output(c, c->out, AP_STDOUT))
				close_fd(&c->out);
			if (c->err >= 0 && c->credit > 0 && !pump_output(c, c->err, AP_STDERR))
				close_fd(&c->err);
			maybe_finish(c);
		}

		if (pf[0].revents & POLLIN) {
			ssize_t r;
			while (rlen < sizeof rbuf &&
			       (r = read(tty, rbuf + rlen, sizeof rbuf - rlen)) > 0) {
				rlen += (size_t)r;
				unacked += (uint32_t)r;
				parse_input();
			}
			if (unacked) {
				send_u32(AP_ACK, 0, unacked);
				unacked = 0;
			}
		}
		if (wq_len) {
			ssize_t w = write(tty, wq, wq_len);
			if (w > 0) {
				memmove(wq, wq + w, wq_len - (size_t)w);
				wq_len -= (size_t)w;
			}
		}
	}
}
