/* tests/fuzz/fuzz_conf.c: libFuzzer target for the lab.conf parser. */
#include "fuzz-common.h"

/* libFuzzer entry point: one input is one lab.conf. */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	fuzz_one(lab__parse_conf_buf, "lab.conf", data, size, false);
	return 0;
}
