/*
 * rt/transport.h: how a guest's interface reaches its hub. UML's legacy
 * `vde` transport (ethN=vde,...) goes through libvdeplug inside the guest's
 * kernel; the vector driver's `bess` transport (vecN:transport=bess,...) is
 * one SOCK_SEQPACKET connection to the hub's DIR/bess, batched with
 * sendmmsg/recvmmsg. Linux 6.16 removed the legacy transports, so a kernel
 * decides which it can have (share/doc/hub-control.md, "Vector transport").
 */
#ifndef UMLAB_TRANSPORT_H
#define UMLAB_TRANSPORT_H

struct lab;
struct lab_host;
struct lab_iface;
struct rt_inst;

enum rt_transport { RT_NET_VDE, RT_NET_VECTOR };

/*
 * The transport for guests of kernel (an absolute path, or NULL for
 * linux.uml on PATH): UMLAB_TRANSPORT (vde or vector) if set and the kernel
 * has it, else the vector driver when the kernel has it (the kernel's
 * --showconfig says): no process between guest and hub, where the vde
 * transport runs one vde_plug per interface; else vde. -1 with *err when the kernel has neither or
 * refuses the one asked for.
 */
int rt_kernel_transport(const char *kernel, enum rt_transport *out, char **err);

/* The kernel command-line word (also an mconsole `config` argument) that
 * plugs interface ifc of h into its domain's hub on port; caller frees. */
char *rt_iface_arg(const struct rt_inst *in, const struct lab_host *h, const struct lab_iface *ifc,
                   unsigned int port, enum rt_transport t);

#endif
