/*
 * lab/order.c: dependency order: cycle detection, start waves (topological
 * levels), the ready-to-start predicate and selection of hosts with their
 * dependencies.
 */
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Where the edge from -> to was written, for the cycle message. */
static const struct lab_origin *
edge_origin(const struct lab__ctx *c, const char *from, const char *to,
            const struct lab_origin *fallback)
{
	for (size_t i = 0; i < c->n_deps; i++)
		if (strcmp(c->deps[i].from, from) == 0 && strcmp(c->deps[i].to, to) == 0)
			return &c->deps[i].origin;
	return fallback;
}

/* Report the cycle closed by the edge stack[top] -> v, where v is on the stack. */
static void
report_cycle(struct lab__ctx *c, const size_t *stack, size_t top, size_t v)
{
	struct lab *lab = c->lab;
	size_t start = top;
	char *msg = xstrdup(""), *next;

	while (stack[start] != v)
		start--;
	for (size_t i = start; i <= top; i++) {
		next = xasprintf("%s%s -> ", msg, lab->hosts[stack[i]].name);
		free(msg);
		msg = next;
	}
	next = xasprintf("%s%s", msg, lab->hosts[v].name);
	free(msg);
	lab__report_at(c, LAB_E_CYCLE,
	               edge_origin(c, lab->hosts[stack[top]].name, lab->hosts[v].name,
	                           &lab->hosts[stack[top]].origin),
	               NULL, "dependency cycle: %s", next);
	free(next);
}

/* Depth-first search without recursion; every back edge is one cycle reported. */
void
lab__find_cycles(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	size_t n = lab->n_hosts, top;
	unsigned char *color = xcalloc(n, 1); /* 0 new, 1 on the stack, 2 done */
	size_t *stack = xcalloc(n, sizeof *stack), *edge = xcalloc(n, sizeof *edge);

	for (size_t root = 0; root < n; root++) {
		if (color[root] != 0)
			continue;
		top = 0;
		stack[0] = root;
		edge[0] = 0;
		color[root] = 1;
		for (;;) {
			struct lab_host *h = &lab->hosts[stack[top]];

			if (edge[top] < h->n_depends) {
				size_t v = h->dep_index[edge[top]++];

				if (color[v] == 1) {
					report_cycle(c, stack, top, v);
				} else if (color[v] == 0) {
					color[v] = 1;
					stack[++top] = v;
					edge[top] = 0;
				}
				continue;
			}
			color[stack[top]] = 2;
			if (top == 0)
				break;
			top--;
		}
	}
	free(color);
	free(stack);
	free(edge);
}

/* wave[i]: 0 without dependencies, else one more than its deepest dependency. */
int
lab_waves(const struct lab *lab, unsigned int **wave)
{
	size_t n = lab->n_hosts, done = 0, head = 0;
	size_t *pending = xcalloc(n, sizeof *pending), *queue = xcalloc(n, sizeof *queue);
	unsigned int *w = xcalloc(n, sizeof *w), max = 0;

	/* Kahn's algorithm; hosts are few, so dependents are found by scanning. */
	for (size_t i = 0; i < n; i++)
		if ((pending[i] = lab->hosts[i].n_depends) == 0)
			queue[done++] = i;
	while (head < done) {
		size_t u = queue[head++];

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < lab->hosts[i].n_depends; k++) {
				if (lab->hosts[i].dep_index[k] != u)
					continue;
				if (w[u] + 1 > w[i])
					w[i] = w[u] + 1;
				if (--pending[i] == 0)
					queue[done++] = i;
			}
		if (w[u] > max)
			max = w[u];
	}
	free(pending);
	free(queue);
	if (done < n) {
		free(w);
		*wave = NULL;
		return -1; /* a cycle: lab_load never returns such a lab */
	}
	*wave = w;
	return n == 0 ? 0 : (int)max + 1;
}

/* May host i start: is every dependency ready? */
bool
lab_host_can_start(const struct lab *lab, size_t i, const bool *ready)
{
	if (i >= lab->n_hosts)
		return false;
	for (size_t k = 0; k < lab->hosts[i].n_depends; k++)
		if (!ready[lab->hosts[i].dep_index[k]])
			return false;
	return true;
}

/* Mark the named hosts and everything they depend on; returns how many, or -1. */
int
lab_select(const struct lab *lab, char *const *names, size_t n, bool *selected,
           struct lab_error **errs)
{
	size_t *stack = xcalloc(lab->n_hosts, sizeof *stack), top = 0;
	struct lab_error *bad = NULL;
	int count = 0;

	memset(selected, 0, lab->n_hosts * sizeof *selected);
	for (size_t i = 0; i < n; i++) {
		ssize_t h = lab_host_index(lab, names[i]);

		if (h < 0) {
			char *hint = lab__host_hint(lab, names[i]);
			char *msg = xasprintf("no host '%s' in lab '%s'", names[i], lab->name);

			lab__error_append(
			        &bad, lab__error_new(LAB_E_UNKNOWN_HOST, NULL, 0, 0, hint, msg));
			free(hint);
			free(msg);
		} else if (!selected[h]) {
			selected[h] = true;
			stack[top++] = (size_t)h;
		}
	}
	while (top > 0) {
		const struct lab_host *h = &lab->hosts[stack[--top]];

		count++;
		for (size_t k = 0; k < h->n_depends; k++)
			if (!selected[h->dep_index[k]]) {
				selected[h->dep_index[k]] = true;
				stack[top++] = h->dep_index[k];
			}
	}
	free(stack);
	if (bad != NULL) {
		lab__error_append(errs, bad);
		memset(selected, 0, lab->n_hosts * sizeof *selected);
		return -1;
	}
	return count;
}
