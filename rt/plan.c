/*
 * rt/plan.c: lstart's plan (plan.h): the hubs to start, then the guests in
 * dependency waves, each with its exact command and what it waits for.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "hubs.h"
#include "lab.h"
#include "nat.h"
#include "plan.h"
#include "rt.h"
#include "xalloc.h"

/* Append a step; returns its index. */
static size_t
add_step(struct rt_plan *p, enum rt_step_kind kind, size_t index, const char *name)
{
	struct rt_step *s;

	p->steps = xreallocarray(p->steps, p->n_steps + 1, sizeof(*p->steps));
	s = &p->steps[p->n_steps];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->index = index;
	s->name = name;
	return p->n_steps++;
}

static void
add_after(struct rt_step *s, size_t step)
{
	for (size_t k = 0; k < s->n_after; k++)
		if (s->after[k] == step)
			return;
	s->after = xreallocarray(s->after, s->n_after + 1, sizeof(*s->after));
	s->after[s->n_after++] = step;
}

/* Does a host that boots or runs use domain d? (A running host's hub that
 * stopped is started again; the host must be restarted to plug into it.) */
static bool
domain_needed(const struct rt_plan_input *pi, size_t d)
{
	const struct lab *lab = pi->lab;

	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t k = 0; (pi->boot[i] || (pi->running != NULL && pi->running[i])) &&
		                   k < lab->hosts[i].n_ifaces;
		     k++)
			if (strcmp(lab->hosts[i].ifaces[k].domain, lab->domains[d].name) == 0)
				return true;
	return false;
}

/*
 * The NAT of each nat domain a booting host uses, after its hub (or with it
 * running); hub_step[d] becomes the NAT's step, which the domain's guests
 * then wait for.
 */
static void
add_nats(const struct rt_plan_input *pi, struct rt_plan *p, size_t *hub_step)
{
	const struct lab *lab = pi->lab;

	for (size_t d = 0; d < lab->n_domains; d++) {
		size_t s;

		if (!lab->domains[d].nat.enabled || !domain_needed(pi, d) ||
		    (pi->nat_running != NULL && pi->nat_running[d] && hub_step[d] == SIZE_MAX))
			continue;
		s = add_step(p, RT_STEP_NAT, d, lab->domains[d].name);
		p->steps[s].argv = rt_nat_argv(pi->in, lab, &lab->domains[d],
		                               pi->natbin != NULL ? pi->natbin : "umlab-nat");
		if (hub_step[d] != SIZE_MAX)
			add_after(&p->steps[s], hub_step[d]);
		hub_step[d] = s;
	}
}

int
rt_plan_make(const struct rt_plan_input *pi, struct rt_plan *p, char **err)
{
	const struct lab *lab = pi->lab;
	size_t *hub_step = xcalloc(lab->n_domains, sizeof(*hub_step)),
	       *guest_step = xcalloc(lab->n_hosts, sizeof(*guest_step));
	unsigned int *wave = NULL;
	bool fresh = !pi->tmux_running;
	int nw, rc = 0;

	memset(p, 0, sizeof(*p));
	for (size_t d = 0; d < lab->n_domains; d++) {
		hub_step[d] = SIZE_MAX;
		if ((pi->hub_running != NULL && pi->hub_running[d]) || !domain_needed(pi, d))
			continue;
		hub_step[d] = add_step(p, RT_STEP_HUB, d, lab->domains[d].name);
		p->steps[hub_step[d]].argv = rt_hub_argv(pi->in, &lab->domains[d], pi->hubbin);
	}
	add_nats(pi, p, hub_step);
	for (size_t i = 0; i < lab->n_hosts; i++)
		guest_step[i] = SIZE_MAX;
	nw = lab_waves(lab, &wave);
	for (int w = 0; w < nw && rc == 0; w++) {
		for (size_t i = 0; i < lab->n_hosts && rc == 0; i++) {
			const struct lab_host *h = &lab->hosts[i];
			struct rt_step *s;
			size_t si;

			if (!pi->boot[i] || (pi->running != NULL && pi->running[i]) ||
			    wave[i] != (unsigned int)w)
				continue;
			si = guest_step[i] = add_step(p, RT_STEP_GUEST, i, h->name);
			s = &p->steps[si];
			if ((s->inner = rt_guest_argv(pi->in, h, pi->images[i], pi->env, err)) ==
			    NULL) {
				rc = -1;
				break;
			}
			/* The first window starts the lab's tmux server. */
			s->new_server = fresh;
			s->argv = rt_guest_window_argv(pi->in, h, s->inner, fresh);
			fresh = false;
			for (size_t k = 0; k < h->n_ifaces; k++) {
				const struct lab_domain *d =
				        lab_domain_find(lab, h->ifaces[k].domain);
				size_t di = d != NULL ? (size_t)(d - lab->domains) : SIZE_MAX;

				if (di != SIZE_MAX && hub_step[di] != SIZE_MAX)
					add_after(s, hub_step[di]);
			}
			/* Prerequisites come in earlier waves: their steps exist already. */
			for (size_t k = 0; k < h->n_depends; k++)
				if (guest_step[h->dep_index[k]] != SIZE_MAX)
					add_after(s, guest_step[h->dep_index[k]]);
		}
	}
	free(wave);
	free(hub_step);
	free(guest_step);
	if (rc < 0)
		rt_plan_free(p);
	return rc;
}

void
rt_plan_print(FILE *f, const struct rt_plan *p)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rt_step *s = &p->steps[i];

		static const char *const kinds[] = {
		        [RT_STEP_HUB] = "hub", [RT_STEP_GUEST] = "guest", [RT_STEP_NAT] = "nat"};

		fprintf(f, "# step %zu: %s %s", i + 1, kinds[s->kind], s->name);
		for (size_t k = 0; k < s->n_after; k++)
			fprintf(f, "%s%zu", k == 0 ? ", after step " : ", ", s->after[k] + 1);
		fputc('\n', f);
		rt_argv_print(f, s->argv);
	}
}

void
rt_plan_free(struct rt_plan *p)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		argv_free(p->steps[i].argv);
		argv_free(p->steps[i].inner);
		free(p->steps[i].after);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}
