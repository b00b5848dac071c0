/*
 * rt/include/machines.h: the machines of vstart(1), vhalt(1), vcrash(1),
 * vlist(1), vconfig(1) and vclean(1).
 *
 * A user's vstart machines are the hosts of one lab instance umlab keeps
 * for that user, the *machines instance*: ${XDG_STATE_HOME:-~/.local/state}
 * /umlab/machines/ holds a record per machine (vm/NAME: vstart's settings,
 * rewritten by each vstart of NAME) and lab/lab.yaml, generated from all
 * records: the lab directory of the instance. Machines start, halt and get
 * interfaces through the runtime's lab verbs (rt.h) on that lab, so their
 * hubs are shared by all of the user's machines and never by a lab started
 * with lstart (another lab directory, another instance). See
 * share/doc/runtime-layout.md, "The machines instance".
 */
#ifndef UMLAB_MACHINES_H
#define UMLAB_MACHINES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rt.h"
#include "uconf.h"

struct lab;

/* One machine's settings: what vstart was given (vm/NAME). */
struct rt_machine {
	char *name;          /* owned; a lab name (lab_name_valid) */
	unsigned int mem_mb; /* 0: VM_MEMORY */
	char *kernel;        /* owned; -k as given, NULL: linux.uml */
	char *model;         /* owned; -m as given (name or path), NULL: "default" */
	char **ifaces;       /* owned; ifaces[N] is the domain of ethN */
	size_t n_ifaces;
	char **kargs; /* owned; --append words */
	size_t n_kargs;
	char **execs; /* owned; -e commands */
	size_t n_execs;
	char *cow;      /* owned; -f, absolute; NULL: HOSTWD/NAME/NAME.disk */
	bool no_cow;    /* -W: the model filesystem itself, read-write */
	bool hide_disk; /* -D: the COW file is removed once the machine runs */
	char *hostlab;  /* owned; -l, absolute; NULL: the instance's lab directory */
	enum rt_hosthome hosthome;
	bool verbose; /* -v: kernel messages (no `quiet`) */
	enum rt_con con0;
};

void rt_machine_clear(struct rt_machine *mc);

/* The instance: its directories and, for commands that change it, its lock. */
struct rt_machines {
	char *state;  /* owned; STATE/umlab/machines */
	char *labdir; /* owned; STATE/umlab/machines/lab */
	int lockfd;   /* flock on STATE/umlab/machines/lock, or -1 */
};

/*
 * Compute the instance's directories; with lock, create them (0700) and
 * take the instance's lock (blocking: one vstart, vconfig or vclean at a
 * time changes the records and lab.yaml).
 */
int rt_machines_open(struct rt_machines *m, bool lock, char **err);
/* Release the lock (if held). */
void rt_machines_unlock(struct rt_machines *m);
void rt_machines_close(struct rt_machines *m);

/* NAME's record: 1 found, 0 none, -1 with *err (a record that does not parse). */
int rt_machine_read(const struct rt_machines *m, const char *name, struct rt_machine *mc,
                    char **err);
/* The names of every record, sorted; NULL-terminated, argv_free it. */
char **rt_machines_names(const struct rt_machines *m);
/* The instance's lab (lab.yaml as generated); 0 with *lab NULL when there is none yet. */
int rt_machines_lab(const struct rt_machines *m, struct lab **lab, char **err);

/*
 * The one check of a collision domain name given as --ethN=DOMAIN: a lab
 * name (lab_name_valid), or a tap domain (see rt_machine_tap).
 */
int rt_machine_domain_check(const char *domain, char **err);
/*
 * Netkit's `--ethN=tap,HOST-ADDRESS,GUEST-ADDRESS` (and any DOMAIN,HOST,GUEST
 * or the reserved name tap): the NAT domain's entry point, an error until
 * it exists.
 */
int rt_machine_tap(const char *spec, char **err);
/* vclean -T: remove the user's NAT state (none until the NAT domain exists). */
int rt_machines_tap_clean(const struct rt_report *rep, char **err);

/* How vstart starts a machine. */
struct rt_vstart_opts {
	bool dry_run;           /* -p: print the plan, change nothing */
	unsigned int timeout_s; /* until its ready marker */
};

/*
 * vstart: check mc against what runs (NAME must not), its files (model
 * filesystem, kernel, COW file, -l, /hosthome) and the defaults c, write its
 * record and lab.yaml, and boot it; m must be locked, and the lock is
 * released once the machine is launched (not when it is ready). res is as
 * rt_lab_start fills it, over *lab (the instance's lab, caller frees);
 * -D's COW file is removed once the verdict is in.
 */
int rt_machine_start(struct rt_machines *m, const struct rt_machine *mc, const struct rt_uconf *c,
                     const struct rt_vstart_opts *o, const struct rt_report *rep, struct lab **lab,
                     struct rt_result *res, char **err);

/*
 * vconfig: add interfaces (ifaces[N] non-NULL: ethN on that domain) to the
 * running machine name: its record and lab.yaml gain them, then the
 * runtime plugs them into the guest through its management console (lstart
 * on a running lab, rt/hotplug.c). An interface the guest did not take is
 * taken out of the record again and makes it fail. m must be locked.
 */
int rt_machine_config(struct rt_machines *m, const char *name, char *const *ifaces, size_t n,
                      unsigned int max_ifaces, const struct rt_report *rep, char **err);

/* vhalt and vcrash: rt_lab_halt of these machines (all must have records). */
int rt_machines_halt(const struct rt_machines *m, char **names, size_t n,
                     const struct rt_halt_opts *o, const struct rt_report *rep, struct lab **lab,
                     struct rt_result *res, char **err);

/* One machine as vlist shows it. */
struct rt_machine_info {
	struct rt_machine mc;
	enum rt_hstate state;
	pid_t pid;
	unsigned long long mem_kb; /* host memory of its processes (PSS) */
	double uptime;
	char *image;       /* owned; model filesystem path, or NULL when not found */
	char *cow;         /* owned; the COW file path in use, NULL with -W */
	char *mconsole;    /* owned */
	char *console_log; /* owned */
	char *attach;      /* owned; the tmux command showing its console */
	char *hostwd;      /* owned; the guest's /hostwd */
};

/* vlist: every machine with a record (names: only these), sorted by name. */
int rt_machines_info(const struct rt_machines *m, char **names, size_t n,
                     struct rt_machine_info **out, size_t *n_out, char **err);
void rt_machines_info_free(struct rt_machine_info *v, size_t n);

/* What vclean does. */
struct rt_vclean_opts {
	bool kill_machines;  /* -K: crash every machine (COW files kept) */
	bool all_hubs;       /* -f: stop every hub, used or not */
	bool remove_tunnels; /* -T */
	bool directories;    /* --clean-directories: the whole instance, records, disks */
	bool test;           /* --test: say what would be done, do nothing */
};

/* vclean; each action is reported as a progress line. */
int rt_machines_clean(struct rt_machines *m, const struct rt_vclean_opts *o,
                      const struct rt_report *rep, char **err);

/*
 * The console: open a terminal of type term (uconf.h) on name's tmux
 * window; attach this terminal to it until the machine stops or the user
 * detaches (until_exit: keep waiting for the machine after a detach); wait
 * for pid to exit (0 once it has, -1 if interrupted).
 */
int rt_machine_terminal(const struct rt_inst *in, const char *name, const char *term, char **err);
int rt_machine_attach(const struct rt_inst *in, const char *name, pid_t pid, bool until_exit,
                      char **err);
int rt_machine_wait(pid_t pid);

#endif
