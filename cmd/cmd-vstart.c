/*
 * cmd/cmd-vstart.c: vstart: Netkit's command starting one machine by name,
 * on umlab's runtime (rt/include/machines.h does the work): options, the
 * defaults of umlab.conf(5), then the console the user asked for.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrt.h"
#include "lab.h"
#include "locate.h"
#include "machines.h"
#include "uconf.h"
#include "vcommon.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_S 180

enum {
	OPT_CON0 = 256,
	OPT_CON1,
	OPT_XTERM,
	OPT_APPEND,
	OPT_TMUX_ATTACHED,
	OPT_TMUX_DETACHED,
	OPT_HOSTHOME,
	OPT_TIMEOUT,
};

static const struct option base_longopts[] = {
        {"kernel", required_argument, NULL, 'k'},
        {"mem", required_argument, NULL, 'M'},
        {"model-fs", required_argument, NULL, 'm'},
        {"filesystem", required_argument, NULL, 'f'},
        {"no-cow", no_argument, NULL, 'W'},
        {"hide-disk-file", no_argument, NULL, 'D'},
        {"no-hosthome", no_argument, NULL, 'H'},
        {"hosthome", optional_argument, NULL, OPT_HOSTHOME},
        {"exec", required_argument, NULL, 'e'},
        {"hostlab", required_argument, NULL, 'l'},
        {"hostwd", required_argument, NULL, 'w'},
        {"con0", required_argument, NULL, OPT_CON0},
        {"con1", required_argument, NULL, OPT_CON1},
        {"xterm", required_argument, NULL, OPT_XTERM},
        {"append", required_argument, NULL, OPT_APPEND},
        {"foreground", no_argument, NULL, 'F'},
        {"tmux-attached", no_argument, NULL, OPT_TMUX_ATTACHED},
        {"tmux-detached", no_argument, NULL, OPT_TMUX_DETACHED},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"print", no_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* What the command line said, before the defaults fill the rest. */
struct vopts {
	struct rt_machine mc;
	char *ifaces[LAB_IFACES_MAX];
	size_t n_ifaces; /* one past the highest ethN given */
	bool con0_set, con1_set, home_set, terms_set, foreground, quiet, help;
	enum rt_con con1;
	enum rt_terms terms;
	const char *term;
	struct rt_vstart_opts so;
};

/* A number of MB (an optional M suffix). */
static int
parse_mem(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end == 'M' || *end == 'm')
		end++;
	if (*s < '0' || *s > '9' || *end != '\0' || v == 0 || v > 1000000)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Report err as a usage error (and free it). */
static int
usage_err(struct lcmd_ctx *ctx, char *err)
{
	int rc = lcmd_usage_error(ctx, "%s", err);

	free(err);
	return rc;
}

