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

/*
 * Link impairments for frames towards a port (hub/impair-spec.c parses and
 * prints them; hub/impair.c applies them).  Probabilities are in parts per
 * million so that a spec prints back exactly as it was read; zero means off.
 */
#define HUB_PPM           1000000U
#define HUB_DELAY_MAX_US  60000000U /* one minute */
#define HUB_QUEUE_MAX     100000U
#define HUB_QUEUE_DEFAULT 1000U /* rate queue length when none is given (netem's limit) */
#define HUB_MTU_MIN       68U
#define HUB_MTU_MAX       (HUB_FRAME_MAX - 14U)
#define HUB_SPEC_MAX      512U /* longest printed spec */

enum hub_dist { HUB_DIST_UNIFORM, HUB_DIST_NORMAL };
enum hub_loss_model { HUB_LOSS_RANDOM, HUB_LOSS_GILBERT };

struct hub_impair {
	uint32_t delay_us, jitter_us;
	enum hub_dist dist;
	uint32_t loss; /* ppm of frames lost (on average, with gilbert) */
	enum hub_loss_model loss_model;
	uint32_t burst;     /* gilbert: mean frames lost in a row */
	uint64_t rate_bps;  /* bottleneck bit rate */
	uint32_t queue;     /* frames the bottleneck holds; 0: HUB_QUEUE_DEFAULT */
	uint32_t duplicate; /* ppm of frames sent twice */
	uint32_t corrupt;   /* ppm of frames with one bit flipped */
	uint32_t reorder;   /* ppm of delayed frames sent at once instead */
	uint32_t mtu;       /* largest payload after the 14-byte header; 0: none */
	int has_seed;
	uint64_t seed;
};

/* Parses "key=value,key=value" (or "none"); on failure writes why (static or in buf). */
int hub_impair_parse(const char *spec, struct hub_impair *im, char *why, size_t whylen);

/* Prints im as a spec that hub_impair_parse reads back identically ("none" if empty). */
void hub_impair_format(const struct hub_impair *im, char *buf, size_t len);

/* Does im change anything? */
int hub_impair_active(const struct hub_impair *im);

/* Impairments of one port, replacing the domain's for frames towards it. */
struct hub_port_impair {
	unsigned int port;
	struct hub_impair im;
};

/*
 * Link state (hub/link-spec.c parses and prints it; hub/link.c applies it):
 * ports whose link is down, the whole domain down, and a partition of the
 * ports into groups.  A frame goes only between ports of one group; ports
 * named in no group (port 0 among them) form one more group, number 0.
 */
#define HUB_GROUPS_MAX 64U
/* Longest mgmt command line (without its newline): room for a partition
 * naming every port 1..1023 (about 4020 bytes).  HUB_CLIENT_LINE_MAX in
 * include/hub-client.h is the same. */
#define HUB_MGMT_LINE_MAX 4095U
/* Longest printed partition, with its NUL. */
#define HUB_PARTITION_TEXT_MAX 4096U

struct hub_partition {
	unsigned int ngroups;               /* 0: no partition */
	unsigned char group[HUB_PORTS_MAX]; /* group of each port: 1..ngroups, or 0 */
};

struct hub_link {
	int domain_down;                        /* the domain forwards nothing */
	unsigned char port_down[HUB_PORTS_MAX]; /* 1: that port's link is down */
	struct hub_partition partition;
};

/* Parses a port number from 1 to HUB_PORTS_MAX - 1 (decimal digits only). */
int hub_port_parse(const char *s, unsigned int *port);

/* Parses "1,2 3,4,5" (groups separated by spaces) or "none"; groups are
 * numbered by their lowest port, so equal partitions parse equal.  On
 * failure writes why and leaves pt alone. */
int hub_partition_parse(const char *spec, struct hub_partition *pt, char *why, size_t whylen);

/* Prints pt as hub_partition_parse reads it back: groups ordered by their
 * lowest port, ports ascending; "none" without groups.  len should be
 * HUB_PARTITION_TEXT_MAX. */
void hub_partition_format(const struct hub_partition *pt, char *buf, size_t len);

/* What the daemon is asked to do (filled by hub/main.c from the command line). */
struct hub_opts {
	const char *dir;          /* borrowed: the hub directory, DIR/ctl inside */
	const char *pidfile;      /* borrowed, or NULL */
	const char *pcap;         /* borrowed: capture file, or NULL */
	unsigned int mode;        /* socket mode, 0600 by default */
	int daemon;               /* fork, report readiness to the parent */
	long idle_secs;           /* exit this long after the last client leaves; -1 never */
	int verbose;              /* print counters on exit */
	struct hub_impair impair; /* frames towards every port */
	const struct hub_port_impair *ports; /* borrowed: frames towards one port */
	size_t nports;
	struct hub_link link; /* link state at start */
};

/* An error message for the user, filled by fallible functions. */
struct hub_err {
	char msg[512];
};

/* Runs the hub until SIGTERM/SIGINT or idle exit; returns 0 or < 0 with err. */
int hub_serve(const struct hub_opts *opts, struct hub_err *err);

/* Client mode: prints the running hub's counters (JSON) on fd. */
int hub_client_stats(const char *dir, int fd, struct hub_err *err);

/* Client mode: sends one mgmt command line and prints the answer on fd; an
 * "error ..." answer is returned as a failure with its text in err. */
int hub_client_command(const char *dir, const char *line, int fd, struct hub_err *err);

/* Client mode: streams the hub's frames as pcap on fd; count 0 means forever. */
int hub_client_capture(const char *dir, unsigned long count, int fd, struct hub_err *err);

/* Client mode: prints ports joining and leaving on fd until the hub stops. */
int hub_client_events(const char *dir, int fd, struct hub_err *err);

#endif
