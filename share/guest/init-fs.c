/* Filesystem, module, network and configuration helpers of the umlab guest
 * init: everything the boot does without starting a process, because in a
 * UML guest every fork and exec costs tens of milliseconds. */
#include "init.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

long
init_uptime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
init_step(const struct init_conf *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!c->debug)
		return;
	n = snprintf(buf, sizeof buf, "umlab-init [%ld ms] ", init_uptime_ms());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		init_puts(fd, buf);
		close(fd);
	}
}

void
init_puts(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

void
init_mount_basic(void)
{
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mkdir("/dev/pts", 0755);
	mkdir("/dev/shm", 01777);
	mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666");
	mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	/* The kernel mounted / as asked (rw on the documented command line);
	 * make sure, since everything below writes to it. */
	mount("", "/", "", MS_REMOUNT, NULL);
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
	mkdir("/run/lock", 01777);
	mkdir("/run/umlab", 0755);
	mkdir("/run/sendsigs.omit.d", 0755);
	close(open("/run/utmp", O_WRONLY | O_CREAT | O_CLOEXEC, 0664));
}

bool
init_mount_hostfs(const char *src, const char *dir, bool ro)
{
	mkdir(dir, 0755);
	return mount("none", dir, "hostfs", ro ? MS_RDONLY : 0, src) == 0;
}

/* Load one module file (path relative to the module directory). */
static bool
load_file(const char *moddir, const char *rel)
{
	char path[PATH_MAX];
	int fd, rc;

	snprintf(path, sizeof path, "%s/%s", moddir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	rc = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return rc == 0 || errno == EEXIST;
}

bool
init_load_module(const char *name)
{
	char moddir[PATH_MAX], want[128], *line = NULL;
	struct utsname u;
	size_t cap = 0;
	bool ok = false;
	FILE *f;

	uname(&u);
	snprintf(moddir, sizeof moddir, "/lib/modules/%s", u.release);
	snprintf(want, sizeof want, "/%s.ko:", name);
	snprintf(moddir + strlen(moddir), sizeof moddir - strlen(moddir), "/modules.dep");
	f = fopen(moddir, "re");
	*strrchr(moddir, '/') = '\0';
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strstr(line, want), *deps[32], *save = NULL, *tok;
		int n = 0;

		if (!colon)
			continue;
		/* "kernel/net/ipv6/ipv6.ko: dep1.ko dep2.ko": dependencies load
		 * last-listed first. */
		for (tok = strtok_r(colon + strlen(want), " \t\n", &save); tok && n < 32;
		     tok = strtok_r(NULL, " \t\n", &save))
			deps[n++] = tok;
		while (n > 0)
			load_file(moddir, deps[--n]);
		colon[strlen(want) - 1] = '\0';
		ok = load_file(moddir, line);
		break;
	}
	free(line);
	fclose(f);
	return ok;
}

static void
link_up(int s, const char *name)
{
	struct ifreq ifr = {0};
	size_t len = strlen(name);

	if (len >= sizeof ifr.ifr_name)
		return;
	memcpy(ifr.ifr_name, name, len);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
}

void
init_lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	link_up(s, "lo");
	close(s);
}

void
init_name_vectors(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;

	/* UML's vector driver names its devices vecN; labs know them as ethN
	 * (guest-contract.md). They are down at boot, so they can be renamed. */
	if (s >= 0 && d != NULL)
		while ((e = readdir(d)) != NULL) {
			struct ifreq ifr = {0};
			unsigned int n;
			char end;

			if (sscanf(e->d_name, "vec%u%c", &n, &end) != 1 ||
			    strlen(e->d_name) >= sizeof ifr.ifr_name)
				continue;
			memcpy(ifr.ifr_name, e->d_name, strlen(e->d_name));
			snprintf(ifr.ifr_newname, sizeof ifr.ifr_newname, "eth%u", n);
			ioctl(s, SIOCSIFNAME, &ifr);
		}
	if (d != NULL)
		closedir(d);
	if (s >= 0)
		close(s);
}

