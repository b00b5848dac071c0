/*
 * rt/nat.c: starting and stopping the NAT of a nat domain (nat.h).
 *
 * umlab-nat handles frames every guest of the domain controls, with the
 * network rights of the user who runs lstart. It runs in a bubblewrap
 * sandbox that sees /usr (its libraries and the slirp plugin), the host's
 * resolv.conf (slirp relays DNS to the host's resolvers), the hub's
 * directory and nothing else: no home, no hostwd, no other lab. Its own pid
 * namespace keeps it from signalling or tracing any process of the user.
 * The network namespace is the host's: reaching the host's loopback and
 * what lies beyond is its job (share/doc/trust-boundary.md).
 *
 * umlab-nat is the init of the sandbox's pid namespace (--as-pid-1), so
 * the sandbox lives exactly as long as it does, and its host pid (which
 * bwrap reports on its --info-fd) is what the pid file records: SIGTERM
 * reaches its handler, and its command line names the instance. bwrap
 * starts in a session of its own and outlives lstart (--die-with-parent
 * would end it with lstart).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hubs.h"
#include "inst.h"
#include "lab.h"
#include "nat.h"
#include "proc.h"
#include "xalloc.h"

#ifndef UMLAB_BUILD_DIR
#define UMLAB_BUILD_DIR ""
#endif

extern char **environ;

/* Where umlab-nat is inside the sandbox, wherever it is outside. */
#define NAT_INSIDE "/umlab/umlab-nat"

char *
rt_nat_pidfile(const struct rt_inst *in, const char *domain)
{
	return rt_host_path(in, "pids/nat-%s", domain);
}

/* bwrap's stderr before readiness: RUNDIR/ID.h, out of every guest's reach. */
static char *
nat_log(const struct rt_inst *in, const char *domain)
{
	return rt_host_path(in, "nat-%s.log", domain);
}

char *
rt_locate_nat(char **err)
{
	const char *env = getenv("UMLAB_NAT");
	char self[4096], *cand[3] = {NULL, NULL, NULL}, *found = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (env != NULL && *env != '\0') {
		if ((found = realpath(env, NULL)) == NULL || access(found, X_OK) < 0) {
			free(found);
			rt_fail(err, "UMLAB_NAT=%s is not an executable", env);
			return NULL;
		}
		return found;
	}
	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		cand[0] = xasprintf("%s/../libexec/umlab/umlab-nat", self); /* installed */
		cand[1] = xasprintf("%s/../nat/umlab-nat", self); /* build tree: build/cmd */
	}
	if (*UMLAB_BUILD_DIR)
		cand[2] = xasprintf("%s/nat/umlab-nat", UMLAB_BUILD_DIR);
	for (size_t i = 0; i < 3; i++) {
		if (found == NULL && cand[i] != NULL && access(cand[i], X_OK) == 0)
			found = realpath(cand[i], NULL);
		free(cand[i]);
	}
	if (found == NULL)
		rt_fail(err, "umlab-nat was not found (installed in libexec/umlab/ or in the build "
		             "tree's nat/); set UMLAB_NAT");
	return found;
}

/* Append an owned string to a NULL-terminated argv. */
static void
push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static char *
ip(uint32_t a)
{
	char s[16];

	lab_ipv4_format(a, s);
	return xstrdup(s);
}

/*
 * The first address slirp's DHCP server may give out: above every address
 * of the domain, so that a guest that runs a DHCP client anyway gets one
 * nobody has; 0 when its 16 leases do not fit there.
 */
static uint32_t
dhcp_start(const struct lab *lab, const struct lab_domain *d)
{
	const struct lab_nat *nat = &d->nat;
	uint32_t top = nat->gateway > nat->dns ? nat->gateway : nat->dns;
	uint32_t bcast = nat->network | ~(~0u << (32 - nat->prefix));

	for (size_t i = 0; lab != NULL && i < lab->n_hosts; i++)
		for (size_t k = 0; k < lab->hosts[i].n_ifaces; k++)
			if (strcmp(lab->hosts[i].ifaces[k].domain, d->name) == 0 &&
			    lab->hosts[i].ifaces[k].address > top)
				top = lab->hosts[i].ifaces[k].address;
	return top + 16 < bcast ? top + 1 : 0;
}

