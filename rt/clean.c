/*
 * rt/clean.c: lclean's verb: remove every trace of a lab instance, whatever
 * state it was left in (lstart killed half way, kill -9 of everything, a
 * reboot that emptied the runtime directory, a lab.yaml broken or deleted
 * since lstart).
 *
 * Processes are ended only when they are provably ours: a pid file whose
 * start time and command line still match, or a process of ours whose
 * command line names this instance's private runtime directory (a guest or
 * hub whose pid file lstart never got to write). Which hosts and domains
 * have files comes from the lab and from the instance record (record.h),
 * so lclean also works when the lab no longer loads. It holds the instance
 * lock (inst.h) throughout, so an lstart still running launches nothing
 * more.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"
#include "hostwd.h"
#include "disks.h"
#include "hubs.h"
#include "lab.h"
#include "proc.h"
#include "record.h"
#include "rt.h"
#include "safefile.h"
#include "run.h"
#include "tmux.h"
#include "xalloc.h"

#define KILL_WAIT_MS 3000 /* for SIGKILLed processes to be gone, all together */

/* Pids we signalled, to wait for together. */
struct victims {
	pid_t *pids;
	size_t n;
};

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for every signalled process to exit, within one shared bound. */
static void
wait_victims(struct victims *v)
{
	long long deadline = now_ms() + KILL_WAIT_MS;

	for (size_t i = 0; i < v->n; i++) {
		long long left = deadline - now_ms();

		rt_wait_exit(v->pids[i], left > 0 ? (int)left : 0);
	}
	free(v->pids);
	v->pids = NULL;
	v->n = 0;
}

/* SIGKILL the process of a pid file if it is ours; warn if the pid was reused. */
static void
kill_recorded(const struct rt_inst *in, const char *pf, const struct rt_report *rep,
              struct victims *v)
{
	pid_t pid = 0;

	switch (rt_pidfile_check(pf, in->dir, &pid)) {
	case RT_PID_ALIVE:
		if (rt_pidfile_kill(pf, in->dir, SIGKILL) == RT_PID_ALIVE) {
			v->pids = xrealloc(v->pids, (v->n + 1) * sizeof(*v->pids));
			v->pids[v->n++] = pid;
		}
		break;
	case RT_PID_OTHER:
		rt_report_warn(rep, "%s names pid %d, which is now another process: not killed", pf,
		               (int)pid);
		break;
	default:
		break;
	}
	unlink(pf);
}

/* SIGKILL the processes of every pid file in RUNDIR/ID/pids starting with prefix. */
static void
kill_pidfiles(const struct rt_inst *in, const char *prefix, const struct rt_report *rep,
              struct victims *v)
{
	char *pids = rt_host_path(in, "pids");
	DIR *d = opendir(pids);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *pf;

		/* hub-X.daemon is the hub's own file, *.tmp a pid file being written. */
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    strchr(de->d_name, '.') != NULL)
			continue;
		pf = xasprintf("%s/%s", pids, de->d_name);
		kill_recorded(in, pf, rep, v);
		free(pf);
	}
	if (d != NULL)
		closedir(d);
	free(pids);
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
sweep(const struct rt_inst *in, struct victims *v)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		pid_t pid = atoi(de->d_name);
		char path[64];
		struct stat st;
		int pfd;

		if (pid <= 0 || pid == getpid())
			continue;
		/* Pin the process first, then check it: the pid cannot change hands under us. */
		if ((pfd = rt_pidfd_open(pid)) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		/* RUNDIR/ID.h too: lexec's bridges name only their socket there. */
		if (stat(path, &st) == 0 && st.st_uid == getuid() &&
		    (names_path(pid, in->dir) || names_path(pid, in->hdir)) &&
		    rt_pidfd_signal(pfd, SIGKILL) == 0) {
			v->pids = xrealloc(v->pids, (v->n + 1) * sizeof(*v->pids));
			v->pids[v->n++] = pid;
		}
		close(pfd);
	}
	if (d != NULL)
		closedir(d);
}

/*
 * Take the instance lock for the whole clean (see rt_inst_lock), making
 * RUNDIR/ID first if it is absent: an lstart creating it right now must
 * wait for us too, then find it gone.
 */
