/*
 * rt/guest.c: building a guest's command line and launching it.
 *
 * Every guest runs `guest-launch` (bubblewrap) as the invoking user in its
 * own tmux window; the pane's process is guest-launch itself (exec'ing
 * bubblewrap), so its pid and start time identify the whole guest.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disks.h"
#include "guest.h"
#include "hostwd.h"
#include "hubs.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "proc.h"
#include "safefile.h"
#include "links.h"
#include "run.h"
#include "tmux.h"
#include "transport.h"
#include "xalloc.h"

extern char **environ;

/* Append a copy of s to a NULL-terminated growing argv. */
static void
push(char ***argv, size_t *n, char *s)
{
	*argv = xrealloc(*argv, (*n + 2) * sizeof(**argv));
	(*argv)[(*n)++] = s;
	(*argv)[*n] = NULL;
}

int
rt_guest_opt_add(struct rt_guest_opts *go, const char *opt, char **err)
{
	const char *v = NULL;

	if (strncmp(opt, "--mem=", 6) == 0)
		v = opt + 6;
	else if (strncmp(opt, "mem=", 4) == 0)
		v = opt + 4;
	if (v != NULL) {
		char *end;
		unsigned long mb = strtoul(v, &end, 10);

		if (*end == 'M' || *end == 'm')
			end++;
		if (*end != '\0' || mb < LAB_MEM_MIN_MB || mb > LAB_MEM_MAX_MB)
			return rt_fail(err, "-o %s: memory must be %d to %d MB", opt,
			               LAB_MEM_MIN_MB, LAB_MEM_MAX_MB);
		go->mem_mb = (unsigned int)mb;
		return 0;
	}
	if (strncmp(opt, "--append=", 9) == 0)
		opt += 9;
	if (!lab_karg_valid(opt) || opt[0] == '-')
		return rt_fail(err, "-o '%s': not a kernel argument (no blanks, quotes or ';')",
		               opt);
	go->kargs = xrealloc(go->kargs, (go->n_kargs + 1) * sizeof(*go->kargs));
	go->kargs[go->n_kargs++] = xstrdup(opt);
	return 0;
}

void
rt_guest_opts_clear(struct rt_guest_opts *go)
{
	for (size_t i = 0; i < go->n_kargs; i++)
		free(go->kargs[i]);
	free(go->kargs);
	free(go->image);
	free(go->cow);
	free(go->hostlab);
	free(go->home);
	strv_free(go->hide, go->n_hide);
	memset(go, 0, sizeof(*go));
}

