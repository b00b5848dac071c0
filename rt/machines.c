/*
 * rt/machines.c: the machines instance (machines.h): its directories and
 * lock, the per-machine records, and the lab.yaml generated from them.
 *
 * A record, STATE/umlab/machines/vm/NAME, is what vstart was given, as
 * KEY=VALUE lines (eth, karg and exec repeat, in order). lab/lab.yaml is
 * never edited: every change rewrites the record, then the whole file from
 * all records, so it cannot drift from them. Neither is a user file; both
 * live in the user's own state directory, out of every guest's reach except
 * lab/ itself, which guests see read-only as /hostlab.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inst.h"
#include "lab.h"
#include "machines-int.h"
#include "machines.h"
#include "paths.h"
#include "safefile.h"
#include "xalloc.h"

#define RECORD_MAX (64u * 1024)

void
rt_machine_clear(struct rt_machine *mc)
{
	free(mc->name);
	free(mc->kernel);
	free(mc->model);
	strv_free(mc->ifaces, mc->n_ifaces);
	strv_free(mc->kargs, mc->n_kargs);
	strv_free(mc->execs, mc->n_execs);
	free(mc->cow);
	free(mc->hostlab);
	memset(mc, 0, sizeof(*mc));
}

int
rt_machines_open(struct rt_machines *m, bool lock, char **err)
{
	char *labs = rt_hostwd_parent(err), *slash, *vm = NULL, *lf = NULL;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	m->lockfd = -1;
	if (labs == NULL)
		return -1;
	/* STATE/umlab/labs holds the labs' hostwds; STATE/umlab/machines is ours. */
	slash = strrchr(labs, '/');
	*slash = '\0';
	m->state = xasprintf("%s/machines", labs);
	m->labdir = xasprintf("%s/lab", m->state);
	free(labs);
	if (!lock)
		return 0;
	vm = xasprintf("%s/vm", m->state);
	lf = xasprintf("%s/lock", m->state);
	if (rt_mkdir_private(m->state, err) < 0 || rt_mkdir_private(m->labdir, err) < 0 ||
	    rt_mkdir_private(vm, err) < 0)
		goto out;
	for (;;) {
		struct stat held, now;

		if ((m->lockfd = open(lf, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
			rt_fail_errno(err, errno, "cannot open %s", lf);
			goto out;
		}
		while (flock(m->lockfd, LOCK_EX) < 0)
			if (errno != EINTR) {
				rt_fail_errno(err, errno, "cannot lock %s", lf);
				goto out;
			}
		/* vclean --clean-directories removed it all while we waited: again. */
		if (fstat(m->lockfd, &held) == 0 && stat(lf, &now) == 0 &&
		    held.st_ino == now.st_ino && held.st_dev == now.st_dev)
			break;
		close(m->lockfd);
		m->lockfd = -1;
		if (rt_mkdir_private(m->state, err) < 0 || rt_mkdir_private(m->labdir, err) < 0 ||
		    rt_mkdir_private(vm, err) < 0)
			goto out;
	}
	rc = 0;
out:
	free(vm);
	free(lf);
	return rc;
}

void
rt_machines_unlock(struct rt_machines *m)
{
	if (m->lockfd >= 0)
		close(m->lockfd);
	m->lockfd = -1;
}

void
rt_machines_close(struct rt_machines *m)
{
	rt_machines_unlock(m);
	free(m->state);
	free(m->labdir);
	memset(m, 0, sizeof(*m));
	m->lockfd = -1;
}

/* STATE/vm/NAME; caller frees. */
static char *
record_path(const struct rt_machines *m, const char *name)
{
	return xasprintf("%s/vm/%s", m->state, name);
}

/* A record value: printable ASCII (a line of its own, a word or a command). */
static bool
value_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < ' ' || *p >= 0x7f)
			return false;
	return true;
}

