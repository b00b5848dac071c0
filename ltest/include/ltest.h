/*
 * ltest/include/ltest.h: the ltest engine, shared by the files of ltest/ and cmd/cmd-ltest.c.
 *
 * Commands run in guests through the `lexec` command as a child process
 * (stdout and stderr apart, its exit status as the command's), or on this
 * machine for `local: true` tests. A case is one lab test: its setup steps,
 * its command retried until its expectation holds or `within` passes, its
 * teardown steps. Results feed the live report, JUnit XML and JSON.
 */
#ifndef UMLAB_TEST_H
#define UMLAB_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lab;
struct lab_expect;
struct lab_test;
struct rt_report;

#define LTEST_DEFAULT_TIMEOUT_MS 30000
#define LTEST_OUTPUT_MAX         (1024 * 1024) /* bytes kept of each stream */

/* How commands reach the lab. */
struct ltest_runner {
	const char *lexec;   /* the lexec program */
	const char *labdir;  /* absolute */
	const char *hostwd;  /* absolute; given to lexec as -w and to local commands */
	const char *results; /* results directory, given to local commands */
};

/* What one command did. */
struct ltest_exec {
	int status;            /* exit status 0..255; -1: killed, or could not run */
	int signal;            /* the signal that ended it, or 0 */
	bool timed_out;        /* killed by the per-attempt timeout */
	char *out;             /* owned, NUL-terminated (NULs inside become '?') */
	char *err;             /* owned */
	bool out_cut, err_cut; /* more than LTEST_OUTPUT_MAX bytes came */
	double secs;
	char *error; /* owned; why it could not run, or NULL */
};

void ltest_exec_clear(struct ltest_exec *x);

/*
 * Run `sh -c cmd` on host (NULL: on this machine, in the lab directory, with
 * UMLAB_LABDIR, UMLAB_HOSTWD and UMLAB_RESULTS set) with a time limit.
 * Returns 0 when the command ran (whatever its status), -1 when it could not
 * (x->error says why).
 */
int ltest_exec_run(const struct ltest_runner *r, const char *host, const char *cmd,
                   unsigned int timeout_ms, struct ltest_exec *x);

/*
 * Does x meet e? true, or false with *why a one-line reason (caller frees).
 * Output regexes are POSIX extended, with ^ and $ matching at line ends.
 */
bool ltest_expect_check(const struct lab_expect *e, const struct ltest_exec *x, char **why);
/* Number of lines in s (a last line without '\n' counts). */
long ltest_count_lines(const char *s);

/* The result of one case. */
struct ltest_case {
	const struct lab_test *test; /* borrowed */
	char *name;                  /* owned; what reports show */
	char *classname;             /* owned; "LAB.HOST" (or "LAB.local", "LAB.suite") */
	bool ok;
	unsigned int attempts;
	double secs;         /* setup to teardown */
	char *why;           /* owned; the failure message, or NULL */
	struct ltest_exec x; /* the last attempt (or the failing step) */
	char *step;          /* owned; the command x belongs to when not the test's own */
};

/* A run of a list of tests. */
struct ltest_suite {
	char *name;               /* owned; the lab name */
	struct ltest_case *cases; /* owned */
	size_t n_cases;
	size_t n_failed;
	double secs;
	char *timestamp; /* owned; ISO 8601, start of the run */
};

void ltest_suite_clear(struct ltest_suite *s);

/* Live progress: called before and after each case. */
struct ltest_listener {
	void *ctx;
	void (*begin)(void *ctx, size_t index, size_t total, const struct lab_test *t);
	void (*end)(void *ctx, size_t index, size_t total, const struct ltest_case *c);
};

/* One step run around the tests (suite setup or teardown). */
struct ltest_step {
	const char *on;  /* borrowed; host, or NULL: on this machine */
	const char *run; /* borrowed */
	bool any_status; /* strongSwan pre/posttest: the status does not count */
};

struct ltest_steps {
	struct ltest_step *v; /* owned by the caller */
	size_t n;
};

struct ltest_plan {
	const struct lab *lab;
	const struct lab_test *tests; /* borrowed */
	size_t n_tests;
	struct ltest_steps setup, teardown;
	unsigned int default_timeout_ms;
	bool fail_fast; /* stop after the first failed case */
};

/* Run plan: suite setup, every case, suite teardown. Failed steps become failed cases. */
void ltest_run(const struct ltest_plan *p, const struct ltest_runner *r,
               const struct ltest_listener *l, struct ltest_suite *s);

/* Append a case to s (it takes the strings); returns it. */
struct ltest_case *ltest_suite_add(struct ltest_suite *s, const struct lab_test *t, char *name,
                                   char *classname);

/* XML text: escape &<>"' and replace bytes XML 1.0 forbids; caller frees. */
char *ltest_xml_escape(const char *s, size_t len);
/* s with invalid UTF-8 replaced by U+FFFD (for JSON); caller frees. */
char *ltest_utf8_clean(const char *s);
/* The suite as a JUnit XML document. Returns 0, or -1 on a write error. */
int ltest_junit_write(FILE *f, const struct ltest_suite *s);

/* The suite as JSON on f. */
void ltest_json_write(FILE *f, const struct ltest_suite *s, const char *results_dir);
/* One line per case as it ends, and the failure details. */
void ltest_print_case(FILE *f, size_t index, size_t total, const struct ltest_case *c,
                      bool verbose);
void ltest_print_summary(FILE *f, const struct ltest_suite *s);

/*
 * Compare two texts as `diff -qEbB` would call them equal: blank lines do not
 * count, runs of blanks compare equal to one blank, trailing blanks vanish.
 */
bool ltest_sig_equal(const char *a, const char *b);

/* Netkit _test/ flow (test-sig.c). */
struct ltest_sig_opts {
	const char *sigdir;      /* --signature-dir, or NULL: see ltest_sig_dir() */
	bool rebuild;            /* --rebuild-signature */
	unsigned int timeout_ms; /* per script */
};

/* Does the lab use the Netkit flow (_test/ directory, or asked for)? */
bool ltest_sig_wanted(const struct lab *lab, const struct ltest_sig_opts *o);

/*
 * Run every host's _test scripts into RESULTS/_test/results/, then compare
 * with the signature or record a new one. Adds one case per host file to s.
 * *new_sig tells that a signature was recorded (success for the exit status).
 */
int ltest_sig_run(const struct lab *lab, const struct ltest_runner *r,
                  const struct ltest_sig_opts *o, const struct ltest_listener *l,
                  struct ltest_suite *s, bool *new_sig, char **sigdir_used, char **err);

/* Copy each host's logs and the captures of `capture: true` domains into RESULTS. */
void ltest_collect_artefacts(const struct lab *lab, const char *hostwd, const char *results,
                             const struct rt_report *rep);

/* Copy file src to dst (created 0644); -1 with *err. */
int ltest_copy_file(const char *src, const char *dst, char **err);
/* mkdir -p with mode 0755; -1 with *err. */
int ltest_mkdirs(const char *dir, char **err);
/* Write a whole string to path; -1 with *err. */
int ltest_write_file(const char *path, const char *text, char **err);
/* Read a whole file; NULL when it cannot be read. */
char *ltest_read_file(const char *path);

#endif
