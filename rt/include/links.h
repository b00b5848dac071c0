/*
 * rt/include/links.h: what ties a lab's interfaces to its hubs while it
 * runs: the hub port of every interface (fixed for the life of the
 * instance) and the link state changed at run time (llink(1)), which a hub
 * restarted by lstart is given back.
 */
#ifndef UMLAB_LINKS_H
#define UMLAB_LINKS_H

struct lab_impair;
struct rt_inst;
struct rt_ports;

/* The hub's SPEC (share/doc/hub-control.md) for impairments from the lab
 * file, or NULL if they change nothing; caller frees. */
char *rt_impair_spec(const struct lab_impair *im);

/*
 * The port map of the instance: what RUNDIR/ID.h/ports records, completed
 * for interfaces it does not name yet by the lowest free port of their
 * domain, in the lab's member order (so a fresh lab's ports follow the
 * file). Needs in->lab. 0, or -1 with *err when the record is unreadable.
 */
int rt_ports_load(const struct rt_inst *in, struct rt_ports **out, char **err);
/* Record the map (lstart, before any guest or hub starts); 0 or -1 with *err. */
int rt_ports_save(const struct rt_inst *in, const struct rt_ports *p, char **err);
/* The port of host:ethN on domain, or 0 if the map has none. */
unsigned int rt_ports_find(const struct rt_ports *p, const char *domain, const char *host,
                           unsigned int eth);
void rt_ports_free(struct rt_ports *p);

/*
 * Send one change (a hub mgmt command: `impair ...`, `link ...`,
 * `partition ...`; share/doc/hub-control.md) to the running hub of domain
 * and, once the hub accepted it, record it in RUNDIR/ID.h/links/DOMAIN so
 * that the hub gets it again if lstart restarts it. 0, or -1 with *err
 * (the hub's own reason when it refused the change: nothing changed then).
 */
int rt_link_change(const struct rt_inst *in, const char *domain, const char *cmd, char **err);
/* Forget the recorded changes of domain (back to the lab file). */
int rt_link_forget(const struct rt_inst *in, const char *domain, char **err);
/* Give a freshly started hub of domain the recorded changes; 0 or -1 with *err. */
int rt_links_replay(const struct rt_inst *in, const char *domain, char **err);

#endif