char **
rt_guest_argv(const struct rt_inst *in, const struct lab_host *h, const char *image,
              const struct rt_guest_env *env, char **err)
{
	char **argv = NULL, *img = xstrdup(image), *notify, *mc, *kernel = NULL;
	struct rt_ports *ports = NULL;
	enum rt_transport net;
	unsigned int mem = env->opts->mem_mb ? env->opts->mem_mb : lab_host_memory_mb(in->lab, h);
	size_t n = 0;

	mc = rt_mconsole_path(in, h->name);
	notify = rt_notify_path(in, h->name);
	if (strlen(mc) >= 108 || strlen(notify) >= 108) {
		rt_fail(err, "socket path %s is longer than 108 bytes; set UMLAB_RUNDIR shorter",
		        mc);
		free(mc);
		free(notify);
		free(img);
		return NULL;
	}
	free(mc);
	push(&argv, &n, xstrdup(env->launcher));
	push(&argv, &n, xstrdup("--lab"));
	push(&argv, &n, xstrdup(env->opts->hostlab != NULL ? env->opts->hostlab : in->labdir));
	/* Its own part of hostwd only: no guest reaches another's disk or logs. */
	push(&argv, &n, xstrdup("--wd"));
	push(&argv, &n, rt_gwd(in, h->name));
	push(&argv, &n, xstrdup("--shared"));
	push(&argv, &n, rt_wd_shared(in));
	push(&argv, &n, xstrdup("--run"));
	push(&argv, &n, xstrdup(in->dir));
	push(&argv, &n, xstrdup("--agent"));
	push(&argv, &n, rt_host_path(in, "agent"));
	push(&argv, &n, xstrdup("--fs"));
	push(&argv, &n, xstrdup(image));
	/* vstart's -f, -W and --hosthome (rt/machines.c). */
	if (env->opts->cow != NULL) {
		push(&argv, &n, xstrdup("--cow"));
		push(&argv, &n, xstrdup(env->opts->cow));
	}
	if (env->opts->no_cow)
		push(&argv, &n, xstrdup("--fs-rw"));
	if (env->opts->home != NULL) {
		push(&argv, &n, xstrdup(env->opts->home_rw ? "--home-rw" : "--home"));
		push(&argv, &n, xstrdup(env->opts->home));
		for (size_t i = 0; i < env->opts->n_hide; i++) {
			push(&argv, &n, xstrdup("--hide"));
			push(&argv, &n, xstrdup(env->opts->hide[i]));
		}
	}
	/*
	 * Resolved here, not left to guest-launch: the transport depends on it.
	 * A relative path in the lab file is relative to the lab directory.
	 */
	if (h->kernel != NULL && strchr(h->kernel, '/') != NULL && h->kernel[0] != '/') {
		char *p = xasprintf("%s/%s", in->labdir, h->kernel);

		kernel = rt_locate_kernel(p, err);
		free(p);
	} else {
		kernel = rt_locate_kernel(h->kernel != NULL ? h->kernel : env->kernel, err);
	}
	if (kernel == NULL) {
		argv_free(argv);
		argv = NULL;
		goto out;
	}
	push(&argv, &n, xstrdup("--kernel"));
	push(&argv, &n, xstrdup(kernel));
	push(&argv, &n, xstrdup("--"));
	push(&argv, &n, xasprintf("umid=%s", h->name));
	push(&argv, &n, xasprintf("uml_dir=%s/uml", in->dir));
	push(&argv, &n, xasprintf("mem=%uM", mem));
	if (env->opts->no_cow)
		push(&argv, &n, xasprintf("ubd0=/umlab/fs/%s", basename(img)));
	else if (env->opts->cow != NULL)
		push(&argv, &n, xasprintf("ubd0=/umlab/cow/disk,/umlab/fs/%s", basename(img)));
	else
		push(&argv, &n,
		     xasprintf("ubd0=/umlab/wd/%s.disk,/umlab/fs/%s", h->name, basename(img)));
	for (size_t k = 0; k < h->n_disks; k++)
		push(&argv, &n, rt_disk_karg(h->name, k));
	push(&argv, &n, xstrdup("root=/dev/ubda"));
	push(&argv, &n, xstrdup("rw"));
	push(&argv, &n, xstrdup("init=/usr/lib/umlab/init"));
	if (rt_kernel_transport(kernel, &net, err) < 0 || rt_ports_load(in, &ports, err) < 0) {
		argv_free(argv);
		argv = NULL;
		goto out;
	}
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		push(&argv, &n,
		     rt_iface_arg(in, h, ifc,
		                  rt_ports_find(ports, ifc->domain, h->name, ifc->index), net));
	}
	rt_ports_free(ports);
	push(&argv, &n, xasprintf("mconsole=notify:%s", notify));
	/* con=null first: other consoles default to channels that fail noisily here. */
	push(&argv, &n, xstrdup("con=null"));
	push(&argv, &n, xstrdup("con0=fd:0,fd:1"));
	push(&argv, &n, xstrdup("con1=null"));
	if (!env->opts->verbose)
		push(&argv, &n, xstrdup("quiet"));
	push(&argv, &n, xasprintf("umlab.host=%s", h->name));
	push(&argv, &n, xstrdup("umlab.lab=/umlab/lab"));
	push(&argv, &n, xstrdup("umlab.wd=/umlab/wd"));
	for (size_t i = 0; i < h->n_kargs; i++) {
		if (!lab_karg_valid(h->kargs[i])) {
			rt_fail(err, "host %s: kernel argument '%s' has blanks, quotes or ';'",
			        h->name, h->kargs[i]);
			argv_free(argv);
			argv = NULL;
			goto out;
		}
		push(&argv, &n, xstrdup(h->kargs[i]));
	}
	for (size_t i = 0; i < env->opts->n_kargs; i++)
		push(&argv, &n, xstrdup(env->opts->kargs[i]));
