/*
 * src/clean.c: lclean's verb: remove every trace of a lab instance, whatever
 * state it was left in (lstart killed half way, kill -9 of everything, a
 * reboot that emptied the runtime directory).
 *
 * Processes are ended only when they are provably ours: a pid file whose
 * start time and command line still match, or a process of ours whose
 * command line names this instance's private runtime directory (a guest or
 * hub whose pid file lstart never got to write).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostwd.h"
#include "hubs.h"
#include "lab.h"
#include "proc.h"
#include "rt.h"
#include "spawn.h"
#include "tmux.h"
#include "xalloc.h"

/* Report a warning through the command. */
static void __attribute__((format(printf, 2, 3)))
warn(const struct rt_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rep->warn(rep->ctx, msg);
	free(msg);
}

/* End the process of a pid file if it is ours; warn if the pid was reused. */
static void
kill_recorded(const char *pf, const struct rt_report *rep)
{
	pid_t pid = 0;

	switch (rt_pidfile_check(pf, &pid)) {
	case RT_PID_ALIVE:
		rt_pidfile_kill(pf, SIGKILL);
		rt_wait_exit(pid, 3000);
		break;
	case RT_PID_OTHER:
		warn(rep, "%s names pid %d, which is now another process: not killed", pf,
		     (int)pid);
		break;
	default:
		break;
	}
	unlink(pf);
}

/* Is token in cmdline as a whole path (followed by '/', a blank or the end)? */
static bool
names_path(pid_t pid, const char *token)
{
	char *slash = xasprintf("%s/", token), *blank = xasprintf("%s ", token);
	bool yes = rt_proc_cmdline_has(pid, slash) || rt_proc_cmdline_has(pid, blank);

	free(slash);
	free(blank);
	return yes;
}

/* Kill our processes that name the instance directory; see the file comment. */
static void
sweep(const struct rt_inst *in)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		pid_t pid = atoi(de->d_name);
		char path[64];
		struct stat st;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		if (stat(path, &st) < 0 || st.st_uid != getuid() || !names_path(pid, in->dir))
			continue;
		kill(pid, SIGKILL);
	}
	if (d != NULL)
		closedir(d);
}

/* rm -rf a tree of ours. */
static void
rm_tree(const char *path)
{
	char *argv[] = {"rm", "-rf", "--", (char *)path, NULL}, *err = NULL;

	rt_run(argv, NULL, &err);
	free(err);
}

/* Remove host name's files from hostwd and the runtime directory. */
static void
clean_host(const struct rt_inst *in, const char *name, const struct rt_report *rep)
{
	char *pf = rt_guest_pidfile(in, name), *sock = rt_tmux_sock(in);
	char *umid = rt_inst_path(in, "uml/%s", name), *np = rt_notify_path(in, name);

	kill_recorded(pf, rep);
	if (access(sock, F_OK) == 0)
		rt_tmux_kill_window(sock, name);
	for (const char *const *s = rt_wd_suffixes; *s != NULL; s++) {
		char *f = rt_wd_path(in, "%s%s", name, *s);

		unlink(f);
		free(f);
	}
	{
		char *t1 = rt_wd_path(in, ".%s.ready.tmp", name),
		     *t2 = rt_wd_path(in, ".%s.conf.tmp", name);

		unlink(t1);
		unlink(t2);
		free(t1);
		free(t2);
	}
	unlink(np);
	rm_tree(umid);
	free(pf);
	free(sock);
	free(umid);
	free(np);
}

int
rt_lab_clean(const struct lab *lab, const char *opt_w, char **hosts, size_t n_hosts,
             const struct rt_report *rep, char **err)
{
	struct rt_inst in;

	if (rt_inst_init(&in, lab, opt_w, err) < 0) {
		rt_inst_clear(&in);
		return -1;
	}
	for (size_t k = 0; k < n_hosts; k++)
		if (lab_host_find(lab, hosts[k]) == NULL) {
			rt_inst_clear(&in);
			return rt_fail(err, "no host '%s' in lab %s", hosts[k], lab->name);
		}
	if (n_hosts > 0) {
		for (size_t k = 0; k < n_hosts; k++)
			clean_host(&in, hosts[k], rep);
		rt_inst_gc(&in, rep);
		rt_inst_clear(&in);
		return 0;
	}
	/* Whole lab: guests first (also those no longer in the lab files), then the rest. */
	{
		char *pids = rt_inst_path(&in, "pids");
		DIR *d = opendir(pids);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			char *pf;

			if (strncmp(de->d_name, "guest-", 6) != 0 || strchr(de->d_name, '.'))
				continue;
			pf = xasprintf("%s/%s", pids, de->d_name);
			kill_recorded(pf, rep);
			free(pf);
		}
		if (d != NULL)
			closedir(d);
		free(pids);
	}
	for (size_t i = 0; i < lab->n_hosts; i++)
		clean_host(&in, lab->hosts[i].name, rep);
	rt_inst_gc(&in, rep);
	/* gc kept hubs only for guests it believed alive; none are now. */
	{
		char *pids = rt_inst_path(&in, "pids");
		DIR *d = opendir(pids);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			char *pf;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			    strchr(de->d_name, '.') != NULL)
				continue;
			pf = xasprintf("%s/%s", pids, de->d_name);
			kill_recorded(pf, rep);
			free(pf);
		}
		if (d != NULL)
			closedir(d);
		free(pids);
	}
	sweep(&in);
	rm_tree(in.dir);
	for (size_t i = 0; i < lab->n_domains; i++) {
		char *f = rt_wd_path(&in, "%s.pcap", lab->domains[i].name);

		unlink(f);
		free(f);
	}
	/* The default hostwd is ours alone; a -w directory is the user's. */
	if (!in.user_wd)
		rm_tree(in.hostwd);
	rt_inst_clear(&in);
	return 0;
}
