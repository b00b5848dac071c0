/*
 * tests/unit/test_rt_marker.c: parsing the guest's ready marker
 * HOSTWD/NAME/NAME.ready (src/hostwd.c; format in share/doc/guest-contract.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostwd.h"
#include "inst.h"
#include "test_rt_tmp.h"

/* Read the marker of host in the test directory used as hostwd. */
static int
read_marker(void **state, const char *host, struct rt_marker *m)
{
	struct rt_inst in = {.hostwd = (char *)rt_tdir(state)};

	return rt_marker_read(&in, host, m);
}

/* Write host's marker where the guest does: in its own HOSTWD/NAME. */
static void
write_marker(void **state, const char *host, const char *text)
{
	char rel[64];

	mkdir(rt_tpath(state, host), 0700);
	snprintf(rel, sizeof(rel), "%s/%s.ready", host, host);
	rt_twrite(state, rel, text, (size_t)-1);
}

/* A ready marker gives every field the contract defines. */
static void
ready_marker_gives_every_field(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1",
	             "status=ready\nhost=pc1\nstartup_status=0\nfailed_script=\nfirst_boot=1\n"
	             "init_ms=1072\nstartup_ms=12\nuptime_ms=1234\n");
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_true(m.ready);
	assert_false(m.failed);
	assert_int_equal(m.startup_status, 0);
	assert_string_equal(m.failed_script, "");
	assert_true(m.first_boot);
	assert_int_equal(m.startup_ms, 12);
	assert_int_equal(m.uptime_ms, 1234);
}

/* A failed startup names the script and its exit status. */
static void
startup_failed_marker_names_the_script_and_status(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1",
	             "status=startup-failed\nstartup_status=3\nfailed_script=pc1.startup\n"
	             "first_boot=0\n");
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_false(m.ready);
	assert_true(m.failed);
	assert_int_equal(m.startup_status, 3);
	assert_string_equal(m.failed_script, "pc1.startup");
	assert_false(m.first_boot);
}

/* Keys the parser does not know and lines without '=' are ignored. */
static void
unknown_keys_and_stray_lines_are_ignored(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1", "# comment\nfuture_key=42\nnonsense\nstatus=ready\n");
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_true(m.ready);
}

/* CR LF line ends (a marker edited on another system) parse the same. */
static void
crlf_line_ends_are_accepted(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1", "status=ready\r\nuptime_ms=5\r\n");
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_true(m.ready);
	assert_int_equal(m.uptime_ms, 5);
}

/* A marker without a status line is not a verdict yet. */
static void
marker_without_status_is_incomplete(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1", "host=pc1\nuptime_ms=5\n");
	assert_int_equal(read_marker(state, "pc1", &m), -1);
}

/* No marker file: no verdict. */
static void
missing_marker_is_no_verdict(void **state)
{
	struct rt_marker m;

	assert_int_equal(read_marker(state, "pc1", &m), -1);
}

/* Only "ready" means ready: any other status counts as a failed startup. */
static void
only_status_ready_means_ready(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc1", "status=readyish\n");
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_false(m.ready);
	assert_true(m.failed);
}

/* Another host's marker (pc10 for pc1) is never read. */
static void
marker_is_read_for_the_exact_host_name(void **state)
{
	struct rt_marker m;

	write_marker(state, "pc10", "status=ready\n");
	assert_int_equal(read_marker(state, "pc1", &m), -1);
}

/* A failing script name longer than the field is cut, not overflowed. */
static void
long_failed_script_is_truncated_safely(void **state)
{
	char text[600];
	struct rt_marker m;

	memset(text, 0, sizeof(text));
	strcpy(text, "status=startup-failed\nfailed_script=");
	memset(text + strlen(text), 's', 300);
	strcat(text, "\n");
	write_marker(state, "pc1", text);
	assert_int_equal(read_marker(state, "pc1", &m), 0);
	assert_int_equal(strlen(m.failed_script), sizeof(m.failed_script) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(ready_marker_gives_every_field),
	        T(startup_failed_marker_names_the_script_and_status),
	        T(unknown_keys_and_stray_lines_are_ignored),
	        T(crlf_line_ends_are_accepted),
	        T(marker_without_status_is_incomplete),
	        T(missing_marker_is_no_verdict),
	        T(only_status_ready_means_ready),
	        T(marker_is_read_for_the_exact_host_name),
	        T(long_failed_script_is_truncated_safely),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
