/* umlab guest init: PID 1 of every guest (installed as /usr/lib/umlab/init).
 * Implements the guest side of share/doc/guest-contract.md in the order it
 * gives: mounts, first-boot configuration, sysctls and startup scripts, the
 * ready marker, a root shell on the console, and the graceful stop on
 * Ctrl-Alt-Del (mconsole cad) with the shutdown scripts. It starts no services
 * itself; startup files do, through the systemctl shim next to it. Written in
 * C because every process started in a UML guest costs tens of milliseconds:
 * booting without starting any is what makes a guest ready in about 2 s. */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHELL    "/bin/bash"
#define SERVICES "/run/umlab/services"

static struct init_conf conf;
static sigset_t handled;   /* signals taken synchronously with sigwaitinfo */
static int links_fd = -1;  /* netlink: interfaces plugged in later (init_watch_links) */
static pid_t console_pid;  /* the root shell on the console, 0 if none */
static long console_since; /* uptime when it was started */
static int console_quick;  /* shells in a row that exited at once */
static bool stopping;      /* the graceful stop has begun */
static const char *status_word = "booting";

static void stop_guest(bool reboot_after) __attribute__((noreturn));
static void start_console(void);

/* Read the umlab.* words of the kernel command line. */
static void
read_cmdline(void)
{
	char buf[4096], *save = NULL, *w;
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(w, "umlab.host=", 11) == 0)
			snprintf(conf.host, sizeof conf.host, "%s", w + 11);
		else if (strncmp(w, "umlab.lab=", 10) == 0)
			snprintf(conf.lab, sizeof conf.lab, "%s", w + 10);
		else if (strncmp(w, "umlab.wd=", 9) == 0)
			snprintf(conf.wd, sizeof conf.wd, "%s", w + 9);
		else if (strcmp(w, "umlab.debug=1") == 0)
			conf.debug = true;
	}
}

/* Whether the host name follows the contract: [A-Za-z0-9][A-Za-z0-9_-]{0,31}. */
static bool
valid_host(const char *h)
{
	size_t i;

	if (!((h[0] >= 'A' && h[0] <= 'Z') || (h[0] >= 'a' && h[0] <= 'z') ||
	      (h[0] >= '0' && h[0] <= '9')))
		return false;
	for (i = 1; h[i]; i++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
		            h[i]))
			return false;
	return i <= 32;
}

/* Reap every exited child; returns the status of pid if it was among them. */
static bool
reap(pid_t pid, int *status)
{
	bool found = false;
	pid_t p;
	int st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == pid) {
			*status = st;
			found = true;
		}
		init_agent_reaped(p, stopping);
		if (p == console_pid) {
			console_pid = 0;
			if (init_uptime_ms() - console_since < 2000)
				console_quick++;
			else
				console_quick = 0;
			if (!stopping)
				start_console();
		}
	}
	return found;
}

/* Handle one signal taken by sigwaitinfo; pid is a child being waited for. */
static bool
take_signal(int sig, pid_t pid, int *status)
{
	if (sig == SIGCHLD)
		return reap(pid, status);
	if (!stopping && (sig == SIGINT || sig == SIGTERM || sig == SIGUSR2))
		stop_guest(false);
	if (!stopping && sig == SIGUSR1)
		stop_guest(true);
	if (sig == SIGIO)
		init_links_changed(links_fd);
	return false;
}

/* Wait for child pid, serving other signals meanwhile; its exit code, or
 * 128 + signal number. */
static int
wait_child(pid_t pid)
{
	siginfo_t si;
	int status = 0;

	if (reap(pid, &status))
		goto done;
	for (;;) {
		if (sigwaitinfo(&handled, &si) < 0)
			continue;
		if (take_signal(si.si_signo, pid, &status))
			break;
	}
done:
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Start argv with bash in /root, output to log, in a session of its own. */
static pid_t
spawn(char *const argv[], int log)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &handled, NULL);
		setsid();
		if (chdir("/root") != 0)
			chdir("/");
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Run a lab script (or a bash -c command) with headers on log; its status. */
static int
run_logged(const char *label, char *const argv[], int log)
{
	char line[256];
	pid_t pid;
	int rc;

	snprintf(line, sizeof line, "--- umlab: %s ---\n", label);
	init_puts(log, line);
	pid = spawn(argv, log);
	rc = pid < 0 ? 127 : wait_child(pid);
	snprintf(line, sizeof line, "--- umlab: %s exited with status %d ---\n", label, rc);
	init_puts(log, line);
	return rc;
}

/* Run /hostlab/NAME if it exists; -1 if it does not, else its status. */
static int
run_lab_script(const char *name, int log)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof path, "/hostlab/%s", name);
	if (!conf.lab[0] || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	char *argv[] = {SHELL, path, NULL};
	return run_logged(name, argv, log);
}

