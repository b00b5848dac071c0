/*
 * rt/machine-start.c: vstart's and vconfig's verbs (machines.h): every
 * check of the manual's constraints, then lstart's own verb on the
 * machines instance, with vstart's disk and sharing settings as the run's
 * guest options (rt_guest_opts).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow.h"
#include "hotplug.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "machines-int.h"
#include "machines.h"
#include "paths.h"
#include "xalloc.h"

/* Where the system's model filesystems are (rt/locate.c): never written by -W. */
#define SYSTEM_FS_DIR "/var/lib/umlab/fs/"

int
rt_machine_tap(const char *spec, char **err)
{
	char *copy = xstrdup(spec), *tap, *guest, *why = NULL;
	struct lab_nat nat;
	uint32_t addr;
	int rc = 0;

	/* Netkit's tap,TAP-ADDRESS,GUEST-ADDRESS: a nat domain "tap" (libvdeplug's
	 * slirp, no root) whose gateway is TAP and where the guest is GUEST. */
	tap = strchr(copy, ',');
	guest = tap != NULL ? strchr(tap + 1, ',') : NULL;
	if (strncmp(spec, "tap,", 4) != 0 || guest == NULL) {
		rc = rt_fail(err, "'%s': a tap domain is tap,TAP-ADDRESS,GUEST-ADDRESS", spec);
	} else {
		*guest++ = '\0';
		if (!lab_nat_from_tap(tap + 1, guest, &nat, &addr, &why))
			rc = rt_fail(err, "'%s': %s", spec, why);
	}
	free(why);
	free(copy);
	return rc;
}

int
rt_machines_tap_clean(const struct rt_report *rep, char **err)
{
	(void)err;
	/* The tap domain is a NAT process the machines' lab runs; it stops with
	 * the last machine on it (vhalt, vcrash, the rest of vclean). */
	if (rep != NULL && rep->progress != NULL)
		rep->progress(rep->ctx,
		              "tap: the NAT of the tap domain stops with its machines; no "
		              "host interface, route or firewall rule was ever made");
	return 0;
}

int
rt_machine_domain_check(const char *domain, char **err)
{
	if (strcmp(domain, "tap") == 0 || strchr(domain, ',') != NULL)
		return rt_machine_tap(domain, err);
	if (*domain == '\0')
		return rt_fail(err, "an empty collision domain name");
	if (!lab_name_valid(domain))
		return rt_fail(err,
		               "collision domain '%s': a name is 1 to 32 letters, digits, '_' and "
		               "'-', not starting with '_' or '-' (no '.' nor ','), and not "
		               "'shared'",
		               domain);
	return 0;
}

/* No blanks (the manual's rule for every argument), nor what else is listed in bad. */
static int
word_check(const char *what, const char *v, const char *bad, char **err)
{
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || (bad != NULL && strchr(bad, *p) != NULL))
			return rt_fail(err, "%s '%s': no blanks or control characters%s%s", what, v,
			               bad != NULL ? ", nor " : "", bad != NULL ? bad : "");
	if (*v == '\0')
		return rt_fail(err, "%s: an empty value", what);
	return 0;
}

