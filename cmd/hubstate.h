/*
 * cmd/hubstate.h: what the hubs of a running lab have in force, read from
 * their mgmt sockets (share/doc/hub-control.md) and named by the lab's
 * interfaces: llink's show, lstatus's link lines.
 */
#ifndef UMLAB_HUBSTATE_H
#define UMLAB_HUBSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lab;
struct rt_inst;
struct rt_ports;

/*
 * Print the domains d with want[d] (text or one JSON object): each hub's
 * link state, impairments and partition, and per interface its port, link,
 * impairments and counters. 0, or -1 after printing why on stderr.
 */
int hubstate_print(FILE *f, bool json, const struct lab *lab, const struct rt_inst *in,
                   const struct rt_ports *ports, const bool *want);

/* One line for domain d ("link down, impair delay=50ms, partitioned"), or
 * NULL when nothing differs from a plain running hub; caller frees. */
char *hubstate_summary(const struct lab *lab, const struct rt_inst *in, size_t d);

/* A hub's headline numbers (its stats "totals"). */
struct hubstate_totals {
	unsigned int clients;
	uint64_t frames, bytes, drops;
};

/* The totals of domain's hub; false when it does not answer. */
bool hubstate_totals(const struct rt_inst *in, const char *domain, struct hubstate_totals *t);

#endif
