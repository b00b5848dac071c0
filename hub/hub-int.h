/*
 * hub/hub-int.h: internal structures and functions shared by the hub's files.
 *
 * One struct hub per process; one struct hub_port per client connection
 * (its ctl stream and its datagram socket); refcounted struct hub_frame
 * copies are made only when a frame has to wait in a port's send queue or a
 * capture stream.  Every struct that embeds a libuv handle is freed only in
 * the last close callback.
 */
#ifndef UMLAB_HUB_INT_H
#define UMLAB_HUB_INT_H

#include <stdio.h>
#include <sys/socket.h>
#include <uv.h>

#include "hub.h"
#include "xalloc.h"

/* How many frames one readable event may take from one port (fairness). */
#define HUB_BATCH     32U
#define HUB_RX_ROUNDS 4U
/* Per-port send queue bounds: frames and bytes. */
#define HUB_QUEUE_FRAMES 4096U
#define HUB_QUEUE_BYTES  (4U << 20)
/* Flow control: past HIGH queued frames a port holds back every sender until
 * it is down to LOW again, unless it makes no progress for STALL_MS (a
 * stopped guest), after which it only drops. */
#define HUB_QUEUE_HIGH 256U
#define HUB_QUEUE_LOW  64U
#define HUB_STALL_MS   250U
/* Live capture streams drop frames beyond this much unwritten data. */
#define HUB_CAPTURE_BACKLOG (8U << 20)
/* A client that sends no request within this many milliseconds is dropped. */
#define HUB_HANDSHAKE_MS 10000U

/* Impairment queue bounds per port (frames waiting for their delay or rate). */
#define HUB_IMPAIR_FRAMES 65536U
#define HUB_IMPAIR_BYTES  (32U << 20)

/* Counters kept per port and in total. */
struct hub_counters {
	uint64_t frames_in, bytes_in;
	uint64_t frames_out, bytes_out;
	uint64_t drops;    /* frames for this port lost: queue full or send error */
	uint64_t runts;    /* received frames shorter than 14 bytes, dropped */
	uint64_t jumbo;    /* received frames over 1518 bytes, forwarded */
	uint64_t oversize; /* received datagrams over 9234 bytes, dropped */
	/* Impairments of frames towards the port (hub/impair.c). */
	uint64_t lost;        /* dropped by loss */
	uint64_t rate_drops;  /* dropped: the rate queue was full */
	uint64_t mtu_drops;   /* dropped: payload over the mtu */
	uint64_t limit_drops; /* dropped: the impairment queue was full */
	uint64_t duplicated, corrupted, delayed, reordered;
	/* Link state (hub/link.c). */
	uint64_t link_drops_in;   /* from the port, dropped: its link or the domain was down */
	uint64_t link_drops_out;  /* for the port, dropped: its link was down */
	uint64_t partition_drops; /* for the port, withheld: sender in another group */
};

/* A frame waiting for its time (delay, rate). */
struct hub_delayed {
	uint64_t depart;     /* ns (uv_hrtime): leaves the rate bottleneck */
	uint64_t due;        /* ns: delivered */
	struct hub_frame *f; /* owned reference */
};

/* One port's impairment state: what applies, the random stream, the timed queue. */
struct hub_shaper {
	struct hub_impair cf;     /* in force for frames towards the port */
	int active;               /* cf changes something, or frames still wait */
	uint64_t rng[4];          /* xoshiro256** state */
	int bad;                  /* Gilbert-Elliott: in the bad (losing) state */
	uint64_t to_bad, to_good; /* transition thresholds, 32-bit fixed point */
	uint64_t rate_free;       /* ns: when the bottleneck has sent what it holds */
	uint64_t last_due;        /* ns: frames never overtake each other */
	struct hub_delayed *q;    /* owned ring */
	unsigned int qcap, qhead, qlen;
	size_t qbytes;
	uv_timer_t timer;
	int timer_init;
};

/* A frame copy shared by the queues and capture streams that hold it. */
struct hub_frame {
	unsigned int refs;
	uint32_t len;
	unsigned char data[];
};

