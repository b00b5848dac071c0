/* tests/fuzz/fuzz_yaml.c: libFuzzer target for the lab.yaml parser. */
#include "fuzz-common.h"

/* libFuzzer entry point: one input is one lab.yaml. */
int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	fuzz_one(lab__parse_yaml_buf, "lab.yaml", data, size, false);
	return 0;
}
