/*
 * tests/unit/test_rt_proc.c: pid files and process identity (src/proc.c)
 * with real child processes: a pid file verifies only while its start time
 * and command-line token still match the process, and only a verified
 * process is ever signalled.
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "test_rt_tmp.h"

extern char **environ;

/* The child of the current test, ended by teardown if still there, and its stdin. */
static pid_t child;
static int child_stdin = -1;

/*
 * Start a shell whose $0 is DIR/child, so its command line names DIR, and
 * wait until it runs: right after posix_spawn returns, the kernel may not
 * have set up the new program's arguments yet (/proc/PID/cmdline is empty
 * for a moment), so the child says "ready" itself. It then blocks reading
 * a pipe we keep open.
 */
static pid_t
start_child(void **state)
{
	char *argv[] = {"sh",   "-c", "echo ready; read x", (char *)rt_tpath(state, "child"),
	                "1000", NULL};
	posix_spawn_file_actions_t fa;
	int in[2], out[2];
	char buf[8];

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	assert_int_equal(posix_spawnp(&child, "sh", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	child_stdin = in[1];
	assert_int_equal(read(out[0], buf, sizeof(buf)), 6);
	close(out[0]);
	return child;
}

/* How the child ended (waited for): the signal that killed it, or -1. */
static int
reap_child(void)
{
	int status;

	assert_int_equal(waitpid(child, &status, 0), child);
	child = 0;
	close(child_stdin);
	child_stdin = -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

/* Fixture: a temporary directory; the child is killed and reaped afterwards. */
static int
setup(void **state)
{
	child = 0;
	return rttmp_setup(state);
}

/* End the test's child by its pid, which is still ours (not yet reaped). */
static int
teardown(void **state)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
	if (child_stdin >= 0)
		close(child_stdin);
	child_stdin = -1;
	return rttmp_teardown(state);
}

/* A pid file written for a live child of ours verifies as alive. */
static void
pidfile_of_a_live_child_verifies(void **state)
{
	pid_t pid = start_child(state), got = 0;
	const char *pf = strdup(rt_tpath(state, "pid"));

	assert_int_equal(rt_pidfile_write(pf, pid, rt_tdir(state), NULL), 0);
	assert_int_equal(rt_pidfile_check(pf, rt_tdir(state), &got), RT_PID_ALIVE);
	assert_int_equal(got, pid);
	free((char *)pf);
}

/* The file holds pid, start time and token; no temporary file is left behind. */
static void
pidfile_records_pid_start_time_and_token(void **state)
{
	pid_t pid = start_child(state);
	unsigned long long start;
	struct rt_pidrec rec;
	char *pf = strdup(rt_tpath(state, "pid"));

	assert_int_equal(rt_pidfile_write(pf, pid, "TOKEN", NULL), 0);
	assert_int_equal(rt_pidfile_read(pf, &rec), 0);
	assert_int_equal(rt_proc_start_time(pid, &start), 0);
	assert_int_equal(rec.pid, pid);
	assert_true(rec.start == start);
	assert_string_equal(rec.match, "TOKEN");
	rt_pidrec_clear(&rec);
	assert_int_equal(access(rt_tpath(state, "pid.tmp"), F_OK), -1);
	free(pf);
}

/* The right pid with another start time is a reused pid: "other". */
static void
pidfile_with_another_start_time_does_not_verify(void **state)
{
	pid_t pid = start_child(state);
	unsigned long long start;
	char text[256];

	assert_int_equal(rt_proc_start_time(pid, &start), 0);
	snprintf(text, sizeof(text), "pid=%d\nstart=%llu\nmatch=%s\n", (int)pid, start + 1,
	         rt_tdir(state));
	rt_twrite(state, "pid", text, (size_t)-1);
	assert_int_equal(rt_pidfile_check(rt_tpath(state, "pid"), rt_tdir(state), NULL),
	                 RT_PID_OTHER);
}

/*
 * The right pid and start time, but a command line without the caller's
 * token: "other", even when the file's own match= line (forged by whoever
 * could write it) names something the command line has.
 */
static void
pidfile_whose_token_is_not_in_the_cmdline_does_not_verify(void **state)
{
	pid_t pid = start_child(state);
	unsigned long long start;
	char text[256];

	assert_int_equal(rt_proc_start_time(pid, &start), 0);
	snprintf(text, sizeof(text), "pid=%d\nstart=%llu\nmatch=%s\n", (int)pid, start,
	         rt_tdir(state));
	rt_twrite(state, "pid", text, (size_t)-1);
	assert_int_equal(rt_pidfile_check(rt_tpath(state, "pid"), "/not/our/instance", NULL),
	                 RT_PID_OTHER);
	assert_int_equal(rt_pidfile_kill(rt_tpath(state, "pid"), "/not/our/instance", SIGKILL),
	                 RT_PID_OTHER);
	assert_int_equal(rt_pidfile_check(rt_tpath(state, "pid"), rt_tdir(state), NULL),
	                 RT_PID_ALIVE);
}

/* Once the process is dead and reaped, its pid file is stale: "gone". */
static void
pidfile_of_a_dead_process_reads_as_gone(void **state)
{
	pid_t pid = start_child(state);
	char *pf = strdup(rt_tpath(state, "pid"));

	assert_int_equal(rt_pidfile_write(pf, pid, rt_tdir(state), NULL), 0);
	kill(pid, SIGKILL);
	assert_int_equal(reap_child(), SIGKILL);
	assert_int_equal(rt_pidfile_check(pf, rt_tdir(state), NULL), RT_PID_GONE);
	free(pf);
}

/* A zombie (exited, not yet reaped) is no longer the running process: "gone". */
static void
pidfile_of_a_zombie_reads_as_gone(void **state)
{
	pid_t pid = start_child(state);
	char *pf = strdup(rt_tpath(state, "pid"));
	siginfo_t si;

	assert_int_equal(rt_pidfile_write(pf, pid, rt_tdir(state), NULL), 0);
	kill(pid, SIGKILL);
	/* Wait for the exit but leave the zombie in place. */
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(rt_pidfile_check(pf, rt_tdir(state), NULL), RT_PID_GONE);
	free(pf);
}

/* No file, or a file missing a field, is "none". */
static void
missing_or_malformed_pidfiles_read_as_none(void **state)
{
	static const char *const bad[] = {"", "pid=12\nstart=3\n", "pid=0\nstart=3\nmatch=x\n",
	                                  "pid=12\nstart=3\nmatch=\n", "garbage"};

	assert_int_equal(rt_pidfile_check(rt_tpath(state, "none"), "x", NULL), RT_PID_NONE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rt_twrite(state, "pid", bad[i], (size_t)-1);
		assert_int_equal(rt_pidfile_check(rt_tpath(state, "pid"), "x", NULL), RT_PID_NONE);
	}
}

/* A process that has already exited cannot be recorded. */
static void
pidfile_write_refuses_a_dead_pid(void **state)
{
	pid_t pid = start_child(state);
	char *err = NULL, *pf = strdup(rt_tpath(state, "pid"));

	kill(pid, SIGKILL);
	assert_int_equal(reap_child(), SIGKILL);
	assert_int_equal(rt_pidfile_write(pf, pid, "x", &err), -1);
	assert_non_null(err);
	assert_int_equal(access(pf, F_OK), -1);
	free(err);
	free(pf);
}

/* A verified process receives the signal. */
static void
pidfile_kill_signals_a_verified_process(void **state)
{
	pid_t pid = start_child(state);
	char *pf = strdup(rt_tpath(state, "pid"));

	assert_int_equal(rt_pidfile_write(pf, pid, rt_tdir(state), NULL), 0);
	assert_int_equal(rt_pidfile_kill(pf, rt_tdir(state), SIGTERM), RT_PID_ALIVE);
	assert_int_equal(reap_child(), SIGTERM);
	free(pf);
}

/* A pid file naming an unrelated process never signals it. */
static void
pidfile_kill_leaves_an_unrelated_process_alone(void **state)
{
	pid_t pid = start_child(state);
	unsigned long long start;
	char text[256];

	assert_int_equal(rt_proc_start_time(pid, &start), 0);
	snprintf(text, sizeof(text), "pid=%d\nstart=%llu\nmatch=%s\n", (int)pid, start + 7,
	         rt_tdir(state));
	rt_twrite(state, "pid", text, (size_t)-1);
	assert_int_equal(rt_pidfile_kill(rt_tpath(state, "pid"), rt_tdir(state), SIGKILL),
	                 RT_PID_OTHER);
	/* Had SIGKILL been sent, it would have ended the child before our SIGTERM. */
	kill(pid, SIGTERM);
	assert_int_equal(reap_child(), SIGTERM);
}

/* The command line is matched with its arguments joined by spaces. */
static void
cmdline_match_sees_arguments_joined_by_spaces(void **state)
{
	pid_t pid = start_child(state);
	char want[512];

	snprintf(want, sizeof(want), "%s 1000", rt_tpath(state, "child"));
	assert_true(rt_proc_cmdline_has(pid, want));
	assert_false(rt_proc_cmdline_has(pid, "1001"));
}

/* A pidfd signal reaches the process it was opened for. */
static void
pidfd_signal_reaches_its_process(void **state)
{
	pid_t pid = start_child(state);
	int pfd = rt_pidfd_open(pid);

	assert_true(pfd >= 0);
	assert_int_equal(rt_pidfd_signal(pfd, SIGTERM), 0);
	close(pfd);
	assert_int_equal(reap_child(), SIGTERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	        T(pidfile_of_a_live_child_verifies),
	        T(pidfile_records_pid_start_time_and_token),
	        T(pidfile_with_another_start_time_does_not_verify),
	        T(pidfile_whose_token_is_not_in_the_cmdline_does_not_verify),
	        T(pidfile_of_a_dead_process_reads_as_gone),
	        T(pidfile_of_a_zombie_reads_as_gone),
	        T(missing_or_malformed_pidfiles_read_as_none),
	        T(pidfile_write_refuses_a_dead_pid),
	        T(pidfile_kill_signals_a_verified_process),
	        T(pidfile_kill_leaves_an_unrelated_process_alone),
	        T(cmdline_match_sees_arguments_joined_by_spaces),
	        T(pidfd_signal_reaches_its_process),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
