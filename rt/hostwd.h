/*
 * rt/hostwd.h: the files a guest and the runtime share in hostwd (see
 * share/doc/guest-contract.md): the ready marker, NAME.conf, logs.
 */
#ifndef UMLAB_HOSTWD_H
#define UMLAB_HOSTWD_H

#include "rt.h"
#include <stdbool.h>
#include <stdio.h>

struct lab;
struct lab_host;
struct rt_inst;

/* A parsed NAME.ready. */
struct rt_marker {
	bool ready;  /* status=ready */
	bool failed; /* status=startup-failed */
	int startup_status;
	char failed_script[128];
	bool first_boot;
	long uptime_ms;
	long startup_ms;
};

/* Read HOSTWD/NAME/NAME.ready; < 0 when absent or not yet complete. */
int rt_marker_read(const struct rt_inst *in, const char *host, struct rt_marker *m);

/* Write HOSTWD/NAME/NAME.conf (sysctls, exec commands) for the guest. */
int rt_hostconf_write(const struct rt_inst *in, const struct lab_host *h, char **err);

/*
 * The per-host files in the guest's HOSTWD/NAME/, NULL-terminated suffixes:
 * ".disk", ".ready", ... (NAME.console.log is the host's, in HOSTWD itself).
 */
extern const char *const rt_gwd_suffixes[];

#endif