/* Is v Netkit's tap,TAP,GUEST (checked as vstart checked it)? */
static bool
is_tap(const char *v)
{
	return strncmp(v, "tap,", 4) == 0 && rt_machine_tap(v, NULL) == 0;
}

/* Apply one KEY=VALUE line of a record; -1 for what vstart never writes. */
static int
record_line(struct rt_machine *mc, const char *k, const char *v)
{
	char *end;

	if (strcmp(k, "mem") == 0) {
		unsigned long mb = strtoul(v, &end, 10);

		if (*end != '\0' || mb < LAB_MEM_MIN_MB || mb > LAB_MEM_MAX_MB)
			return -1;
		mc->mem_mb = (unsigned int)mb;
	} else if (strcmp(k, "kernel") == 0 && v[0] != '\0') {
		free(mc->kernel);
		mc->kernel = xstrdup(v);
	} else if (strcmp(k, "model") == 0 && v[0] != '\0') {
		free(mc->model);
		mc->model = xstrdup(v);
	} else if (strcmp(k, "eth") == 0 && (lab_name_valid(v) || is_tap(v)) &&
	           mc->n_ifaces < LAB_IFACES_MAX) {
		strv_push(&mc->ifaces, &mc->n_ifaces, v);
	} else if (strcmp(k, "karg") == 0 && lab_karg_valid(v)) {
		strv_push(&mc->kargs, &mc->n_kargs, v);
	} else if (strcmp(k, "exec") == 0) {
		strv_push(&mc->execs, &mc->n_execs, v);
	} else if (strcmp(k, "cow") == 0 && v[0] == '/') {
		free(mc->cow);
		mc->cow = xstrdup(v);
	} else if (strcmp(k, "hostlab") == 0 && v[0] == '/') {
		free(mc->hostlab);
		mc->hostlab = xstrdup(v);
	} else if ((strcmp(k, "no_cow") == 0 || strcmp(k, "hide_disk") == 0 ||
	            strcmp(k, "verbose") == 0) &&
	           strcmp(v, "1") == 0) {
		*(k[0] == 'n' ? &mc->no_cow : k[0] == 'h' ? &mc->hide_disk : &mc->verbose) = true;
	} else if (strcmp(k, "hosthome") == 0 && (strcmp(v, "ro") == 0 || strcmp(v, "rw") == 0)) {
		mc->hosthome = v[1] == 'w' ? RT_HOME_RW : RT_HOME_RO;
	} else if (strcmp(k, "con0") == 0 && rt_con_parse(v, false, &mc->con0, NULL) == 0) {
		/* set by rt_con_parse */
	} else {
		return -1;
	}
	return 0;
}

