/*
 * rt/include/rt.h: the runtime's verbs, called by the thin commands.
 *
 * lstart, lhalt, lcrash, lclean and lstatus parse their options and call
 * one of these; the verbs do the work (processes, sockets, the event loop)
 * and return results the command prints. Progress and warnings go through
 * struct rt_report so only the commands decide how text reaches the user.
 */
#ifndef UMLAB_RT_H
#define UMLAB_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "guest.h"
#include "inst.h"

struct lab;

/* Where the runtime's progress lines and warnings go. */
struct rt_report {
	void *ctx;
	void (*progress)(void *ctx, const char *msg); /* may be NULL */
	void (*warn)(void *ctx, const char *msg);
};

/* Format a warning and hand it to rep->warn. */
void rt_report_warn(const struct rt_report *rep, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* A host's state, as lstart ends it or lstatus sees it. */
enum rt_hstate {
	RT_H_UNSELECTED,     /* not part of this command */
	RT_H_PENDING,        /* waiting for prerequisites or a boot slot */
	RT_H_RUNNING,        /* already running before this lstart */
	RT_H_BOOTING,        /* process up, no ready marker yet */
	RT_H_READY,          /* ready marker says ready */
	RT_H_STARTUP_FAILED, /* ready marker says a startup script failed */
	RT_H_EXITED,         /* the guest process exited before it was ready */
	RT_H_PANIC,          /* the kernel panicked */
	RT_H_TIMEOUT,        /* no ready marker within the timeout */
	RT_H_FAILED,         /* could not be launched */
	RT_H_NOT_STARTED,    /* a prerequisite failed, or --abort-on-failure */
	RT_H_HALTED,         /* not running, its COW file kept */
	RT_H_CRASHED,        /* not running, but never halted: it died */
	RT_H_ABSENT,         /* never started (no COW file, no process) */
	RT_H_PAUSED,         /* running, frozen by lpause (mconsole stop) */
};

const char *rt_hstate_name(enum rt_hstate s);
/* Is this a failure verdict of lstart? */
bool rt_hstate_failed(enum rt_hstate s);

struct rt_host_result {
	enum rt_hstate state;
	pid_t pid;
	double secs;               /* lstart: launch to verdict; lstatus: uptime */
	unsigned long long mem_kb; /* lstatus: guest memory (PSS) */
	char *detail;              /* owned; one line, or NULL */
};

struct rt_start_opts {
	const char *opt_w; /* -w DIR or NULL */
	char **hosts;      /* borrowed; named hosts (with prerequisites), or none: all */
	size_t n_hosts;
	unsigned int timeout_s; /* per guest */
	unsigned int parallel;  /* concurrent boots; 0: default */
	bool sequential;
	bool headless;
	bool dry_run;
	bool abort_on_failure;
	struct rt_guest_opts gopts;
	/*
	 * NULL, or an fd rt_lab_start closes (setting it to -1) once every
	 * guest of the run is launched, or when it fails before: vstart's lock
	 * on its machines, so the next vstart waits for the launch, not the boot.
	 */
	int *release_fd;
};

/* Results for every host of the lab, in lab order (RT_H_UNSELECTED if not involved). */
struct rt_result {
	struct rt_inst inst;
	struct rt_host_result *hosts; /* owned; lab->n_hosts entries */
	size_t n_hosts;
	unsigned int parallel; /* the bound used */
	bool ok;
};

void rt_result_clear(struct rt_result *res);

/* Default concurrent boots from cores and available memory for guests of mem_mb. */
unsigned int rt_default_parallel(unsigned int mem_mb);

/* lstart. Fills res (also on failure, when res->hosts is not NULL). */
int rt_lab_start(const struct lab *lab, const struct rt_start_opts *o, const struct rt_report *rep,
                 struct rt_result *res, char **err);

struct rt_halt_opts {
	const char *opt_w;
	char **hosts;
	size_t n_hosts;
	bool crash;          /* lcrash: halt over mconsole at once, then kill */
	bool keep_fs;        /* lcrash --keep-fs; lhalt always keeps */
	bool remove_fs;      /* lhalt -r: remove COW files after the halt */
	unsigned int wait_s; /* lhalt: wait after cad before escalating */
};

/* lhalt and lcrash. */
int rt_lab_halt(const struct lab *lab, const struct rt_halt_opts *o, const struct rt_report *rep,
                struct rt_result *res, char **err);

struct rt_pause_opts {
	const char *opt_w;
	char **hosts; /* borrowed; named hosts, or none: every running one */
	size_t n_hosts;
	bool resume; /* lresume: mconsole go; else lpause: mconsole stop */
};

/*
 * lpause and lresume. Each host gets its state after the command and a
 * detail ("paused", "already paused", ...); a named host that is not
 * running, or whose mconsole did not answer, makes res->ok false (its state
 * then says why: halted, crashed, absent, or failed).
 */
int rt_lab_pause(const struct lab *lab, const struct rt_pause_opts *o, struct rt_result *res,
                 char **err);

/* lclean: every trace of the lab (or of the named hosts). */
int rt_lab_clean(const struct lab *lab, const char *opt_w, char **hosts, size_t n_hosts,
                 const struct rt_report *rep, char **err);

/*
 * lclean of a lab that can no longer be loaded (lab.yaml broken or deleted):
 * the instance is found from labdir and -w (or the default hostwds of
 * labdir) and cleaned by what its record and pid files list. Fails when
 * there is no trace of it.
 */
int rt_lab_clean_dir(const char *labdir, const char *opt_w, char **hosts, size_t n_hosts,
                     const struct rt_report *rep, char **err);

/* lstatus. */
int rt_lab_status(const struct lab *lab, const char *opt_w, struct rt_result *res, char **err);

/* Select hosts by name (with prerequisites); all when n is 0. sel has lab->n_hosts entries. */
int rt_select(const struct lab *lab, char **names, size_t n, bool *sel, char **err);

/* The live state of host h (pid file, process, marker, COW file). */
enum rt_hstate rt_host_state(const struct rt_inst *in, const char *host, pid_t *pid);

/* Tear down what no running guest of the instance uses: hubs, tmux server, dirs. */
void rt_inst_gc(const struct rt_inst *in, const struct rt_report *rep);

/* lexec's files in the instance (rt/agent-files.c): RUNDIR/ID.h/agent/HOST<suffix>
 * (caller frees), and their removal for host, or all of them (host NULL). */
char *rt_agent_path(const struct rt_inst *in, const char *host, const char *suffix);
void rt_agent_clean(const struct rt_inst *in, const char *host);

/* For the commands: the few helpers they share with the runtime. */
#define RT_TMUX_SESSION "umlab"
/* Is the hub of domain (by name) running and ours? */
bool rt_hub_running(const struct rt_inst *in, const char *domain);
/* The interfaces running guest host has ("eth0@A eth1@B": what it booted
 * with and what lstart plugged in since), or NULL when nothing is recorded;
 * caller frees. */
char *rt_host_plugged(const struct rt_inst *in, const char *host);
/* Is the NAT of a nat domain (by name) running and ours? (rt/nat.h) */
bool rt_nat_running(const struct rt_inst *in, const char *domain);
/* Is a tmux server answering on sock? */
bool rt_tmux_alive(const char *sock);
/*
 * Does a server accept connections on sock? A connect(2) and no tmux client:
 * lstart asks before each guest's window, where a tmux exec per guest costs
 * tenths of a second on a machine busy booting the others.
 */
bool rt_tmux_listening(const char *sock);
/* Does the window =NAME exist? */
bool rt_tmux_has_window(const char *sock, const char *name);
/* The session's window names, one per line (one tmux call for all), or NULL. */
char *rt_tmux_window_names(const char *sock);
/* "tmux -S SOCK attach -t =umlab:=NAME", for messages; caller frees. */
char *rt_tmux_attach_cmd(const char *sock, const char *name);
/* Print the last n lines of path to f, each prefixed by indent; false if unreadable. */
bool rt_tail(FILE *f, const char *path, unsigned int n, const char *indent);
/* Start time of pid in clock ticks since boot; < 0 if it does not exist. */
int rt_proc_start_time(pid_t pid, unsigned long long *start);
/*
 * Memory of the process tree under pid, in KiB: the proportional set size of
 * each address space once (UML's helper processes share the guest's).
 */
unsigned long long rt_proc_tree_mem_kb(pid_t pid);
/* Seconds since the process started, from its start time. */
double rt_proc_uptime(unsigned long long start);
/*
 * Run argv (argv[0] looked up in PATH unless it has a slash) with stdin
 * from /dev/null; *out (optional) gets stdout. Returns the exit status
 * (0..255), or -1 with *err set when it could not run, died of a signal or
 * ran longer than RT_RUN_TIMEOUT_MS; a non-zero status also sets *err to
 * its stderr (or a generic message).
 */
int rt_run(char *const argv[], char **out, char **err);
/* Append s to a shell command line, single-quoted. */
void rt_shell_quote(char **cmd, const char *s);

#endif
