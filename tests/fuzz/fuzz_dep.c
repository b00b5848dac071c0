/* tests/fuzz/fuzz_dep.c: libFuzzer target for the lab.dep parser. */
#include "fuzz-common.h"

/* libFuzzer entry point: one input is one lab.dep. */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	fuzz_one(lab__parse_dep_buf, "lab.dep", data, size, true);
	return 0;
}