int
rt_machine_read(const struct rt_machines *m, const char *name, struct rt_machine *mc, char **err)
{
	char *path, *text, *save = NULL;
	size_t len;
	int dfd, e;

	memset(mc, 0, sizeof(*mc));
	if (!lab_name_valid(name))
		return 0;
	path = record_path(m, name);
	dfd = rt_sf_opendir_path(m->state);
	errno = 0;
	text = dfd >= 0 ? rt_sf_read(dfd, path + strlen(m->state) + 1, RECORD_MAX, &len) : NULL;
	e = errno;
	if (dfd >= 0)
		close(dfd);
	if (text == NULL) {
		free(path);
		if (dfd < 0 || e == ENOENT || e == ENOTDIR)
			return 0;
		return rt_fail_errno(err, e, "cannot read the record of machine %s", name);
	}
	mc->name = xstrdup(name);
	for (char *l = strtok_r(text, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (l[0] == '#')
			continue;
		if (eq == NULL || (*eq = '\0', !value_ok(eq + 1)) ||
		    record_line(mc, l, eq + 1) < 0) {
			rt_fail(err,
			        "%s: a line umlab did not write ('%s'); vclean "
			        "--clean-directories removes the machines' state",
			        path, l);
			free(text);
			free(path);
			rt_machine_clear(mc);
			return -1;
		}
	}
	free(text);
	free(path);
	return 1;
}

/* The record's text. */
static char *
record_text(const struct rt_machine *mc)
{
	char *t = xasprintf("# vstart's settings of machine %s (see runtime-layout.md)\nmem=%u\n",
	                    mc->name, mc->mem_mb),
	     *n;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		char *line_ = xasprintf(__VA_ARGS__);                                              \
		n = xasprintf("%s%s", t, line_);                                                   \
		free(line_);                                                                       \
		free(t);                                                                           \
		t = n;                                                                             \
	} while (0)
	if (mc->kernel != NULL)
		ADD("kernel=%s\n", mc->kernel);
	if (mc->model != NULL)
		ADD("model=%s\n", mc->model);
	for (size_t i = 0; i < mc->n_ifaces; i++)
		ADD("eth=%s\n", mc->ifaces[i]);
	for (size_t i = 0; i < mc->n_kargs; i++)
		ADD("karg=%s\n", mc->kargs[i]);
	for (size_t i = 0; i < mc->n_execs; i++)
		ADD("exec=%s\n", mc->execs[i]);
	if (mc->cow != NULL)
		ADD("cow=%s\n", mc->cow);
	if (mc->no_cow)
		ADD("no_cow=1\n");
	if (mc->hide_disk)
		ADD("hide_disk=1\n");
	if (mc->hostlab != NULL)
		ADD("hostlab=%s\n", mc->hostlab);
	if (mc->hosthome != RT_HOME_NO)
		ADD("hosthome=%s\n", mc->hosthome == RT_HOME_RW ? "rw" : "ro");
	if (mc->verbose)
		ADD("verbose=1\n");
	ADD("con0=%s\n", rt_con_name(mc->con0));
#undef ADD
	return t;
}

/* qsort's view of strcmp over an array of strings. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
rt_machines_names(const struct rt_machines *m)
{
	char *vm = xasprintf("%s/vm", m->state), **v = xcalloc(1, sizeof(*v));
	DIR *d = opendir(vm);
	struct dirent *de;
	size_t n = 0;

	free(vm);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!lab_name_valid(de->d_name))
			continue;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = xstrdup(de->d_name);
		v[n] = NULL;
	}
	if (d != NULL)
		closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

/* Append s to *y as a YAML double-quoted scalar (values are printable ASCII). */
static void
yaml_quote(char **y, const char *s)
{
	char *q = xmalloc(strlen(s) * 2 + 3), *p = q, *n;

	*p++ = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '"';
	*p = '\0';
	n = xasprintf("%s%s", *y, q);
	free(*y);
	free(q);
	*y = n;
}

/* Append a formatted string to *y. */
static void __attribute__((format(printf, 2, 3))) yaml_add(char **y, const char *fmt, ...)
{
	va_list ap;
	char *s, *n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = xasprintf("%s%s", *y, s);
	free(*y);
	free(s);
	*y = n;
}

/* GUEST of a tap,TAP,GUEST interface, or NULL for a plain domain. */
static const char *
tap_guest(const char *iface)
{
	const char *c = strncmp(iface, "tap,", 4) == 0 ? strchr(iface + 4, ',') : NULL;

	return c != NULL ? c + 1 : NULL;
}

/* The tap domain of lab.yaml from the first tap interface (Netkit takes the
 * TAP address the first time only), if a machine has one. */
static void
yaml_tap_domain(char **y, const char *spec)
{
	char *copy = xstrdup(spec), *tap = copy + 4, *guest = strchr(tap, ','), net[16], gw[16];
	char *why = NULL;
	struct lab_nat nat;
	uint32_t addr;

	*guest++ = '\0';
	if (lab_nat_from_tap(tap, guest, &nat, &addr, &why)) {
		lab_ipv4_format(nat.network, net);
		lab_ipv4_format(nat.gateway, gw);
		yaml_add(y, "domains:\n  %s: {nat: true, subnet: %s/%u, gateway: %s}\n",
		         LAB_TAP_DOMAIN, net, nat.prefix, gw);
	}
	free(why);
	free(copy);
}