/* Open a host working directory file for writing from the start. */
static int
open_wd_log(const char *suffix)
{
	char path[300];
	int fd = -1;

	if (conf.wd[0]) {
		snprintf(path, sizeof path, "/hostwd/%s.%s", conf.host, suffix);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	}
	return fd >= 0 ? fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
}

/* A root login shell on console 0; not restarted after three quick exits
 * (a console without input, con0=null or fd:0 on /dev/null). */
static void
start_console(void)
{
	if (console_quick >= 3)
		return;
	console_since = init_uptime_ms();
	console_pid = fork();
	if (console_pid == 0) {
		char banner[128];
		int fd;

		sigprocmask(SIG_UNBLOCK, &handled, NULL);
		setsid();
		fd = open("/dev/tty0", O_RDWR);
		if (fd < 0)
			fd = open("/dev/console", O_RDWR);
		if (fd < 0)
			_exit(1);
		ioctl(fd, TIOCSCTTY, 1);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		if (chdir("/root") != 0)
			chdir("/");
		snprintf(banner, sizeof banner, "\n%s: %s. Root shell on this console.\n\n",
		         conf.host, status_word);
		init_puts(1, banner);
		execl(SHELL, "-bash", (char *)NULL);
		_exit(127);
	}
	if (console_pid < 0)
		console_pid = 0;
}

/* Graceful stop: shutdown scripts, services, every process, unmount, sync,
 * then power off (or restart). */
static void
stop_guest(bool reboot_after)
{
	struct timespec tick = {0, 100000000};
	siginfo_t si;
	int log, i, st;
	struct stat sb;
	char line[128];

	stopping = true;
	init_puts(2, reboot_after ? "umlab: restarting\n" : "umlab: stopping\n");
	if (console_pid > 0) {
		kill(-console_pid, SIGHUP);
		kill(console_pid, SIGHUP);
	}
	log = open_wd_log("shutdown.log");
	char name[48];
	snprintf(name, sizeof name, "%s.shutdown", conf.host);
	run_lab_script(name, log);
	run_lab_script("shared.shutdown", log);
	if (stat(SERVICES, &sb) == 0 && sb.st_size > 0) {
		char *argv[] = {SHELL, "/usr/lib/umlab/systemctl", "stop-all", NULL};
		run_logged("stopping services", argv, log);
	}
	/* Everything else: TERM, up to 3 s to go, then KILL. */
	kill(-1, SIGTERM);
	for (i = 0; i < 30; i++) {
		reap(0, &st);
		if (kill(-1, 0) != 0 && errno == ESRCH)
			break;
		sigtimedwait(&handled, &si, &tick);
	}
	kill(-1, SIGKILL);
	for (i = 0; i < 10 && waitpid(-1, &st, 0) > 0; i++)
		;
	snprintf(line, sizeof line, "--- umlab: stopped at %ld ms of uptime ---\n",
	         init_uptime_ms());
	init_puts(log, line);
	close(log);
	umount2("/hostlab", MNT_DETACH);
	umount2("/hostwd", 0);
	sync();
	umount2("/tmp", MNT_DETACH);
	umount2("/run", MNT_DETACH);
	umount2("/dev/shm", MNT_DETACH);
	mount("", "/", "", MS_REMOUNT | MS_RDONLY, NULL);
	sync();
	reboot(reboot_after ? RB_AUTOBOOT : RB_POWER_OFF);
	for (;;)
		pause();
}

/* Tell a host listening on the mconsole notify socket that the guest is
 * ready (the file exists only when mconsole=notify: was given). */
