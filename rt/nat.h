/*
 * rt/nat.h: the NAT of a nat domain (lab.yaml nat: true): umlab-nat, which
 * plugs libvdeplug-slirp into the domain's hub, run inside bubblewrap with
 * no filesystem but the hub's directory, recorded in
 * RUNDIR/ID.h/pids/nat-DOMAIN (share/doc/runtime-layout.md).
 *
 * lstart plans one after each nat domain's hub (plan.h); vstart's
 * --ethN=tap,TAP,GUEST maps to the same: lab_nat_from_tap() gives the
 * domain's settings (struct lab_domain.nat; its dns is chosen by the lab's
 * checks, or set it to NETWORK+3 when that is not GUEST) and the guest's
 * address (struct lab_iface.address, with address_given); with those in
 * the struct lab that in->lab points to, rt_hostconf_write() tells the
 * guest its address, route and DNS (UMLAB_NAT_N), and the hub,
 * rt_nat_argv() and rt_nat_launch() start the NAT, as lstart does;
 * rt_inst_gc() and lclean stop it.
 */
#ifndef UMLAB_NAT_H
#define UMLAB_NAT_H

#include <stdbool.h>
#include <stddef.h>

struct lab;
struct lab_domain;
struct rt_inst;

/* Time umlab-nat has to say it is ready (slirp open, forwards listening). */
#define RT_NAT_READY_MS 30000

/* The umlab-nat binary: $UMLAB_NAT, libexec/umlab next to us, the build tree. */
char *rt_locate_nat(char **err);
/*
 * The command that runs domain d's NAT: bwrap ... -- umlab-nat ... (NULL-
 * terminated; free with argv_free). lab (may be NULL) gives the addresses
 * of d's interfaces, so slirp's own DHCP server hands out none of them.
 */
char **rt_nat_argv(const struct rt_inst *in, const struct lab *lab, const struct lab_domain *d,
                   const char *natbin);
/*
 * Start it by argv (its hub runs) unless it runs already, and wait until
 * it is ready: 1 started, 0 already running, -1 with *err (what umlab-nat
 * or bwrap said: a host port in use, no libvdeplug-slirp, ...).
 */
int rt_nat_launch(const struct rt_inst *in, const struct lab_domain *d, char *const argv[],
                  char **err);
/* Does the NAT of domain run, and is it ours? */
bool rt_nat_running(const struct rt_inst *in, const char *domain);
/* Stop the NATs of n domains (SIGTERM, one shared bounded wait, SIGKILL) and remove their files. */
void rt_nats_stop(const struct rt_inst *in, char *const *domains, size_t n);
/* RUNDIR/ID.h/pids/nat-DOMAIN; caller frees. */
char *rt_nat_pidfile(const struct rt_inst *in, const char *domain);

#endif
