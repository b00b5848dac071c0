/*
 * cmd/cmd-vlist.c: vlist: the user's machines (Netkit's vlist): a table
 * of the running ones, every setting of the named ones, or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdrt.h"
#include "json.h"
#include "machines.h"
#include "vcommon.h"

enum { OPT_ALL = 256 };

static const struct option longopts[] = {
        {"no-header", no_argument, NULL, 'n'}, {"user", required_argument, NULL, 'u'},
        {"all", no_argument, NULL, OPT_ALL},   LCMD_JSON_LONGOPT,
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
};

/* Does the machine run (or boot, or sit paused)? */
static bool
running(const struct rt_machine_info *v)
{
	return v->pid > 0;
}

/* "eth0@A eth1@B", or "-". */
static void
print_ifaces(const struct rt_machine *mc)
{
	for (size_t k = 0; k < mc->n_ifaces; k++)
		printf("%seth%zu@%s", k ? " " : "", k, mc->ifaces[k]);
	if (mc->n_ifaces == 0)
		printf("-");
}

static void
print_table(const struct rt_machine_info *v, size_t n, bool all, bool header)
{
	unsigned long long total = 0;
	size_t shown = 0;
	int w = 7;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(v[i].mc.name) > w)
			w = (int)strlen(v[i].mc.name);
	if (header)
		printf("%-10s %-*s  %-14s %8s %10s  %s\n", "USER", w, "MACHINE", "STATE", "PID",
		       "MEMORY", "INTERFACES");
	for (size_t i = 0; i < n; i++) {
		char pid[16] = "-", mem[32] = "-";

		if (!all && !running(&v[i]))
			continue;
		shown++;
		total += v[i].mem_kb;
		if (v[i].pid > 0)
			snprintf(pid, sizeof(pid), "%d", (int)v[i].pid);
		if (v[i].mem_kb > 0)
			snprintf(mem, sizeof(mem), "%llu KB", v[i].mem_kb);
		printf("%-10s %-*s  %-14s %8s %10s  ", vcmd_user_name(), w, v[i].mc.name,
		       rt_hstate_name(v[i].state), pid, mem);
		print_ifaces(&v[i].mc);
		putchar('\n');
	}
	if (header)
		printf("\nTotal machines: %zu%s\nTotal memory:   %llu KB\n", shown,
		       all ? "" : " running", total);
}

/* Every setting of one machine. */
static void
print_detail(const struct rt_machine_info *v)
{
	const struct rt_machine *mc = &v->mc;

	printf("Machine:      %s (%s)\n", mc->name, rt_hstate_name(v->state));
	printf("Owner:        %s\n", vcmd_user_name());
	if (v->pid > 0)
		printf("PID:          %d (up %.0f s, %llu KB on the host)\n", (int)v->pid,
		       v->uptime, v->mem_kb);
	printf("Kernel:       %s\n", mc->kernel != NULL ? mc->kernel : "the default (lstart(1))");
	printf("Memory:       %u MB\n", mc->mem_mb);
	printf("Model fs:     %s%s%s%s\n", mc->model != NULL ? mc->model : "default",
	       v->image != NULL ? " (" : "", v->image != NULL ? v->image : "",
	       v->image != NULL ? ")" : "");
	printf("Filesystem:   %s%s\n",
	       mc->no_cow ? "none: the model filesystem itself (-W)"
	       : v->cow   ? v->cow
	                  : "-",
	       mc->hide_disk ? " (removed once running, -D)" : "");
	printf("Interfaces:   ");
	print_ifaces(mc);
	printf("\nHostlab:      %s\n", mc->hostlab != NULL ? mc->hostlab : "-");
	printf("Hosthome:     %s\n", mc->hosthome == RT_HOME_NO   ? "-"
	                             : mc->hosthome == RT_HOME_RO ? "read-only"
	                                                          : "read-write");
	printf("Hostwd:       %s\n", v->hostwd != NULL ? v->hostwd : "-");
	for (size_t i = 0; i < mc->n_execs; i++)
		printf("Boot command: %s\n", mc->execs[i]);
	printf("Console:      %s%s%s\n", rt_con_name(mc->con0), v->attach ? ": " : "",
	       v->attach ? v->attach : "");
	printf("Console log:  %s\n", v->console_log != NULL ? v->console_log : "-");
	for (size_t i = 0; i < mc->n_kargs; i++)
		printf("Kernel arg:   %s\n", mc->kargs[i]);
	printf("Mconsole:     %s\n\n", v->mconsole != NULL ? v->mconsole : "-");
}