/* A frame as received: borrowed bytes plus its capture time. */
struct hub_rx {
	unsigned char *data; /* borrowed: the receive buffer */
	uint32_t len;
	struct timespec ts;
	struct hub_frame *copy; /* owned reference, made on demand */
};

/* How a client is plugged in. */
enum hub_port_kind {
	HUB_PORT_VDE,  /* VDE ctl stream + datagram socket (libvdeplug, UML vde and daemon) */
	HUB_PORT_BESS, /* one SOCK_SEQPACKET connection on DIR/bess (UML vector, bess.c) */
};

/* One client: its control stream and, once joined, its datagram socket (or,
 * for a bess port, only its connection). */
struct hub_port {
	struct hub *hub;       /* borrowed: the owner */
	struct hub_port *next; /* borrowed: list of all connections */
	uv_pipe_t ctl;         /* the client's ctl stream */
	uv_poll_t poll;        /* the data socket, once joined */
	uv_timer_t hs_timer;   /* handshake deadline */
	int open;              /* handles not yet closed */
	int closing;
	int joined;             /* handshake done: counted, forwarding */
	int fd;                 /* data socket, -1 before the handshake */
	int events;             /* events asked from poll */
	int congested;          /* queue past HUB_QUEUE_HIGH: senders held back */
	int stalled;            /* congested without progress: no longer holds back */
	uint64_t progress_mark; /* frames_out when last checked for a stall */
	unsigned int port;      /* port number, valid when joined */
	unsigned int serial;    /* unique number, part of the socket name */
	int abstract;           /* UML daemon transport */
	enum hub_port_kind kind;
	uid_t uid; /* peer credentials of the ctl stream */
	pid_t pid;
	char name[32]; /* data socket's name inside the hub directory */
	char descr[HUB_DESCR_MAX + 1];
	struct hub_counters c;
	struct hub_frame **q; /* owned ring of owned references */
	unsigned int qcap, qhead, qlen;
	size_t qbytes;
	struct hub_shaper sh;
};

/* A connection on DIR/mgmt: command lines, stats, capture or event stream. */
struct hub_mgmt {
	struct hub *hub;       /* borrowed */
	struct hub_mgmt *next; /* borrowed: list of connections */
	uv_pipe_t pipe;
	int closing;
	int finished;       /* shutting down after its last answer: reads no more commands */
	int capture;        /* streaming frames as pcap */
	int events;         /* streaming join/leave/impair/link lines */
	unsigned long left; /* capture: frames still wanted, 0 forever */
	uint64_t dropped;   /* capture: frames skipped for backlog */
	char line[HUB_MGMT_LINE_MAX + 1]; /* partial command line */
	size_t linelen;
};

/* The daemon's state. */
struct hub {
	uv_loop_t *loop;                                       /* borrowed */
	const struct hub_opts *opts;                           /* borrowed */
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* absolute */
	int dirfd;                                             /* locked for the hub's lifetime */
	int parentfd;  /* dir's parent, to remove dir by name, not by a path */
	int made_dir;  /* we created dir, so we remove it */
	char *pidfile; /* owned absolute path, or NULL */
	uv_pipe_t ctl_srv, mgmt_srv;
	int bess_fd; /* DIR/bess listener (bess.c), -1 when none */
	uv_poll_t bess_poll;
	uv_signal_t sig[3];
	uv_timer_t idle_timer, flush_timer;
	int started; /* set up completely: counters are worth printing */
	int stopping;
	int paused; /* senders held back for a congested port */
	unsigned int ncongested;
	uv_timer_t stall_timer;
	struct hub_port *byport[HUB_PORTS_MAX]; /* borrowed: joined ports */
	struct hub_port **dests;                /* owned array of borrowed: flood set */
	unsigned int ndests, nclients, serial;
	struct hub_port *conns; /* borrowed list, freed on close */
	struct hub_mgmt *mgmts; /* borrowed list, freed on close */
	unsigned int ncaptures;
	FILE *pcap; /* owned: --pcap file */
	int pcap_dirty;
	struct hub_counters total;
	uint64_t clients_total, requests_rejected;
	uint64_t start_ms;
	unsigned char *rxbuf;                          /* owned: HUB_BATCH receive buffers */
	struct hub_impair impair;                      /* the domain's, for every port */
	struct hub_impair *port_impair[HUB_PORTS_MAX]; /* owned: one port's, replacing it */
	uint64_t seed;        /* drawn at start: runs without a seed differ */
	struct hub_link link; /* ports and domain down, partition */
	int link_filter;      /* some port down or a partition: check each destination */
};