char **
rt_nat_argv(const struct rt_inst *in, const struct lab *lab, const struct lab_domain *d,
            const char *natbin)
{
	static const char *const root_links[] = {"lib", "lib32", "lib64", "libx32", "bin", "sbin"};
	const struct lab_nat *nat = &d->nat;
	char **v = NULL, *hub = rt_hub_dir(in, d->name), net[16];
	size_t n = 0;
	uint32_t dhcp = dhcp_start(lab, d);

	push(&v, &n, xstrdup("bwrap"));
	/* Every namespace but the network: the host's loopback is the point. */
	push(&v, &n, xstrdup("--unshare-all"));
	push(&v, &n, xstrdup("--share-net"));
	push(&v, &n, xstrdup("--new-session"));
	/* None of the user's environment (tokens, say) reaches the sandbox. */
	push(&v, &n, xstrdup("--clearenv"));
	/* No capability, not even in its own user namespace, root or not. */
	push(&v, &n, xstrdup("--cap-drop"));
	push(&v, &n, xstrdup("ALL"));
	/* umlab-nat is the pid namespace's init: when it ends, the sandbox does;
	 * bwrap says its host pid on fd 4 (rt_nat_launch). */
	push(&v, &n, xstrdup("--as-pid-1"));
	push(&v, &n, xstrdup("--info-fd"));
	push(&v, &n, xstrdup("4"));
	push(&v, &n, xstrdup("--ro-bind"));
	push(&v, &n, xstrdup("/usr"));
	push(&v, &n, xstrdup("/usr"));
	/* As guest-launch: merged-/usr symlinks stay symlinks, real directories are bound. */
	for (size_t i = 0; i < sizeof(root_links) / sizeof(root_links[0]); i++) {
		char *p = xasprintf("/%s", root_links[i]), target[256];
		ssize_t len = readlink(p, target, sizeof(target) - 1);

		if (len > 0) {
			target[len] = '\0';
			push(&v, &n, xstrdup("--symlink"));
			push(&v, &n, xstrdup(target));
			push(&v, &n, p);
		} else if (access(p, F_OK) == 0) {
			push(&v, &n, xstrdup("--ro-bind"));
			push(&v, &n, xstrdup(p));
			push(&v, &n, p);
		} else {
			free(p);
		}
	}
	/* slirp relays DNS to the host's resolvers; the loader may want its cache. */
	for (size_t i = 0; i < 2; i++) {
		const char *f = i == 0 ? "/etc/resolv.conf" : "/etc/ld.so.cache";

		push(&v, &n, xstrdup("--ro-bind-try"));
		push(&v, &n, xstrdup(f));
		push(&v, &n, xstrdup(f));
	}
	push(&v, &n, xstrdup("--dev"));
	push(&v, &n, xstrdup("/dev"));
	push(&v, &n, xstrdup("--tmpfs"));
	push(&v, &n, xstrdup("/tmp"));
	/* The hub tells its clients host paths: the directory keeps its own. */
	push(&v, &n, xstrdup("--bind"));
	push(&v, &n, xstrdup(hub));
	push(&v, &n, xstrdup(hub));
	push(&v, &n, xstrdup("--ro-bind"));
	push(&v, &n, xstrdup(natbin));
	push(&v, &n, xstrdup(NAT_INSIDE));
	push(&v, &n, xstrdup("--chdir"));
	push(&v, &n, xstrdup("/"));
	push(&v, &n, xstrdup("--"));
	push(&v, &n, xstrdup(NAT_INSIDE));
	push(&v, &n, xstrdup("--ready-fd"));
	push(&v, &n, xstrdup("3"));
	push(&v, &n, xstrdup("--descr"));
	push(&v, &n, xasprintf("umlab-nat:%s", d->name));
	push(&v, &n, xstrdup("--hub"));
	push(&v, &n, hub);
	/* Above every interface's port (rt/ports.c), so no guest finds it taken. */
	push(&v, &n, xstrdup("--port"));
	push(&v, &n, xasprintf("%u", LAB_NAT_PORT));
	lab_ipv4_format(nat->network, net);
	push(&v, &n, xstrdup("--subnet"));
	push(&v, &n, xasprintf("%s/%u", net, nat->prefix));
	push(&v, &n, xstrdup("--gateway"));
	push(&v, &n, ip(nat->gateway));
	push(&v, &n, xstrdup("--dns"));
	push(&v, &n, ip(nat->dns));
	if (dhcp != 0) {
		push(&v, &n, xstrdup("--dhcp-start"));
		push(&v, &n, ip(dhcp));
	}
	if (!nat->outbound)
		push(&v, &n, xstrdup("--no-outbound"));
	for (size_t i = 0; i < nat->n_forwards; i++) {
		const struct lab_forward *f = &nat->forwards[i];
		char a[16];

		lab_ipv4_format(f->to_addr, a);
		push(&v, &n, xstrdup("--forward"));
		push(&v, &n,
		     xasprintf("%s:%u:%s:%u", f->udp ? "udp" : "tcp", f->host_port, a,
		               f->guest_port));
	}
	return v;
}

bool
rt_nat_running(const struct rt_inst *in, const char *domain)
{
	char *pf = rt_nat_pidfile(in, domain);
	bool alive = rt_pidfile_check(pf, in->dir, NULL) == RT_PID_ALIVE;

	free(pf);
	return alive;
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * What is written on fd until its writers close it, at most a few KiB; *late
 * when RT_NAT_READY_MS passed first.
 */
static char *
read_bounded(int fd, bool *late)
{
	long long deadline = now_ms() + RT_NAT_READY_MS;
	char buf[4096];
	size_t len = 0;

	*late = false;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t r;
		int rc;

		if (left <= 0) {
			*late = true;
			break;
		}
		if ((rc = poll(&p, 1, (int)left)) < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			*late = rc == 0;
			break;
		}
		if ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(buf) - 1)
			break;
	}
	buf[len] = '\0';
	return xstrdup(buf);
}

