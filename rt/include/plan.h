/*
 * rt/include/plan.h: the plan between deciding and doing.
 *
 * lstart first computes, from the lab and what is already running, every
 * process it will start as data: the hubs of the domains that need one, then
 * the guests, each with the exact command that runs and the steps it waits
 * for. The executor (rt/start.c) runs the steps of that plan on the event
 * loop; `lstart --dry-run` prints the same plan; unit tests inspect it
 * without starting anything. A nat domain's NAT (rt/nat.h) is one more
 * step, after its hub and before its guests.
 */
#ifndef UMLAB_PLAN_H
#define UMLAB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "guest.h"
#include "inst.h"

struct lab;

enum rt_step_kind {
	RT_STEP_HUB,   /* start the hub of a domain */
	RT_STEP_GUEST, /* open a guest's tmux window running guest-launch */
	RT_STEP_NAT,   /* start the NAT of a nat domain, after its hub (rt/nat.h) */
};

struct rt_step {
	enum rt_step_kind kind;
	size_t index;     /* the domain's or the host's index in the lab */
	const char *name; /* the domain's or the host's name (borrowed from the lab) */
	char **argv;      /* owned, NULL-terminated: exactly what runs */
	char **inner;     /* guests: the guest-launch command inside the window; owned */
	bool new_server;  /* guests: the window starts the lab's tmux server */
	size_t *after;    /* owned: steps that must be done first (their hub, prerequisites) */
	size_t n_after;
};

struct rt_plan {
	struct rt_step *steps; /* owned; hubs first, then guests in an order that respects after */
	size_t n_steps;
};

/*
 * What the planner needs to know of the world: which hosts to boot (boot[i]),
 * which are running already (running[i]: count as ready for their
 * dependents), each booting host's model filesystem, the guest launcher,
 * the hub program, whether the lab's hubs run (hub_running(d), by domain
 * index) and whether its tmux server runs.
 */
struct rt_plan_input {
	const struct lab *lab;
	const struct rt_inst *in;
	const bool *boot;
	const bool *running;
	char *const *images;
	const struct rt_guest_env *env;
	const char *hubbin;
	const bool *hub_running; /* per domain; NULL: none runs */
	bool tmux_running;
	const char *natbin;      /* umlab-nat; may be NULL when no nat domain is needed */
	const bool *nat_running; /* per domain; NULL: none runs */
};

/* Compute the plan; -1 with *err (a guest's command could not be made). */
int rt_plan_make(const struct rt_plan_input *pi, struct rt_plan *plan, char **err);
/* Print it: one comment line and one shell command line per step. */
void rt_plan_print(FILE *f, const struct rt_plan *plan);
void rt_plan_free(struct rt_plan *plan);

#endif
