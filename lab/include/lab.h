/*
 * lab/lab.h: the lab model, public API.
 *
 * A lab directory (lab.yaml, or a Netkit/Kathara lab.conf + lab.dep, plus
 * per-host files) becomes one validated, immutable struct lab. This library
 * only reads files: no processes, no sockets, no event loop, so every part of
 * it can be unit-tested and fuzzed on its own.
 *
 * Error contract (see lab/ERRORS.md): a fallible function returns < 0 (or
 * NULL) and appends one or more struct lab_error to the list passed as its
 * last argument; on success it leaves that list alone. Warnings never fail a
 * load; they are kept in lab->warnings.
 */
#ifndef UMLAB_LAB_H
#define UMLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Error classes; the text always says more. */
enum lab_error_code {
	LAB_E_IO = 1,       /* a file exists but cannot be read */
	LAB_E_SYNTAX,       /* malformed YAML, lab.conf line or lab.dep line */
	LAB_E_UNKNOWN_KEY,  /* unknown key in lab.yaml */
	LAB_E_TYPE,         /* wrong value type or out-of-range value */
	LAB_E_NAME,         /* host/domain/interface name outside the safe set */
	LAB_E_DUPLICATE,    /* the same host, interface or key twice */
	LAB_E_IFACE_GAP,    /* eth0, eth2 without eth1 */
	LAB_E_MEMORY,       /* memory outside LAB_MEM_MIN_MB..LAB_MEM_MAX_MB */
	LAB_E_UNKNOWN_HOST, /* a dependency or test names a host not in the lab */
	LAB_E_CYCLE,        /* dependency cycle; the message lists it */
	LAB_E_UNSAFE_PATH,  /* overlay symlink escaping the lab directory */
	LAB_E_NOT_A_LAB,    /* no lab.yaml, lab.conf, lab.dep nor host dirs */
	LAB_W_UNSUPPORTED,  /* warning: kept in the model, not honoured */
	LAB_W_STYLE,        /* warning: CRLF, stray blanks, deprecated syntax */
};

/* One diagnostic, with its place. Lists are singly linked, in order found. */
struct lab_error {
	enum lab_error_code code;
	char *file;             /* owned; relative to the lab directory, e.g. "lab.yaml" */
	unsigned int line;      /* 1-based; 0 means the whole file */
	unsigned int col;       /* 1-based; 0 when unknown */
	char *msg;              /* owned */
	char *hint;             /* owned; "did you mean 'interfaces'?" or NULL */
	struct lab_error *next; /* owned */
};

/* Where something was declared, for messages from later stages. */
struct lab_origin {
	char *file; /* owned */
	unsigned int line;
	unsigned int col;
};

#define LAB_NAME_MAX       32 /* host and domain names: [A-Za-z0-9][A-Za-z0-9_-]{0,31} */
#define LAB_IFACES_MAX     64 /* eth0 .. eth63 */
#define LAB_MEM_MIN_MB     16
#define LAB_MEM_MAX_MB     8192
#define LAB_MEM_DEFAULT_MB 128   /* an FRR router with room for its tables */
#define LAB_DISKS_MAX      8     /* extra disks of a host: /dev/ubdb .. /dev/ubdi */
#define LAB_DISKS_MAX_MB   65536 /* all of a host's extra disks together: 64 GiB */
#define LAB_DISK_LABEL_MAX 16    /* an ext4 volume label */

/* Link impairments of a domain or one interface, applied by the domain's hub
 * to the frames towards every interface (or that one) (lab.yaml(5), hub(8)). 0 / false = none. */
struct lab_impair {
	unsigned int delay_ms;
	unsigned int jitter_ms;
	bool normal; /* distribution: normal (mean delay, deviation jitter); else uniform */
	double loss_pct;
	bool gilbert;       /* loss_model: gilbert (bursts); else random */
	unsigned int burst; /* gilbert: mean frames lost in a row */
	uint64_t rate_bps;
	unsigned int queue; /* frames the rate bottleneck holds; 0: the hub's default */
	double duplicate_pct;
	double corrupt_pct;
	double reorder_pct;
	unsigned int mtu; /* largest payload after the Ethernet header; 0: none */
	bool has_seed;
	uint64_t seed;
};

/* Does im change anything? */
bool lab_impair_active(const struct lab_impair *im);

