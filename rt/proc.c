/*
 * rt/proc.c: process identity from /proc, pid files, pidfds.
 *
 * See proc.h for the pid-file format and the identity rule.
 */
#include <dirent.h>
#include <linux/kcmp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "xalloc.h"

/* Read a small /proc file into a NUL-terminated buffer; returns its length or -1. */
static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Fields of /proc/PID/stat after the command name: state is field 3. */
static int
stat_fields(pid_t pid, char *buf, size_t size, char **after)
{
	char path[64];
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, size) <= 0)
		return -1;
	/* The command name may contain ") ", so look for the last one. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return -1;
	*after = p + 2;
	return 0;
}

int
rt_proc_start_time(pid_t pid, unsigned long long *start)
{
	char buf[1024], *p, *save = NULL, *tok;
	int field = 3;

	if (pid <= 0 || stat_fields(pid, buf, sizeof(buf), &p) < 0)
		return -1;
	for (tok = strtok_r(p, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save), field++) {
		/* A zombie has exited: it is no longer the running process we started. */
		if (field == 3 && tok[0] == 'Z')
			return -1;
		if (field == 22) {
			*start = strtoull(tok, NULL, 10);
			return 0;
		}
	}
	return -1;
}

/* Parent pid of pid, or -1. */
static pid_t
proc_ppid(pid_t pid)
{
	char buf[1024], *p;
	int ppid;

	if (stat_fields(pid, buf, sizeof(buf), &p) < 0 || sscanf(p, "%*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

bool
rt_proc_cmdline_has(pid_t pid, const char *token)
{
	char path[64];
	static char buf[65536];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((n = read_small(path, buf, sizeof(buf))) <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return strstr(buf, token) != NULL;
}

int
rt_pidfile_write(const char *path, pid_t pid, const char *match, char **err)
{
	unsigned long long start;
	char *tmp;
	FILE *f;
	int rc = 0;

	if (rt_proc_start_time(pid, &start) < 0)
		return rt_fail(err, "process %d exited before it could be recorded", (int)pid);
	tmp = xasprintf("%s.tmp", path);
	if ((f = fopen(tmp, "we")) == NULL) {
		rc = rt_fail_errno(err, errno, "cannot write %s", tmp);
	} else {
		fprintf(f, "pid=%d\nstart=%llu\nmatch=%s\n", (int)pid, start, match);
		if (fclose(f) != 0 || rename(tmp, path) < 0)
			rc = rt_fail_errno(err, errno, "cannot write %s", path);
	}
	free(tmp);
	return rc;
}

int
rt_pidfile_read(const char *path, struct rt_pidrec *rec)
{
	char buf[4096], *line, *save = NULL;
	int fd, have = 0;
	ssize_t n;

	rec->pid = 0;
	rec->start = 0;
	rec->match = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "pid=", 4) == 0 && (rec->pid = atoi(line + 4)) > 0)
			have |= 1;
		else if (strncmp(line, "start=", 6) == 0) {
			rec->start = strtoull(line + 6, NULL, 10);
			have |= 2;
		} else if (strncmp(line, "match=", 6) == 0 && line[6] != '\0') {
			free(rec->match);
			rec->match = xstrdup(line + 6);
			have |= 4;
		}
	}
	if (have != 7) {
		rt_pidrec_clear(rec);
		return -1;
	}
	return 0;
}

void
rt_pidrec_clear(struct rt_pidrec *rec)
{
	free(rec->match);
	rec->match = NULL;
}

/* Is the process in rec still the one we recorded, naming match? */
static enum rt_pid_state
classify(const struct rt_pidrec *rec, const char *match)
{
	unsigned long long start;

	if (rt_proc_start_time(rec->pid, &start) < 0)
		return RT_PID_GONE;
	if (start != rec->start || !rt_proc_cmdline_has(rec->pid, match))
		return RT_PID_OTHER;
	return RT_PID_ALIVE;
}

enum rt_pid_state
rt_pidfile_check(const char *path, const char *match, pid_t *pid)
{
	struct rt_pidrec rec;
	enum rt_pid_state st;

	if (rt_pidfile_read(path, &rec) < 0)
		return RT_PID_NONE;
	st = classify(&rec, match);
	if (pid != NULL)
		*pid = rec.pid;
	rt_pidrec_clear(&rec);
	return st;
}

enum rt_pid_state
rt_pidfile_kill(const char *path, const char *match, int sig)
{
	struct rt_pidrec rec;
	enum rt_pid_state st;

	if (rt_pidfile_read(path, &rec) < 0)
		return RT_PID_NONE;
	st = classify(&rec, match);
	if (st == RT_PID_ALIVE) {
		int pfd = rt_pidfd_open(rec.pid);

		if (pfd >= 0) {
			/* Checked again once pinned: a process that took the pid since fails it. */
			if (classify(&rec, match) == RT_PID_ALIVE)
				rt_pidfd_signal(pfd, sig);
			close(pfd);
		} else if (errno == ENOSYS) {
			/* A kernel without pidfds (before 5.3): check and kill back to back. */
			kill(rec.pid, sig);
		}
		/* Any other failure (ESRCH) means it just exited: its pid may be anyone's now. */
	}
	rt_pidrec_clear(&rec);
	return st;
}

int
rt_pidfd_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int
rt_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

double
rt_proc_uptime(unsigned long long start)
{
	char buf[128];
	double up = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (read_small("/proc/uptime", buf, sizeof(buf)) <= 0 || sscanf(buf, "%lf", &up) != 1)
		return 0;
	return up - (double)start / (double)(hz > 0 ? hz : 100);
}

/*
 * Proportional set size of one process in KiB, 0 if unknown. UML's guest
 * memory is one shared mapping in every process of the guest, so RSS would
 * count it once per process; PSS splits it.
 */
static unsigned long long
rss_kb(pid_t pid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0 && (p = strstr(buf, "\nPss:")) != NULL)
		return strtoull(p + 5, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0 || (p = strstr(buf, "VmRSS:")) == NULL)
		return 0;
	return strtoull(p + 6, NULL, 10);
}

/* Is pid a descendant of (or equal to) root? */
static bool
descends(pid_t pid, pid_t root)
{
	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		if (pid == root)
			return true;
		pid = proc_ppid(pid);
	}
	return false;
}

/*
 * Do a and b share one address space? UML's helper processes are clones of
 * the guest with CLONE_VM: separate pids, one memory. kcmp(2) says so
 * exactly; where it is not allowed, assume they do not (count both).
 */
static bool
same_vm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0;
}

unsigned long long
rt_proc_tree_mem_kb(pid_t root)
{
	unsigned long long sum = 0;
	pid_t seen[256];
	size_t nseen = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid_t pid = atoi(de->d_name);
		bool counted = false;

		if (pid <= 0 || !descends(pid, root))
			continue;
		/* Each address space once: PSS of a process is that of its whole mm. */
		for (size_t i = 0; i < nseen && !counted; i++)
			counted = same_vm(pid, seen[i]);
		if (counted)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = pid;
		sum += rss_kb(pid);
	}
	closedir(d);
	return sum;
}
