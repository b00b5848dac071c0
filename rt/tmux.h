/*
 * rt/tmux.h: the lab's private tmux server (tmux -S RUNDIR/ID/tmux), one
 * session "umlab", one window per guest named after it; panes stay after
 * their guest exits (remain-on-exit) and every pane's output is appended to
 * the guest's console log.
 */
#ifndef UMLAB_TMUX_H
#define UMLAB_TMUX_H

#include "rt.h"
#include <stdbool.h>
#include <sys/types.h>

/* Pid of the server on sock, or -1. */
pid_t rt_tmux_server_pid(const char *sock);

/*
 * The tmux command that opens window NAME running argv, its output also
 * appended to logpath: new-session starting the server with conf when fresh
 * (no server yet), else new-window. NULL-terminated; argv_free it.
 */
char **rt_tmux_window_argv(const char *sock, const char *conf, const char *name, char *const argv[],
                           const char *logpath, bool fresh);
/* Run such a command; *pid gets the pid of the pane's process. */
int rt_tmux_run_window(char *const tmux_argv[], const char *name, pid_t *pid, char **err);
/* Kill window NAME if it exists. */
void rt_tmux_kill_window(const char *sock, const char *name);
/* Stop the server (its panes' processes get SIGHUP). */
void rt_tmux_kill_server(const char *sock);
/* Write the server configuration file. */
int rt_tmux_write_conf(const char *path, char **err);

#endif