/* Parse the command line into v; LCMD_OK, or the status to return now. */
static int
parse(struct lcmd_ctx *ctx, int argc, char **argv, struct vopts *v)
{
	const struct option *longopts = vcmd_longopts(base_longopts);
	char *err = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:M:m:f:WDHe:l:w:Fpqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			free(v->mc.kernel);
			v->mc.kernel = xstrdup(optarg);
			break;
		case 'M':
			if (parse_mem(optarg, &v->mc.mem_mb) < 0)
				return lcmd_usage_error(ctx, "-M wants a number of MB, not '%s'",
				                        optarg);
			break;
		case 'm':
			free(v->mc.model);
			v->mc.model = xstrdup(optarg);
			break;
		case 'f':
			free(v->mc.cow);
			v->mc.cow = xstrdup(optarg);
			break;
		case 'W':
			v->mc.no_cow = true;
			break;
		case 'D':
			v->mc.hide_disk = true;
			break;
		case 'H':
			v->mc.hosthome = RT_HOME_NO;
			v->home_set = true;
			break;
		case OPT_HOSTHOME:
			if (optarg == NULL || strcmp(optarg, "ro") == 0)
				v->mc.hosthome = RT_HOME_RO;
			else if (strcmp(optarg, "rw") == 0)
				v->mc.hosthome = RT_HOME_RW;
			else
				return lcmd_usage_error(ctx, "--hosthome takes ro or rw, not '%s'",
				                        optarg);
			v->home_set = true;
			break;
		case 'e':
			strv_push(&v->mc.execs, &v->mc.n_execs, optarg);
			break;
		case 'l':
			free(v->mc.hostlab);
			v->mc.hostlab = xstrdup(optarg);
			break;
		case 'w':
			return lcmd_usage_error(
			        ctx,
			        "-w %s: a umlab machine's working directory (its /hostwd: ready "
			        "marker, logs, COW file) is its own, in umlab's state directory "
			        "(vlist NAME shows it), and cannot be another one; -f FILE places "
			        "the COW file, -l DIR shows a directory on /hostlab, --hosthome "
			        "the "
			        "home directory on /hosthome",
			        optarg);
		case OPT_CON0:
		case OPT_CON1:
			if (rt_con_parse(optarg, c == OPT_CON1,
			                 c == OPT_CON0 ? &v->mc.con0 : &v->con1, &err) < 0)
				return usage_err(ctx, err);
			*(c == OPT_CON0 ? &v->con0_set : &v->con1_set) = true;
			break;
		case OPT_XTERM:
			if (rt_term_check(optarg, &err) < 0)
				return usage_err(ctx, err);
			v->term = optarg;
			break;
		case OPT_APPEND:
			strv_push(&v->mc.kargs, &v->mc.n_kargs, optarg);
			break;
		case 'F':
			v->foreground = true;
			break;
		case OPT_TMUX_ATTACHED:
		case OPT_TMUX_DETACHED:
			v->mc.con0 = RT_CON_TMUX;
			v->con0_set = v->terms_set = true;
			v->terms = c == OPT_TMUX_ATTACHED ? RT_TERMS_YES : RT_TERMS_NO;
			break;
		case OPT_TIMEOUT:
			if (parse_mem(optarg, &v->so.timeout_s) < 0)
				return lcmd_usage_error(ctx, "--timeout wants seconds, not '%s'",
				                        optarg);
			break;
		case 'p':
			v->so.dry_run = true;
			break;
		case 'q':
			v->quiet = true;
			break;
		case 'v':
			v->mc.verbose = true;
			break;
		case 'h':
			v->help = true;
			break;
		case ':':
			return lcmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		case '?':
			return lcmd_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
		default:
			if (c >= VCMD_OPT_ETH && c < VCMD_OPT_ETH + LAB_IFACES_MAX) {
				size_t n = (size_t)(c - VCMD_OPT_ETH);

				free(v->ifaces[n]);
				v->ifaces[n] = xstrdup(optarg);
				if (n + 1 > v->n_ifaces)
					v->n_ifaces = n + 1;
			}
			break;
		}
	}
	if (v->help)
		return LCMD_OK;
	if (optind >= argc)
		return lcmd_usage_error(ctx, "which machine? (a name: vstart pc1)");
	if (argc - optind > 1)
		return lcmd_usage_error(ctx, "one machine at a time ('%s' and '%s')", argv[optind],
		                        argv[optind + 1]);
	v->mc.name = xstrdup(argv[optind]);
	if (v->mc.no_cow && (v->mc.cow != NULL || v->mc.hide_disk))
		return lcmd_usage_error(ctx, "-W (--no-cow) excludes %s",
		                        v->mc.cow != NULL ? "-f (--filesystem)"
		                                          : "-D (--hide-disk-file)");
	if (v->con1_set && v->con1 != RT_CON_NONE)
		return lcmd_usage_error(ctx, "--con1: only none");
	return LCMD_OK;
}

/* --help, then the defaults in force and where each comes from. */
static int
help(struct lcmd_ctx *ctx, const struct rt_uconf *c, const char *conf_err)
{
	char *user = rt_uconf_user_path();

	lcmd_help(ctx);
	printf("\nDefaults in force (umlab.conf(5): %s, then %s, then UMLAB_* variables):\n",
	       getenv("UMLAB_SYSTEM_CONF") ? getenv("UMLAB_SYSTEM_CONF") : RT_UCONF_SYSTEM,
	       user != NULL ? user : "~/.config/umlab/umlab.conf");
	free(user);
	for (int k = 0; k < RT_UC_N; k++) {
		char *val = rt_uconf_value(c, (enum rt_uconf_key)k);

		/* No VM_KERNEL: the kernel the runtime would boot now. */
		if (val == NULL && (val = rt_locate_kernel(NULL, NULL)) == NULL)
			val = xstrdup("none found");

		printf("  %-16s %-20s (%s)\n", rt_uconf_key_name((enum rt_uconf_key)k), val,
		       c->origin[k]);
		free(val);
	}
	if (conf_err != NULL)
		printf("The configuration has an error, so these are partly built-in:\n  %s\n",
		       conf_err);
	return LCMD_OK;
}

