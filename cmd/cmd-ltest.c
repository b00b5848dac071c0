/*
 * cmd/cmd-ltest.c: ltest: start a lab headless, run its tests (lab.yaml
 * tests, strongSwan-style evaltest.dat, Netkit _test/ scripts), report them
 * live, as JUnit XML and JSON, collect per-host artefacts into a results
 * directory, then halt and clean the lab (unless --keep). Exit status: 0
 * all passed (or a new signature was recorded), 1 a test failed, 2 bad
 * command line, 3 the lab could not be started or the tests not loaded.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdrt.h"
#include "lab.h"
#include "rt.h"
#include "ltest.h"
#include "xalloc.h"

#define LTEST_SETUP_FAIL 3
#define START_TIMEOUT_S  180
#define HALT_WAIT_S      10
#define EVALTEST         "evaltest.dat"
#define PRETEST          "pretest.dat"
#define POSTTEST         "posttest.dat"

enum {
	OPT_JUNIT = 256,
	OPT_KEEP,
	OPT_REUSE,
	OPT_NO_START,
	OPT_RESULTS,
	OPT_START_TIMEOUT,
	OPT_ASSERT,
	OPT_REBUILD,
	OPT_SIGDIR,
	OPT_NO_SIG,
	OPT_FAIL_FAST,
	OPT_ONLY,
};

static const struct option longopts[] = {
        LCMD_LAB_LONGOPTS,
        {"results", required_argument, NULL, OPT_RESULTS},
        {"junit", required_argument, NULL, OPT_JUNIT},
        LCMD_JSON_LONGOPT,
        {"keep", no_argument, NULL, OPT_KEEP},
        {"reuse", no_argument, NULL, OPT_REUSE},
        {"no-start", no_argument, NULL, OPT_NO_START},
        {"timeout", required_argument, NULL, 't'},
        {"start-timeout", required_argument, NULL, OPT_START_TIMEOUT},
        {"parallel", required_argument, NULL, 'p'},
        {"pass", required_argument, NULL, 'o'},
        {"assertions", required_argument, NULL, OPT_ASSERT},
        {"rebuild-signature", no_argument, NULL, OPT_REBUILD},
        {"signature-dir", required_argument, NULL, OPT_SIGDIR},
        {"no-signature", no_argument, NULL, OPT_NO_SIG},
        {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
        {"only", required_argument, NULL, OPT_ONLY},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
};

/* Everything the command line asks for. */
struct opts {
	const char *dir, *opt_w, *results, *junit, *sigdir;
	bool json, keep, reuse, no_start, rebuild, no_sig, fail_fast, verbose, quiet;
	unsigned int timeout_s, start_timeout_s, parallel;
	char **asserts, **only;
	size_t n_asserts, n_only;
	struct rt_guest_opts gopts;
};

/* What one run holds. */
struct run {
	struct lcmd_ctx *ctx;
	struct opts *o;
	struct lab *lab;
	struct lab_test *extra; /* from assertion files */
	size_t n_extra;
	struct lab_test *steps; /* pretest.dat + posttest.dat */
	size_t n_pre, n_steps;
	struct lab_test *plan; /* shallow copies of the selected tests */
	size_t n_plan;
	FILE *live; /* stdout, or stderr with --json */
};

