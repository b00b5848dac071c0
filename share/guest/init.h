/* Shared declarations of the umlab guest init (share/guest/init*.c), a small
 * static program that runs as PID 1 inside every guest. umlab-mkfs compiles
 * it into the model filesystem as /usr/lib/umlab/init. */
#ifndef UMLAB_GUEST_INIT_H
#define UMLAB_GUEST_INIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Settings from the kernel command line and the host's NAME.conf. */
struct init_conf {
	char host[33];
	char lab[256]; /* hostfs path of the lab directory, "" if none */
	char wd[256];  /* hostfs path of the host working directory, "" if none */
	bool debug;
	char *sysctls;   /* UMLAB_SYSCTLS, blank separated KEY=VALUE, or NULL */
	char *execs[32]; /* UMLAB_EXEC_1.., in order */
	size_t nexecs;
	bool links_up;     /* UMLAB_LINKS_UP=1: every ethN up before the scripts */
	bool mount_shared; /* UMLAB_MOUNT_SHARED=1: /hostlab/shared on /shared */
	char *nats[8];     /* UMLAB_NAT_1..: "ethK ADDRESS/PREFIX GATEWAY DNS", in order */
	size_t nnats;
};

/* Guest uptime in milliseconds (CLOCK_BOOTTIME). */
long init_uptime_ms(void);
/* Print a step on the console when umlab.debug=1. */
void init_step(const struct init_conf *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Mount the kernel filesystems and make / writable. */
void init_mount_basic(void);
/* Mount hostfs path src on dir (read-only if ro); false on failure. */
bool init_mount_hostfs(const char *src, const char *dir, bool ro);
/* Load a module and its dependencies from modules.dep; false on failure. */
bool init_load_module(const char *name);
/* Bring the loopback interface up. */
void init_lo_up(void);
/* Bring every ethN up (lab.conf labs: Kathara hands them over up). */
/* Rename the vector driver's vecN devices to ethN. */
void init_name_vectors(void);
/* A netlink socket whose link messages raise SIGIO in init, or -1. */
int init_watch_links(void);
/* On SIGIO: read the messages, name new vecN devices ethN. */
void init_links_changed(int fd);
void init_links_up(void);
/* The lab's shared/ folder, read-only, on /shared (an empty /shared without one). */
void init_mount_shared(void);
/* Copy the tree src into dst: modes and symlinks kept, owner root, existing
 * directories untouched. Problems are reported on log. */
void init_copy_tree(const char *src, const char *dst, int log);
/* Set the host name files (/etc/hostname, the 127.0.1.1 line of /etc/hosts). */
void init_write_hostname(const char *host);
/* Parse the shell KEY='value' file path into c (UMLAB_SYSCTLS, UMLAB_EXEC_n). */
void init_read_conf(struct init_conf *c, const char *path);
/* Configure one interface on a NAT domain from "ethK ADDRESS/PREFIX GATEWAY DNS":
 * address, up, and with first also the default route (metric 1000, so a
 * startup script's own default route wins) and /etc/resolv.conf. 0 or an
 * errno value (init-nat.c). */
int init_nat(const char *spec, bool first);
/* Write sysctl "key=value"; 0 or an errno value. */
int init_sysctl(const char *kv);
/* Write data to path atomically (temporary file in the same directory,
 * then rename). */
bool init_write_atomic(const char *dir, const char *name, const char *data);
/* Write the whole string to fd, ignoring errors. */
void init_puts(int fd, const char *s);

/* lexec's guest agent (init-agent.c): start it; on a reaped child, restart
 * it if it was the agent (returns whether it was). */
void init_agent_start(void);
bool init_agent_reaped(pid_t pid, bool stopping);

#endif
