/*
 * cmd/cmd-ltop.c: ltop: an ncurses dashboard of a running lab, refreshed
 * about once a second (samples: ltop-data.c). One list of rows, hosts then
 * domains, with a cursor; keys act on the selected row. Actions run our own
 * commands (lconnect, lhalt, lcrash, lcapture) as child processes, so their
 * behaviour and messages are the commands' own. The terminal is restored on
 * every way out: q, end of input, and SIGINT/SIGTERM/SIGHUP.
 */
#include <curses.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdrt.h"
#include "lab.h"
#include "ltop.h"
#include "xalloc.h"

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t quit_sig;
static bool curses_on;

struct ui {
	const struct lab *lab;
	const struct rt_inst *in;
	struct ltop_data data;
	char self[PATH_MAX];
	size_t sel; /* row: hosts first, then domains */
	bool help;
	char msg[160];     /* status line */
	pid_t capture[64]; /* per domain: a running lcapture, or 0 */
};

static void
on_signal(int sig)
{
	quit_sig = sig;
}

/* Leave curses mode if we are in it (also from atexit). */
static void
restore(void)
{
	if (curses_on) {
		endwin();
		curses_on = false;
	}
}

/* "1h02m", "3m05s", "12s". */
static void
fmt_dur(char *b, size_t n, double s)
{
	if (s <= 0)
		snprintf(b, n, "-");
	else if (s >= 3600)
		snprintf(b, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(b, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(b, n, "%ds", (int)s);
}

/* "812", "12.3k", "4.1M". */
static void
fmt_num(char *b, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(b, n, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(b, n, "%.1fk", v / 1e3);
	else
		snprintf(b, n, "%.0f", v);
}

/* The hosts of a domain, as "pc1 pc2 r1". */
static void
members(const struct lab *lab, const char *dom, char *b, size_t n)
{
	size_t len = 0;

	b[0] = '\0';
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t k = 0; k < lab->hosts[i].n_ifaces; k++)
			if (strcmp(lab->hosts[i].ifaces[k].domain, dom) == 0 && len + 1 < n) {
				int w = snprintf(b + len, n - len, "%s%s", len ? " " : "",
				                 lab->hosts[i].name);
				len += w > 0 ? (size_t)w : 0;
				if (len >= n)
					len = n - 1;
				break;
			}
}

static void
draw_help(void)
{
	static const char *const lines[] = {
	        "ltop keys",
	        "",
	        "  Up/Down, j/k   select a host or a domain",
	        "  c, Enter       open the selected host's console (lconnect)",
	        "  h              halt the selected host (lhalt; asks first)",
	        "  x              crash the selected host (lcrash; asks first)",
	        "  p              start/stop a capture of the selected domain",
	        "                 to HOSTWD/DOMAIN.ltop.pcap (lcapture)",
	        "  q              quit (the lab keeps running)",
	        "  ?              this help; any key closes it",
	        "",
	        "For scripts: lstatus --json",
	};
	int h = (int)(sizeof(lines) / sizeof(lines[0])) + 2, w = 62;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;

	if (y < 0)
		y = 0;
	if (x < 0)
		x = 0;
	for (int i = 0; i < h && y + i < LINES; i++) {
		move(y + i, x);
		for (int k = 0; k < w && x + k < COLS; k++)
			addch(i == 0 || i == h - 1 ? '-' : (k == 0 || k == w - 1 ? '|' : ' '));
		if (i > 0 && i < h - 1)
			mvaddnstr(y + i, x + 2, lines[i - 1], w - 4);
	}
}

static void
draw(struct ui *u)
{
	const struct ltop_data *d = &u->data;
	char now[16], buf[256];
	time_t t = time(NULL);
	int y = 0;
	size_t row = 0;

	erase();
	strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
	attron(A_BOLD);
	mvprintw(y, 0, "ltop  lab %.30s  %zu hosts  %zu domains", u->lab->name, d->n_hosts,
	         d->n_domains);
	attroff(A_BOLD);
	if (COLS > 20)
		mvprintw(y, COLS - 18, "%s  ? help", now);
	y += 2;
	attron(A_REVERSE);
	mvprintw(y++, 0, "%-16s %-14s %7s %6s %7s  %-*s", "HOST", "STATE", "UPTIME", "CPU%", "MEM",
	         COLS > 60 ? COLS - 57 : 3, "INTERFACES");
	attroff(A_REVERSE);
	for (size_t i = 0; i < d->n_hosts && y < LINES - 2; i++, row++) {
		const struct ltop_host *h = &d->hosts[i];
		const struct lab_host *lh = &u->lab->hosts[i];
		char up[16], mem[24] = "-", ifs[128] = "";
		size_t len = 0;

		fmt_dur(up, sizeof(up), h->uptime_s);
		if (h->mem_kb > 0)
			snprintf(mem, sizeof(mem), "%lluM", h->mem_kb / 1024);
		for (size_t k = 0; k < lh->n_ifaces && len < sizeof(ifs) - 1; k++) {
			int w = snprintf(ifs + len, sizeof(ifs) - len, "%seth%u@%s", k ? " " : "",
			                 lh->ifaces[k].index, lh->ifaces[k].domain);
			len = w > 0 && len + (size_t)w < sizeof(ifs) ? len + (size_t)w
			                                             : sizeof(ifs) - 1;
		}
		if (row == u->sel)
			attron(A_STANDOUT);
		snprintf(buf, sizeof(buf), "%-16.16s %-14s %7s %6.1f %7s  %s", h->name,
		         rt_hstate_name(h->state), up, h->cpu_pct, mem, ifs);
		mvaddnstr(y++, 0, buf, COLS);
		if (row == u->sel)
			attroff(A_STANDOUT);
	}
	y++;
	attron(A_REVERSE);
	mvprintw(y++, 0, "%-12s %-4s %7s %9s %8s %8s %6s  %-*s", "DOMAIN", "HUB", "PORTS", "FRAMES",
	         "FRAMES/S", "BYTES/S", "DROPS", COLS > 70 ? COLS - 64 : 3, "HOSTS");
	attroff(A_REVERSE);
	for (size_t i = 0; i < d->n_domains && y < LINES - 1; i++, row++) {
		const struct ltop_domain *m = &d->domains[i];
		char fr[16], fps[16], bps[16], dr[16], hosts[160];

		fmt_num(fr, sizeof(fr), (double)m->frames);
		fmt_num(fps, sizeof(fps), m->fps);
		fmt_num(bps, sizeof(bps), m->bps);
		fmt_num(dr, sizeof(dr), (double)m->drops);
		members(u->lab, m->name, hosts, sizeof(hosts));
		if (row == u->sel)
			attron(A_STANDOUT);
		snprintf(buf, sizeof(buf), "%-12.12s %-4s %7u %9s %8s %8s %6s  %s%s%s%s%s", m->name,
		         m->up ? "up" : "down", m->clients, fr, fps, bps, dr, hosts,
		         i < 64 && u->capture[i] ? "  [capturing]" : "", m->links ? "  [" : "",
		         m->links ? m->links : "", m->links ? "]" : "");
		mvaddnstr(y++, 0, buf, COLS);
		if (row == u->sel)
			attroff(A_STANDOUT);
	}
	attron(A_REVERSE);
	snprintf(buf, sizeof(buf), " %-*.*s", COLS - 1, COLS - 1,
	         u->msg[0] ? u->msg : "c console  h halt  x crash  p capture  q quit  ? help");
	mvaddnstr(LINES - 1, 0, buf, COLS);
	attroff(A_REVERSE);
	if (u->help)
		draw_help();
	refresh();
}

/* Run one of our commands as a child: argv[0] is the command name. */
static pid_t
spawn_self(struct ui *u, char *const argv[], bool quiet)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (quiet) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			setsid();
		}
		execv(u->self, argv);
		_exit(127);
	}
	return pid;
}