static void
print_json(const struct rt_machine_info *v, size_t n, bool all, const char *labdir)
{
	struct json_out j;

	json_out_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_string(&j, "user", vcmd_user_name());
	json_string(&j, "labdir", labdir);
	json_begin_array(&j, "machines");
	for (size_t i = 0; i < n; i++) {
		const struct rt_machine *mc = &v[i].mc;

		if (!all && !running(&v[i]))
			continue;
		json_begin_object(&j, NULL);
		json_string(&j, "name", mc->name);
		json_string(&j, "state", rt_hstate_name(v[i].state));
		if (v[i].pid > 0)
			json_int(&j, "pid", v[i].pid);
		else
			json_null(&j, "pid");
		json_uint(&j, "memory_kb", v[i].mem_kb);
		json_uint(&j, "memory_mb", mc->mem_mb);
		json_double(&j, "uptime", v[i].uptime);
		json_begin_array(&j, "interfaces");
		for (size_t k = 0; k < mc->n_ifaces; k++) {
			char ifn[32];

			snprintf(ifn, sizeof(ifn), "eth%zu", k);
			json_begin_object(&j, NULL);
			json_string(&j, "name", ifn);
			json_string(&j, "domain", mc->ifaces[k]);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_string(&j, "kernel", mc->kernel);
		json_string(&j, "model_fs", mc->model != NULL ? mc->model : "default");
		json_string(&j, "image", v[i].image);
		json_string(&j, "cow", v[i].cow);
		json_bool(&j, "no_cow", mc->no_cow);
		json_bool(&j, "hide_disk", mc->hide_disk);
		json_string(&j, "hostlab", mc->hostlab);
		json_string(&j, "hosthome",
		            mc->hosthome == RT_HOME_NO   ? NULL
		            : mc->hosthome == RT_HOME_RO ? "ro"
		                                         : "rw");
		json_string(&j, "hostwd", v[i].hostwd);
		json_begin_array(&j, "exec");
		for (size_t k = 0; k < mc->n_execs; k++)
			json_string(&j, NULL, mc->execs[k]);
		json_end_array(&j);
		json_string(&j, "con0", rt_con_name(mc->con0));
		json_string(&j, "attach", v[i].attach);
		json_string(&j, "console_log", v[i].console_log);
		json_string(&j, "mconsole", v[i].mconsole);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_out_finish(&j);
}

static int
cmd_vlist_exec(struct lcmd_ctx *ctx, int argc, char **argv)
{
	struct lcmd_lab_opts lo = {0};
	struct rt_machines m = {.lockfd = -1};
	struct rt_machine_info *v = NULL;
	const char *user = NULL;
	bool header = true, all = false;
	size_t n = 0, named;
	char *err = NULL;
	int c, rc = LCMD_OK;

	while ((c = lcmd_getopt(ctx, argc, argv, ":nu:h", longopts, &lo)) != -1) {
		switch (c) {
		case LCMD_GETOPT_DONE:
			return ctx->status;
		case 'n':
			header = false;
			break;
		case 'u':
			user = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		}
	}
	if (vcmd_user(ctx, user, true) != 0)
		return ctx->status;
	named = (size_t)(argc - optind);
	if (rt_machines_open(&m, false, &err) < 0)
		return cmdrt_fail(ctx, err);
	if (rt_machines_info(&m, argv + optind, named, &v, &n, &err) < 0) {
		rc = cmdrt_fail(ctx, err);
	} else if (lo.json) {
		print_json(v, n, all || named > 0, m.labdir);
	} else if (named > 0) {
		for (size_t i = 0; i < n; i++)
			print_detail(&v[i]);
	} else {
		print_table(v, n, all, header);
	}
	rt_machines_info_free(v, n);
	rt_machines_close(&m);
	return rc;
}

const struct lcmd_entry cmd_vlist_entry = {
        .name = "vlist",
        .summary = "list your running machines (Netkit's vlist), or show one in detail",
        .usage = "[-n] [-u USER] [--all] [--json] [MACHINE...]",
        .help = "  -n, --no-header      no header line and no totals\n"
                "  -u, --user USER      only yourself (USER, or '-' for all users, shows "
                "yours)\n"
                "      --all            halted machines too\n"
                "      --json           print the machines as JSON\n"
                "  -h, --help           this help\n"
                "  MACHINE...           every setting of these machines\n",
        .exec = cmd_vlist_exec,
};
