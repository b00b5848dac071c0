/*
 * tests/fuzz/fuzz_umlab_conf.c: libFuzzer target for the umlab.conf(5)
 * parser (rt/uconf.c), which reads a file any user may have copied from a
 * Netkit install. One input is one file; checks: no memory error, every
 * failure has a message naming the file, and whatever parsed is within
 * the bounds the parser promises.
 */
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "uconf.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct rt_uconf c;
	char *err = NULL;

	rt_uconf_init(&c);
	if (rt_uconf_parse(&c, "f.conf", (const char *)data, size, &err) < 0) {
		if (err == NULL || strncmp(err, "f.conf", 6) != 0)
			abort();
	} else {
		if (c.mem_mb < LAB_MEM_MIN_MB || c.mem_mb > LAB_MEM_MAX_MB || c.max_ifaces < 1 ||
		    c.max_ifaces > LAB_IFACES_MAX || c.term == NULL)
			abort();
		for (int k = 0; k < RT_UC_N; k++)
			free(rt_uconf_value(&c, (enum rt_uconf_key)k));
		free(err);
		err = NULL;
		rt_uconf_check(&c, &err);
	}
	free(err);
	rt_uconf_clear(&c);
	return 0;
}