/* The exec mounting /hosthome, before the machine's own (guest-launch binds /umlab/home). */
#define HOSTHOME_EXEC "mkdir -p /hosthome && mount -t hostfs -o %s/umlab/home none /hosthome"

/* One host of lab.yaml. */
static void
yaml_host(char **y, const struct rt_machine *mc)
{
	bool fs_name = mc->model != NULL && strchr(mc->model, '/') == NULL;

	yaml_add(y, "  %s:\n    memory: %u\n", mc->name, mc->mem_mb);
	if (mc->n_ifaces > 0) {
		yaml_add(y, "    interfaces: {");
		for (size_t i = 0; i < mc->n_ifaces; i++) {
			const char *guest = tap_guest(mc->ifaces[i]);

			if (guest != NULL)
				yaml_add(y, "%seth%zu: {domain: %s, address: %s}", i ? ", " : "", i,
				         LAB_TAP_DOMAIN, guest);
			else
				yaml_add(y, "%seth%zu: %s", i ? ", " : "", i, mc->ifaces[i]);
		}
		yaml_add(y, "}\n");
	}
	/* A path (-m /dir/img) is not an fs: name; vstart hands it to the runtime itself. */
	if (fs_name)
		yaml_add(y, "    fs: %s\n", mc->model);
	if (mc->kernel != NULL) {
		yaml_add(y, "    kernel: ");
		yaml_quote(y, mc->kernel);
		yaml_add(y, "\n");
	}
	if (mc->n_kargs > 0) {
		yaml_add(y, "    kargs: [");
		for (size_t i = 0; i < mc->n_kargs; i++) {
			yaml_add(y, "%s", i ? ", " : "");
			yaml_quote(y, mc->kargs[i]);
		}
		yaml_add(y, "]\n");
	}
	if (mc->n_execs > 0 || mc->hosthome != RT_HOME_NO) {
		char *home = xasprintf(HOSTHOME_EXEC, mc->hosthome == RT_HOME_RW ? "" : "ro,");

		yaml_add(y, "    exec: [");
		if (mc->hosthome != RT_HOME_NO)
			yaml_quote(y, home);
		for (size_t i = 0; i < mc->n_execs; i++) {
			yaml_add(y, "%s", i || mc->hosthome != RT_HOME_NO ? ", " : "");
			yaml_quote(y, mc->execs[i]);
		}
		yaml_add(y, "]\n");
		free(home);
	}
}

/* A copy of mc's first tap,TAP,GUEST interface, or NULL. */
static char *
first_tap(const struct rt_machine *mc)
{
	for (size_t i = 0; i < mc->n_ifaces; i++)
		if (tap_guest(mc->ifaces[i]) != NULL)
			return xstrdup(mc->ifaces[i]);
	return NULL;
}

/* lab.yaml from every record, with mc (if not NULL) in place of its own. */
static char *
yaml_text(const struct rt_machines *m, const struct rt_machine *mc, char **err)
{
	char **names = rt_machines_names(m);
	char *tap = NULL;
	char *y = xstrdup("# Generated by vstart(1) from the records in ../vm/: the machines\n"
	                  "# instance (share/doc/runtime-layout.md). Not a user file: vstart\n"
	                  "# and vconfig rewrite it.\nname: machines\nhosts:\n");
	bool done = false;

	for (size_t i = 0; names[i] != NULL && y != NULL; i++) {
		struct rt_machine r;
		int rc;

		if (mc != NULL && strcmp(names[i], mc->name) == 0) {
			yaml_host(&y, mc);
			done = true;
			continue;
		}
		if ((rc = rt_machine_read(m, names[i], &r, err)) < 0) {
			free(y);
			y = NULL;
		} else if (rc > 0) {
			yaml_host(&y, &r);
		}
		rt_machine_clear(&r);
	}
	if (y != NULL && mc != NULL && !done)
		yaml_host(&y, mc);
	for (size_t i = 0; y != NULL && tap == NULL && names[i] != NULL; i++) {
		struct rt_machine r;

		if (mc != NULL && strcmp(names[i], mc->name) == 0) {
			tap = first_tap(mc);
		} else {
			char *e = NULL;

			memset(&r, 0, sizeof(r));
			if (rt_machine_read(m, names[i], &r, &e) > 0)
				tap = first_tap(&r);
			free(e);
		}
		if (mc == NULL || strcmp(names[i], mc->name) != 0)
			rt_machine_clear(&r);
	}
	if (y != NULL && tap == NULL && mc != NULL && !done)
		tap = first_tap(mc);
	if (y != NULL && tap != NULL)
		yaml_tap_domain(&y, tap);
	free(tap);
	argv_free(names);
	return y;
}

