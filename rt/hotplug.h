/*
 * rt/hotplug.h: what a running guest booted with, and lstart on a running
 * lab: interfaces the lab file gained are plugged in, other changes are
 * reported as needing a restart.
 */
#ifndef UMLAB_HOTPLUG_H
#define UMLAB_HOTPLUG_H

#include <stdbool.h>

struct lab_host;
struct rt_inst;
struct rt_report;

/* Record what guest h boots with now, its kernel command line being argv
 * (before its launch); 0 or -1 with *err. */
int rt_plugged_record(const struct rt_inst *in, const struct lab_host *h, char *const argv[],
                      char **err);
/* Did guest host boot (or get plugged) with an interface on domain? */
bool rt_plugged_on(const struct rt_inst *in, const char *host, const char *domain);
/* Did guest host boot (or get plugged) with ethN on domain? */
bool rt_plugged_iface(const struct rt_inst *in, const char *host, unsigned int eth,
                      const char *domain);
/* Running guest h against the lab file: plug new interfaces, warn about the rest. */
void rt_hotplug(const struct rt_inst *in, const struct lab_host *h, const struct rt_report *rep);

#endif