/* The manual's constraints on a machine, before anything is looked at. */
static int
machine_check(const struct rt_machine *mc, const struct rt_uconf *c, char **err)
{
	if (!lab_name_valid(mc->name))
		return rt_fail(err,
		               "'%s' is not a machine name: 1 to 32 letters, digits, '_' and '-', "
		               "not starting with '_' or '-', and not 'shared'",
		               mc->name);
	if (mc->n_ifaces > c->max_ifaces)
		return rt_fail(err, "eth%zu: MAX_INTERFACES is %u (eth0 to eth%u)",
		               mc->n_ifaces - 1, c->max_ifaces, c->max_ifaces - 1);
	for (size_t i = 0; i < mc->n_ifaces; i++) {
		if (mc->ifaces[i] == NULL)
			return rt_fail(err,
			               "eth%zu is missing: umlab numbers a machine's interfaces "
			               "from eth0 without gaps",
			               i);
		if (rt_machine_domain_check(mc->ifaces[i], err) < 0) {
			rt_wrap(err, "--eth%zu", i);
			return -1;
		}
	}
	if (mc->mem_mb < c->min_mem || mc->mem_mb > c->max_mem)
		return rt_fail(err, "memory %u MB is outside MIN_MEM..MAX_MEM (%u..%u MB)",
		               mc->mem_mb, c->min_mem, c->max_mem);
	for (size_t i = 0; i < mc->n_kargs; i++)
		if (!lab_karg_valid(mc->kargs[i]) || mc->kargs[i][0] == '-')
			return rt_fail(
			        err,
			        "--append '%s': not a kernel argument (no blanks, quotes, ';' "
			        "or '\\')",
			        mc->kargs[i]);
	for (size_t i = 0; i < mc->n_execs; i++)
		for (const unsigned char *p = (const unsigned char *)mc->execs[i]; *p != '\0'; p++)
			if (*p < ' ' || *p >= 0x7f)
				return rt_fail(err, "-e: a command of printable ASCII on one line");
	if (mc->no_cow && mc->cow != NULL)
		return rt_fail(err, "-W (--no-cow) and -f (--filesystem) exclude each other");
	if (mc->no_cow && mc->hide_disk)
		return rt_fail(err, "-W (--no-cow) and -D (--hide-disk-file) exclude each other");
	if ((mc->kernel != NULL && word_check("kernel", mc->kernel, NULL, err) < 0) ||
	    (mc->model != NULL && word_check("model filesystem", mc->model, ",:", err) < 0) ||
	    (mc->cow != NULL && word_check("COW file", mc->cow, ",:", err) < 0) ||
	    (mc->hostlab != NULL && word_check("-l", mc->hostlab, NULL, err) < 0))
		return -1;
	return 0;
}

/* Is a path inside b (or b itself)? */
static bool
path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/' || strcmp(b, "/") == 0);
}

/* The user's home directory, or NULL. */
static char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] == '/')
		return realpath(h, NULL);
	pw = getpwuid(getuid());
	return pw != NULL && pw->pw_dir != NULL ? realpath(pw->pw_dir, NULL) : NULL;
}

/* STATE/umlab (the labs' hostwds and the machines), as it resolves; caller frees. */
static char *
umlab_state(const struct rt_machines *m)
{
	char *s = xstrdup(m->state), *slash = strrchr(s, '/'), *r;

	*slash = '\0';
	r = realpath(s, NULL);
	if (r != NULL) {
		free(s);
		return r;
	}
	return s;
}

/* The model filesystem of mc: a name looked up as fs: is, or a path (absolute in *model). */
static char *
resolve_image(char **model, char **err)
{
	char *img;

	if (*model != NULL && strchr(*model, '/') == NULL && !lab_name_valid(*model) &&
	    access(*model, F_OK) == 0) {
		/* Netkit's -m names a file; one in the current directory is that file. */
		char *p = xasprintf("./%s", *model);

		free(*model);
		*model = p;
	}
	if ((img = rt_locate_image(*model, err)) == NULL)
		return NULL;
	if (*model != NULL && strchr(*model, '/') != NULL) {
		free(*model);
		*model = xstrdup(img);
	}
	for (const char *p = strrchr(img, '/') + 1; *p != '\0'; p++)
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
		      strchr("._+-", *p) != NULL)) {
			rt_fail(err,
			        "model filesystem %s: its file name may only have letters, digits "
			        "and ._+-",
			        img);
			free(img);
			return NULL;
		}
	return img;
}

/* -W: only an image of the user's own that no guest uses. */
static int
no_cow_check(const char *img, char **err)
{
	struct stat st;

	if (stat(img, &st) < 0)
		return rt_fail_errno(err, errno, "%s", img);
	if (strncmp(img, SYSTEM_FS_DIR, strlen(SYSTEM_FS_DIR)) == 0 || st.st_uid != getuid())
		return rt_fail(err,
		               "-W writes to the model filesystem itself, and %s is %s: every COW "
		               "file made over it would break; use -W only on an image of your "
		               "own (umlab-mkfs --name NAME builds one in ~/.local/share/umlab/fs)",
		               img,
		               st.st_uid != getuid() ? "not yours"
		                                     : "the system's, shared by all users");
	if (access(img, W_OK) < 0)
		return rt_fail_errno(err, errno, "-W: %s is not writable", img);
	if (rt_cow_in_use(img, true))
		return rt_fail(err, "-W: %s is in use by a running guest", img);
	return 0;
}