static int
lock_inst(const struct rt_inst *in)
{
	char *e = NULL;

	if (access(in->dir, F_OK) < 0 && rt_mkdir_private(in->dir, &e) < 0) {
		free(e);
		return -1;
	}
	return rt_inst_lock(in, LOCK_EX);
}

/* Remove a tree of ours without following any symlink a guest planted in it. */
static void
rm_tree(const struct rt_report *rep, const char *path)
{
	if (rt_sf_remove_path(path) < 0)
		rt_report_warn(rep, "cannot remove %s: %s", path, strerror(errno));
}

/*
 * Remove host name's files from hostwd and the runtime directory; its tmux
 * window too unless the whole server is about to go (window false).
 */
static void
clean_host(const struct rt_inst *in, const char *name, bool window, const struct rt_report *rep)
{
	char *pf = rt_guest_pidfile(in, name), *pp = rt_guest_pausefile(in, name);
	char *sock = rt_tmux_sock(in);
	char *umid = xasprintf("uml/%s", name), *np = xasprintf("notify/%s", name);
	struct victims v = {0};

	kill_recorded(in, pf, rep, &v);
	wait_victims(&v);
	unlink(pp);
	if (window && access(sock, F_OK) == 0)
		rt_tmux_kill_window(sock, name);
	/*
	 * HOSTWD/NAME is the guest's mount root: it can plant entries inside,
	 * never swap the directory itself, and unlink follows no symlink.
	 */
	for (const char *const *s = rt_gwd_suffixes; *s != NULL; s++) {
		char *f = rt_gwd_path(in, name, "%s%s", name, *s);

		unlink(f);
		free(f);
	}
	rt_disks_remove(in, name);
	{
		char *t1 = rt_gwd_path(in, name, ".%s.ready.tmp", name),
		     *t2 = rt_gwd_path(in, name, ".%s.conf.tmp", name),
		     *log = rt_wd_path(in, "%s.console.log", name), *gwd = rt_gwd(in, name),
		     *mnt = rt_gwd_path(in, name, "shared");

		unlink(t1);
		unlink(t2);
		unlink(log);
		rmdir(mnt); /* where guest-launch binds HOSTWD/shared */
		rmdir(gwd); /* kept when the lab wrote more there: the user's files now */
		free(t1);
		free(t2);
		free(log);
		free(gwd);
		free(mnt);
	}
	/* uml/ and notify/ are the guest's to swap: resolved beneath RUNDIR/ID, no symlinks. */
	rt_sf_remove_below(in->dir, np);
	rt_agent_clean(in, name); /* lexec's line and bridge socket */
	rt_sf_remove_below(in->dir, umid);
	free(pf);
	free(pp);
	free(sock);
	free(umid);
	free(np);
}

/* Guest names of the pid files in RUNDIR/ID/pids, added to rec. */
static void
add_pidfile_hosts(const struct rt_inst *in, struct rt_record *rec)
{
	char *pids = rt_host_path(in, "pids");
	DIR *d = opendir(pids);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "guest-", 6) == 0)
			rt_record_add(rec, 'h', de->d_name + 6); /* drops "x.tmp": not a name */
	if (d != NULL)
		closedir(d);
	free(pids);
}

/* Clean the whole instance: every host and domain rec lists, then everything else. */
static void
clean_all(const struct rt_inst *in, struct rt_record *rec, const struct rt_report *rep)
{
	struct victims v = {0};

	add_pidfile_hosts(in, rec);
	/* Guests first, all at once, then what they used. */
	kill_pidfiles(in, "guest-", rep, &v);
	wait_victims(&v);
	for (size_t i = 0; i < rec->n_hosts; i++)
		clean_host(in, rec->hosts[i], false, rep);
	rt_inst_gc(in, rep);
	/* gc kept hubs only for guests it believed alive; none are now. */
	kill_pidfiles(in, "", rep, &v);
	sweep(in, &v);
	wait_victims(&v);
	rm_tree(rep, in->dir);
	rm_tree(rep, in->hdir);
	for (size_t i = 0; i < rec->n_domains; i++) {
		char *f = rt_wd_path(in, "%s.pcap", rec->domains[i]);

		unlink(f);
		free(f);
	}
	/* The default hostwd is ours alone; a -w directory is the user's. */
	if (!in->user_wd) {
		rm_tree(rep, in->hostwd);
	} else {
		char *f = rt_wd_path(in, "%s", RT_RECORD_WD), *shared = rt_wd_shared(in);

		unlink(f);
		rmdir(shared); /* what the guests exchanged there stays, as their other files */
		free(f);
		free(shared);
	}
}

