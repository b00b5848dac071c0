/*
 * rt/status.c: lstatus's verb: each host's state, pid, uptime and memory,
 * from pid files, /proc and hostwd; nothing is started or changed.
 */
#include <stdlib.h>
#include <string.h>

#include "hostwd.h"
#include "lab.h"
#include "proc.h"
#include "rt.h"
#include "xalloc.h"

int
rt_lab_status(const struct lab *lab, const char *opt_w, struct rt_result *res, char **err)
{
	struct rt_inst *in = &res->inst;

	memset(res, 0, sizeof(*res));
	res->n_hosts = lab->n_hosts;
	res->hosts = xcalloc(lab->n_hosts, sizeof(*res->hosts));
	if (rt_inst_init(in, lab, opt_w, err) < 0)
		return -1;
	res->ok = true;
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct rt_host_result *hr = &res->hosts[i];
		const char *name = lab->hosts[i].name;
		unsigned long long start;
		struct rt_marker m;

		hr->state = rt_host_state(in, name, &hr->pid);
		if (hr->pid > 0 && rt_proc_start_time(hr->pid, &start) == 0) {
			hr->secs = rt_proc_uptime(start);
			hr->mem_kb = rt_proc_tree_mem_kb(hr->pid);
		}
		if (hr->state == RT_H_STARTUP_FAILED && rt_marker_read(in, name, &m) == 0)
			hr->detail =
			        xasprintf("%s exited with status %d",
			                  m.failed_script[0] ? m.failed_script : "a startup script",
			                  m.startup_status);
		else if (hr->state == RT_H_PAUSED)
			hr->detail = xasprintf("frozen by lpause; lresume %s", name);
		else if (hr->state == RT_H_CRASHED)
			hr->detail = xstrdup("the guest died without lhalt or lcrash");
		if (hr->state == RT_H_CRASHED || hr->state == RT_H_STARTUP_FAILED)
			res->ok = false;
	}
	return 0;
}