/* -f: an existing COW file of ours over img, not in use; or a new one's place. */
static int
cow_check(const char *cow, const char *img, bool *create, char **err)
{
	struct stat st;
	char *dir, *slash;
	int rc = 0;

	*create = false;
	if (lstat(cow, &st) == 0) {
		if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
			return rt_fail(err, "COW file %s: not a plain file of yours", cow);
		if (rt_cow_check(cow, img, err) < 0) {
			rt_wrap(err, "-f");
			return -1;
		}
		if (rt_cow_in_use(cow, true))
			return rt_fail(err, "COW file %s is in use by a running guest", cow);
		return 0;
	}
	if (errno != ENOENT)
		return rt_fail_errno(err, errno, "COW file %s", cow);
	dir = xstrdup(cow);
	slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = rt_fail(err, "COW file %s: no directory %s to make it in", cow, dir);
	free(dir);
	*create = rc == 0;
	return rc;
}

/*
 * Is the machine running (or booting) in the instance? If not, does its
 * own COW file (HOSTWD/NAME/NAME.disk, when used) still fit img?
 */
static int
running_check(const struct rt_machines *m, const struct rt_machine *mc, const char *img, char **err)
{
	const char *name = mc->name;
	struct lab *lab = NULL;
	struct rt_inst in;
	enum rt_hstate st;
	pid_t pid = 0;
	char *e = NULL;
	int rc = 0;

	if (rt_machines_lab(m, &lab, err) < 0)
		return -1;
	if (lab == NULL || lab_host_find(lab, name) == NULL) {
		lab_free(lab);
		return 0;
	}
	if (rt_inst_init(&in, lab, NULL, err) < 0) {
		rc = -1;
	} else {
		st = rt_host_state(&in, name, &pid);
		if (st == RT_H_READY || st == RT_H_BOOTING || st == RT_H_STARTUP_FAILED ||
		    st == RT_H_PAUSED) {
			rc = rt_fail(
			        err,
			        "machine %s is already running (pid %d, %s): vhalt %s first, or "
			        "vconfig %s --ethN=DOMAIN to add an interface",
			        name, (int)pid, rt_hstate_name(st), name, name);
		} else if (mc->cow == NULL && !mc->no_cow) {
			char *disk = rt_gwd_path(&in, name, "%s.disk", name);

			if (access(disk, F_OK) == 0 && rt_cow_check(disk, img, &e) < 0)
				rc = rt_fail(
				        err,
				        "%s; the machine's saved disk cannot be used with this "
				        "model filesystem: 'vcrash %s' discards it, or start it "
				        "with -m as before",
				        e, name);
			free(e);
			free(disk);
		}
	}
	rt_inst_clear(&in);
	lab_free(lab);
	return rc;
}