/*
 * What umlab-nat writes on its ready pipe before closing it: "ready", or
 * "error MESSAGE"; "" when it closed it without a word (bwrap failed, or
 * it died) or did not finish in time (*late).
 */
static char *
await_ready(int fd, bool *late)
{
	char *word = read_bounded(fd, late);

	word[strcspn(word, "\n")] = '\0';
	return word;
}

/* The "child-pid" of bwrap's --info-fd JSON (the sandbox's init: umlab-nat), or 0. */
static pid_t
info_child_pid(int fd)
{
	bool late;
	char *json = read_bounded(fd, &late), *p = strstr(json, "\"child-pid\"");
	long pid = 0;

	if (p != NULL && (p = strchr(p, ':')) != NULL)
		pid = strtol(p + 1, NULL, 10);
	free(json);
	return pid > 0 ? (pid_t)pid : 0;
}

/* The last line bwrap or umlab-nat wrote to the log, or NULL. */
static char *
last_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], *last = NULL;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (*line != '\0') {
			free(last);
			last = xstrdup(line);
		}
	}
	if (f != NULL)
		fclose(f);
	return last;
}

int
rt_nat_launch(const struct rt_inst *in, const struct lab_domain *d, char *const argv[], char **err)
{
	char *pf = rt_nat_pidfile(in, d->name), *log = nat_log(in, d->name), *word = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int ready[2], info[2], rc, status, pidfd = -1;
	bool late = false;
	pid_t pid, nat = 0;

	if (rt_nat_running(in, d->name)) {
		free(pf);
		free(log);
		return 0;
	}
	unlink(pf);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		rc = rt_fail_errno(err, errno, "pipe");
		goto out;
	}
	if (pipe2(info, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		rc = rt_fail_errno(err, errno, "pipe");
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, ready[1], 3);
	posix_spawn_file_actions_adddup2(&fa, info[1], 4);
	posix_spawnattr_init(&attr);
	/* Its own session: a Ctrl-C meant for lstart does not reach it. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(ready[1]);
	close(info[1]);
	if (rc != 0) {
		close(ready[0]);
		close(info[0]);
		rc = rt_fail_errno(err, rc, "cannot run %s for the NAT of domain %s", argv[0],
		                   d->name);
		goto out;
	}
	nat = info_child_pid(info[0]);
	close(info[0]);
	/* Pinned before anything else can happen to it. */
	if (nat > 0)
		pidfd = rt_pidfd_open(nat);
	word = await_ready(ready[0], &late);
	close(ready[0]);
	if (strcmp(word, "ready") == 0 && nat > 0) {
		rc = rt_pidfile_write(pf, nat, in->dir, err) < 0 ? -1 : 1;
		if (rc < 0 && pidfd >= 0)
			rt_pidfd_signal(pidfd,
			                SIGKILL); /* unrecorded: lclean could not tell it is ours */
		goto out;
	}
	/* The sandbox first (its init's end ends it), then bwrap, not reaped
	 * yet and so still this child. */
	if (pidfd >= 0)
		rt_pidfd_signal(pidfd, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (strncmp(word, "error ", 6) == 0) {
		rc = rt_fail(err, "the NAT of domain %s: %s", d->name, word + 6);
	} else {
		char *said = last_line(log);

		rc = rt_fail(err, "the NAT of domain %s %s%s%s", d->name,
		             late ? "was not ready in time" : "did not start",
		             said != NULL ? ": " : "", said != NULL ? said : "");
		free(said);
	}
out:
	if (rc < 0)
		unlink(log);
	if (pidfd >= 0)
		close(pidfd);
	free(word);
	free(pf);
	free(log);
	return rc;
}

void
rt_nats_stop(const struct rt_inst *in, char *const *domains, size_t n)
{
	pid_t *pids = xcalloc(n + 1, sizeof(*pids));
	bool *up = xcalloc(n + 1, sizeof(*up));
	long long deadline;

	/* All at once, then one shared wait, as for hubs. */
	for (int round = 0; round < 2; round++) {
		deadline = now_ms() + (round == 0 ? 3000 : 2000);
		for (size_t i = 0; i < n; i++) {
			char *pf = rt_nat_pidfile(in, domains[i]);

			if (round == 0)
				up[i] = rt_pidfile_check(pf, in->dir, &pids[i]) == RT_PID_ALIVE &&
				        rt_pidfile_kill(pf, in->dir, SIGTERM) == RT_PID_ALIVE;
			else if (up[i])
				up[i] = rt_pidfile_kill(pf, in->dir, SIGKILL) == RT_PID_ALIVE;
			free(pf);
		}
		for (size_t i = 0; i < n; i++) {
			long long left = deadline - now_ms();

			if (up[i] && rt_wait_exit(pids[i], left > 0 ? (int)left : 0))
				up[i] = false;
		}
	}
	for (size_t i = 0; i < n; i++) {
		char *pf = rt_nat_pidfile(in, domains[i]), *log = nat_log(in, domains[i]);

		unlink(pf);
		unlink(log);
		free(pf);
		free(log);
	}
	free(pids);
	free(up);
}
