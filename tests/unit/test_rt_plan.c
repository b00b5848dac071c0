/*
 * tests/unit/test_rt_plan.c: lstart's plan (rt/plan.c), inspected without
 * starting anything: hubs before guests, waves by dependency, restarts of
 * part of a lab, a crashed host, and the printed plan being the commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wordexp.h>

#include "inst.h"
#include "lab.h"
#include "plan.h"
#include "planfix.h"
#include "test_rt_tmp.h"
#include "xalloc.h"

/* r1 joins A and B; pc1 on A and pc2 on B both need r1. */
static const char lab_yaml[] = "hosts:\n"
                               "  pc1: { interfaces: [A], depends: [r1] }\n"
                               "  r1: { interfaces: [A, B] }\n"
                               "  pc2: { interfaces: [B], depends: [r1] }\n";

static int
plan(struct planfix *f, bool tmux_running, struct rt_plan *p)
{
	struct rt_plan_input pi = {
	        .lab = f->lab,
	        .in = &f->in,
	        .boot = f->boot,
	        .running = f->running,
	        .images = f->images,
	        .env = &f->env,
	        .hubbin = "/usr/bin/hub",
	        .hub_running = f->hub_running,
	        .tmux_running = tmux_running,
	};
	char *err = NULL;
	int rc = rt_plan_make(&pi, p, &err);

	if (rc < 0)
		fprintf(stderr, "plan: %s\n", err);
	free(err);
	return rc;
}

/* A whole lab: both hubs, then r1 (opening the tmux server), then its dependents. */
static void
plan_starts_hubs_then_guests_in_dependency_order(void **state)
{
	struct planfix f;
	struct rt_plan p;

	planfix_load(state, &f, lab_yaml);
	assert_int_equal(plan(&f, false, &p), 0);
	assert_int_equal(p.n_steps, 5);
	assert_int_equal(p.steps[0].kind, RT_STEP_HUB);
	assert_string_equal(p.steps[0].name, "A");
	assert_string_equal(p.steps[1].name, "B");
	assert_string_equal(p.steps[2].name, "r1");
	assert_true(p.steps[2].new_server);
	assert_true(planfix_word(p.steps[2].argv, "new-session") >= 0);
	assert_int_equal(p.steps[2].n_after, 2);
	assert_string_equal(p.steps[3].name, "pc1");
	assert_false(p.steps[3].new_server);
	assert_true(planfix_word(p.steps[3].argv, "new-window") >= 0);
	/* pc1 waits for hub A and for r1, nothing else. */
	assert_int_equal(p.steps[3].n_after, 2);
	assert_int_equal(p.steps[3].after[0], 0);
	assert_int_equal(p.steps[3].after[1], 2);
	assert_string_equal(p.steps[4].name, "pc2");
	assert_int_equal(p.steps[4].after[0], 1);
	/* The window runs the guest's own command, word for word. */
	assert_true(planfix_word(p.steps[3].argv, "umid=pc1") >= 0);
	assert_true(planfix_word(p.steps[3].inner, "umid=pc1") >= 0);
	rt_plan_free(&p);
	planfix_unload(&f);
}

/* r1 and the hubs run: restarting pc1 and pc2 plans only them, waiting for nothing. */
static void
plan_restart_of_part_of_a_lab_waits_for_nothing_running(void **state)
{
	struct planfix f;
	struct rt_plan p;

	planfix_load(state, &f, lab_yaml);
	f.boot[1] = false;
	f.running[1] = true;
	f.hub_running[0] = f.hub_running[1] = true;
	assert_int_equal(plan(&f, true, &p), 0);
	assert_int_equal(p.n_steps, 2);
	assert_string_equal(p.steps[0].name, "pc1");
	assert_int_equal(p.steps[0].n_after, 0);
	assert_false(p.steps[0].new_server);
	assert_string_equal(p.steps[1].name, "pc2");
	rt_plan_free(&p);
	planfix_unload(&f);
}

/* Only pc2 crashed; its hub B died with it: hub B, then pc2, which opens the server. */
static void
plan_for_a_crashed_host_restarts_its_hub_and_server(void **state)
{
	struct planfix f;
	struct rt_plan p;

	planfix_load(state, &f, lab_yaml);
	f.boot[0] = f.boot[1] = false;
	f.running[0] = f.running[1] = true;
	f.hub_running[0] = true;
	assert_int_equal(plan(&f, false, &p), 0);
	assert_int_equal(p.n_steps, 2);
	assert_int_equal(p.steps[0].kind, RT_STEP_HUB);
	assert_string_equal(p.steps[0].name, "B");
	assert_string_equal(p.steps[1].name, "pc2");
	assert_true(p.steps[1].new_server);
	assert_int_equal(p.steps[1].n_after, 1);
	rt_plan_free(&p);
	planfix_unload(&f);
}

/* The printed plan is the steps' commands, each on one line, in order. */
static void
printed_plan_is_the_commands_that_run(void **state)
{
	struct planfix f;
	struct rt_plan p;
	char *text = NULL, *line = NULL;
	size_t len = 0, cap = 0, k = 0;
	FILE *mem;
	ssize_t n;

	planfix_load(state, &f, lab_yaml);
	assert_int_equal(plan(&f, false, &p), 0);
	mem = open_memstream(&text, &len);
	rt_plan_print(mem, &p);
	fclose(mem);
	mem = fmemopen(text, len, "r");
	while ((n = getline(&line, &cap, mem)) > 0) {
		line[n - 1] = '\0';
		if (line[0] == '#') {
			assert_non_null(strstr(line, p.steps[k].name));
			continue;
		}
		/* Read back as a shell would, the line is the step's argv exactly. */
		wordexp_t we;
		size_t w;

		assert_int_equal(wordexp(line, &we, WRDE_NOCMD | WRDE_UNDEF), 0);
		for (w = 0; p.steps[k].argv[w] != NULL; w++) {
			assert_true(w < we.we_wordc);
			assert_string_equal(we.we_wordv[w], p.steps[k].argv[w]);
		}
		assert_int_equal(w, we.we_wordc);
		wordfree(&we);
		k++;
	}
	assert_int_equal(k, p.n_steps);
	assert_non_null(strstr(text, "# step 4: guest pc1, after step 1, 3\n"));
	fclose(mem);
	free(line);
	free(text);
	rt_plan_free(&p);
	planfix_unload(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(plan_starts_hubs_then_guests_in_dependency_order),
	        T(plan_restart_of_part_of_a_lab_waits_for_nothing_running),
	        T(plan_for_a_crashed_host_restarts_its_hub_and_server),
	        T(printed_plan_is_the_commands_that_run),
#undef T
	};

	return cmocka_run_group_tests_name("rt plan", tests, NULL, NULL);
}