/* util.c */
int hub__err(struct hub_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int hub__err_errno(struct hub_err *err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int hub__sun_path(struct sockaddr_un *sun, const char *dir, const char *name);
int hub__sun_at(struct sockaddr_un *sun, int dirfd, const char *name);
int hub__bind_at(int fd, int dirfd, const char *name, unsigned int mode);

/* dir.c */
int hub__dir_open(struct hub *hub, const char *dir, struct hub_err *err);
int hub__dir_bind(struct hub *hub, uv_pipe_t *srv, const char *name, struct hub_err *err);
void hub__dir_remove(struct hub *hub);
unsigned int hub__dir_mode(unsigned int mode);

/* daemon.c */
int hub__daemon_fork(int *readyfd, struct hub_err *err);
void hub__daemon_ready(int readyfd);
int hub__pidfile_write(const char *path, struct hub_err *err);

/* bess.c */
int hub__bess_start(struct hub *hub, struct hub_err *err);
void hub__bess_stop(struct hub *hub);

/* ctl.c */
int hub__ctl_start(struct hub *hub, struct hub_err *err);
void hub__ctl_stop(struct hub *hub);

/* port.c */
int hub__port_open(struct hub_port *p, const struct hub_request *req, struct hub_err *err);
void hub__port_close(struct hub_port *p);
void hub__port_send(struct hub_port *p, struct hub_rx *rx, unsigned int n);
void hub__port_update(struct hub_port *p);
void hub__port_discard(struct hub_port *p);
void hub__frame_unref(struct hub_frame *f);
struct hub_frame *hub__rx_copy(struct hub_rx *rx);

/* fwd.c */
void hub__fwd_batch(struct hub *hub, struct hub_port *src, struct hub_rx *rx, unsigned int n);
void hub__fwd_join(struct hub *hub, struct hub_port *p);
void hub__fwd_leave(struct hub *hub, struct hub_port *p);
void hub__fwd_congestion(struct hub *hub, int delta);

/* impair.c */
void hub__impair_attach(struct hub_port *p);
void hub__impair_detach(struct hub_port *p, uv_close_cb closed);
void hub__impair_send(struct hub_port *p, struct hub_rx *rx, unsigned int n);
int hub__impair_set(struct hub *hub, int port, const char *spec, char *why, size_t whylen);
void hub__impair_free(struct hub *hub);
void hub__impair_discard(struct hub_port *p);

/* link.c */
void hub__link_init(struct hub *hub, const struct hub_link *l);
char *hub__link_command(struct hub *hub, char *arg);
char *hub__partition_command(struct hub *hub, const char *arg);

/* pcap.c */
int hub__pcap_open(struct hub *hub, const char *path, struct hub_err *err);
void hub__pcap_write(struct hub *hub, const struct hub_rx *rx);
void hub__pcap_close(struct hub *hub);
void hub__pcap_header(unsigned char hdr[24]);
void hub__pcap_record(unsigned char rec[16], const struct hub_rx *rx);

/* mgmt.c */
int hub__mgmt_start(struct hub *hub, struct hub_err *err);
void hub__mgmt_stop(struct hub *hub);
void hub__mgmt_capture(struct hub *hub, struct hub_rx *rx);
void hub__mgmt_event(struct hub *hub, const char *what, const struct hub_port *p);
void hub__mgmt_event_line(struct hub *hub, const char *line);

/* stats.c */
char *hub__stats_json(const struct hub *hub);
char *hub__impair_json(const struct hub *hub);
char *hub__link_json(const struct hub *hub);
void hub__stats_print(const struct hub *hub, FILE *f);

/* main.c */
void hub__stop(struct hub *hub);
void hub__client_gone(struct hub *hub);

#endif
