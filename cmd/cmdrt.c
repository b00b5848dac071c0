/*
 * cmd/cmdrt.c: shared plumbing of the runtime commands (see cmdrt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locate.h"
#include "rt.h"
#include "cmdrt.h"
#include "hubstate.h"
#include "json.h"
#include "lab.h"
#include "xalloc.h"

int
cmdrt_load(struct lcmd_ctx *ctx, const char *dir, bool quiet, struct lab **out)
{
	struct lab_error *errs = NULL;

	if (lab_load(dir != NULL ? dir : ".", out, &errs) < 0) {
		for (const struct lab_error *e = errs; e != NULL; e = e->next) {
			char *msg = lab_error_format(e);

			lcmd_error(ctx, "%s", msg);
			free(msg);
		}
		if (errs == NULL)
			lcmd_error(ctx, "cannot load the lab in %s", dir != NULL ? dir : ".");
		lab_error_free(errs);
		return -1;
	}
	for (const struct lab_error *e = (*out)->warnings; !quiet && e != NULL; e = e->next) {
		char *msg = lab_error_format(e);

		lcmd_warn(ctx, "%s", msg);
		free(msg);
	}
	return 0;
}

int
cmdrt_halt_opt(struct lcmd_ctx *ctx, int c, const char *arg, struct rt_halt_opts *o)
{
	char *end;

	switch (c) {
	case 'r':
		o->remove_fs = true;
		return 1;
	case 'q':
		o->wait_s = 0;
		return 1;
	case 'F':
		o->keep_fs = true;
		return 1;
	case CMDRT_OPT_WAIT:
		o->wait_s = (unsigned int)strtoul(arg, &end, 10);
		if (*arg == '\0' || *end != '\0') {
			lcmd_usage_error(ctx, "bad --wait '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

#define FAILURE_TAIL_LINES 15

void
cmdrt_print_failure_logs(const struct rt_result *res, const char *name,
                         const struct rt_host_result *hr)
{
	char *f;

	fprintf(stderr, "\n%s: %s%s%s\n", name, rt_hstate_name(hr->state), hr->detail ? ": " : "",
	        hr->detail ? hr->detail : "");
	f = rt_wd_path(&res->inst, "%s.console.log", name);
	fprintf(stderr, "  last lines of %s:\n", f);
	if (!rt_tail(stderr, f, FAILURE_TAIL_LINES, "    | "))
		fprintf(stderr, "    (no console output)\n");
	free(f);
	f = rt_gwd_path(&res->inst, name, "%s.startup.log", name);
	fprintf(stderr, "  last lines of %s:\n", f);
	if (!rt_tail(stderr, f, FAILURE_TAIL_LINES, "    | "))
		fprintf(stderr, "    (no startup log)\n");
	free(f);
}

int
cmdrt_force_kernel(struct lcmd_ctx *ctx, struct lab *lab, const char *kernel)
{
	char *err = NULL, *path;

	if (kernel == NULL)
		return 0;
	if ((path = rt_locate_kernel(kernel, &err)) == NULL) {
		cmdrt_fail(ctx, err);
		return -1;
	}
	/* A path is the caller's (relative to the working directory), a name stays a name. */
	for (size_t i = 0; i < lab->n_hosts; i++) {
		free(lab->hosts[i].kernel);
		lab->hosts[i].kernel = xstrdup(strchr(kernel, '/') != NULL ? path : kernel);
	}
	free(path);
	return 0;
}

/* Progress line on stderr. */
static void
report_progress(void *ctx, const char *msg)
{
	struct lcmd_ctx *c = ctx;

	fprintf(stderr, "%s: %s\n", c->entry->name, msg);
}

/* Warning through the command. */
static void
report_warn(void *ctx, const char *msg)
{
	lcmd_warn(ctx, "%s", msg);
}

struct rt_report
cmdrt_report(struct lcmd_ctx *ctx, bool progress)
{
	return (struct rt_report){
	        .ctx = ctx,
	        .progress = progress ? report_progress : NULL,
	        .warn = report_warn,
	};
}

/* "1h02m", "3m05s", "12.3s". */
static void
fmt_secs(char *buf, size_t n, double s)
{
	if (s >= 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, n, "%.1fs", s);
}

