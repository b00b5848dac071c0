/*
 * tests/unit/planfix.h: the fixture of the plan unit tests (test_rt_plan,
 * test_rt_nat): a lab.yaml written into the test's directory and loaded, an
 * instance with fixed directories, guest options, and the per-host and
 * per-domain state arrays rt_plan_make reads.
 */
#ifndef UMLAB_TEST_PLANFIX_H
#define UMLAB_TEST_PLANFIX_H

#include <stdbool.h>

#include "guest.h"
#include "inst.h"
#include "lab.h"

#define PLANFIX_MAX 3 /* hosts and domains a fixture lab may have */

struct planfix {
	struct lab *lab;
	struct rt_inst in;
	struct rt_guest_opts opts;
	struct rt_guest_env env;
	char *images[PLANFIX_MAX];
	bool boot[PLANFIX_MAX], running[PLANFIX_MAX];
	bool hub_running[PLANFIX_MAX], nat_running[PLANFIX_MAX];
};

/* Write lab_yaml to DIR/lab/lab.yaml, load it and fill f (every host to boot). */
void planfix_load(void **state, struct planfix *f, const char *lab_yaml);
void planfix_unload(struct planfix *f);
/* Index of the word w in argv, or -1. */
int planfix_word(char *const *argv, const char *w);

#endif
