/*
 * tests/unit/test_rt_record.c: the instance record that lets lclean clean
 * a lab whose lab.yaml no longer loads (src/record.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inst.h"
#include "lab.h"
#include "record.h"
#include "test_rt_tmp.h"

/* An instance whose hostwd and RUNDIR/ID are directories in the test's directory. */
static void
make_inst(void **state, struct rt_inst *in, const struct lab *lab)
{
	memset(in, 0, sizeof(*in));
	in->lab = lab;
	in->labdir = strdup("/labs/x");
	in->hostwd = strdup(rt_tpath(state, "wd"));
	in->dir = strdup(rt_tpath(state, "run"));
	in->hdir = strdup(rt_tpath(state, "run.h"));
	mkdir(in->hostwd, 0700);
	mkdir(in->dir, 0700);
	mkdir(in->hdir, 0700);
}

/* Free what make_inst allocated. */
static void
free_inst(struct rt_inst *in)
{
	free(in->labdir);
	free(in->hostwd);
	free(in->dir);
	free(in->hdir);
}

/* What is saved is read back: lab dir, hostwd, hosts and domains in order. */
static void
record_round_trips(void **state)
{
	struct rt_record rec = {.labdir = strdup("/labs/x"), .hostwd = strdup("/wd")}, back;
	char *path = strdup(rt_tpath(state, "rec"));

	rt_record_add(&rec, 'h', "pc1");
	rt_record_add(&rec, 'h', "pc2");
	rt_record_add(&rec, 'd', "A");
	assert_int_equal(rt_record_save(path, &rec, NULL), 0);
	assert_int_equal(rt_record_read(path, &back), 0);
	assert_string_equal(back.labdir, "/labs/x");
	assert_string_equal(back.hostwd, "/wd");
	assert_int_equal(back.n_hosts, 2);
	assert_string_equal(back.hosts[1], "pc2");
	assert_int_equal(back.n_domains, 1);
	assert_string_equal(back.domains[0], "A");
	rt_record_clear(&rec);
	rt_record_clear(&back);
	free(path);
}

/* Names that could escape hostwd or a tmux target are dropped when read. */
static void
record_drops_invalid_names(void **state)
{
	struct rt_record rec;

	rt_twrite(state, "rec",
	          "labdir=/labs/x\nhost=../../etc/passwd\nhost=a b\nhost=ok\nhost=\n"
	          "domain=A;rm\ndomain=B\n",
	          (size_t)-1);
	assert_int_equal(rt_record_read(rt_tpath(state, "rec"), &rec), 0);
	assert_int_equal(rec.n_hosts, 1);
	assert_string_equal(rec.hosts[0], "ok");
	assert_int_equal(rec.n_domains, 1);
	assert_string_equal(rec.domains[0], "B");
	rt_record_clear(&rec);
}

/* A name listed twice is kept once. */
static void
record_keeps_each_name_once(void **state)
{
	struct rt_record rec = {0};

	(void)state;
	rt_record_add(&rec, 'h', "pc1");
	rt_record_add(&rec, 'h', "pc1");
	rt_record_add(&rec, 'd', "pc1"); /* hosts and domains are separate lists */
	assert_int_equal(rec.n_hosts, 1);
	assert_int_equal(rec.n_domains, 1);
	rt_record_clear(&rec);
}

/* A record without an absolute lab directory is not a record. */
static void
record_without_labdir_is_refused(void **state)
{
	struct rt_record rec;

	rt_twrite(state, "rec", "labdir=relative\nhost=pc1\n", (size_t)-1);
	assert_int_equal(rt_record_read(rt_tpath(state, "rec"), &rec), -1);
	assert_int_equal(rt_record_read(rt_tpath(state, "missing"), &rec), -1);
}

/* lstart's write puts the lab's hosts and domains in hostwd and RUNDIR/ID. */
static void
record_write_lists_the_lab_in_both_places(void **state)
{
	struct lab_error *errs = NULL;
	struct rt_record a, b;
	struct rt_inst in;
	struct lab *lab;

	mkdir(rt_tpath(state, "lab"), 0755);
	rt_twrite(state, "lab/lab.yaml", "hosts: { pc1: [A], pc2: [A, B] }\n", (size_t)-1);
	assert_int_equal(lab_load(rt_tpath(state, "lab"), &lab, &errs), 0);
	make_inst(state, &in, lab);
	assert_int_equal(rt_record_write(&in, NULL), 0);
	assert_int_equal(rt_record_read(rt_tpath(state, "wd/" RT_RECORD_WD), &a), 0);
	assert_int_equal(rt_record_read(rt_tpath(state, "run.h/" RT_RECORD_RUN), &b), 0);
	assert_int_equal(a.n_hosts, 2);
	assert_int_equal(a.n_domains, 2);
	assert_string_equal(a.hostwd, in.hostwd);
	assert_int_equal(b.n_hosts, 2);
	rt_record_clear(&a);
	rt_record_clear(&b);
	free_inst(&in);
	lab_free(lab);
}

/* A host removed from the lab stays listed: its files still need cleaning. */
static void
record_write_keeps_hosts_an_earlier_record_listed(void **state)
{
	struct rt_record rec;
	struct rt_inst in;
	char text[512];

	make_inst(state, &in, NULL);
	snprintf(text, sizeof(text), "labdir=/labs/x\nhostwd=%s\nhost=old\ndomain=Z\n", in.hostwd);
	rt_twrite(state, "wd/" RT_RECORD_WD, text, (size_t)-1);
	assert_int_equal(rt_record_write(&in, NULL), 0);
	assert_int_equal(rt_record_read(rt_tpath(state, "run.h/" RT_RECORD_RUN), &rec), 0);
	assert_int_equal(rec.n_hosts, 1);
	assert_string_equal(rec.hosts[0], "old");
	assert_string_equal(rec.domains[0], "Z");
	rt_record_clear(&rec);
	free_inst(&in);
}

/* A record left by another lab in the same -w directory is not merged. */
static void
record_load_ignores_another_labs_record(void **state)
{
	struct rt_record rec = {0};
	struct rt_inst in;

	make_inst(state, &in, NULL);
	rt_twrite(state, "wd/" RT_RECORD_WD, "labdir=/labs/other\nhost=stranger\n", (size_t)-1);
	rt_record_load(&in, &rec);
	assert_int_equal(rec.n_hosts, 0);
	assert_string_equal(rec.labdir, "/labs/x");
	rt_record_clear(&rec);
	free_inst(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(record_round_trips),
	        T(record_drops_invalid_names),
	        T(record_keeps_each_name_once),
	        T(record_without_labdir_is_refused),
	        T(record_write_lists_the_lab_in_both_places),
	        T(record_write_keeps_hosts_an_earlier_record_listed),
	        T(record_load_ignores_another_labs_record),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