/* Parse seconds (1..100000). */
static int
parse_secs(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 100000)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* The lexec program: $UMLAB_LEXEC, else next to our own executable, else PATH. */
static char *
find_lexec(void)
{
	const char *env = getenv("UMLAB_LEXEC");
	char buf[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n > 0) {
		char *p;

		buf[n] = '\0';
		p = xasprintf("%s/lexec", dirname(buf));
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup("lexec");
}

/* Case lines as they end. */
static void
on_end(void *vctx, size_t index, size_t total, const struct ltest_case *c)
{
	struct run *r = vctx;

	if (!r->o->quiet || !c->ok)
		ltest_print_case(r->live, index, total, c, r->o->verbose);
}

/* Report lab loading problems; -1 when there were errors. */
static int
report_errs(struct lcmd_ctx *ctx, struct lab_error *errs)
{
	int rc = errs != NULL ? -1 : 0;

	for (struct lab_error *e = errs; e != NULL; e = e->next) {
		char *m = lab_error_format(e);

		lcmd_error(ctx, "%s", m);
		free(m);
	}
	lab_error_free(errs);
	return rc;
}

/* Load assertion files: the named ones, else LAB/evaltest.dat; pre/posttest.dat as steps. */
static int
load_assertions(struct run *r)
{
	struct lab_error *errs = NULL;
	char *p;
	int rc = 0;

	if (r->o->n_asserts > 0) {
		for (size_t i = 0; i < r->o->n_asserts; i++)
			if (lab_assert_load(r->lab, r->o->asserts[i], false, &r->extra, &r->n_extra,
			                    &errs) < 0)
				rc = -1;
		return report_errs(r->ctx, errs) < 0 ? -1 : rc;
	}
	p = xasprintf("%s/%s", r->lab->dir, EVALTEST);
	if (access(p, F_OK) == 0 &&
	    lab_assert_load(r->lab, EVALTEST, false, &r->extra, &r->n_extra, &errs) < 0)
		rc = -1;
	free(p);
	p = xasprintf("%s/%s", r->lab->dir, PRETEST);
	if (access(p, F_OK) == 0 &&
	    lab_assert_load(r->lab, PRETEST, true, &r->steps, &r->n_steps, &errs) < 0)
		rc = -1;
	free(p);
	r->n_pre = r->n_steps;
	p = xasprintf("%s/%s", r->lab->dir, POSTTEST);
	if (access(p, F_OK) == 0 &&
	    lab_assert_load(r->lab, POSTTEST, true, &r->steps, &r->n_steps, &errs) < 0)
		rc = -1;
	free(p);
	return report_errs(r->ctx, errs) < 0 ? -1 : rc;
}

/* Is test t selected by --only (any glob matches its name)? */
static bool
selected(const struct opts *o, const struct lab_test *t)
{
	if (o->n_only == 0)
		return true;
	for (size_t i = 0; i < o->n_only; i++)
		if (fnmatch(o->only[i], t->name, 0) == 0)
			return true;
	return false;
}

/* The tests to run, lab.yaml's first, then the assertion files'. */
static void
build_plan(struct run *r)
{
	r->plan = xcalloc(r->lab->n_tests + r->n_extra + 1, sizeof *r->plan);
	for (size_t i = 0; i < r->lab->n_tests; i++)
		if (selected(r->o, &r->lab->tests[i]))
			r->plan[r->n_plan++] = r->lab->tests[i];
	for (size_t i = 0; i < r->n_extra; i++)
		if (selected(r->o, &r->extra[i]))
			r->plan[r->n_plan++] = r->extra[i];
}

/* Suite steps: lab.yaml setup/teardown, then pre/posttest.dat. */
static void
build_steps(const struct run *r, bool setup, struct ltest_steps *st)
{
	size_t n = setup ? r->lab->n_setup : r->lab->n_teardown;
	size_t from = setup ? 0 : r->n_pre, to = setup ? r->n_pre : r->n_steps;

	st->v = xcalloc(n + (to - from) + 1, sizeof *st->v);
	st->n = 0;
	for (size_t k = 0; k < n; k++)
		st->v[st->n++] = (struct ltest_step){
		        .on = setup ? r->lab->setup_on[k] : r->lab->teardown_on[k],
		        .run = setup ? r->lab->setup[k] : r->lab->teardown[k],
		};
	for (size_t k = from; k < to; k++)
		st->v[st->n++] = (struct ltest_step){
		        .on = r->steps[k].on, .run = r->steps[k].run, .any_status = true};
}

/* Remove the files of a previous run from the results directory's own subdirectories. */
static void
clear_results(const char *results)
{
	static const char *const subs[] = {"hosts", "captures", "_test/results", NULL};

	for (const char *const *s = subs; *s != NULL; s++) {
		char *d = xasprintf("%s/%s", results, *s);
		DIR *dh = opendir(d);
		struct dirent *de;

		while (dh != NULL && (de = readdir(dh)) != NULL) {
			char *f;

			if (de->d_name[0] == '.')
				continue;
			f = xasprintf("%s/%s", d, de->d_name);
			unlink(f);
			free(f);
		}
		if (dh != NULL)
			closedir(dh);
		free(d);
	}
}

/* Write the JUnit report to path; -1 after reporting. */
static int
write_junit(struct lcmd_ctx *ctx, const char *path, const struct ltest_suite *s)
{
	FILE *f = fopen(path, "we");
	int rc;

	if (f == NULL)
		return lcmd_error(ctx, "cannot write %s: %m", path), -1;
	rc = ltest_junit_write(f, s);
	if (fclose(f) != 0 || rc < 0)
		return lcmd_error(ctx, "cannot write %s: %m", path), -1;
	return 0;
}

/* Write the JSON report to path; -1 after reporting. */
static int
write_json(struct lcmd_ctx *ctx, const char *path, const struct ltest_suite *s, const char *results)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return lcmd_error(ctx, "cannot write %s: %m", path), -1;
	ltest_json_write(f, s, results);
	if (fclose(f) != 0)
		return lcmd_error(ctx, "cannot write %s: %m", path), -1;
	return 0;
}

