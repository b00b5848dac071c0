/*
 * rt/proc.h: pid files that remember which process we started, and
 * process identity checks, so nothing ever signals a process that merely
 * reused one of our pids.
 *
 * A pid file holds three lines: "pid=N", "start=T" (field 22 of
 * /proc/PID/stat, clock ticks since boot) and "match=TOKEN" (a string that
 * must appear in /proc/PID/cmdline, normally the instance's RUNDIR/ID).
 * A process is ours only when both the start time and the token agree; the
 * token is always the caller's, never the file's (a file can be forged).
 */
#ifndef UMLAB_PROC_H
#define UMLAB_PROC_H

#include "rt.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum rt_pid_state {
	RT_PID_NONE,  /* no pid file, or an unreadable one */
	RT_PID_ALIVE, /* the process we started is running */
	RT_PID_GONE,  /* the process we started has exited (stale file) */
	RT_PID_OTHER, /* the pid now belongs to an unrelated process */
};

struct rt_pidrec {
	pid_t pid;
	unsigned long long start; /* clock ticks since boot */
	char *match;              /* owned */
};

/* Does /proc/PID/cmdline contain token (arguments joined by spaces)? */
bool rt_proc_cmdline_has(pid_t pid, const char *token);
/* Record pid (running now) with its start time and token; atomic rename. */
int rt_pidfile_write(const char *path, pid_t pid, const char *match, char **err);
/* Read a pid file; < 0 when missing or malformed. */
int rt_pidfile_read(const char *path, struct rt_pidrec *rec);
void rt_pidrec_clear(struct rt_pidrec *rec);
/*
 * Classify a pid file against match, the token umlab computes for the
 * process (the instance's RUNDIR/ID): the file's own match= line is only a
 * note for humans and never trusted. *pid (optional) gets the recorded pid.
 */
enum rt_pid_state rt_pidfile_check(const char *path, const char *match, pid_t *pid);
/* Signal the process named by a pid file only if it is still ours (see rt_pidfile_check). */
enum rt_pid_state rt_pidfile_kill(const char *path, const char *match, int sig);
/* A pollable fd that becomes readable when pid exits; < 0 on error. */
int rt_pidfd_open(pid_t pid);
/* Signal the process a pidfd refers to (never a later holder of its pid); < 0 on error. */
int rt_pidfd_signal(int pidfd, int sig);

#endif