int
rt_lab_clean(const struct lab *lab, const char *opt_w, char **hosts, size_t n_hosts,
             const struct rt_report *rep, char **err)
{
	struct rt_record rec = {0};
	struct rt_inst in;
	int lock;

	if (rt_inst_init(&in, lab, opt_w, err) < 0) {
		rt_inst_clear(&in);
		return -1;
	}
	for (size_t k = 0; k < n_hosts; k++)
		if (lab_host_find(lab, hosts[k]) == NULL) {
			rt_inst_clear(&in);
			return rt_fail(err, "no host '%s' in lab %s", hosts[k], lab->name);
		}
	/* An lstart still running waits before its next launch, then finds nothing. */
	lock = lock_inst(&in);
	if (n_hosts > 0) {
		/* gc removes RUNDIR/ID last if nothing runs: nothing of ours follows. */
		for (size_t k = 0; k < n_hosts; k++)
			clean_host(&in, hosts[k], true, rep);
		rt_inst_gc(&in, rep);
	} else {
		/* Hosts and domains of the lab, and those an earlier lstart recorded. */
		for (size_t i = 0; i < lab->n_hosts; i++)
			rt_record_add(&rec, 'h', lab->hosts[i].name);
		for (size_t i = 0; i < lab->n_domains; i++)
			rt_record_add(&rec, 'd', lab->domains[i].name);
		in.cleaning = true;
		rt_record_load(&in, &rec);
		clean_all(&in, &rec, rep);
		rt_record_clear(&rec);
	}
	if (lock >= 0)
		close(lock);
	rt_inst_clear(&in);
	return 0;
}

/* The absolute lab directory, symlinks resolved as far as it still exists. */
static char *
labdir_resolve(const char *dir, char **err)
{
	char *abs = rt_path_absolute(dir, err), *real, *slash;

	if (abs == NULL)
		return NULL;
	if ((real = realpath(abs, NULL)) != NULL) {
		free(abs);
		return real;
	}
	/* Deleted: resolve its parent, as lab_load resolved the whole path. */
	slash = strrchr(abs, '/');
	if (slash != NULL && slash != abs) {
		*slash = '\0';
		real = realpath(abs, NULL);
		*slash = '/';
		if (real != NULL) {
			char *p = xasprintf("%s%s", strcmp(real, "/") == 0 ? "" : real, slash);

			free(real);
			free(abs);
			return p;
		}
	}
	return abs;
}

/* Append path to a list unless present. */
static void
add_path(char ***list, size_t *n, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], path) == 0)
			return;
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrdup(path);
}

/* hostwds that may belong to labdir: default ones named *-HASH, and recorded ones. */
static void
find_hostwds(const char *labdir, const char *parent, char ***list, size_t *n)
{
	char hash[RT_HASH12_LEN + 1], *base = rt_rundir_base(NULL);
	struct dirent *de;
	DIR *d;

	rt_labdir_hash(labdir, hash);
	/* The lab's name is part of a default hostwd's, and the lab no longer says it. */
	if (parent != NULL && (d = opendir(parent)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);

			if (len > RT_HASH12_LEN + 1 && de->d_name[len - RT_HASH12_LEN - 1] == '-' &&
			    strcmp(de->d_name + len - RT_HASH12_LEN, hash) == 0) {
				char *p = xasprintf("%s/%s", parent, de->d_name);

				add_path(list, n, p);
				free(p);
			}
		}
		closedir(d);
	}
	/* Instances whose hostwd is gone but whose processes may still run. */
	if (base != NULL && (d = opendir(base)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			struct rt_record rec;
			char *p;

			/* Records live in the host-only RUNDIR/ID.h, which no guest can forge. */
			if (strlen(de->d_name) != RT_HASH12_LEN + 2 ||
			    strcmp(de->d_name + RT_HASH12_LEN, ".h") != 0)
				continue;
			p = xasprintf("%s/%s/%s", base, de->d_name, RT_RECORD_RUN);
			if (rt_record_read(p, &rec) == 0 && rec.hostwd != NULL &&
			    strcmp(rec.labdir, labdir) == 0)
				add_path(list, n, rec.hostwd);
			rt_record_clear(&rec);
			free(p);
		}
		closedir(d);
	}
	free(base);
}

