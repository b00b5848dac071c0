/*
 * cmd/ltop.h: what ltop shows, gathered once per refresh: each host's state,
 * uptime, CPU and memory (its guest's whole process tree), each domain's hub
 * counters and rates. The screen is drawn by cmd-ltop.c.
 */
#ifndef UMLAB_LTOP_H
#define UMLAB_LTOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inst.h"
#include "rt.h"

struct ltop_host {
	const char *name; /* borrowed from the lab */
	enum rt_hstate state;
	pid_t pid;
	double uptime_s;
	double cpu_pct; /* of one core, since the previous sample */
	unsigned long long mem_kb;
	unsigned long long ticks; /* CPU ticks of the tree at this sample */
};

struct ltop_domain {
	const char *name; /* borrowed */
	bool up;          /* its hub answers */
	unsigned int clients;
	uint64_t frames, bytes, drops; /* totals since the hub started */
	double fps, bps;               /* since the previous sample */
	char *links; /* owned; what llink changed or the lab impairs (hubstate_summary), or NULL */
};

struct ltop_data {
	struct ltop_host *hosts;
	size_t n_hosts;
	struct ltop_domain *domains;
	size_t n_domains;
	double t;              /* monotonic seconds of this sample */
	const struct lab *lab; /* borrowed */
};

/* Allocate the tables for lab (all zero). */
void ltop_data_init(struct ltop_data *d, const struct lab *lab);
void ltop_data_clear(struct ltop_data *d);
/* Take a new sample; rates come from the difference with the previous one. */
void ltop_sample(struct ltop_data *d, const struct rt_inst *in);

#endif
