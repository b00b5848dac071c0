/*
 * rt/agent-files.c: the names of lexec's files in a lab instance
 * (RUNDIR/ID.h/agent/HOST.in, .out, .sock; see lexec/include/lexec.h), and their removal
 * when the guest or the whole instance goes.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt.h"
#include "xalloc.h"

char *
rt_agent_path(const struct rt_inst *in, const char *host, const char *suffix)
{
	return rt_host_path(in, "agent/%s%s", host, suffix);
}

void
rt_agent_clean(const struct rt_inst *in, const char *host)
{
	static const char *const sfx[] = {".in", ".out", ".sock"};
	char *dir = rt_host_path(in, "agent");

	if (host != NULL) {
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			char *p = rt_agent_path(in, host, sfx[i]);

			unlink(p);
			free(p);
		}
	} else {
		DIR *d = opendir(dir);
		struct dirent *de;

		/* Only our own flat files live here. */
		while (d != NULL && (de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				unlinkat(dirfd(d), de->d_name, 0);
		if (d != NULL)
			closedir(d);
		rmdir(dir);
	}
	free(dir);
}
