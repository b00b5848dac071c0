/*
 * rt/ports.c: the hub port of each interface of a running lab.
 *
 * A guest asks its domain's hub for a fixed port (UML's vde transport takes
 * one), so that llink can name an interface's port, per-interface
 * impairments can be set on the hub before the guest plugs in, and a guest
 * restarted later gets the same port. The map is recorded in
 * RUNDIR/ID.h/ports (out of guests' reach) at lstart: a host added to the
 * lab file while the lab runs gets free ports and never takes one a
 * running guest holds. Lines: "DOMAIN HOST ETH PORT".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"
#include "inst.h"
#include "lab.h"
#include "links.h"
#include "safefile.h"
#include "xalloc.h"

#define PORTS_FILE_MAX (1u << 20)

struct port_entry {
	char domain[LAB_NAME_MAX + 1];
	char host[LAB_NAME_MAX + 1];
	unsigned int eth;
	unsigned int port;
};

struct rt_ports {
	struct port_entry *e;
	size_t n;
};

unsigned int
rt_ports_find(const struct rt_ports *p, const char *domain, const char *host, unsigned int eth)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].eth == eth && strcmp(p->e[i].host, host) == 0 &&
		    strcmp(p->e[i].domain, domain) == 0)
			return p->e[i].port;
	return 0;
}

static bool
port_taken(const struct rt_ports *p, const char *domain, unsigned int port)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->e[i].port == port && strcmp(p->e[i].domain, domain) == 0)
			return true;
	return false;
}

static void
add(struct rt_ports *p, const char *domain, const char *host, unsigned int eth, unsigned int port)
{
	struct port_entry *e;

	p->e = xreallocarray(p->e, p->n + 1, sizeof(*p->e));
	e = &p->e[p->n++];
	snprintf(e->domain, sizeof(e->domain), "%.*s", LAB_NAME_MAX, domain);
	snprintf(e->host, sizeof(e->host), "%.*s", LAB_NAME_MAX, host);
	e->eth = eth;
	e->port = port;
}

/* Parse the record; names must be valid, numbers in range, no port twice. */
static int
parse(struct rt_ports *p, char *text, const char *path, char **err)
{
	unsigned int lineno = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char dom[LAB_NAME_MAX + 2], host[LAB_NAME_MAX + 2];
		unsigned int eth, port;
		int used = 0;

		lineno++;
		if (sscanf(line, "%33s %33s %u %u%n", dom, host, &eth, &port, &used) != 4 ||
		    line[used] != '\0' || !lab_name_valid(dom) || !lab_name_valid(host) ||
		    eth >= LAB_IFACES_MAX || port == 0 || port > LAB_PORT_MAX ||
		    port_taken(p, dom, port) || rt_ports_find(p, dom, host, eth) != 0)
			return rt_fail(err, "%s:%u: not a port record", path, lineno);
		add(p, dom, host, eth, port);
	}
	return 0;
}

int
rt_ports_load(const struct rt_inst *in, struct rt_ports **out, char **err)
{
	struct rt_ports *p = xcalloc(1, sizeof(*p));
	char *path = rt_host_path(in, "ports");
	int dfd = rt_sf_opendir_path(in->hdir);
	char *text = NULL;
	size_t len = 0;

	if (dfd >= 0) {
		text = rt_sf_read(dfd, "ports", PORTS_FILE_MAX, &len);
		close(dfd);
	}
	if (text != NULL && parse(p, text, path, err) < 0) {
		free(text);
		free(path);
		rt_ports_free(p);
		return -1;
	}
	free(text);
	free(path);
	for (size_t d = 0; d < in->lab->n_domains; d++) {
		const struct lab_domain *dom = &in->lab->domains[d];
		unsigned int next = 1, max = dom->nat.enabled ? LAB_NAT_PORT - 1 : LAB_PORT_MAX;

		for (size_t h = 0; h < in->lab->n_hosts; h++) {
			const struct lab_host *host = &in->lab->hosts[h];

			for (size_t i = 0; i < host->n_ifaces; i++) {
				unsigned int eth = host->ifaces[i].index;

				if (strcmp(host->ifaces[i].domain, dom->name) != 0 ||
				    rt_ports_find(p, dom->name, host->name, eth) != 0)
					continue;
				while (next <= max && port_taken(p, dom->name, next))
					next++;
				if (next > max) {
					rt_ports_free(p);
					return rt_fail(err,
					               "domain %s: no free hub port for %s:eth%u",
					               dom->name, host->name, eth);
				}
				add(p, dom->name, host->name, eth, next);
			}
		}
	}
	*out = p;
	return 0;
}

int
rt_ports_save(const struct rt_inst *in, const struct rt_ports *p, char **err)
{
	char *text = xstrdup("");
	int rc;

	for (size_t i = 0; i < p->n; i++) {
		char *t = xasprintf("%s%s %s %u %u\n", text, p->e[i].domain, p->e[i].host,
		                    p->e[i].eth, p->e[i].port);

		free(text);
		text = t;
	}
	rc = rt_sf_write_at(in->hdir, NULL, "ports", text);
	if (rc < 0)
		rt_fail_errno(err, errno, "writing %s/ports", in->hdir);
	free(text);
	return rc;
}

void
rt_ports_free(struct rt_ports *p)
{
	if (p == NULL)
		return;
	free(p->e);
	free(p);
}