int
init_watch_links(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	/* A vecN plugged in while the guest runs (lstart's hot-plug) is named
	 * ethN too: the kernel's link messages arrive as SIGIO, which init
	 * takes with its other signals. */
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void
init_links_changed(int fd)
{
	char buf[8192];

	while (fd >= 0 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	init_name_vectors();
}

void
init_links_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;

	if (s >= 0 && d != NULL)
		while ((e = readdir(d)) != NULL)
			if (strncmp(e->d_name, "eth", 3) == 0)
				link_up(s, e->d_name);
	if (d != NULL)
		closedir(d);
	if (s >= 0)
		close(s);
}

void
init_mount_shared(void)
{
	struct stat st;

	mkdir("/shared", 0755);
	if (stat("/hostlab/shared", &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	/* /hostlab is read-only already; the remount makes /shared say so too. */
	if (mount("/hostlab/shared", "/shared", NULL, MS_BIND, NULL) == 0)
		mount(NULL, "/shared", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

/* nftw has no user pointer: the copy in progress. */
static struct {
	const char *dst;
	size_t srclen;
	int log;
} copy;

/* Report a copy problem on the log. */
static void
copy_warn(const char *what, const char *path)
{
	char buf[PATH_MAX + 128];

	snprintf(buf, sizeof buf, "umlab: cannot %s /%s: %s\n", what, path, strerror(errno));
	init_puts(copy.log, buf);
}

/* Copy one regular file's content, mode and times. */
static void
copy_file(const char *src, const char *dst, const struct stat *st, const char *rel)
{
	int in, out;
	char buf[65536];
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		copy_warn("read", rel);
		return;
	}
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		copy_warn("create", rel);
		close(in);
		return;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			copy_warn("write", rel);
			break;
		}
	fchmod(out, st->st_mode & 07777);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	futimens(out, times);
	close(out);
	close(in);
}

/* nftw callback: one entry of the tree being copied. */
static int
copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char dst[PATH_MAX], target[PATH_MAX];
	const char *rel = path + copy.srclen;
	struct stat cur;
	ssize_t n;

	(void)ftw;
	while (*rel == '/')
		rel++;
	if (!*rel)
		return 0;
	snprintf(dst, sizeof dst, "%s/%s", strcmp(copy.dst, "/") ? copy.dst : "", rel);
	switch (type) {
	case FTW_D:
		/* Existing directories keep their mode: a lab's etc/ made with a
		 * strict umask must not lock the daemons out of /etc. */
		if (lstat(dst, &cur) == 0 && S_ISDIR(cur.st_mode))
			break;
		if (mkdir(dst, st->st_mode & 07777) != 0)
			copy_warn("create directory", rel);
		else
			chmod(dst, st->st_mode & 07777);
		break;
	case FTW_SL:
		n = readlink(path, target, sizeof target - 1);
		if (n < 0)
			break;
		target[n] = '\0';
		unlink(dst);
		if (symlink(target, dst) != 0)
			copy_warn("create symlink", rel);
		break;
	case FTW_F:
		if (S_ISREG(st->st_mode))
			copy_file(path, dst, st, rel);
		break;
	default:
		errno = EACCES;
		copy_warn("read", rel);
	}
	return 0;
}

void
init_copy_tree(const char *src, const char *dst, int log)
{
	copy.dst = dst;
	copy.srclen = strlen(src);
	copy.log = log;
	nftw(src, copy_one, 32, FTW_PHYS);
}

/* Read a whole small file into a new NUL-terminated buffer, or NULL. */
static char *
slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

void
init_write_hostname(const char *host)
{
	char *hosts = slurp("/etc/hosts"), *p, *nl;
	int fd;

	fd = open("/etc/hostname", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		init_puts(fd, host);
		init_puts(fd, "\n");
		close(fd);
	}
	fd = open("/etc/hosts", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(hosts);
		return;
	}
	for (p = hosts; p && *p; p = nl) {
		nl = strchr(p, '\n');
		nl = nl ? nl + 1 : p + strlen(p);
		if (strncmp(p, "127.0.1.1", 9) == 0 && (p[9] == ' ' || p[9] == '\t'))
			continue;
		if (write(fd, p, (size_t)(nl - p)) < 0)
			break;
	}
	init_puts(fd, "127.0.1.1\t");
	init_puts(fd, host);
	init_puts(fd, "\n");
	close(fd);
	free(hosts);
}

/* Decode a shell word at *pp ('single', "double", \escapes, bare) up to
 * the end of the line; returns a new string. */
static char *
shell_value(const char *p)
{
	char *out = malloc(strlen(p) + 1), *o = out;
	char q = 0;

	if (!out)
		return NULL;
	for (; *p && *p != '\n'; p++) {
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			else
				*o++ = *p;
		} else if (*p == '\\' && p[1] && p[1] != '\n' &&
		           (q == 0 || strchr("\"\\$`", p[1]))) {
			*o++ = *++p;
		} else if (q == '"') {
			if (*p == '"')
				q = 0;
			else
				*o++ = *p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == ' ' || *p == '\t' || *p == '#') {
			break;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

void
init_read_conf(struct init_conf *c, const char *path)
{
	char *text = slurp(path), *line, *nl;
	long order[32], nat_order[8];

	for (line = text; line && *line; line = nl) {
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, "UMLAB_LINKS_UP=", 15) == 0) {
			char *v = shell_value(line + 15);
			c->links_up = v && strcmp(v, "1") == 0;
			free(v);
		} else if (strncmp(line, "UMLAB_MOUNT_SHARED=", 19) == 0) {
			char *v = shell_value(line + 19);
			c->mount_shared = v && strcmp(v, "1") == 0;
			free(v);
		} else if (strncmp(line, "UMLAB_SYSCTLS=", 14) == 0) {
			free(c->sysctls);
			c->sysctls = shell_value(line + 14);
		} else if (strncmp(line, "UMLAB_NAT_", 10) == 0 && c->nnats < 8) {
			char *end;
			long n = strtol(line + 10, &end, 10);
			size_t i;

			if (*end != '=' || n < 0)
				continue;
			for (i = c->nnats; i > 0 && nat_order[i - 1] > n; i--) {
				nat_order[i] = nat_order[i - 1];
				c->nats[i] = c->nats[i - 1];
			}
			nat_order[i] = n;
			c->nats[i] = shell_value(end + 1);
			c->nnats++;
		} else if (strncmp(line, "UMLAB_EXEC_", 11) == 0 && c->nexecs < 32) {
			char *end;
			long n = strtol(line + 11, &end, 10);
			size_t i;

			if (*end != '=' || n < 0)
				continue;
			/* Keep them sorted by number, whatever the file order. */
			for (i = c->nexecs; i > 0 && order[i - 1] > n; i--) {
				order[i] = order[i - 1];
				c->execs[i] = c->execs[i - 1];
			}
			order[i] = n;
			c->execs[i] = shell_value(end + 1);
			c->nexecs++;
		}
	}
	free(text);
}

int
init_sysctl(const char *kv)
{
	char path[PATH_MAX] = "/proc/sys/", *p;
	const char *eq = strchr(kv, '=');
	size_t klen;
	int fd, err = 0;

	if (!eq || eq == kv || (size_t)(eq - kv) > sizeof path - 12)
		return EINVAL;
	klen = (size_t)(eq - kv);
	memcpy(path + 10, kv, klen);
	path[10 + klen] = '\0';
	/* sysctl(8) syntax: the first separator decides. With dots, a slash
	 * stands for a dot inside a name (net.ipv4.conf.eth0/100.forwarding). */
	p = path + 10 + strcspn(path + 10, "./");
	if (*p == '.')
		for (p = path + 10; *p; p++)
			*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
	if (strstr(path, ".."))
		return EINVAL;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, eq + 1, strlen(eq + 1)) < 0)
		err = errno;
	close(fd);
	return err;
}

bool
init_write_atomic(const char *dir, const char *name, const char *data)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd;

	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof dst, "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	init_puts(fd, data);
	fsync(fd);
	close(fd);
	return rename(tmp, dst) == 0;
}
