/*
 * rt/hubs.h: one `hub` daemon per collision domain of a lab instance,
 * serving RUNDIR/ID/hub/DOMAIN/ctl, recorded in RUNDIR/ID/pids/hub-DOMAIN.
 */
#ifndef UMLAB_HUBS_H
#define UMLAB_HUBS_H

#include "rt.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lab_domain;
struct rt_inst;

/* argv of the hub command for domain d (NULL-terminated; free with argv_free). */
char **rt_hub_argv(const struct rt_inst *in, const struct lab_domain *d, const char *hubbin);
/*
 * Start the hub of domain d by argv (rt_hub_argv) unless it runs: 1 started,
 * 0 already running, -1 with *err.
 */
int rt_hub_launch(const struct rt_inst *in, const struct lab_domain *d, char *const argv[],
                  char **err);
/* Stop the hub of domain if it is ours (SIGTERM, bounded wait, SIGKILL); clean its files. */
void rt_hub_stop(const struct rt_inst *in, const char *domain);
/* The same for n domains at once: one shared bounded wait, not one per hub. */
void rt_hubs_stop(const struct rt_inst *in, char *const *domains, size_t n);
/* Wait up to ms for pid to exit; true if it did. */
bool rt_wait_exit(int pid, int ms);
/* Print argv as a shell command line. */
void rt_argv_print(FILE *f, char *const argv[]);

#endif
