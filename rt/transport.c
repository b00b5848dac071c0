/*
 * rt/transport.c: choosing a guest's network transport (transport.h).
 *
 * A kernel's configuration is read once per path and process from its own
 * `--showconfig` (the UML binary prints its .config and exits), so a
 * self-built kernel without the legacy transports gets the vector driver
 * without anyone saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "transport.h"
#include "xalloc.h"

/* What one kernel offers, remembered for the life of the process. */
struct kcaps {
	char *path;
	bool vde, vector;
};

static struct kcaps *known;
static size_t n_known;

/* Run kernel --showconfig and look for the two transports. */
static int
probe(const char *kernel, struct kcaps *k, char **err)
{
	int pfd[2];
	pid_t pid;
	FILE *f;
	char line[256];
	int st;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return rt_fail_errno(err, errno, "pipe");
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return rt_fail_errno(err, errno, "fork");
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl(kernel, kernel, "--showconfig", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		k->vde |= strncmp(line, "CONFIG_UML_NET_VDE=y", 20) == 0;
		k->vector |= strncmp(line, "CONFIG_UML_NET_VECTOR=y", 23) == 0;
	}
	if (f != NULL)
		fclose(f);
	else
		close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return rt_fail(err, "kernel %s: --showconfig failed (not a UML kernel?)", kernel);
	return 0;
}

int
rt_kernel_transport(const char *kernel, enum rt_transport *out, char **err)
{
	const char *want = getenv("UMLAB_TRANSPORT");
	char *path = NULL;
	struct kcaps *k = NULL;

	if (want != NULL && *want != '\0' && strcmp(want, "vde") != 0 &&
	    strcmp(want, "vector") != 0)
		return rt_fail(err, "UMLAB_TRANSPORT=%s: not vde or vector", want);
	if (kernel == NULL && (path = rt_locate_kernel(NULL, err)) == NULL)
		return -1;
	if (path == NULL)
		path = xstrdup(kernel);
	for (size_t i = 0; i < n_known && k == NULL; i++)
		if (strcmp(known[i].path, path) == 0)
			k = &known[i];
	if (k == NULL) {
		struct kcaps c = {.path = path};

		if (probe(path, &c, err) < 0) {
			free(path);
			return -1;
		}
		known = xreallocarray(known, n_known + 1, sizeof(*known));
		known[n_known] = c;
		k = &known[n_known++];
		path = NULL;
	}
	free(path);
	if (want != NULL && strcmp(want, "vde") == 0 && !k->vde)
		return rt_fail(err, "kernel %s has no vde transport (UMLAB_TRANSPORT=vde)",
		               k->path);
	if (want != NULL && strcmp(want, "vector") == 0 && !k->vector)
		return rt_fail(err,
		               "kernel %s has no vector network driver (UMLAB_TRANSPORT=vector)",
		               k->path);
	if (!k->vde && !k->vector)
		return rt_fail(err, "kernel %s has neither the vde transport nor the vector driver",
		               k->path);
	if (want != NULL && *want != '\0')
		*out = strcmp(want, "vde") == 0 ? RT_NET_VDE : RT_NET_VECTOR;
	else
		*out = k->vector ? RT_NET_VECTOR : RT_NET_VDE;
	return 0;
}

char *
rt_iface_arg(const struct rt_inst *in, const struct lab_host *h, const struct lab_iface *ifc,
             unsigned int port, enum rt_transport t)
{
	char mac[18];

	lab_iface_mac(in->lab, h, ifc, mac);
	/* vde,SWITCH,MAC,PORT,GROUP,MODE,DESCR: the port is the one llink names
	 * (rt/ports.c), the description says whose it is in the hub's stats.
	 * bess: src= names the port the same way (hub/bess.c); depth=256
	 * frames per ring instead of the driver's 64, without which a TCP stream
	 * between two guests loses frames inside the receiving guest (iperf3:
	 * 170-250 retransmits in 5 s at 64, 1-5 at 256; share/doc/hub-control.md). */
	if (t == RT_NET_VDE)
		return xasprintf("eth%u=vde,%s/hub/%s,%s,%u,,,umlab:%s:eth%u", ifc->index, in->dir,
		                 ifc->domain, mac, port, h->name, ifc->index);
	return xasprintf(
	        "vec%u:transport=bess,dst=%s/hub/%s/bess,src=%s/hub/%s/bess.%u,mac=%s,depth=256",
	        ifc->index, in->dir, ifc->domain, in->dir, ifc->domain, port, mac);
}