/* Write text as dir/name, atomically. */
static int
write_file(const char *dir, const char *name, const char *text, mode_t mode, char **err)
{
	int dfd = rt_sf_opendir_path(dir), rc = 0;

	if (dfd < 0 || rt_sf_write_replace(dfd, name, text, strlen(text), mode) < 0)
		rc = rt_fail_errno(err, errno, "cannot write %s/%s", dir, name);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int
rt_machines_write(const struct rt_machines *m, const struct rt_machine *mc, char **err)
{
	char *vm = xasprintf("%s/vm", m->state), *y;
	int rc = 0;

	if (mc != NULL) {
		char *t = record_text(mc);

		rc = write_file(vm, mc->name, t, 0600, err);
		free(t);
	}
	free(vm);
	if (rc < 0 || (y = yaml_text(m, NULL, err)) == NULL)
		return -1;
	rc = write_file(m->labdir, "lab.yaml", y, 0644, err);
	free(y);
	return rc;
}

int
rt_machines_lab(const struct rt_machines *m, struct lab **lab, char **err)
{
	struct lab_error *errs = NULL;
	char *y = xasprintf("%s/lab.yaml", m->labdir);
	bool there = access(y, F_OK) == 0;

	free(y);
	*lab = NULL;
	if (!there)
		return 0;
	if (lab_load(m->labdir, lab, &errs) < 0) {
		char *msg = errs != NULL ? lab_error_format(errs) : xstrdup("cannot load");

		rt_fail(err,
		        "the machines' lab file %s/lab.yaml: %s; vclean --clean-directories "
		        "removes the machines' state",
		        m->labdir, msg);
		free(msg);
		lab_error_free(errs);
		return -1;
	}
	return 0;
}

int
rt_machines_preview(const struct rt_machines *m, const struct rt_machine *mc, struct lab **lab,
                    char **err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir =
	        xasprintf("%s/umlab-vstart-XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	char *y = NULL, *real;
	struct lab_error *errs = NULL;
	int rc = -1;

	*lab = NULL;
	if (mkdtemp(dir) == NULL) {
		rt_fail_errno(err, errno, "cannot make %s", dir);
		free(dir);
		return -1;
	}
	if ((y = yaml_text(m, mc, err)) != NULL && write_file(dir, "lab.yaml", y, 0600, err) == 0) {
		if (lab_load(dir, lab, &errs) < 0) {
			char *msg = errs != NULL ? lab_error_format(errs) : xstrdup("cannot load");

			rt_fail(err, "the machines' lab file: %s", msg);
			free(msg);
			lab_error_free(errs);
		} else {
			real = realpath(m->labdir, NULL);
			free((*lab)->dir);
			(*lab)->dir = real != NULL ? real : xstrdup(m->labdir);
			rc = 0;
		}
	}
	{
		char *f = xasprintf("%s/lab.yaml", dir);

		unlink(f);
		free(f);
		rmdir(dir);
	}
	free(y);
	free(dir);
	return rc;
}
