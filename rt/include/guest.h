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
 * window, umid directory) and write NAME.conf.
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

#endif
