/*
 * rt/machine-ops.c: vhalt's, vcrash's, vlist's and vclean's verbs on the
 * machines instance (machines.h): the lab verbs of rt.h, plus what only
 * machines have (a COW file of -f elsewhere, the records).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cow.h"
#include "hubs.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "machines.h"
#include "safefile.h"
#include "xalloc.h"

/* Report a progress line, if anyone listens. */
static void __attribute__((format(printf, 2, 3)))
say(const struct rt_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (rep == NULL || rep->progress == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rep->progress(rep->ctx, msg);
	free(msg);
}

/* Remove a -f COW file, only if it still is one (the path is the user's). */
static void
remove_cow(const char *path, const struct rt_report *rep)
{
	struct rt_cow cow;

	if (rt_cow_read(path, &cow, NULL) < 0)
		return;
	rt_cow_clear(&cow);
	if (unlink(path) < 0)
		rt_report_warn(rep, "cannot remove %s: %s", path, strerror(errno));
}

int
rt_machines_halt(const struct rt_machines *m, char **names, size_t n, const struct rt_halt_opts *o,
                 const struct rt_report *rep, struct lab **lab, struct rt_result *res, char **err)
{
	struct rt_halt_opts ho = *o;
	bool remove = o->crash ? !o->keep_fs : o->remove_fs;
	int rc;

	memset(res, 0, sizeof(*res));
	*lab = NULL;
	for (size_t i = 0; i < n; i++) {
		struct rt_machine mc;
		int r = rt_machine_read(m, names[i], &mc, err);

		rt_machine_clear(&mc);
		if (r <= 0)
			return r < 0 ? -1
			             : rt_fail(err, "no machine '%s' (vlist --all lists them)",
			                       names[i]);
	}
	if (rt_machines_lab(m, lab, err) < 0)
		return -1;
	if (*lab == NULL)
		return rt_fail(err, "no machines: vstart starts one");
	ho.hosts = names;
	ho.n_hosts = n;
	if ((rc = rt_lab_halt(*lab, &ho, rep, res, err)) < 0 || !remove)
		return rc;
	/* The runtime removed HOSTWD/NAME/NAME.disk; a -f file is ours to remove too. */
	for (size_t i = 0; i < (*lab)->n_hosts; i++) {
		struct rt_machine mc;

		if (res->hosts[i].state == RT_H_UNSELECTED || res->hosts[i].state == RT_H_FAILED ||
		    rt_machine_read(m, (*lab)->hosts[i].name, &mc, NULL) <= 0)
			continue;
		if (mc.cow != NULL)
			remove_cow(mc.cow, rep);
		rt_machine_clear(&mc);
	}
	return 0;
}

/* Fill one machine's information. */
static void
info_one(const struct rt_inst *in, const struct lab *lab, struct rt_machine_info *v)
{
	const char *name = v->mc.name;
	unsigned long long start;

	v->state = RT_H_ABSENT;
	if (in == NULL || lab_host_find(lab, name) == NULL)
		return;
	v->state = rt_host_state(in, name, &v->pid);
	if (v->pid > 0 && rt_proc_start_time(v->pid, &start) == 0) {
		v->uptime = rt_proc_uptime(start);
		v->mem_kb = rt_proc_tree_mem_kb(v->pid);
	}
	v->image = rt_locate_image(v->mc.model, NULL);
	if (!v->mc.no_cow)
		v->cow = v->mc.cow != NULL ? xstrdup(v->mc.cow)
		                           : rt_gwd_path(in, name, "%s.disk", name);
	v->mconsole = rt_mconsole_path(in, name);
	v->console_log = rt_wd_path(in, "%s.console.log", name);
	v->hostwd = rt_gwd(in, name);
	{
		char *sock = rt_tmux_sock(in);

		v->attach = rt_tmux_attach_cmd(sock, name);
		free(sock);
	}
}

int
rt_machines_info(const struct rt_machines *m, char **names, size_t n, struct rt_machine_info **out,
                 size_t *n_out, char **err)
{
	char **all = n == 0 ? rt_machines_names(m) : NULL;
	struct lab *lab = NULL;
	struct rt_inst in;
	bool have_in = false;
	size_t count = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (all != NULL) {
		names = all;
		while (names[n] != NULL)
			n++;
	}
	if (rt_machines_lab(m, &lab, err) < 0) {
		argv_free(all);
		return -1;
	}
	if (lab != NULL && rt_inst_init(&in, lab, NULL, err) == 0)
		have_in = true;
	else if (lab != NULL)
		rc = -1;
	*out = xcalloc(n + 1, sizeof(**out));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct rt_machine_info *v = &(*out)[count];
		int r = rt_machine_read(m, names[i], &v->mc, err);

		if (r < 0) {
			rc = -1;
		} else if (r == 0) {
			rc = rt_fail(err, "no machine '%s' (vlist --all lists them)", names[i]);
		} else {
			info_one(have_in ? &in : NULL, lab, v);
			count++;
		}
	}
	*n_out = count;
	if (have_in)
		rt_inst_clear(&in);
	lab_free(lab);
	argv_free(all);
	return rc;
}