/* Is hostwd a default one (PARENT/NAME-HASH), which lclean may remove whole? */
static bool
default_hostwd(const char *hostwd, const char *parent, const char *labdir)
{
	char hash[RT_HASH12_LEN + 1];
	size_t plen = parent != NULL ? strlen(parent) : 0, len = strlen(hostwd);

	rt_labdir_hash(labdir, hash);
	return parent != NULL && strncmp(hostwd, parent, plen) == 0 && hostwd[plen] == '/' &&
	       strchr(hostwd + plen + 1, '/') == NULL && len > plen + RT_HASH12_LEN + 2 &&
	       hostwd[len - RT_HASH12_LEN - 1] == '-' &&
	       strcmp(hostwd + len - RT_HASH12_LEN, hash) == 0;
}

/* Is anything of the instance left: its runtime dir, its record, its own hostwd? */
static bool
has_trace(const struct rt_inst *in)
{
	char *rec = rt_wd_path(in, "%s", RT_RECORD_WD);
	bool yes = access(in->dir, F_OK) == 0 || access(in->hdir, F_OK) == 0 ||
	           access(rec, F_OK) == 0 || (!in->user_wd && access(in->hostwd, F_OK) == 0);

	free(rec);
	return yes;
}

int
rt_lab_clean_dir(const char *labdir, const char *opt_w, char **hosts, size_t n_hosts,
                 const struct rt_report *rep, char **err)
{
	char *dir = labdir_resolve(labdir, err), *parent = NULL, *wd = NULL, **wds = NULL;
	size_t n_wds = 0, found = 0;
	int rc = 0;

	if (dir == NULL)
		return -1;
	for (size_t k = 0; k < n_hosts; k++)
		if (!lab_name_valid(hosts[k])) {
			free(dir);
			return rt_fail(err, "'%s' is not a host name", hosts[k]);
		}
	parent = rt_hostwd_parent(NULL);
	if (opt_w != NULL) {
		if ((wd = rt_path_absolute(opt_w, err)) == NULL) {
			free(parent);
			free(dir);
			return -1;
		}
		add_path(&wds, &n_wds, wd);
	} else {
		find_hostwds(dir, parent, &wds, &n_wds);
	}
	for (size_t i = 0; i < n_wds && rc == 0; i++) {
		struct rt_record rec = {0};
		struct rt_inst in;

		rc = rt_inst_init_dirs(&in, dir, wds[i],
		                       opt_w != NULL || !default_hostwd(wds[i], parent, dir), err);
		if (rc == 0 && has_trace(&in)) {
			int lock = lock_inst(&in);

			found++;
			if (n_hosts > 0) {
				for (size_t k = 0; k < n_hosts; k++)
					clean_host(&in, hosts[k], true, rep);
				rt_inst_gc(&in, rep);
			} else {
				in.cleaning = true;
				rt_record_load(&in, &rec);
				clean_all(&in, &rec, rep);
			}
			if (lock >= 0)
				close(lock);
		}
		rt_record_clear(&rec);
		rt_inst_clear(&in);
	}
	if (rc == 0 && found == 0)
		rc = rt_fail(err, "no trace of a lab started from %s%s%s", dir,
		             opt_w != NULL ? " with hostwd " : "", opt_w != NULL ? wd : "");
	for (size_t i = 0; i < n_wds; i++)
		free(wds[i]);
	free(wds);
	free(wd);
	free(parent);
	free(dir);
	return rc;
}
