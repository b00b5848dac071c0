/*
 * tests/unit/test_rt_nat.c: the NAT of a nat domain in lstart's plan and its
 * command (rt/nat.c), inspected without starting anything: one step after
 * the domain's hub, the guests after it, the sandbox and the forwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inst.h"
#include "lab.h"
#include "nat.h"
#include "plan.h"
#include "planfix.h"
#include "test_rt_tmp.h"
#include "xalloc.h"

static const char lab_yaml[] =
        "hosts:\n"
        "  pc1: [wan, lan]\n"
        "  pc2: [lan]\n"
        "  pc3: [iso]\n"
        "domains:\n"
        "  wan: {nat: true, forward: [\"8080:pc1:80\", \"udp:5353:pc1:53\"]}\n"
        "  iso: {nat: true, subnet: 10.5.0.0/24, outbound: false}\n";

static void
plan(struct planfix *f, struct rt_plan *p)
{
	struct rt_plan_input pi = {
	        .lab = f->lab,
	        .in = &f->in,
	        .boot = f->boot,
	        .images = f->images,
	        .env = &f->env,
	        .hubbin = "/usr/bin/hub",
	        .hub_running = f->hub_running,
	        .natbin = "/usr/libexec/umlab/umlab-nat",
	        .nat_running = f->nat_running,
	};
	char *err = NULL;

	assert_int_equal(rt_plan_make(&pi, p, &err), 0);
}

/* The step called name of kind k, or NULL. */
static const struct rt_step *
step(const struct rt_plan *p, enum rt_step_kind k, const char *name)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].kind == k && strcmp(p->steps[i].name, name) == 0)
			return &p->steps[i];
	return NULL;
}

/* Each nat domain's NAT comes after its hub; its guests after the NAT. */
static void
nat_steps_follow_their_hub(void **state)
{
	struct planfix f;
	struct rt_plan p;
	const struct rt_step *nat, *pc1;

	planfix_load(state, &f, lab_yaml);
	plan(&f, &p);
	assert_int_equal(p.n_steps, 3 + 2 + 3);
	assert_non_null(nat = step(&p, RT_STEP_NAT, "wan"));
	assert_non_null(step(&p, RT_STEP_NAT, "iso"));
	assert_null(step(&p, RT_STEP_NAT, "lan"));
	assert_int_equal(nat->n_after, 1);
	assert_int_equal(p.steps[nat->after[0]].kind, RT_STEP_HUB);
	assert_string_equal(p.steps[nat->after[0]].name, "wan");
	assert_non_null(pc1 = step(&p, RT_STEP_GUEST, "pc1"));
	assert_int_equal(p.steps[pc1->after[0]].kind, RT_STEP_NAT);
	rt_plan_free(&p);
	planfix_unload(&f);
}

/* A running NAT (with its hub) is not started again; nor are NATs nobody boots into. */
static void
nat_running_or_unused_is_not_planned(void **state)
{
	struct planfix f;
	struct rt_plan p;

	planfix_load(state, &f, lab_yaml);
	f.boot[0] = f.boot[1] = false; /* only pc3, on iso */
	plan(&f, &p);
	assert_null(step(&p, RT_STEP_NAT, "wan"));
	assert_non_null(step(&p, RT_STEP_NAT, "iso"));
	rt_plan_free(&p);
	/* iso's hub and NAT run: nothing to start for it. */
	f.hub_running[(size_t)(lab_domain_find(f.lab, "iso") - f.lab->domains)] = true;
	f.nat_running[(size_t)(lab_domain_find(f.lab, "iso") - f.lab->domains)] = true;
	plan(&f, &p);
	assert_null(step(&p, RT_STEP_NAT, "iso"));
	assert_null(step(&p, RT_STEP_HUB, "iso"));
	rt_plan_free(&p);
	/* A hub that must start again takes its NAT with it. */
	f.hub_running[(size_t)(lab_domain_find(f.lab, "iso") - f.lab->domains)] = false;
	plan(&f, &p);
	assert_non_null(step(&p, RT_STEP_NAT, "iso"));
	rt_plan_free(&p);
	planfix_unload(&f);
}

/* The command: bwrap keeping the network, the hub bound at its path, forwards on 127.0.0.1. */
static void
nat_argv_is_confined_and_complete(void **state)
{
	struct planfix f;
	char **argv, **iso;
	int i;

	planfix_load(state, &f, lab_yaml);
	argv = rt_nat_argv(&f.in, f.lab, lab_domain_find(f.lab, "wan"), "/x/umlab-nat");
	assert_string_equal(argv[0], "bwrap");
	assert_true(planfix_word(argv, "--unshare-all") > 0);
	assert_true(planfix_word(argv, "--share-net") > planfix_word(argv, "--unshare-all"));
	assert_true(planfix_word(argv, "--as-pid-1") > 0);
	assert_true(planfix_word(argv, "--clearenv") > 0);
	assert_string_equal(argv[planfix_word(argv, "--cap-drop") + 1], "ALL");
	assert_int_equal(planfix_word(argv, "--die-with-parent"), -1);
	i = planfix_word(argv, "--bind");
	assert_string_equal(argv[i + 1], "/tmp/umlab-t/0123456789ab/hub/wan");
	assert_string_equal(argv[i + 2], "/tmp/umlab-t/0123456789ab/hub/wan");
	/* No home, no hostwd: only /usr, /etc's two files, /dev, /tmp, the hub, the binary. */
	for (int k = 0; argv[k] != NULL && strcmp(argv[k], "--") != 0; k++)
		if (strstr(argv[k], f.in.hostwd) != NULL || strcmp(argv[k], "/home") == 0)
			fail_msg("the sandbox sees %s", argv[k]);
	i = planfix_word(argv, "--ro-bind");
	assert_true(i > 0);
	assert_true(planfix_word(argv, "/x/umlab-nat") > 0);
	assert_true(planfix_word(argv, "--") > 0);
	assert_true(planfix_word(argv, "tcp:8080:10.0.2.15:80") > planfix_word(argv, "--"));
	assert_true(planfix_word(argv, "udp:5353:10.0.2.15:53") > 0);
	assert_string_equal(argv[planfix_word(argv, "--subnet") + 1], "10.0.2.0/24");
	assert_string_equal(argv[planfix_word(argv, "--gateway") + 1], "10.0.2.2");
	assert_string_equal(argv[planfix_word(argv, "--dns") + 1], "10.0.2.3");
	assert_string_equal(argv[planfix_word(argv, "--dhcp-start") + 1], "10.0.2.16");
	assert_int_equal(planfix_word(argv, "--no-outbound"), -1);
	iso = rt_nat_argv(&f.in, f.lab, lab_domain_find(f.lab, "iso"), "/x/umlab-nat");
	assert_true(planfix_word(iso, "--no-outbound") > 0);
	assert_string_equal(iso[planfix_word(iso, "--subnet") + 1], "10.5.0.0/24");
	argv_free(argv);
	argv_free(iso);
	planfix_unload(&f);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	const struct CMUnitTest tests[] = {
	        T(nat_steps_follow_their_hub),
	        T(nat_running_or_unused_is_not_planned),
	        T(nat_argv_is_confined_and_complete),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