void
rt_machines_info_free(struct rt_machine_info *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		rt_machine_clear(&v[i].mc);
		free(v[i].image);
		free(v[i].cow);
		free(v[i].mconsole);
		free(v[i].console_log);
		free(v[i].attach);
		free(v[i].hostwd);
	}
	free(v);
}

/* Is domain used by a running machine of the lab? */
static bool
domain_used(const struct rt_inst *in, const struct lab *lab, const char *domain)
{
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		enum rt_hstate st = rt_host_state(in, h->name, NULL);

		if (st != RT_H_READY && st != RT_H_BOOTING && st != RT_H_STARTUP_FAILED &&
		    st != RT_H_PAUSED)
			continue;
		for (size_t k = 0; k < h->n_ifaces; k++)
			if (strcmp(h->ifaces[k].domain, domain) == 0)
				return true;
	}
	return false;
}

/* -K: crash every running machine, keeping its COW file. */
static int
kill_machines(const struct lab *lab, const struct rt_inst *in, bool test,
              const struct rt_report *rep, char **err)
{
	struct rt_halt_opts ho = {.crash = true, .keep_fs = true};
	struct rt_result res;
	size_t running = 0;
	int rc;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		pid_t pid = 0;

		rt_host_state(in, lab->hosts[i].name, &pid);
		if (pid <= 0)
			continue;
		running++;
		say(rep, "%s machine %s (pid %d)", test ? "would crash" : "crashing",
		    lab->hosts[i].name, (int)pid);
	}
	if (test || running == 0)
		return 0;
	rc = rt_lab_halt(lab, &ho, rep, &res, err);
	if (rc == 0 && !res.ok)
		rc = rt_fail(err, "some machines could not be stopped");
	rt_result_clear(&res);
	return rc;
}

/* -H (the default): stop hubs no running machine uses; -f: every hub. */
static void
stop_hubs(const struct lab *lab, const struct rt_inst *in, bool all, bool test,
          const struct rt_report *rep)
{
	char **stop = NULL;
	size_t n = 0;

	for (size_t d = 0; d < lab->n_domains; d++) {
		const char *name = lab->domains[d].name;
		bool used;

		if (!rt_hub_running(in, name))
			continue;
		used = domain_used(in, lab, name);
		if (used && !all)
			continue;
		say(rep, "%s hub %s%s", test ? "would stop" : "stopping", name,
		    used ? " (its machines' interfaces lose their link)" : " (unused)");
		strv_push(&stop, &n, name);
	}
	if (!test && n > 0)
		rt_hubs_stop(in, stop, n);
	strv_free(stop, n);
	/* What nothing uses any more: the tmux server and empty directories too. */
	if (!test)
		rt_inst_gc(in, rep);
}

int
rt_machines_clean(struct rt_machines *m, const struct rt_vclean_opts *o,
                  const struct rt_report *rep, char **err)
{
	struct lab *lab = NULL;
	struct rt_inst in;
	bool have_in = false;
	char *lerr = NULL;
	int rc = 0;

	if (rt_machines_lab(m, &lab, &lerr) < 0 && !o->directories) {
		if (err != NULL)
			*err = lerr;
		else
			free(lerr);
		return -1;
	}
	if (lab != NULL) {
		if (rt_inst_init(&in, lab, NULL, err) < 0) {
			lab_free(lab);
			free(lerr);
			return -1;
		}
		have_in = true;
	}
	if (have_in && (o->kill_machines || o->directories))
		rc = kill_machines(lab, &in, o->test, rep, err);
	if (rc == 0 && have_in)
		stop_hubs(lab, &in, o->all_hubs || o->kill_machines || o->directories, o->test,
		          rep);
	if (rc == 0 && o->remove_tunnels)
		rc = rt_machines_tap_clean(rep, err);
	if (rc == 0 && o->directories) {
		char **names = rt_machines_names(m);

		/* -f files are the user's, named by the user: they stay. */
		for (size_t i = 0; names[i] != NULL; i++) {
			struct rt_machine mc;

			if (rt_machine_read(m, names[i], &mc, NULL) > 0 && mc.cow != NULL)
				say(rep, "keeping %s's COW file %s (-f: yours to remove)", names[i],
				    mc.cow);
			rt_machine_clear(&mc);
		}
		argv_free(names);
		if (have_in)
			say(rep, "%s %s and %s", o->test ? "would remove" : "removing", in.hostwd,
			    in.dir);
		say(rep, "%s %s", o->test ? "would remove" : "removing", m->state);
		if (!o->test) {
			if (lab != NULL)
				rc = rt_lab_clean(lab, NULL, NULL, 0, rep, err);
			else if (lerr != NULL)
				/* lab.yaml broken: what its instance left, found from the
				 * directory. */
				rt_lab_clean_dir(m->labdir, NULL, NULL, 0, rep, NULL);
			if (rc == 0 && rt_sf_remove_path(m->state) < 0 && errno != ENOENT)
				rc = rt_fail_errno(err, errno, "cannot remove %s", m->state);
		}
	}
	if (have_in)
		rt_inst_clear(&in);
	lab_free(lab);
	free(lerr);
	return rc;
}