/* One network interface of a host: ethN on a collision domain. */
struct lab_iface {
	unsigned int index;       /* N in ethN */
	char *domain;             /* owned; a valid name */
	char *mac;                /* owned; "02:xx:xx:xx:xx:xx" or NULL: use lab_iface_mac() */
	struct lab_impair impair; /* towards this interface; none: the domain's apply */
	                          /* On a nat domain: its IPv4 address (host byte order), written or
	                           * given out by the model (lab.yaml(5), "NAT domains"); else 0. */
	uint32_t address;
	bool address_given; /* written in the lab (lab.yaml address:, Netkit tap) */
	struct lab_origin origin;
};

/*
 * One extra disk of a host (lab.yaml `disks:`): the k-th (from 0) is the
 * sparse file HOSTWD/NAME/NAME.ubdX.img, X = 'b' + k, that lstart makes on
 * the first start and the guest sees as /dev/ubdX.
 */
struct lab_disk {
	unsigned long size_mb;
	char *format; /* owned; "ext4": lstart formats it when it makes it; NULL: raw */
	char *label;  /* owned; the filesystem's volume label (with format), or NULL */
	struct lab_origin origin;
};

/* A setting the lab asks for that the model keeps but may not honour (legacy lab.conf). */
struct lab_option {
	char *key;     /* owned; "mem", "image", "sysctl", "D", ... */
	char *value;   /* owned; NULL for a bare flag like pc1[D] */
	bool honoured; /* true when the model maps it to a field (mem -> memory_mb) */
	struct lab_origin origin;
};

/* One guest. Arrays are sorted as the user wrote them, interfaces by index. */
struct lab_host {
	char *name;               /* owned; a valid name */
	struct lab_iface *ifaces; /* owned array, sorted by index, no gaps */
	size_t n_ifaces;
	unsigned int memory_mb; /* 0: lab default */
	char *fs;               /* owned; model filesystem name, NULL: default */
	char *kernel;           /* owned; kernel path, NULL: default linux.uml */
	char **kargs;           /* owned; extra kernel command-line words */
	size_t n_kargs;
	char **sysctls; /* owned; "net.ipv4.ip_forward=1", applied in the guest */
	size_t n_sysctls;
	char **execs; /* owned; commands run after the startup scripts */
	size_t n_execs;
	struct lab_disk *disks; /* owned; extra disks, /dev/ubdb first */
	size_t n_disks;
	unsigned int num_terms; /* consoles wanted (Netkit num_terms); 1 by default */
	bool ipv6;              /* Netkit ipv6=true; default true */
	/* How the guest is prepared before its startup scripts (lab.yaml(5),
	 * "Boot settings"); lab.conf labs get what Kathara gives its devices. */
	bool links_up;        /* every ethN up */
	bool forwarding;      /* ip_forward=1, rp_filter=0, no ICMP rate limit */
	bool ipv6_forwarding; /* with ipv6: IPv6 forwarding on, router advertisements ignored */
	bool mount_shared;    /* the lab's shared/ read-only on /shared */
	char *startup;        /* owned; "pc1.startup" relative to the lab dir, or NULL */
	char *shutdown;       /* owned; "pc1.shutdown", or NULL */
	char *overlay;        /* owned; "pc1" when the directory pc1/ exists, or NULL */
	char **depends;       /* owned; names of hosts that must be ready first, no repeats */
	size_t n_depends;
	size_t *dep_index;          /* owned; dep_index[k] is the host index of depends[k] */
	struct lab_option *options; /* owned; legacy options as written */
	size_t n_options;
	struct lab_origin origin;
};

/* The host ports a nat domain forwards: the lowest one a user may bind. */
#define LAB_FWD_PORT_MIN 1024
/* The first address a nat domain gives its interfaces: NETWORK+15, as
 * slirp's (and QEMU's) DHCP server does. */
#define LAB_NAT_FIRST_HOST 15
/* The domain lab.conf's bridged=true and port= put their interface on. */
#define LAB_BRIDGED_DOMAIN "bridged"
/* Netkit's tap domain (lab.conf ethN=tap,TAP,GUEST). */
#define LAB_TAP_DOMAIN "tap"

/* One host port forwarded into a nat domain (lab.yaml forward:, lab.conf port=). */
struct lab_forward {
	bool udp;                /* else TCP */
	unsigned int host_port;  /* on the host's 127.0.0.1 only; LAB_FWD_PORT_MIN..65535 */
	char *to_host;           /* owned; the host written, or NULL when an address was */
	uint32_t to_addr;        /* the guest address (host byte order), set by validation */
	unsigned int guest_port; /* 1..65535 */
	struct lab_origin origin;
};

/*
 * A domain that is also a user-mode NAT uplink (lab.yaml nat: true): lstart
 * plugs slirp into its hub, so its guests reach the host (at the gateway
 * address) and what the host reaches, and host ports reach them.
 * Addresses are IPv4 in host byte order.
 */