out:
	free(kernel);
	free(notify);
	free(img);
	return argv;
}

int
rt_guest_prepare(const struct rt_inst *in, const struct lab_host *h, char **err)
{
	char *ready = rt_gwd_path(in, h->name, "%s.ready", h->name);
	char *umid = xasprintf("uml/%s", h->name);
	char *gwd = rt_gwd(in, h->name), *shared = rt_wd_shared(in);
	int rc = 0;

	/* The guest's /hostwd and the lab's exchange directory, ours and private. */
	if (rt_mkdir_private(gwd, err) < 0 || rt_mkdir_private(shared, err) < 0)
		rc = -1;
	/* A marker from an earlier boot must never count for this one. */
	if (rc == 0 && unlink(ready) < 0 && errno != ENOENT)
		rc = rt_fail_errno(err, errno, "cannot remove %s", ready);
	/* The stale umid directory of a dead guest; uml/ may be a guest's symlink by now. */
	rt_sf_remove_below(in->dir, umid);
	{
		char *log = rt_wd_path(in, "%s.console.log", h->name);
		struct stat st;

		/* A symlink or special file planted as the console log goes before tmux appends. */
		if (lstat(log, &st) == 0 && !S_ISREG(st.st_mode))
			unlink(log);
		free(log);
	}
	if (rc == 0)
		rc = rt_hostconf_write(in, h, err);
	if (rc == 0)
		rc = rt_disks_prepare(in, h, err);
	free(ready);
	free(umid);
	free(gwd);
	free(shared);
	return rc;
}

char **
rt_guest_window_argv(const struct rt_inst *in, const struct lab_host *h, char *const argv[],
                     bool fresh)
{
	char *sock = rt_tmux_sock(in), *conf = rt_host_path(in, "tmux.conf");
	char *log = rt_wd_path(in, "%s.console.log", h->name);
	char **full = rt_tmux_window_argv(sock, conf, h->name, argv, log, fresh);

	free(sock);
	free(conf);
	free(log);
	return full;
}

int
rt_guest_spawn(const struct rt_inst *in, const struct lab_host *h, char *const tmux_argv[],
               pid_t *pid, char **err)
{
	char *sock = rt_tmux_sock(in), *conf = rt_host_path(in, "tmux.conf");
	char *pf = rt_guest_pidfile(in, h->name);
	int rc = 0;

	/* Written afresh each time: what the server reads is only ever what we wrote. */
	rc = rt_tmux_write_conf(conf, err);
	if (rc == 0)
		rc = rt_tmux_run_window(tmux_argv, h->name, pid, err);
	if (rc == 0)
		rc = rt_pidfile_write(pf, *pid, in->dir, err);
	if (rc == 0) {
		char *tpf = rt_host_path(in, "pids/tmux");

		/* The server's own record, so lclean can end it even without its socket. */
		if (rt_pidfile_check(tpf, in->dir, NULL) != RT_PID_ALIVE) {
			pid_t spid = rt_tmux_server_pid(sock);

			if (spid > 0)
				rt_pidfile_write(tpf, spid, in->dir, NULL);
		}
		free(tpf);
	}
	free(sock);
	free(conf);
	free(pf);
	return rc;
}

