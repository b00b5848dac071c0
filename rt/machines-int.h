/*
 * rt/machines-int.h: what the machines' verbs (rt/machine-*.c) share with
 * rt/machines.c, the records and lab.yaml.
 */
#ifndef UMLAB_MACHINES_INT_H
#define UMLAB_MACHINES_INT_H

#include "machines.h"

struct lab;

/* Write mc's record (if not NULL), then lab.yaml from every record. */
int rt_machines_write(const struct rt_machines *m, const struct rt_machine *mc, char **err);
/*
 * The instance's lab as it would be with mc, loaded from a scratch copy
 * (vstart -p changes nothing), its directory set to the real one so that
 * every path of the plan is the one a real start would use.
 */
int rt_machines_preview(const struct rt_machines *m, const struct rt_machine *mc, struct lab **lab,
                        char **err);

#endif