struct lab_nat {
	bool enabled;
	uint32_t network;    /* 10.0.2.0 by default */
	unsigned int prefix; /* 24 by default; 8..30 */
	uint32_t gateway;    /* slirp's own address: default route, host's 127.0.0.1; NETWORK+2 */
	uint32_t dns;        /* slirp's DNS relay; NETWORK+3 */
	bool outbound;       /* guests may open connections out; false: forwards only */
	struct lab_forward *forwards; /* owned */
	size_t n_forwards;
	struct lab_origin origin; /* where the lab asks for it */
};

/* "10.0.2.15" into *out (host byte order); false when s is not a dotted quad. */
bool lab_ipv4_parse(const char *s, uint32_t *out);
/* a in dotted-quad form. */
void lab_ipv4_format(uint32_t a, char out[16]);
/*
 * A forward "[tcp:|udp:]HOSTPORT:[TARGET:]GUESTPORT" (TARGET a host name or
 * an IPv4 address; absent: the domain's only interface). Returns false with
 * *why (caller frees) when it does not parse or a port is out of range.
 */
bool lab_forward_parse(const char *s, struct lab_forward *f, char **why);
/* Free what a forward owns. */
void lab_forward_clear(struct lab_forward *f);
/*
 * Netkit's tap domain, "--ethN=tap,TAP,GUEST" (vstart(1)): a nat domain
 * whose gateway is TAP, on the largest network of at most /24 that holds
 * both addresses, and GUEST the interface's address. nat gets the domain's
 * settings (its DNS address is chosen when the lab is checked), *guest
 * the interface's. False with *why (caller frees) when they do not fit.
 */
bool lab_nat_from_tap(const char *tap, const char *guest, struct lab_nat *nat, uint32_t *guest_addr,
                      char **why);
/* The defaults of a nat domain: 10.0.2.0/24, outbound; gateway and DNS chosen later. */
void lab_nat_init(struct lab_nat *nat);

/* One collision domain: one hub. */
struct lab_domain {
	char *name;   /* owned */
	bool capture; /* record all frames to hostwd from hub start */
	struct lab_impair impair;
	struct lab_nat nat; /* nat.enabled: also a NAT uplink */
	char **members;     /* owned array of owned strings: "host:ethN", in host order */
	size_t n_members;
	struct lab_origin origin; /* first place it appears */
};

/* One expectation of a test (issue: regression networks). */
struct lab_expect {
	bool has_status;     /* false when the lab says "status: any" */
	int status;          /* expected exit status; 0 by default */
	char *stdout_re;     /* owned; POSIX extended regex that must match, or NULL */
	char *stdout_not_re; /* owned; must not match, or NULL */
	char *stderr_re;     /* owned */
	char *stderr_not_re; /* owned */
	long lines;          /* expected stdout line count; -1: not checked */
	char *lines_re;      /* owned; when set, lines counts only stdout lines matching it */
};

/* One assertion run in a guest. */
struct lab_test {
	char *name; /* owned */
	char *on;   /* owned; host name; NULL when local */
	bool local; /* `local: true`: runs on the machine running ltest, not a guest */
	char *run;  /* owned; shell command */
	struct lab_expect expect;
	unsigned int within_ms;  /* retry until it holds; 0: once */
	unsigned int timeout_ms; /* per attempt; 0: default */
	char **setup;            /* owned; commands run before, on the same host */
	size_t n_setup;
	char **teardown; /* owned */
	size_t n_teardown;
	struct lab_origin origin;
};

enum lab_format { LAB_FMT_YAML, LAB_FMT_CONF, LAB_FMT_DIR };

struct lab {
	char *dir; /* owned; absolute, symlinks resolved */
	enum lab_format format;
	char *name; /* owned; lab.yaml name, LAB_NAME, or the directory's basename */
	char *description, *version, *author, *email, *web; /* owned or NULL */
	unsigned int default_memory_mb;
	struct lab_host *hosts; /* owned; in declaration order */
	size_t n_hosts;
	struct lab_domain *domains; /* owned; in order of first appearance */
	size_t n_domains;
	struct lab_test *tests; /* owned */
	size_t n_tests;
	struct lab_test *suite_setup; /* unused placeholder for per-suite steps */
	char **setup, **teardown;     /* owned; suite-level commands, run in order */
	size_t n_setup, n_teardown;
	char **setup_on, **teardown_on; /* owned; setup_on[k] is the host setup[k] runs on */
	bool has_dep_file;              /* lab.dep present (Netkit: parallel start) */
	char *shared_startup;           /* owned; "shared.startup" or NULL */
	char *shared_shutdown;          /* owned; "shared.shutdown" or NULL */
	char *shared_dir;               /* owned; "shared" when shared/ exists, or NULL */
	char *conf_file;                /* owned; "lab.yaml" or "lab.conf" that was read, or NULL */
	struct lab_error *warnings;     /* owned */
};