/* Ask a yes/no question on the status line. */
static bool
confirm(struct ui *u, const char *q)
{
	int c;

	snprintf(u->msg, sizeof(u->msg), "%.100s [y/N]", q);
	draw(u);
	timeout(-1);
	c = getch();
	timeout(250);
	u->msg[0] = '\0';
	return c == 'y' || c == 'Y';
}

/* Act on a key; false to quit. */
static bool
key(struct ui *u, int c)
{
	const struct ltop_data *d = &u->data;
	char q[64];
	size_t rows = d->n_hosts + d->n_domains;
	bool on_host = u->sel < d->n_hosts;
	const char *name =
	        on_host ? d->hosts[u->sel].name
	                : (u->sel - d->n_hosts < d->n_domains ? d->domains[u->sel - d->n_hosts].name
	                                                      : NULL);

	if (u->help) {
		u->help = false;
		return c != 'q';
	}
	switch (c) {
	case 'q':
	case 'Q':
		return false;
	case '?':
		u->help = true;
		break;
	case KEY_UP:
	case 'k':
		if (u->sel > 0)
			u->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (u->sel + 1 < rows)
			u->sel++;
		break;
	case 'c':
	case '\n':
	case KEY_ENTER:
		if (!on_host)
			break;
		{
			char *argv[] = {"lconnect",    "-d",         u->in->labdir, "-w",
			                u->in->hostwd, (char *)name, NULL};
			pid_t pid;

			def_prog_mode();
			restore();
			if ((pid = spawn_self(u, argv, false)) > 0)
				waitpid(pid, NULL, 0);
			reset_prog_mode();
			curses_on = true;
			clear();
		}
		break;
	case 'h':
	case 'x':
		if (!on_host)
			break;
		snprintf(q, sizeof(q), "%s %s?", c == 'h' ? "Halt" : "Crash", name);
		if (confirm(u, q)) {
			char *argv[] = {c == 'h' ? "lhalt" : "lcrash",
			                "-d",
			                u->in->labdir,
			                "-w",
			                u->in->hostwd,
			                (char *)name,
			                NULL};

			spawn_self(u, argv, true);
			snprintf(u->msg, sizeof(u->msg), "%s %s...",
			         c == 'h' ? "halting" : "crashing", name);
		}
		break;
	case 'p':
		if (on_host || name == NULL || u->sel - d->n_hosts >= 64)
			break;
		{
			size_t k = u->sel - d->n_hosts;

			if (u->capture[k] > 0) {
				kill(u->capture[k], SIGTERM);
				snprintf(u->msg, sizeof(u->msg), "capture of %s stopped", name);
				break;
			}
			char *file = rt_wd_path(u->in, "%s.ltop.pcap", name);
			char *argv[] = {"lcapture", "-d",          u->in->labdir,
			                "--hostwd", u->in->hostwd, (char *)name,
			                "-w",       file,          NULL};

			u->capture[k] = spawn_self(u, argv, true);
			snprintf(u->msg, sizeof(u->msg), "capturing %s to %.100s", name, file);
			free(file);
		}
		break;
	default:
		break;
	}
	return true;
}