/* Start the lab headless; false (with the failures reported) when some host is not ready. */
static bool
start_lab(struct run *r, const struct rt_report *rep)
{
	struct rt_start_opts so = {.opt_w = r->o->opt_w,
	                           .timeout_s = r->o->start_timeout_s,
	                           .parallel = r->o->parallel,
	                           .headless = true,
	                           .gopts = r->o->gopts};
	struct rt_result res = {0};
	char *err = NULL;
	bool ok;

	if (!r->o->reuse && rt_lab_clean(r->lab, r->o->opt_w, NULL, 0, rep, &err) < 0) {
		cmdrt_fail(r->ctx, err);
		return false;
	}
	if (rt_lab_start(r->lab, &so, rep, &res, &err) < 0) {
		cmdrt_fail(r->ctx, err);
		rt_result_clear(&res);
		return false;
	}
	ok = res.ok;
	for (size_t i = 0; i < r->lab->n_hosts && res.hosts != NULL; i++)
		if (rt_hstate_failed(res.hosts[i].state))
			lcmd_error(r->ctx, "%s: %s%s%s (see its logs in the results directory)",
			           r->lab->hosts[i].name, rt_hstate_name(res.hosts[i].state),
			           res.hosts[i].detail ? ": " : "",
			           res.hosts[i].detail ? res.hosts[i].detail : "");
	rt_result_clear(&res);
	return ok;
}

/* Halt (gracefully, so shutdown logs exist), collect artefacts, clean. */
static void
stop_lab(struct run *r, const struct rt_report *rep, const char *hostwd, const char *results)
{
	struct rt_halt_opts ho = {.opt_w = r->o->opt_w, .wait_s = HALT_WAIT_S};
	struct rt_result res = {0};
	char *err = NULL;

	if (rt_lab_halt(r->lab, &ho, rep, &res, &err) < 0) {
		lcmd_warn(r->ctx, "halting the lab: %s", err);
		free(err);
		err = NULL;
	}
	rt_result_clear(&res);
	ltest_collect_artefacts(r->lab, hostwd, results, rep);
	if (rt_lab_clean(r->lab, r->o->opt_w, NULL, 0, rep, &err) < 0) {
		lcmd_warn(r->ctx, "cleaning the lab: %s", err);
		free(err);
	}
}