static void
notify_host(const char *status)
{
	char msg[128];
	int fd = open("/proc/mconsole", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	snprintf(msg, sizeof msg, "umlab-ready %s %s\n", conf.host, status);
	init_puts(fd, msg);
	close(fd);
}

/* First boot of this COW: host name files and the lab's overlay trees. */
static void
first_boot(int log)
{
	char tree[300];
	struct stat st;

	init_write_hostname(conf.host);
	if (conf.lab[0]) {
		const char *names[] = {"shared", conf.host};
		for (size_t i = 0; i < 2; i++) {
			snprintf(tree, sizeof tree, "/hostlab/%s", names[i]);
			if (stat(tree, &st) == 0 && S_ISDIR(st.st_mode))
				init_copy_tree(tree, "/", log);
		}
	}
	mkdir("/etc/umlab", 0755);
	int fd = open("/etc/umlab/configured", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		init_puts(fd, conf.host);
		init_puts(fd, "\n");
		close(fd);
	}
	sync();
}

int
main(void)
{
	long init_ms = init_uptime_ms(), startup_t0;
	int log, rc, startup_status = 0;
	char failed[300] = "", marker[1024], name[64];
	bool first = false;
	siginfo_t si;

	umask(022);
	init_mount_basic();
	/* Ctrl-Alt-Del (mconsole cad) becomes SIGINT to us, not a restart. */
	reboot(RB_DISABLE_CAD);
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGUSR1);
	sigaddset(&handled, SIGIO);
	sigaddset(&handled, SIGUSR2);
	sigaddset(&handled, SIGHUP);
	sigprocmask(SIG_BLOCK, &handled, NULL);

	read_cmdline();
	if (!valid_host(conf.host))
		strcpy(conf.host, "umlab");
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", getenv("TERM") ? getenv("TERM") : "linux", 1);
	setenv("LANG", "C.UTF-8", 1);
	setenv("HOSTNAME", conf.host, 1);
	setenv("USER", "root", 1);
	setenv("LOGNAME", "root", 1);
	setenv("SHELL", SHELL, 1);
	sethostname(conf.host, strlen(conf.host));
	init_step(&conf, "init started at %ld ms", init_ms);

	/* IPv6 is a module in Debian's linux.uml: load it before any sysctl. */
	init_load_module("ipv6");
	if (conf.lab[0] && !init_mount_hostfs(conf.lab, "/hostlab", true))
		conf.lab[0] = '\0';
	if (conf.wd[0] && !init_mount_hostfs(conf.wd, "/hostwd", false))
		conf.wd[0] = '\0';
	init_step(&conf, "mounted (lab %s, wd %s)", conf.lab[0] ? conf.lab : "none",
	          conf.wd[0] ? conf.wd : "none");
	log = open_wd_log("startup.log");

	if (access("/etc/umlab/configured", F_OK) != 0) {
		first = true;
		first_boot(log);
		init_step(&conf, "first boot: host name set, overlay trees copied");
	}
	init_lo_up();
	links_fd = init_watch_links();
	init_name_vectors();

	startup_t0 = init_uptime_ms();
	if (conf.wd[0]) {
		snprintf(marker, sizeof marker, "/hostwd/%s.conf", conf.host);
		init_read_conf(&conf, marker);
	}
	if (conf.links_up)
		init_links_up();
	for (size_t i = 0; i < conf.nnats; i++) {
		int err = conf.nats[i] ? init_nat(conf.nats[i], i == 0) : EINVAL;
		if (err) {
			snprintf(marker, sizeof marker, "umlab: nat %s: %s\n",
			         conf.nats[i] ? conf.nats[i] : "?", strerror(err));
			init_puts(log, marker);
			if (!startup_status) {
				startup_status = 1;
				snprintf(failed, sizeof failed, "nat %.64s",
				         conf.nats[i] ? conf.nats[i] : "?");
			}
		}
	}
	if (conf.mount_shared && conf.lab[0])
		init_mount_shared();
	for (char *save = NULL, *kv = conf.sysctls ? strtok_r(conf.sysctls, " \t", &save) : NULL;
	     kv; kv = strtok_r(NULL, " \t", &save)) {
		int err = init_sysctl(kv);
		if (err) {
			snprintf(marker, sizeof marker, "umlab: sysctl %s: %s\n", kv,
			         strerror(err));
			init_puts(log, marker);
			if (!startup_status) {
				startup_status = 1;
				snprintf(failed, sizeof failed, "sysctl %s", kv);
			}
		}
	}
	snprintf(name, sizeof name, "%s.startup", conf.host);
	const char *scripts[] = {"shared.startup", name};
	for (size_t i = 0; i < 2; i++) {
		init_step(&conf, "running %s", scripts[i]);
		rc = run_lab_script(scripts[i], log);
		if (rc > 0 && !startup_status) {
			startup_status = rc;
			snprintf(failed, sizeof failed, "%s", scripts[i]);
		}
	}
	for (size_t i = 0; i < conf.nexecs; i++) {
		char label[32], *argv[] = {SHELL, "-c", conf.execs[i], NULL};
		snprintf(label, sizeof label, "exec %zu", i + 1);
		rc = conf.execs[i] ? run_logged(label, argv, log) : 0;
		if (rc > 0 && !startup_status) {
			startup_status = rc;
			snprintf(failed, sizeof failed, "%s", label);
		}
	}
	close(log);

	status_word = startup_status ? "startup-failed" : "ready";
	if (conf.wd[0]) {
		long now = init_uptime_ms();
		snprintf(marker, sizeof marker,
		         "status=%s\nhost=%s\nstartup_status=%d\nfailed_script=%s\n"
		         "first_boot=%d\ninit_ms=%ld\nstartup_ms=%ld\nuptime_ms=%ld\n",
		         status_word, conf.host, startup_status, failed, first, init_ms,
		         now - startup_t0, now);
		snprintf(name, sizeof name, "%s.ready", conf.host);
		init_write_atomic("/hostwd", name, marker);
	}
	notify_host(status_word);
	init_agent_start();
	init_step(&conf, "%s", status_word);

	start_console();
	for (;;)
		if (sigwaitinfo(&handled, &si) > 0)
			take_signal(si.si_signo, 0, &rc);
}