/* Reap finished children (actions and captures). */
static void
reap(struct ui *u)
{
	pid_t p;

	while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
		for (size_t k = 0; k < 64; k++)
			if (u->capture[k] == p)
				u->capture[k] = 0;
}

static int
cmd_ltop_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_inst in = {0};
	struct lab *lab = NULL;
	struct ui u = {0};
	char *err = NULL;
	int c;
	ssize_t sl;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:h", longopts, &lo)) != -1) {
		if (c == LCMD_GETOPT_DONE)
			return ctx->status;
	}
	if (optind < argc)
		return lcmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (!isatty(1) || !isatty(0))
		return lcmd_error(ctx, "ltop needs a terminal; for scripts use: lstatus --json");
	if (cmdrt_load(ctx, lo.dir, true, &lab) < 0)
		return LCMD_FAIL;
	if (rt_inst_init(&in, lab, lo.hostwd, &err) < 0) {
		lab_free(lab);
		rt_inst_clear(&in);
		return cmdrt_fail(ctx, err);
	}
	u.lab = lab;
	u.in = &in;
	if ((sl = readlink("/proc/self/exe", u.self, sizeof(u.self) - 1)) > 0)
		u.self[sl] = '\0';
	ltop_data_init(&u.data, lab);
	ltop_sample(&u.data, &in);

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(restore);
	initscr();
	curses_on = true;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(250);

	double next = 0;
	for (;;) {
		struct timespec ts;
		double now;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		if (now >= next) {
			ltop_sample(&u.data, &in);
			next = now + 1.0;
		}
		reap(&u);
		draw(&u);
		c = getch();
		if (quit_sig)
			break;
		if (c == ERR)
			continue;
		if (c == KEY_RESIZE)
			continue; /* ncurses has the new size; the next draw uses it */
		if (!key(&u, c))
			break;
	}
	restore();
	for (size_t k = 0; k < 64; k++)
		if (u.capture[k] > 0)
			kill(u.capture[k], SIGTERM);
	ltop_data_clear(&u.data);
	rt_inst_clear(&in);
	lab_free(lab);
	return quit_sig ? 128 + quit_sig : LCMD_OK;
}

const struct lcmd_entry cmd_ltop_entry = {
        .name = "ltop",
        .summary = "a live dashboard of a running lab: hosts, CPU, memory, traffic per domain",
        .usage = "[-d DIR] [-w DIR]",
        .help = "  -d, --directory DIR  the lab directory (default: .)\n"
                "  -w, --hostwd DIR     host working directory, as given to lstart\n"
                "  -h, --help           this help\n"
                "Keys: arrows select, c console, h halt, x crash, p capture, q quit, ? help.\n"
                "Needs a terminal; for scripts use lstatus --json.\n",
        .exec = cmd_ltop_exec,
};