/* Parse the command line into o; returns -1 (ok), or an exit status. */
static int
parse_args(struct lcmd_ctx *ctx, int argc, char **argv, struct opts *o)
{
	struct lcmd_lab_opts lo = {0};
	char *err = NULL;
	int c, rc;

	while ((c = lcmd_getopt(ctx, argc, argv, ":d:w:t:p:o:vqh", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case OPT_RESULTS:
			o->results = optarg;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case OPT_REUSE:
			o->reuse = true;
			break;
		case OPT_NO_START:
			o->no_start = true;
			break;
		case 't':
			if (parse_secs(optarg, &o->timeout_s) < 0)
				return lcmd_usage_error(ctx, "--timeout wants seconds, not '%s'",
				                        optarg);
			break;
		case OPT_START_TIMEOUT:
			if (parse_secs(optarg, &o->start_timeout_s) < 0)
				return lcmd_usage_error(
				        ctx, "--start-timeout wants seconds, not '%s'", optarg);
			break;
		case 'p':
			if (parse_secs(optarg, &o->parallel) < 0)
				return lcmd_usage_error(ctx, "-p wants a number, not '%s'", optarg);
			break;
		case 'o':
			if (rt_guest_opt_add(&o->gopts, optarg, &err) < 0) {
				rc = lcmd_usage_error(ctx, "%s", err);
				free(err);
				return rc;
			}
			break;
		case OPT_ASSERT:
			o->asserts = xrealloc(o->asserts, (o->n_asserts + 1) * sizeof(char *));
			o->asserts[o->n_asserts++] = optarg;
			break;
		case OPT_REBUILD:
			o->rebuild = true;
			break;
		case OPT_SIGDIR:
			o->sigdir = optarg;
			break;
		case OPT_NO_SIG:
			o->no_sig = true;
			break;
		case OPT_FAIL_FAST:
			o->fail_fast = true;
			break;
		case OPT_ONLY:
			o->only = xrealloc(o->only, (o->n_only + 1) * sizeof(char *));
			o->only[o->n_only++] = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		}
	}
	o->dir = lo.dir;
	o->opt_w = lo.hostwd;
	o->json = lo.json;
	if (optind < argc)
		return lcmd_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
	if (o->no_start && o->reuse)
		return lcmd_usage_error(ctx, "--no-start and --reuse do not go together");
	return -1;
}

/* Run the tests of a started lab and write the reports; the exit status. */
static int
run_tests(struct run *r, const struct ltest_runner *rn, const char *results)
{
	struct ltest_listener l = {.ctx = r, .end = on_end};
	struct ltest_plan p = {.lab = r->lab,
	                       .tests = r->plan,
	                       .n_tests = r->n_plan,
	                       .default_timeout_ms = r->o->timeout_s * 1000,
	                       .fail_fast = r->o->fail_fast};
	struct ltest_sig_opts so = {.sigdir = r->o->sigdir,
	                            .rebuild = r->o->rebuild,
	                            .timeout_ms = p.default_timeout_ms};
	struct ltest_suite s = {0};
	bool new_sig = false;
	char *sigdir = NULL, *err = NULL, *f;
	int rc;

	build_steps(r, true, &p.setup);
	build_steps(r, false, &p.teardown);
	ltest_run(&p, rn, &l, &s);
	if (!r->o->no_sig && ltest_sig_wanted(r->lab, &so) &&
	    !(r->o->fail_fast && s.n_failed > 0)) {
		if (!r->o->quiet)
			fprintf(r->live, "Netkit _test/ scripts:\n");
		if (ltest_sig_run(r->lab, rn, &so, &l, &s, &new_sig, &sigdir, &err) < 0) {
			lcmd_error(r->ctx, "%s", err);
			free(err);
			s.n_failed++;
		} else if (new_sig) {
			fprintf(r->live, "signature recorded in %s\n", sigdir);
		} else {
			fprintf(r->live, "compared with the signature in %s\n", sigdir);
		}
	}
	ltest_print_summary(r->live, &s);
	f = xasprintf("%s/junit.xml", results);
	write_junit(r->ctx, f, &s);
	free(f);
	f = xasprintf("%s/report.json", results);
	write_json(r->ctx, f, &s, results);
	free(f);
	if (r->o->junit != NULL)
		write_junit(r->ctx, r->o->junit, &s);
	if (r->o->json)
		ltest_json_write(stdout, &s, results);
	rc = s.n_failed == 0 ? LCMD_OK : LCMD_FAIL;
	if (s.n_failed > 0)
		lcmd_error(r->ctx, "%zu of %zu tests failed", s.n_failed, s.n_cases);
	free(sigdir);
	free(p.setup.v);
	free(p.teardown.v);
	ltest_suite_clear(&s);
	return rc;
}

static int
cmd_ltest_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct opts o = {.timeout_s = LTEST_DEFAULT_TIMEOUT_MS / 1000,
	                 .start_timeout_s = START_TIMEOUT_S};
	struct run r = {.ctx = ctx, .o = &o, .live = stdout};
	struct rt_inst in = {0};
	struct ltest_runner rn = {0};
	struct rt_report rep;
	char *results = NULL, *lexec = NULL, *err = NULL;
	int rc = parse_args(ctx, argc, argv, &o);

	if (rc >= 0)
		goto out_opts;
	if (o.json) {
		ctx->json = true;
		r.live = stderr;
	}
	rc = LTEST_SETUP_FAIL;
	if (cmdrt_load(ctx, o.dir, o.quiet, &r.lab) < 0)
		goto out_opts;
	if (load_assertions(&r) < 0)
		goto out;
	build_plan(&r);
	if (rt_inst_init(&in, r.lab, o.opt_w, &err) < 0) {
		cmdrt_fail(ctx, err);
		goto out;
	}
	results =
	        o.results ? rt_path_absolute(o.results, &err) : xasprintf("%s.results", in.hostwd);
	if (results == NULL || ltest_mkdirs(results, &err) < 0) {
		cmdrt_fail(ctx, err);
		goto out;
	}
	clear_results(results);
	lexec = find_lexec();
	rn = (struct ltest_runner){
	        .lexec = lexec, .labdir = in.labdir, .hostwd = in.hostwd, .results = results};
	rep = cmdrt_report(ctx, o.verbose);
	if (!o.quiet)
		fprintf(r.live, "ltest: lab %s, %zu tests; results in %s\n", r.lab->name, r.n_plan,
		        results);
	if (!o.no_start && !start_lab(&r, &rep)) {
		if (!o.keep)
			stop_lab(&r, &rep, in.hostwd, results);
		else
			ltest_collect_artefacts(r.lab, in.hostwd, results, &rep);
		lcmd_error(ctx, "the lab did not start; no test ran (logs in %s/hosts)", results);
		rc = LTEST_SETUP_FAIL;
		goto out;
	}
	rc = run_tests(&r, &rn, results);
	if (o.no_start || o.keep) {
		ltest_collect_artefacts(r.lab, in.hostwd, results, &rep);
		if (o.keep && !o.quiet)
			fprintf(r.live, "the lab keeps running: lhalt -d %s%s%s\n", in.labdir,
			        o.opt_w ? " -w " : "", o.opt_w ? in.hostwd : "");
	} else {
		stop_lab(&r, &rep, in.hostwd, results);
	}
	if (!o.quiet)
		fprintf(r.live, "results: %s\n", results);
out:
	free(lexec);
	free(results);
	rt_inst_clear(&in);
	free(r.plan);
	lab_tests_free(r.extra, r.n_extra);
	lab_tests_free(r.steps, r.n_steps);
	lab_free(r.lab);
out_opts:
	free(o.asserts);
	free(o.only);
	rt_guest_opts_clear(&o.gopts);
	return rc;
}