/* Open a terminal (xterm, or tmux with terminals), attach this one, or wait. */
static int
console(struct lcmd_ctx *ctx, const struct vopts *v, const struct rt_result *res, pid_t pid,
        bool open_term, const char *term)
{
	char *err = NULL;

	if (open_term && rt_machine_terminal(&res->inst, v->mc.name, term, &err) < 0) {
		lcmd_warn(ctx, "%s", err);
		free(err);
		err = NULL;
	}
	if (v->mc.con0 == RT_CON_THIS) {
		if (rt_machine_attach(&res->inst, v->mc.name, pid, v->foreground, &err) < 0)
			return cmdrt_fail(ctx, err);
	} else if (v->foreground) {
		if (!v->quiet)
			fprintf(stderr,
			        "vstart: %s runs in the foreground: vstart returns when it stops "
			        "(Ctrl-C returns at once; the machine runs on)\n",
			        v->mc.name);
		rt_machine_wait(pid);
	}
	return LCMD_OK;
}

static int
cmd_vstart_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct vopts v = {.so = {.timeout_s = DEFAULT_TIMEOUT_S}, .mc = {.con0 = RT_CON_TMUX}};
	struct rt_uconf c;
	struct rt_machines m = {.lockfd = -1};
	struct rt_result res = {0};
	struct rt_report rep;
	struct lab *lab = NULL;
	char *err = NULL;
	bool open_term = false;
	const char *term;
	int rc = parse(ctx, argc, argv, &v);

	if (rt_uconf_load(&c, &err) < 0 && (rc != LCMD_OK || !v.help)) {
		if (rc == LCMD_OK)
			rc = cmdrt_fail(ctx, err);
		else
			free(err);
		err = NULL;
		goto out;
	}
	if (rc != LCMD_OK)
		goto out;
	if (v.help) {
		rc = help(ctx, &c, err);
		free(err);
		err = NULL;
		goto out;
	}
	/* The command line wins over umlab.conf and the environment. */
	if (!v.con0_set)
		v.mc.con0 = c.con0;
	if (!v.home_set)
		v.mc.hosthome = c.hosthome;
	for (size_t i = 0; i < v.n_ifaces; i++)
		strv_push(&v.mc.ifaces, &v.mc.n_ifaces, v.ifaces[i] != NULL ? v.ifaces[i] : "");
	for (size_t i = 0; i < v.n_ifaces; i++)
		if (v.ifaces[i] == NULL) {
			/* rt checks for gaps by NULL. */
			free(v.mc.ifaces[i]);
			v.mc.ifaces[i] = NULL;
		}
	term = v.term != NULL ? v.term : c.term;
	if (v.mc.con0 == RT_CON_THIS && !v.so.dry_run &&
	    (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		rc = lcmd_usage_error(ctx, "--con0=this needs a terminal on stdin and stdout");
		goto out;
	}
	if (v.mc.con0 == RT_CON_XTERM ||
	    (v.mc.con0 == RT_CON_TMUX && (v.terms_set ? v.terms : c.open_terms) == RT_TERMS_YES)) {
		if (rt_term_available(term, &err) < 0) {
			rc = lcmd_error(ctx, "%s: %s",
			                v.mc.con0 == RT_CON_XTERM ? "--con0=xterm"
			                                          : "--tmux-attached",
			                err);
			goto out;
		}
		open_term = true;
	} else if (v.mc.con0 == RT_CON_TMUX && !v.terms_set && c.open_terms == RT_TERMS_AUTO) {
		open_term = rt_term_available(term, NULL) == 0;
	}
	if (rt_machines_open(&m, !v.so.dry_run, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		err = NULL;
		goto out;
	}
	rep = cmdrt_report(ctx, !v.quiet && !v.so.dry_run);
	if (rt_machine_start(&m, &v.mc, &c, &v.so, &rep, &lab, &res, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
		err = NULL;
		goto out;
	}
	if (v.so.dry_run)
		goto out;
	{
		ssize_t i = lab_host_index(lab, v.mc.name);
		const struct rt_host_result *hr = &res.hosts[i];

		if (rt_hstate_failed(hr->state)) {
			cmdrt_print_failure_logs(&res, v.mc.name, hr);
			rc = lcmd_error(ctx, "%s did not become ready (see above)", v.mc.name);
			goto out;
		}
		if (!v.quiet) {
			const struct lab_host *h = &lab->hosts[i];

			printf("%s: %s after %.1f s (pid %d)\n", v.mc.name,
			       rt_hstate_name(hr->state), hr->secs, (int)hr->pid);
			printf("  interfaces: ");
			for (size_t k = 0; k < h->n_ifaces; k++)
				printf("%seth%u@%s", k ? " " : "", h->ifaces[k].index,
				       h->ifaces[k].domain);
			printf("%s\n  console:    lconnect -d %s %s\n  halt:       vhalt %s\n",
			       h->n_ifaces ? "" : "none", m.labdir, v.mc.name, v.mc.name);
			fflush(stdout);
		}
		rc = console(ctx, &v, &res, hr->pid, open_term, term);
	}
out:
	rt_result_clear(&res);
	lab_free(lab);
	rt_machines_close(&m);
	rt_uconf_clear(&c);
	for (size_t i = 0; i < LAB_IFACES_MAX; i++)
		free(v.ifaces[i]);
	rt_machine_clear(&v.mc);
	return rc;
}

const struct lcmd_entry cmd_vstart_entry = {
        .name = "vstart",
        .summary = "start one machine by name (Netkit's vstart): vstart pc1 --eth0=A",
        .usage = "[OPTION]... MACHINE",
        .help = "  -k, --kernel KERNEL   the UML kernel: a name (umlab-mkkernel --list, linux.uml) "
                "or a\n"
                "                        path (default: VM_KERNEL)\n"
                "  -M, --mem MB          memory (default: VM_MEMORY; MIN_MEM..MAX_MEM)\n"
                "      --ethN=DOMAIN     ethN on collision domain DOMAIN (N from 0, no "
                "gaps)\n"
                "  -m, --model-fs FS     model filesystem: a name (umlab-mkfs) or a file\n"
                "  -f, --filesystem FILE the COW file (default: the machine's own, in umlab's "
                "state)\n"
                "  -W, --no-cow          write to the model filesystem itself (an image of "
                "yours only)\n"
                "  -D, --hide-disk-file  remove the COW file once the machine runs\n"
                "      --hosthome[=ro|rw] your home directory on /hosthome (read-only "
                "unless rw)\n"
                "  -H, --no-hosthome     no /hosthome (the default unless VM_HOSTHOME says "
                "otherwise)\n"
                "  -e, --exec COMMAND    run COMMAND in the machine at boot (repeatable)\n"
                "  -l, --hostlab DIR     DIR on /hostlab (read-only), with its startup files\n"
                "  -w, --hostwd DIR      refused: see vstart(1)\n"
                "      --con0 MODE       tmux (default), xterm, this (pty and port:N: see "
                "vstart(1))\n"
                "      --con1 MODE       none (a machine has one console)\n"
                "      --xterm TYPE      auto, xterm, gnome, konsole, konsole-tab, kitty, "
                "alacritty\n"
                "      --append PARAM    a kernel command-line word (repeatable)\n"
                "  -F, --foreground      return only when the machine stops\n"
                "      --tmux-attached   open a terminal on the machine's tmux window\n"
                "      --tmux-detached   open no terminal\n"
                "      --timeout SECS    wait this long for the machine to be ready "
                "(default: 180)\n"
                "  -p, --print           print the exact commands, start nothing\n"
                "  -q, --quiet           no output but errors and warnings\n"
                "  -v, --verbose         kernel messages on the console while booting\n"
                "  -h, --help            this help, and the defaults in force\n",
        .exec = cmd_vstart_exec,
};