/* Load and validate the lab in dir. On failure *errs gets every problem found. */
int lab_load(const char *dir, struct lab **out, struct lab_error **errs);
void lab_free(struct lab *lab);

/* Diagnostics. */
void lab_error_free(struct lab_error *list);
/* "lab.yaml:7:5: unknown key 'interfacs' in host 'pc1' (did you mean 'interfaces'?)" */
char *lab_error_format(const struct lab_error *e); /* caller frees */
bool lab_error_is_warning(const struct lab_error *e);
size_t lab_error_count(const struct lab_error *list);

/* Lookups; NULL or -1 when absent. */
const struct lab_host *lab_host_find(const struct lab *lab, const char *name);
ssize_t lab_host_index(const struct lab *lab, const char *name);
const struct lab_domain *lab_domain_find(const struct lab *lab, const char *name);

/* The kernel settings host h boots with, in the order the guest applies them:
 * those its boot settings imply (forwarding, ipv6), then its own sysctls,
 * which win. Returns the count; *out is a new array of new strings, freed
 * with lab_strv_free. */
size_t lab_host_boot_sysctls(const struct lab_host *h, char ***out);
void lab_strv_free(char **v, size_t n);

/* Is s safe as one word of a kernel command line (and so of guest-launch and
 * tmux argv)? The one rule for lab files and the runtime: printable ASCII, no
 * blanks, quotes, ';' or '\\'. */
bool lab_karg_valid(const char *s);

/* Memory a host gets: its own, else the lab default, else LAB_MEM_DEFAULT_MB. */
unsigned int lab_host_memory_mb(const struct lab *lab, const struct lab_host *h);

/*
 * Names safe for shells, kernel command lines, socket paths and tmux:
 * [A-Za-z0-9][A-Za-z0-9_-]{0,31}, and not "shared" (nor "_test").
 */
bool lab_name_valid(const char *name);

/*
 * Deterministic locally administered unicast MAC for (lab name, host, ethN),
 * or the one the lab sets. out gets "02:xx:xx:xx:xx:xx".
 */
/* Highest hub port an interface gets (the hub's ports are 1 .. 1023); a
 * nat domain's NAT holds the last one, so its interfaces stop short of it. */
#define LAB_PORT_MAX 1023
#define LAB_NAT_PORT LAB_PORT_MAX

/* The hub port of host:ethN on its domain (1 .. LAB_PORT_MAX), fixed by the
 * interface's place among the domain's members; 0 if it has none. */
unsigned int lab_iface_port(const struct lab *lab, const struct lab_host *h,
                            const struct lab_iface *i);

void lab_iface_mac(const struct lab *lab, const struct lab_host *h, const struct lab_iface *i,
                   char out[18]);

/*
 * Dependency order. wave[i] is the topological level of host i (0: no
 * dependencies). Returns the number of waves. The array is caller-freed.
 */
int lab_waves(const struct lab *lab, unsigned int **wave);

/* May host i start, given which hosts are ready? */
bool lab_host_can_start(const struct lab *lab, size_t i, const bool *ready);

/*
 * The closure of the named hosts under dependencies, in host order:
 * selected[i] is set for each host to start. Unknown names are errors.
 */
int lab_select(const struct lab *lab, char *const *names, size_t n, bool *selected,
               struct lab_error **errs);

/*
 * strongSwan-style assertion files (lab/parse-assert.c, see ltest(1)):
 * `host::command::pattern::YES|NO|N` lines become tests (pattern a POSIX
 * basic regex, as grep reads it); with steps true, `host::command` lines
 * become tests that only run (status any), for pretest.dat/posttest.dat.
 * Hosts are checked against lab when it is not NULL. file names the file
 * in test names and messages. Appends to *tests (*n entries).
 */
int lab_assert_parse(const struct lab *lab, const char *file, const char *text, bool steps,
                     struct lab_test **tests, size_t *n, struct lab_error **errs);
/* Read path (relative names are in lab->dir) and parse it as above. */
int lab_assert_load(const struct lab *lab, const char *path, bool steps, struct lab_test **tests,
                    size_t *n, struct lab_error **errs);
/* Free n tests made by lab_assert_parse, and the array. */
void lab_tests_free(struct lab_test *tests, size_t n);
/* A POSIX basic regular expression rewritten as an extended one; caller frees. */
char *lab_bre_to_ere(const char *bre);

#endif
