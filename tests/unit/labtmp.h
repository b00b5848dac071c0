/*
 * tests/unit/labtmp.h: a fresh lab directory per test (cmocka fixture) and
 * helpers to fill it, load it and look for a diagnostic.
 */
#ifndef UMLAB_LABTMP_H
#define UMLAB_LABTMP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lab.h"

/* What a test's state points to. */
struct labtmp {
	char dir[256];
	struct lab *lab;
	struct lab_error *errs;
};

/* cmocka setup/teardown: mkdtemp, then remove the tree and free the lab. */
int labtmp_setup(void **state);
int labtmp_teardown(void **state);

/* Write (or overwrite) a file relative to the lab directory; parents are created. */
void lt_write(void **state, const char *rel, const char *text);
void lt_mkdir(void **state, const char *rel);
void lt_symlink(void **state, const char *target, const char *rel);
void lt_chmod(void **state, const char *rel, unsigned int mode);
/* lab_load on the directory; the result stays in the state for teardown. */
int lt_load(void **state);
/* The first diagnostic with this code (in errs, or warnings when loaded), or NULL. */
const struct lab_error *lt_find(const struct lab_error *list, enum lab_error_code code);
/* Does some diagnostic of code have msg containing needle, and this line (0: any)? */
bool lt_has(const struct lab_error *list, enum lab_error_code code, unsigned int line,
            const char *needle);
/* Print a list, to understand a failing test. */
void lt_dump(const struct lab_error *list);

/* Assert helpers with a dump when they fail. */
#define LT_LOAD_OK(state)                                                                          \
	do {                                                                                       \
		int rc_ = lt_load(state);                                                          \
		if (rc_ != 0)                                                                      \
			lt_dump(((struct labtmp *)*(state))->errs);                                \
		assert_int_equal(rc_, 0);                                                          \
	} while (0)
#define LT_LOAD_FAILS(state)                                                                       \
	do {                                                                                       \
		int rc_ = lt_load(state);                                                          \
		assert_int_equal(rc_, -1);                                                         \
	} while (0)
#define LT_ERRS(state) (((struct labtmp *)*(state))->errs)
#define LT_LAB(state)  (((struct labtmp *)*(state))->lab)
#define LT_EXPECT(state, code, line, needle)                                                       \
	do {                                                                                       \
		if (!lt_has(LT_ERRS(state), code, line, needle)) {                                 \
			lt_dump(LT_ERRS(state));                                                   \
			fail_msg("no diagnostic %d at line %u with '%s'", (int)(code),             \
			         (unsigned int)(line), needle);                                    \
		}                                                                                  \
	} while (0)
#define LT_WARNS(state, code, line, needle)                                                        \
	do {                                                                                       \
		if (!lt_has(LT_LAB(state)->warnings, code, line, needle)) {                        \
			lt_dump(LT_LAB(state)->warnings);                                          \
			fail_msg("no warning %d at line %u with '%s'", (int)(code),                \
			         (unsigned int)(line), needle);                                    \
		}                                                                                  \
	} while (0)

#endif
