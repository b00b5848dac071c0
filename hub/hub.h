/*
 * hub/hub.h: public interface of the hub daemon, one VDE collision domain.
 *
 * The daemon (hub_serve) and its client modes (hub_client_*) are called from
 * hub/main.c; the request parser is public so that unit and fuzz tests can
 * feed it buffers directly.  Nothing here depends on lab/.
 */
#ifndef UMLAB_HUB_H
#define UMLAB_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

/* VDE2 switch control protocol, version 3 (host byte order). */
#define HUB_SWITCH_MAGIC  0xfeedfaceU
#define HUB_SWITCH_VER    3U
#define HUB_REQ_NEW_CTL   0U                          /* any port, or the port in type >> 8 */
#define HUB_REQ_NEW_PORT0 1U                          /* the management port 0 */
#define HUB_REQ_HDR       12U                         /* magic, version, type */
#define HUB_SUN_LEN       110U                        /* sizeof(struct sockaddr_un) on Linux */
#define HUB_REQ_MIN       (HUB_REQ_HDR + HUB_SUN_LEN) /* 122 */
#define HUB_REQ_DAEMON    124U /* UML eth=daemon: unpacked struct, 2 padding bytes */
#define HUB_DESCR_MAX     128U
#define HUB_REQ_MAX       (HUB_REQ_MIN + HUB_DESCR_MAX)

/* Frames: the largest a libvdeplug client sends, and the classic maximum. */
#define HUB_FRAME_MIN     14U
#define HUB_FRAME_MAX     9234U
#define HUB_FRAME_CLASSIC 1518U

/* Ports are numbered 1..HUB_PORTS_MAX-1; 0 is the management port. */
#define HUB_PORTS_MAX 1024U

/* A parsed, validated control request. */
struct hub_request {
	unsigned int kind;             /* HUB_REQ_NEW_CTL or HUB_REQ_NEW_PORT0 */
	unsigned int port;             /* requested port, 0 for any */
	int abstract;                  /* client address is abstract (UML daemon) */
	struct sockaddr_un addr;       /* client's datagram socket, all 110 bytes verbatim */
	char descr[HUB_DESCR_MAX + 1]; /* printable ASCII, NUL-terminated */
};

/* Parses one control request of len bytes; on failure sets *why to a static reason. */
int hub_request_parse(const void *buf, size_t len, struct hub_request *req, const char **why);

/* What the daemon is asked to do (filled by hub/main.c from the command line). */
struct hub_opts {
	const char *dir;     /* borrowed: the hub directory, DIR/ctl inside */
	const char *pidfile; /* borrowed, or NULL */
	const char *pcap;    /* borrowed: capture file, or NULL */
	unsigned int mode;   /* socket mode, 0600 by default */
	int daemon;          /* fork, report readiness to the parent */
	long idle_secs;      /* exit this long after the last client leaves; -1 never */
	int verbose;         /* print counters on exit */
};

/* An error message for the user, filled by fallible functions. */
struct hub_err {
	char msg[512];
};

/* Runs the hub until SIGTERM/SIGINT or idle exit; returns 0 or < 0 with err. */
int hub_serve(const struct hub_opts *opts, struct hub_err *err);

/* Client mode: prints the running hub's counters (JSON) on fd. */
int hub_client_stats(const char *dir, int fd, struct hub_err *err);

/* Client mode: streams the hub's frames as pcap on fd; count 0 means forever. */
int hub_client_capture(const char *dir, unsigned long count, int fd, struct hub_err *err);

/* Client mode: prints ports joining and leaving on fd until the hub stops. */
int hub_client_events(const char *dir, int fd, struct hub_err *err);

#endif