/* -l DIR: a directory that neither holds nor lies within umlab's state. */
static int
hostlab_check(const struct rt_machines *m, char **hostlab, char **err)
{
	char *real = realpath(*hostlab, NULL), *state = umlab_state(m), *run = rt_rundir_base(NULL);
	struct stat st;
	int rc = 0;

	if (real == NULL || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = rt_fail(err, "-l %s: not a directory", *hostlab);
	else if (path_within(state, real) || path_within(real, state) ||
	         (run != NULL && (path_within(run, real) || path_within(real, run))))
		rc = rt_fail(err,
		             "-l %s: guests would read umlab's own state there (%s); choose the "
		             "lab's directory",
		             real,
		             path_within(state, real) || path_within(real, state) ? state : run);
	if (rc == 0) {
		free(*hostlab);
		*hostlab = real;
		real = NULL;
	}
	free(real);
	free(state);
	free(run);
	return rc;
}

/* The run's guest options from the machine's settings. */
static int
guest_opts(const struct rt_machines *m, const struct rt_machine *mc, const char *img,
           struct rt_guest_opts *g, char **err)
{
	memset(g, 0, sizeof(*g));
	g->image = xstrdup(img);
	g->cow = mc->cow != NULL ? xstrdup(mc->cow) : NULL;
	g->no_cow = mc->no_cow;
	g->hostlab = mc->hostlab != NULL ? xstrdup(mc->hostlab) : NULL;
	g->verbose = mc->verbose;
	if (mc->hosthome != RT_HOME_NO) {
		char *run = rt_rundir_base(NULL);

		if ((g->home = home_dir()) == NULL) {
			free(run);
			return rt_fail(err, "--hosthome: no home directory");
		}
		g->home_rw = mc->hosthome == RT_HOME_RW;
		/* umlab's own state is no guest's business, even read-only. */
		char *state = umlab_state(m);

		strv_push(&g->hide, &g->n_hide, state);
		free(state);
		if (run != NULL)
			strv_push(&g->hide, &g->n_hide, run);
		free(run);
	}
	return 0;
}

int
rt_machine_start(struct rt_machines *m, const struct rt_machine *mc0, const struct rt_uconf *c,
                 const struct rt_vstart_opts *o, const struct rt_report *rep, struct lab **lab,
                 struct rt_result *res, char **err)
{
	struct rt_machine mc = *mc0;
	struct rt_start_opts so = {.timeout_s = o->timeout_s,
	                           .headless = true,
	                           .dry_run = o->dry_run,
	                           .release_fd = &m->lockfd};
	char *img = NULL, *name = mc0->name, *disk = NULL;
	bool create = false;
	int rc = -1;

	*lab = NULL;
	memset(res, 0, sizeof(*res));
	/* The record is mc with the defaults in force filled in. */
	mc.kernel = mc0->kernel != NULL ? xstrdup(mc0->kernel)
	            : c->kernel != NULL ? xstrdup(c->kernel)
	                                : NULL;
	mc.model = mc0->model != NULL ? xstrdup(mc0->model)
	           : c->model != NULL ? xstrdup(c->model)
	                              : NULL;
	mc.cow = mc0->cow != NULL ? rt_path_absolute(mc0->cow, err) : NULL;
	mc.hostlab = mc0->hostlab != NULL ? xstrdup(mc0->hostlab) : NULL;
	if (mc.mem_mb == 0)
		mc.mem_mb = c->mem_mb;
	if ((mc0->cow != NULL && mc.cow == NULL) || machine_check(&mc, c, err) < 0)
		goto out;
	/* The record names the kernel it booted, the default resolved too. */
	{
		char *k = rt_locate_kernel(mc.kernel, err);

		if (k == NULL)
			goto out;
		free(mc.kernel);
		mc.kernel = k;
	}
	if ((img = resolve_image(&mc.model, err)) == NULL)
		goto out;
	if (mc.no_cow && no_cow_check(img, err) < 0)
		goto out;
	if (mc.cow != NULL && cow_check(mc.cow, img, &create, err) < 0)
		goto out;
	if (mc.hostlab != NULL && hostlab_check(m, &mc.hostlab, err) < 0)
		goto out;
	if (running_check(m, &mc, img, err) < 0)
		goto out;
	if (!mc.no_cow && rt_cow_in_use(img, false)) {
		rt_fail(err, "model filesystem %s is in use read-write by a running machine (-W)",
		        img);
		goto out;
	}
	if (guest_opts(m, &mc, img, &so.gopts, err) < 0)
		goto out;
	if (o->dry_run) {
		if (rt_machines_preview(m, &mc, lab, err) < 0)
			goto out;
		if (create)
			printf("# make COW file %s over %s (UML's format, empty)\n", mc.cow, img);
	} else {
		if (rt_machines_write(m, &mc, err) < 0 || rt_machines_lab(m, lab, err) < 0)
			goto out;
		if (*lab == NULL) {
			rt_fail(err, "%s/lab.yaml is gone", m->labdir);
			goto out;
		}
		if (create) {
			/* Recorded as the guest sees the image (rt/guest.c, ubd0=). */
			char *backing = xasprintf("/umlab/fs/%s", strrchr(img, '/') + 1);

			rc = rt_cow_create(mc.cow, img, backing, err);
			free(backing);
			if (rc < 0)
				goto out;
			rc = -1;
		}
	}
	so.hosts = &name;
	so.n_hosts = 1;
	rc = rt_lab_start(*lab, &so, rep, res, err);
	if (!o->dry_run) {
		ssize_t i = lab_host_index(*lab, name);

		if (rc == 0 && mc.hide_disk)
			disk = mc.cow != NULL ? xstrdup(mc.cow)
			                      : rt_gwd_path(&res->inst, name, "%s.disk", name);
		/* A COW file made here for a guest that never ran is nobody's. */
		if (create && disk == NULL &&
		    (rc < 0 || i < 0 || res->hosts == NULL || res->hosts[i].pid <= 0))
			disk = xstrdup(mc.cow);
		if (disk != NULL)
			unlink(disk);
	}
out:
	free(img);
	free(disk);
	rt_guest_opts_clear(&so.gopts);
	free(mc.kernel);
	free(mc.model);
	free(mc.cow);
	free(mc.hostlab);
	return rc;
}

int
rt_machine_config(struct rt_machines *m, const char *name, char *const *ifaces, size_t n,
                  unsigned int max_ifaces, const struct rt_report *rep, char **err)
{
	struct rt_machine mc;
	struct lab *lab = NULL;
	struct rt_result res = {0};
	struct rt_start_opts so = {.timeout_s = 60, .headless = true, .release_fd = &m->lockfd};
	struct rt_inst in = {0};
	size_t before;
	pid_t pid;
	enum rt_hstate st;
	char *hosts[] = {(char *)name};
	int rc = -1, r;

	if ((r = rt_machine_read(m, name, &mc, err)) <= 0)
		return r < 0 ? -1 : rt_fail(err, "no machine '%s' (vlist --all lists them)", name);
	before = mc.n_ifaces;
	if (rt_machines_lab(m, &lab, err) < 0 || lab == NULL || lab_host_find(lab, name) == NULL ||
	    rt_inst_init(&in, lab, NULL, err) < 0) {
		if (err != NULL && *err == NULL)
			rt_fail(err, "machine %s is not running", name);
		goto out;
	}
	st = rt_host_state(&in, name, &pid);
	if (st == RT_H_PAUSED) {
		rt_fail(err, "machine %s is paused: lresume -d %s %s first", name, m->labdir, name);
		goto out;
	}
	if (st != RT_H_READY && st != RT_H_BOOTING && st != RT_H_STARTUP_FAILED) {
		rt_fail(err, "machine %s is not running (%s): give vstart the interfaces instead",
		        name, rt_hstate_name(st));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (ifaces[i] == NULL)
			continue;
		if (i >= max_ifaces) {
			rt_fail(err, "eth%zu: MAX_INTERFACES is %u (eth0 to eth%u)", i, max_ifaces,
			        max_ifaces - 1);
			goto out;
		}
		if (rt_machine_domain_check(ifaces[i], err) < 0) {
			rt_wrap(err, "--eth%zu", i);
			goto out;
		}
		if (i < mc.n_ifaces) {
			if (strcmp(mc.ifaces[i], ifaces[i]) != 0) {
				rt_fail(err,
				        "%s has eth%zu on %s already; an interface of a running "
				        "machine is not moved (vhalt %s, then vstart it anew)",
				        name, i, mc.ifaces[i], name);
				goto out;
			}
			rt_report_warn(rep, "%s: eth%zu is on %s already", name, i, ifaces[i]);
			continue;
		}
		if (i > mc.n_ifaces) {
			rt_fail(err,
			        "eth%zu without eth%zu: umlab numbers a machine's interfaces from "
			        "eth0 without gaps",
			        i, mc.n_ifaces);
			goto out;
		}
		strv_push(&mc.ifaces, &mc.n_ifaces, ifaces[i]);
	}
	if (mc.n_ifaces == before) {
		rc = 0;
		goto out;
	}
	lab_free(lab);
	lab = NULL;
	if (rt_machines_write(m, &mc, err) < 0 || rt_machines_lab(m, &lab, err) < 0)
		goto out;
	/* lstart on a running lab: the new interfaces are plugged in (rt/hotplug.c). */
	so.hosts = hosts;
	so.n_hosts = 1;
	if (rt_lab_start(lab, &so, rep, &res, err) < 0)
		goto out;
	rc = 0;
	for (size_t i = before; i < mc.n_ifaces; i++) {
		if (rt_plugged_iface(&res.inst, name, (unsigned int)i, mc.ifaces[i]))
			continue;
		/* Not taken: the record must say what the guest has. */
		rc = rt_fail(err, "%s did not take eth%zu (see the warning above)", name, i);
		strv_free(mc.ifaces + i, mc.n_ifaces - i);
		mc.n_ifaces = i;
		rt_machines_write(m, &mc, NULL);
		break;
	}
out:
	rt_result_clear(&res);
	rt_inst_clear(&in);
	lab_free(lab);
	rt_machine_clear(&mc);
	return rc;
}