const struct lcmd_entry cmd_ltest_entry = {
        .name = "ltest",
        .summary = "start a lab headless, run its tests, report (JUnit, JSON), clean up",
        .usage = "[-d DIR] [-w DIR] [--results DIR] [--junit FILE] [--json] [--keep] "
                 "[--reuse | --no-start] [-t SECS] [--start-timeout SECS] [-p N] [-o OPT]... "
                 "[--assertions FILE]... [--rebuild-signature | --no-signature] "
                 "[--signature-dir DIR] [--fail-fast] [--only GLOB]... [-v | -q]",
        .help = "  -d, --directory DIR    the lab directory (default: .)\n"
                "  -w, --hostwd DIR       host working directory (default: per user, per "
                "lab)\n"
                "      --results DIR      artefacts and reports (default: HOSTWD.results)\n"
                "      --junit FILE       also write the JUnit XML report to FILE\n"
                "      --json             the report as JSON on stdout (live lines on "
                "stderr)\n"
                "      --keep             leave the lab running afterwards\n"
                "      --reuse            keep running hosts and COW files (default: clean "
                "first)\n"
                "      --no-start         test the running lab; do not start, halt or "
                "clean it\n"
                "  -t, --timeout SECS     per attempt, unless a test says (default: 30)\n"
                "      --start-timeout SECS  per guest, until ready (default: 180)\n"
                "  -p, --parallel N       at most N guests booting at once\n"
                "  -o, --pass OPT         for every guest: mem=MB, or a kernel argument\n"
                "      --assertions FILE  strongSwan-style host::command::pattern::YES|NO|N\n"
                "                         file (default: LAB/evaltest.dat when present)\n"
                "      --rebuild-signature  record the Netkit _test/ signature again\n"
                "      --signature-dir DIR  where the _test/ signature is kept\n"
                "      --no-signature     skip the Netkit _test/ flow\n"
                "      --fail-fast        stop at the first failed test\n"
                "      --only GLOB        run only tests whose name matches (repeatable)\n"
                "  -v, --verbose          progress lines and every test's output\n"
                "  -q, --quiet            only failures and the summary\n"
                "  -h, --help             this help\n"
                "Exit status: 0 passed (or a new signature), 1 a test failed, 2 usage,\n"
                "3 the lab did not start or the tests could not be loaded.\n",
        .exec = cmd_ltest_exec,
};