void
cmdrt_print_table(const struct lab *lab, const struct rt_result *res, bool uptime)
{
	int w = 4;

	for (size_t i = 0; i < lab->n_hosts; i++)
		if ((int)strlen(lab->hosts[i].name) > w)
			w = (int)strlen(lab->hosts[i].name);
	printf("%-*s  %-14s  %7s  %8s  %s\n", w, "HOST", "STATE", uptime ? "UPTIME" : "TIME", "PID",
	       uptime ? "MEMORY  INTERFACES" : "DETAIL");
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct rt_host_result *hr = &res->hosts[i];
		const struct lab_host *h = &lab->hosts[i];
		char t[32] = "-", pid[16] = "-";

		if (hr->state == RT_H_UNSELECTED)
			continue;
		if (hr->secs > 0)
			fmt_secs(t, sizeof(t), hr->secs);
		if (hr->pid > 0)
			snprintf(pid, sizeof(pid), "%d", (int)hr->pid);
		printf("%-*s  %-14s  %7s  %8s  ", w, h->name, rt_hstate_name(hr->state), t, pid);
		if (uptime) {
			if (hr->mem_kb > 0)
				printf("%4lluM  ", hr->mem_kb / 1024);
			else
				printf("%5s  ", "-");
			char *file = xstrdup(""), *running = NULL;

			for (size_t k = 0; k < h->n_ifaces; k++) {
				char *f = xasprintf("%s%seth%u@%s", file, k ? " " : "",
				                    h->ifaces[k].index, h->ifaces[k].domain);
				free(file);
				file = f;
			}
			/* What runs, which the lab file may no longer say. */
			if (hr->pid > 0)
				running = rt_host_plugged(&res->inst, h->name);
			if (running != NULL && strcmp(running, file) != 0)
				printf("%s  (lab file: %s)", running, *file ? file : "none");
			else
				printf("%s", file);
			if (hr->detail != NULL)
				printf("%s(%s)", *file ? "  " : "", hr->detail);
			free(running);
			free(file);
		} else if (hr->detail != NULL) {
			printf("%s", hr->detail);
		}
		putchar('\n');
	}
}

/* The lab's hubs: running or not, clients and totals, and what is in force
 * on their links (llink(1)). */
static void
json_hubs(struct json_out *j, const struct lab *lab, const struct rt_inst *in)
{
	json_begin_array(j, "hubs");
	for (size_t d = 0; d < lab->n_domains; d++) {
		const char *name = lab->domains[d].name;
		bool up = rt_hub_running(in, name);
		struct hubstate_totals t;
		char *dir = rt_hub_dir(in, name), *links = NULL;

		json_begin_object(j, NULL);
		json_string(j, "domain", name);
		json_bool(j, "running", up);
		json_string(j, "dir", dir);
		if (up && hubstate_totals(in, name, &t)) {
			json_uint(j, "clients", t.clients);
			json_uint(j, "frames_in", t.frames);
			json_uint(j, "drops", t.drops);
			links = hubstate_summary(lab, in, d);
			json_string(j, "links", links);
		}
		json_end_object(j);
		free(links);
		free(dir);
	}
	json_end_array(j);
}

void
cmdrt_print_json(const struct lab *lab, const struct rt_result *res, const char *command)
{
	struct json_out j;
	char *sock = rt_tmux_sock(&res->inst);

	json_out_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_string(&j, "command", command);
	json_string(&j, "lab", lab->name);
	json_string(&j, "labdir", res->inst.labdir);
	json_string(&j, "hostwd", res->inst.hostwd);
	json_string(&j, "rundir", res->inst.dir);
	json_string(&j, "tmux", sock);
	json_bool(&j, "ok", res->ok);
	if (res->parallel > 0)
		json_uint(&j, "parallel", res->parallel);
	json_begin_array(&j, "hosts");
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct rt_host_result *hr = &res->hosts[i];
		const struct lab_host *h = &lab->hosts[i];
		char *f;

		if (hr->state == RT_H_UNSELECTED)
			continue;
		json_begin_object(&j, NULL);
		json_string(&j, "name", h->name);
		json_string(&j, "state", rt_hstate_name(hr->state));
		if (hr->pid > 0)
			json_int(&j, "pid", hr->pid);
		else
			json_null(&j, "pid");
		json_double(&j, "seconds", hr->secs);
		if (hr->mem_kb > 0)
			json_uint(&j, "memory_kb", hr->mem_kb);
		json_string(&j, "detail", hr->detail);
		json_begin_array(&j, "interfaces");
		for (size_t k = 0; k < h->n_ifaces; k++) {
			char ifn[16];

			snprintf(ifn, sizeof(ifn), "eth%u", h->ifaces[k].index);
			json_begin_object(&j, NULL);
			json_string(&j, "name", ifn);
			json_string(&j, "domain", h->ifaces[k].domain);
			json_end_object(&j);
		}
		json_end_array(&j);
		f = rt_wd_path(&res->inst, "%s.console.log", h->name);
		json_string(&j, "console_log", f);
		free(f);
		f = rt_gwd_path(&res->inst, h->name, "%s.startup.log", h->name);
		json_string(&j, "startup_log", f);
		free(f);
		f = rt_tmux_attach_cmd(sock, h->name);
		json_string(&j, "attach", f);
		free(f);
		json_end_object(&j);
	}
	json_end_array(&j);
	if (strcmp(command, "lstatus") == 0)
		json_hubs(&j, lab, &res->inst);
	json_end_object(&j);
	json_out_finish(&j);
	free(sock);
}

int
cmdrt_fail(struct lcmd_ctx *ctx, char *err)
{
	lcmd_error(ctx, "%s", err != NULL ? err : "failed");
	free(err);
	return LCMD_FAIL;
}
