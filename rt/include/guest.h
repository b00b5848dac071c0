/*
 * rt/include/guest.h: one guest: the guest-launch command line of a lab host (the
 * kernel command line of share/doc/guest-contract.md), `-o` options, and
 * launching it in its tmux window.
 */
#ifndef UMLAB_GUEST_H
#define UMLAB_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct lab;
struct lab_host;
struct rt_inst;

/* What every guest of a run gets besides its own settings (from -o). */
struct rt_guest_opts {
	unsigned int mem_mb; /* 0: the lab's */
	char **kargs;        /* owned; extra kernel words */
	size_t n_kargs;
	/*
	 * vstart(1)'s disk and sharing settings (rt/machines.c), for the one
	 * machine it boots; lstart leaves them unset.
	 */
	char *image;   /* owned; model filesystem path, instead of the host's fs */
	char *cow;     /* owned; COW file bound alone at /umlab/cow/disk, instead of NAME.disk */
	bool no_cow;   /* the image itself, bound read-write, no COW file */
	char *hostlab; /* owned; the guest's /hostlab, instead of the lab directory */
	char *home;    /* owned; bound on /umlab/home (mounted on /hosthome by an exec) */
	bool home_rw;
	char **hide; /* owned; directories under home the guest sees empty (umlab's state) */
	size_t n_hide;
	bool verbose; /* kernel messages: no `quiet` */
};

/* Parse one -o option: mem=N, --mem=N, --append=WORD, or a kernel word. */
int rt_guest_opt_add(struct rt_guest_opts *go, const char *opt, char **err);
void rt_guest_opts_clear(struct rt_guest_opts *go);

/* Programs and files every guest of a run shares. */
struct rt_guest_env {
	const char *launcher; /* guest-launch */
	const char *kernel;   /* absolute, or NULL: guest-launch's default */
	const struct rt_guest_opts *opts;
};

/* The NULL-terminated argv starting host h; argv_free it. */
char **rt_guest_argv(const struct rt_inst *in, const struct lab_host *h, const char *image,
                     const struct rt_guest_env *env, char **err);

/*
 * Prepare hostwd and the runtime directory for a boot of h (stale marker,
 * umid directory) and write NAME.conf. An old window of h is the caller's
 * (rt/start.c knows the windows from one tmux call for all hosts).
 */
int rt_guest_prepare(const struct rt_inst *in, const struct lab_host *h, char **err);

/* The tmux command opening h's window running argv (rt_tmux_window_argv). */
char **rt_guest_window_argv(const struct rt_inst *in, const struct lab_host *h, char *const argv[],
                            bool fresh);
/* Run that command and record h's pid file. */
int rt_guest_spawn(const struct rt_inst *in, const struct lab_host *h, char *const tmux_argv[],
                   pid_t *pid, char **err);

/* Open a terminal attached to h's window when a graphical session is there. */
void rt_guest_open_terminal(const struct rt_inst *in, const char *host);
/*
 * The same with terminal type term ("auto": x-terminal-emulator, "xterm",
 * "gnome", "konsole", "konsole-tab", "kitty", "alacritty"); -1 with *err when
 * there is no graphical session or the program cannot be run.
 */
/* Can a terminal of type term be opened here (a graphical session, its program in PATH)? */
int rt_term_available(const char *term, char **err);
int rt_guest_open_terminal_as(const struct rt_inst *in, const char *host, const char *term,
                              char **err);

#endif