/* The argv running cmd (NULL-terminated) in a terminal of type term titled title. */
static char **
term_argv(const char *term, const char *title, char *const cmd[])
{
	char **argv = NULL;
	size_t n = 0;

	if (strcmp(term, "gnome") == 0) {
		/* gnome-terminal: --title, then the command after --. */
		push(&argv, &n, xstrdup("gnome-terminal"));
		push(&argv, &n, xstrdup("--title"));
		push(&argv, &n, xstrdup(title));
		push(&argv, &n, xstrdup("--"));
	} else if (strcmp(term, "konsole") == 0 || strcmp(term, "konsole-tab") == 0) {
		/* konsole-tab: a tab of the konsole window already open. */
		push(&argv, &n, xstrdup("konsole"));
		push(&argv, &n, xstrdup(strcmp(term, "konsole") == 0 ? "--separate" : "--new-tab"));
		push(&argv, &n, xstrdup("-p"));
		push(&argv, &n, xasprintf("tabtitle=%s", title));
		push(&argv, &n, xstrdup("-e"));
	} else if (strcmp(term, "kitty") == 0) {
		push(&argv, &n, xstrdup("kitty"));
		push(&argv, &n, xstrdup("-T"));
		push(&argv, &n, xstrdup(title));
	} else {
		/* xterm's options, which x-terminal-emulator and alacritty take too. */
		push(&argv, &n,
		     xstrdup(strcmp(term, "xterm") == 0       ? "xterm"
		             : strcmp(term, "alacritty") == 0 ? "alacritty"
		                                              : "x-terminal-emulator"));
		push(&argv, &n, xstrdup(strcmp(term, "alacritty") == 0 ? "-t" : "-T"));
		push(&argv, &n, xstrdup(title));
		push(&argv, &n, xstrdup("-e"));
	}
	for (size_t i = 0; cmd[i] != NULL; i++)
		push(&argv, &n, xstrdup(cmd[i]));
	return argv;
}

int
rt_term_available(const char *term, char **err)
{
	const char *disp = getenv("DISPLAY"), *way = getenv("WAYLAND_DISPLAY"), *path;
	char *cmd[] = {NULL}, **argv = term_argv(term, "", cmd), *copy, *save = NULL;
	bool found = false;

	if ((disp == NULL || *disp == '\0') && (way == NULL || *way == '\0')) {
		argv_free(argv);
		return rt_fail(err, "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset): "
		                    "no terminal can be opened");
	}
	path = getenv("PATH");
	copy = xstrdup(path != NULL ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d != NULL && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, argv[0]);

		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	if (!found)
		rt_fail(err,
		        "terminal program '%s' not found in PATH (install it, or choose another "
		        "with --xterm)",
		        argv[0]);
	argv_free(argv);
	return found ? 0 : -1;
}

int
rt_guest_open_terminal_as(const struct rt_inst *in, const char *host, const char *term, char **err)
{
	const char *disp = getenv("DISPLAY"), *way = getenv("WAYLAND_DISPLAY");
	char *sock, *win, **argv;
	posix_spawnattr_t attr;
	pid_t pid;
	int rc;

	if ((disp == NULL || *disp == '\0') && (way == NULL || *way == '\0'))
		return rt_fail(err, "no graphical session (DISPLAY and WAYLAND_DISPLAY are unset): "
		                    "no terminal can be opened");
	sock = rt_tmux_sock(in);
	win = xasprintf(":=%s", host);
	/* A grouped session per terminal: each shows its own guest's window. */
	char *tmux[] = {"tmux",        "-S",  sock,
	                "new-session", "-t",  "=" RT_TMUX_SESSION,
	                ";",           "set", "destroy-unattached",
	                "on",          ";",   "select-window",
	                "-t",          win,   NULL};
	argv = term_argv(term, host, tmux);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	rc = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		rt_fail_errno(err, rc, "cannot run %s", argv[0]);
	argv_free(argv);
	free(win);
	free(sock);
	return rc != 0 ? -1 : 0;
}

void
rt_guest_open_terminal(const struct rt_inst *in, const char *host)
{
	/* lstart opens what there is, and says nothing when there is none. */
	rt_guest_open_terminal_as(in, host, "auto", NULL);
}
