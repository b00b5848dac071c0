/*
 * rt/include/inst.h: one lab instance on this machine: its hostwd, its runtime
 * directory RUNDIR/ID (see share/doc/runtime-layout.md) and the names of
 * everything inside them.
 */
#ifndef UMLAB_INST_H
#define UMLAB_INST_H

#include <stdbool.h>

#include "paths.h"

struct lab;

struct rt_inst {
	const struct lab *lab; /* borrowed; NULL when the lab could not be loaded */
	char *labdir;          /* owned; absolute */
	char *hostwd;          /* owned; absolute */
	char *base;            /* owned; RUNDIR */
	char *dir;             /* owned; RUNDIR/ID: bound into every guest's sandbox */
	char *hdir;            /* owned; RUNDIR/ID.h: host only, no guest can reach it */
	char id[RT_HASH12_LEN + 1];
	bool user_wd;  /* -w given: the directory is the user's, only our files are ours */
	bool cleaning; /* lclean holds the lock on RUNDIR/ID: only its last step removes it */
};

/* Compute the instance's paths (nothing is created). */
int rt_inst_init(struct rt_inst *in, const struct lab *lab, const char *opt_w, char **err);
/*
 * The same without a lab (lclean of a lab that no longer loads): in->lab is
 * NULL, the directories are given absolute.
 */
int rt_inst_init_dirs(struct rt_inst *in, const char *labdir_abs, const char *hostwd_abs,
                      bool user_wd, char **err);
/*
 * Create hostwd, RUNDIR/ID and RUNDIR/ID.h with their subdirectories, mode
 * 0700, checking owners.
 */
int rt_inst_create(struct rt_inst *in, char **err);
void rt_inst_clear(struct rt_inst *in);

/* RUNDIR/ID/<formatted>; caller frees. */
char *rt_inst_path(const struct rt_inst *in, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* RUNDIR/ID.h/<formatted> (pid files, tmux, the record, lexec's line); caller frees. */
char *rt_host_path(const struct rt_inst *in, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* HOSTWD/<formatted>: host-written files (console logs, captures, the record); caller frees. */
char *rt_wd_path(const struct rt_inst *in, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/*
 * HOSTWD/HOST/<formatted>: the guest's own part of hostwd, its /hostwd (COW
 * file, NAME.conf, marker, startup and shutdown logs); caller frees.
 */
char *rt_gwd_path(const struct rt_inst *in, const char *host, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* HOSTWD/HOST, bound as the guest's /hostwd; caller frees. */
char *rt_gwd(const struct rt_inst *in, const char *host);
/* HOSTWD/shared, every guest's /hostwd/shared: what a lab's guests exchange; caller frees. */
char *rt_wd_shared(const struct rt_inst *in);

/* Well-known names inside the instance; all caller-freed. */
char *rt_guest_pidfile(const struct rt_inst *in, const char *host);
/* RUNDIR/ID.h/pids/guest-HOST.paused: written by lpause (see rt/pause.c). */
char *rt_guest_pausefile(const struct rt_inst *in, const char *host);
char *rt_hub_pidfile(const struct rt_inst *in, const char *domain);
char *rt_hub_dir(const struct rt_inst *in, const char *domain);
char *rt_mconsole_path(const struct rt_inst *in, const char *host);
char *rt_notify_path(const struct rt_inst *in, const char *host);
char *rt_tmux_sock(const struct rt_inst *in);

/*
 * The instance lock, a flock on RUNDIR/ID itself: lstart holds it shared
 * while it launches something and writes its pid file, lclean exclusive for
 * its whole run, so lclean never runs between a launch and its pid file and
 * nothing is launched into an instance lclean removed. Returns an fd holding
 * the lock (op LOCK_SH or LOCK_EX) on the current RUNDIR/ID, or -1 if there
 * is none.
 */
int rt_inst_lock(const struct rt_inst *in, int op);
/* Take the lock again on fd (from rt_inst_lock, since unlocked); false if RUNDIR/ID went. */
bool rt_inst_relock(const struct rt_inst *in, int fd, int op);

/* Make dir (and missing parents) owned by us with mode 0700, or fail. */
int rt_mkdir_private(const char *dir, char **err);

#endif
