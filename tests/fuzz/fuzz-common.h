/*
 * tests/fuzz/fuzz-common.h: the body shared by the parser fuzz targets: parse
 * one buffer, run the file-system-free checks, format every diagnostic, free.
 */
#ifndef UMLAB_FUZZ_COMMON_H
#define UMLAB_FUZZ_COMMON_H

#include <stdlib.h>

#include "lab-int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Format every diagnostic of a list (exercises lab_error_format). */
static inline void
fuzz_format_all(const struct lab_error *e)
{
	for (; e != NULL; e = e->next)
		free(lab_error_format(e));
}

/*
 * One fuzz input through parser, validation and dependency order. For lab.dep
 * alone, hosts_from_deps makes every name a host, as host directories would,
 * so that cycles and waves are reached.
 */
static inline void
fuzz_one(void (*parse)(struct lab__ctx *, const char *, size_t, const char *), const char *file,
         const unsigned char *data, size_t size, bool hosts_from_deps)
{
	struct lab__ctx c;

	lab__ctx_init(&c);
	c.lab->name = xstrdup("fuzz");
	parse(&c, (const char *)data, size, file);
	for (size_t i = 0; hosts_from_deps && i < c.n_deps; i++) {
		lab__host_get(&c, c.deps[i].from, &c.deps[i].origin);
		lab__host_get(&c, c.deps[i].to, &c.deps[i].origin);
	}
	lab__finish_model(&c);
	if (c.errs == NULL) {
		unsigned int *wave = NULL;

		if (lab_waves(c.lab, &wave) < 0)
			abort(); /* finish_model must have reported the cycle */
		free(wave);
	}
	fuzz_format_all(c.errs);
	fuzz_format_all(c.lab->warnings);
	lab_error_free(c.errs);
	lab__ctx_done(&c, true);
}

#endif
