/*
 * rt/start.c: lstart's verb: check, start hubs, then boot guests in
 * dependency order with a bound on concurrent boots, and wait for each
 * guest's verdict on the event loop.
 *
 * A booting guest is watched by four events and nothing else: its ready
 * marker appearing in its HOSTWD/NAME (one uv_fs_event per guest), its
 * kernel's mconsole notifications (boot, panic), its process exiting (a
 * pidfd under uv_poll: the guest is tmux's child, not ours) and its
 * timeout. The first verdict wins and frees a boot slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cow.h"
#include "hostwd.h"
#include "hotplug.h"
#include "hubs.h"
#include "lab.h"
#include "links.h"
#include "locate.h"
#include "mconsole.h"
#include "nat.h"
#include "plan.h"
#include "proc.h"
#include "record.h"
#include "rt.h"
#include "run.h"
#include "tmux.h"
#include "xalloc.h"

struct run;

/* One guest booting in this run. */
struct boot {
	struct run *run;
	size_t idx;
	uv_poll_t exitpoll;
	uv_timer_t timer;
	struct rt_notify notify;
	int pidfd;
	int open; /* handles not yet closed */
	bool watching;
	uv_fs_event_t wd_watch; /* HOSTWD/NAME, for NAME.ready; closed when the run ends */
	bool wd_watched;
	uint64_t t0;
};

struct run {
	uv_loop_t loop;
	const struct lab *lab;
	const struct rt_start_opts *o;
	const struct rt_report *rep;
	struct rt_result *res;
	struct rt_guest_env env;
	char **images; /* owned; per host, for selected hosts */
	bool *sel;
	bool *ready; /* per host: counts as ready for its dependents */
	struct boot *boots;
	struct rt_plan plan; /* what this run starts, in order (plan.h) */
	unsigned int active, max;
	bool aborting;
	int lockfd;      /* RUNDIR/ID, for rt_inst_relock; -1 before it exists */
	bool cleaned;    /* lclean removed the instance under us: launch nothing more */
	int *release_fd; /* the caller's, closed once nothing is pending (rt_start_opts) */
	char *windows;   /* the tmux windows when the plan was made, one a line; or NULL */
};

/* Is name one of the lines of list? */
static bool
listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = list; *l != '\0';
	     l = strchr(l, '\n') != NULL ? strchr(l, '\n') + 1 : "")
		if (strncmp(l, name, n) == 0 && (l[n] == '\n' || l[n] == '\0'))
			return true;
	return false;
}

/* Report a progress line, if anyone listens. */
static void __attribute__((format(printf, 2, 3))) progress(struct run *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (r->rep->progress == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->rep->progress(r->rep->ctx, msg);
	free(msg);
}

static void pump(struct run *r);

/* One handle of a boot is closed; the last one frees its slot. */
static void
boot_release(struct boot *b)
{
	if (--b->open == 0) {
		b->watching = false;
		b->run->active--;
		pump(b->run);
	}
}

/* A uv handle of a boot is closed. */
static void
boot_closed(uv_handle_t *h)
{
	boot_release(h->data);
}

/*
 * The notify socket is closed (its own callback shape). Not through the
 * timer's data: a guest that failed to spawn never had its timer set up.
 */
static void
notify_closed(struct rt_notify *n)
{
	boot_release(n->data);
}

/* Record a verdict for a booting guest and stop watching it. */
static void
verdict(struct boot *b, enum rt_hstate st, char *detail)
{
	struct rt_host_result *hr;
	const char *name;

	if (b->run == NULL || !b->watching || b->open < 3) {
		free(detail);
		return;
	}
	hr = &b->run->res->hosts[b->idx];
	name = b->run->lab->hosts[b->idx].name;
	if (hr->state != RT_H_BOOTING) {
		free(detail);
		return;
	}
	hr->state = st;
	hr->secs = (double)(uv_hrtime() - b->t0) / 1e9;
	free(hr->detail);
	hr->detail = detail;
	if (st == RT_H_READY)
		b->run->ready[b->idx] = true;
	progress(b->run, "%s: %s after %.1f s%s%s", name, rt_hstate_name(st), hr->secs,
	         detail ? ": " : "", detail ? detail : "");
	uv_poll_stop(&b->exitpoll);
	uv_close((uv_handle_t *)&b->exitpoll, boot_closed);
	close(b->pidfd);
	uv_close((uv_handle_t *)&b->timer, boot_closed);
	rt_notify_close(&b->notify);
	if (rt_hstate_failed(st) && b->run->o->abort_on_failure)
		b->run->aborting = true;
}

/* The guest's ready marker may have appeared: judge it. */
static void
check_marker(struct boot *b)
{
	struct rt_marker m;
	struct rt_inst *in = &b->run->res->inst;

	if (!b->watching || rt_marker_read(in, b->run->lab->hosts[b->idx].name, &m) < 0)
		return;
	if (m.ready)
		verdict(b, RT_H_READY, NULL);
	else if (m.failed_script[0] != '\0')
		verdict(b, RT_H_STARTUP_FAILED,
		        xasprintf("%s exited with status %d", m.failed_script, m.startup_status));
	else
		verdict(b, RT_H_STARTUP_FAILED, xstrdup("a startup script failed"));
}

/* Something changed in the guest's HOSTWD/NAME: NAME.ready is the only thing we care for. */
static void
wd_changed(uv_fs_event_t *h, const char *file, int events, int status)
{
	struct boot *b = h->data;
	const char *name = b->run->lab->hosts[b->idx].name;
	size_t len = strlen(name);

	(void)events;
	if (status < 0 || file == NULL || strncmp(file, name, len) != 0 ||
	    strcmp(file + len, ".ready") != 0)
		return;
	check_marker(b);
}

/* Watch the guest's directory for its marker, from before the guest can write it. */
static int
watch_marker(struct run *r, struct boot *b, const char *name, char **err)
{
	char *gwd = rt_gwd(&r->res->inst, name);
	int rc = 0;

	b->wd_watch.data = b;
	uv_fs_event_init(&r->loop, &b->wd_watch);
	b->wd_watched = true; /* initialised: closed with the run either way */
	if (uv_fs_event_start(&b->wd_watch, wd_changed, gwd, 0) < 0)
		rc = rt_fail(err, "cannot watch %s", gwd);
	free(gwd);
	return rc;
}

/* The guest process ended. */
static void
guest_exited(uv_poll_t *p, int status, int events)
{
	struct boot *b = p->data;

	/* A marker written just before the exit still counts as the reason. */
	check_marker(b);
	verdict(b, RT_H_EXITED, xstrdup("the guest exited before it was ready"));
}

/* No verdict in time. */
static void
guest_timeout(uv_timer_t *t)
{
	struct boot *b = t->data;

	check_marker(b);
	verdict(b, RT_H_TIMEOUT, xasprintf("no ready marker after %u s", b->run->o->timeout_s));
}

/* The kernel talks: boot and panic are what we want to know. */
static void
guest_notified(struct rt_notify *n, int type, const char *data)
{
	struct boot *b = n->data;
	const char *name = b->run->lab->hosts[b->idx].name;

	if (type == RT_NOTIFY_SOCKET) {
		progress(b->run, "%s: kernel up after %.1f s", name,
		         (double)(uv_hrtime() - b->t0) / 1e9);
	} else if (type == RT_NOTIFY_PANIC) {
		char *d = xasprintf("kernel panic: %s", data);

		d[strcspn(d, "\n")] = '\0';
		verdict(b, RT_H_PANIC, d);
	}
}

/* Launch the guest of step s: prepare, open its window, start watching it. */
static void
launch(struct run *r, struct rt_step *s)
{
	size_t i = s->index;
	const struct lab_host *h = &r->lab->hosts[i];
	struct rt_inst *in = &r->res->inst;
	struct rt_host_result *hr = &r->res->hosts[i];
	struct boot *b = &r->boots[i];
	char *err = NULL, *np, *sock;
	pid_t pid = 0;
	bool fresh;

	b->run = r;
	b->idx = i;
	b->t0 = uv_hrtime();
	hr->state = RT_H_BOOTING;
	/* The window of an earlier boot (remain-on-exit keeps it) gives way. */
	if (r->windows != NULL && listed(r->windows, h->name)) {
		sock = rt_tmux_sock(in);
		rt_tmux_kill_window(sock, h->name);
		free(sock);
	}
	if (rt_guest_prepare(in, h, &err) < 0 || rt_plugged_record(in, h, s->inner, &err) < 0 ||
	    watch_marker(r, b, h->name, &err) < 0)
		goto fail;
	/*
	 * The plan opened the server with its first window; should the server
	 * have gone or come meanwhile (lclean, another lstart), the window is
	 * opened the other way, and the plan's command says what ran.
	 */
	sock = rt_tmux_sock(in);
	fresh = !rt_tmux_listening(sock);
	free(sock);
	if (fresh != s->new_server) {
		argv_free(s->argv);
		s->argv = rt_guest_window_argv(in, h, s->inner, fresh);
		s->new_server = fresh;
	}
	np = rt_notify_path(in, h->name);
	b->notify.data = b;
	b->notify.closed = notify_closed;
	if (rt_notify_open(&r->loop, &b->notify, np, guest_notified, &err) < 0) {
		free(np);
		goto fail;
	}
	free(np);
	b->watching = true;
	r->active++;
	if (rt_guest_spawn(in, h, s->argv, &pid, &err) < 0) {
		/* Only the notify socket is open: closing it frees the slot. */
		b->open = 1;
		hr->state = RT_H_FAILED;
		hr->detail = err;
		progress(r, "%s: failed: %s", h->name, err);
		rt_notify_close(&b->notify);
		if (r->o->abort_on_failure)
			r->aborting = true;
		return;
	}
	hr->pid = pid;
	b->open = 3;
	b->exitpoll.data = b;
	b->timer.data = b;
	uv_timer_init(&r->loop, &b->timer);
	uv_timer_start(&b->timer, guest_timeout, (uint64_t)r->o->timeout_s * 1000, 0);
	b->pidfd = rt_pidfd_open(pid);
	if (b->pidfd < 0) {
		/* Gone already: a readable eventfd stands in, and its exit is judged at once. */
		b->pidfd = eventfd(1, EFD_CLOEXEC);
	}
	uv_poll_init(&r->loop, &b->exitpoll, b->pidfd);
	uv_poll_start(&b->exitpoll, UV_READABLE, guest_exited);
	progress(r, "%s: started (pid %d)", h->name, (int)pid);
	if (!r->o->headless)
		rt_guest_open_terminal(in, h->name);
	return;
fail:
	hr->state = RT_H_FAILED;
	hr->detail = err;
	progress(r, "%s: failed: %s", h->name, err);
	if (r->o->abort_on_failure)
		r->aborting = true;
}

/* Has every step s waits for been done? Hubs are, before any guest starts. */
static bool
step_may_start(const struct run *r, const struct rt_step *s)
{
	for (size_t k = 0; k < s->n_after; k++) {
		const struct rt_step *a = &r->plan.steps[s->after[k]];

		if (a->kind == RT_STEP_GUEST && !r->ready[a->index])
			return false;
	}
	return true;
}

/* Start whatever may start now; when nothing runs and nothing can, finish. */
static void
pump(struct run *r)
{
	const struct lab *lab = r->lab;
	bool locked = false;

	if (r->aborting)
		for (size_t i = 0; i < lab->n_hosts; i++)
			verdict(&r->boots[i], RT_H_NOT_STARTED,
			        xstrdup("stopped by --abort-on-failure"));
	for (size_t k = 0; k < r->plan.n_steps && !r->aborting && !r->cleaned && r->active < r->max;
	     k++) {
		struct rt_step *s = &r->plan.steps[k];

		if (s->kind != RT_STEP_GUEST || r->res->hosts[s->index].state != RT_H_PENDING ||
		    !step_may_start(r, s))
			continue;
		/* Launch and pid file under the lock: lclean sees both or neither. */
		if (!locked && !(locked = rt_inst_relock(&r->res->inst, r->lockfd, LOCK_SH))) {
			r->cleaned = true;
			break;
		}
		launch(r, s);
	}
	if (locked)
		flock(r->lockfd, LOCK_UN);
	if (r->release_fd != NULL && *r->release_fd >= 0) {
		bool pending = false;

		for (size_t i = 0; i < lab->n_hosts && !pending; i++)
			pending = r->res->hosts[i].state == RT_H_PENDING;
		if (!pending) {
			close(*r->release_fd);
			*r->release_fd = -1;
		}
	}
	if (r->active > 0)
		return;
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct rt_host_result *hr = &r->res->hosts[i];

		if (hr->state != RT_H_PENDING)
			continue;
		hr->state = RT_H_NOT_STARTED;
		hr->detail = xstrdup(r->cleaned    ? "the lab was cleaned (lclean) meanwhile"
		                     : r->aborting ? "--abort-on-failure after an earlier failure"
		                                   : "a prerequisite did not become ready");
	}
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (r->boots[i].wd_watched && !uv_is_closing((uv_handle_t *)&r->boots[i].wd_watch))
			uv_close((uv_handle_t *)&r->boots[i].wd_watch, NULL);
}

/* Warn about legacy options the runtime does not honour, once each. */
static void
warn_options(const struct lab *lab, const bool *sel, const struct rt_report *rep)
{
	bool image_warned = false;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t k = 0; sel[i] && k < h->n_options; k++) {
			const struct lab_option *op = &h->options[k];
			bool said = false;

			if (op->honoured)
				continue;
			/* Skip what the lab library already warned about at this place. */
			for (const struct lab_error *w = lab->warnings; w != NULL && !said;
			     w = w->next)
				said = w->code == LAB_W_UNSUPPORTED && op->origin.file && w->file &&
				       strcmp(w->file, op->origin.file) == 0 &&
				       w->line == op->origin.line;
			if (said)
				continue;
			if (strcmp(op->key, "image") == 0) {
				if (!image_warned)
					rt_report_warn(
					        rep,
					        "[image] is ignored: hosts use the default model "
					        "filesystem");
				image_warned = true;
			} else {
				rt_report_warn(rep, "%s[%s]: option '%s' is not supported, ignored",
				               h->name, op->key, op->key);
			}
		}
	}
}

/* Check every selected host's image and COW file before anything starts. */
static int
preflight(struct run *r, char **err)
{
	const struct lab *lab = r->lab;
	struct rt_inst *in = &r->res->inst;
	int bad = 0;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		bool image_opt = false;
		char *disk, *e = NULL;

		if (!r->sel[i] || r->res->hosts[i].state != RT_H_PENDING)
			continue;
		for (size_t k = 0; k < h->n_options; k++)
			image_opt |= strcmp(h->options[k].key, "image") == 0;
		/* vstart's -m, -f and -W (rt_guest_opts) stand in for the host's own. */
		if (r->o->gopts.image != NULL)
			r->images[i] = xstrdup(r->o->gopts.image);
		else if ((r->images[i] = rt_locate_image(image_opt ? NULL : h->fs, err)) == NULL)
			return -1;
		if (r->o->gopts.no_cow)
			continue;
		disk = r->o->gopts.cow != NULL ? xstrdup(r->o->gopts.cow)
		                               : rt_gwd_path(in, h->name, "%s.disk", h->name);
		if (access(disk, F_OK) == 0 && rt_cow_check(disk, r->images[i], &e) < 0) {
			rt_report_warn(r->rep,
			               "%s: %s; its saved state cannot be used: discard it with "
			               "'lclean -d "
			               "%s "
			               "%s' (or 'lcrash -d %s %s'), then lstart again",
			               h->name, e, in->labdir, h->name, in->labdir, h->name);
			free(e);
			bad++;
		}
		free(disk);
	}
	if (bad > 0)
		return rt_fail(err,
		               "%d host%s with a COW file that no longer matches its model "
		               "filesystem; nothing was started",
		               bad, bad > 1 ? "s" : "");
	return 0;
}

/*
 * umlab-nat, when a selected host is on a nat domain (only then: a lab
 * without one needs no libvdeplug-slirp), and which NATs run already.
 */
static int
locate_nat(struct run *r, bool *nat_running, char **natbin, char **err)
{
	const struct lab *lab = r->lab;
	bool needed = false;

	for (size_t d = 0; d < lab->n_domains; d++) {
		if (!lab->domains[d].nat.enabled)
			continue;
		nat_running[d] = rt_nat_running(&r->res->inst, lab->domains[d].name);
		for (size_t i = 0; i < lab->n_hosts; i++)
			for (size_t k = 0; r->sel[i] && k < lab->hosts[i].n_ifaces; k++)
				needed |= strcmp(lab->hosts[i].ifaces[k].domain,
				                 lab->domains[d].name) == 0;
	}
	if (needed && (*natbin = rt_locate_nat(err)) == NULL)
		return -1;
	return 0;
}

/* Compute the plan of this run from the lab and what runs already. */
static int
make_plan(struct run *r, char **err)
{
	const struct lab *lab = r->lab;
	struct rt_inst *in = &r->res->inst;
	bool *boot = xcalloc(lab->n_hosts, sizeof(*boot)),
	     *hub_running = xcalloc(lab->n_domains, sizeof(*hub_running)),
	     *nat_running = xcalloc(lab->n_domains, sizeof(*nat_running));
	char *hub = rt_locate_hub(err), *sock = rt_tmux_sock(in), *natbin = NULL;
	int rc = -1;

	if (hub != NULL && locate_nat(r, nat_running, &natbin, err) == 0) {
		for (size_t i = 0; i < lab->n_hosts; i++)
			boot[i] = r->sel[i] && r->res->hosts[i].state == RT_H_PENDING;
		for (size_t d = 0; d < lab->n_domains; d++)
			hub_running[d] = rt_hub_running(in, lab->domains[d].name);
		struct rt_plan_input pi = {
		        .lab = lab,
		        .in = in,
		        .boot = boot,
		        .running = r->ready,
		        .images = r->images,
		        .env = &r->env,
		        .hubbin = hub,
		        .hub_running = hub_running,
		        .tmux_running = (r->windows = rt_tmux_window_names(sock)) != NULL,
		        .natbin = natbin,
		        .nat_running = nat_running,
		};
		rc = rt_plan_make(&pi, &r->plan, err);
	}
	free(boot);
	free(hub_running);
	free(nat_running);
	free(natbin);
	free(hub);
	free(sock);
	return rc;
}

/* Start the hubs of the plan. */
/* A guest that ran while its hub was gone lost that link: UML's vde
 * transport does not plug in again by itself. */
static void
warn_unplugged(struct run *r, const struct lab_domain *d)
{
	for (size_t i = 0; i < r->lab->n_hosts; i++) {
		const struct lab_host *h = &r->lab->hosts[i];

		if (!r->ready[i] || r->res->hosts[i].pid <= 0 ||
		    !rt_plugged_on(&r->res->inst, h->name, d->name))
			continue;
		for (size_t k = 0; k < h->n_ifaces; k++)
			if (strcmp(h->ifaces[k].domain, d->name) == 0) {
				rt_report_warn(
				        r->rep,
				        "%s: the hub of domain %s had stopped and was started "
				        "again; %s:eth%u is plugged in again only when %s "
				        "restarts (lrestart %s)",
				        h->name, d->name, h->name, h->ifaces[k].index, h->name,
				        h->name);
				break;
			}
	}
}

static int
start_hubs(struct run *r, char **err)
{
	for (size_t k = 0; k < r->plan.n_steps; k++) {
		const struct rt_step *s = &r->plan.steps[k];
		int rc;

		if (s->kind != RT_STEP_HUB)
			continue;
		if ((rc = rt_hub_launch(&r->res->inst, &r->lab->domains[s->index], s->argv, err)) <
		    0)
			return -1;
		if (rc > 0)
			progress(r, "hub %s: started", s->name);
		if (rc > 0)
			warn_unplugged(r, &r->lab->domains[s->index]);
	}
	return 0;
}

/* Start the NATs of the plan, their hubs being up. */
static int
start_nats(struct run *r, char **err)
{
	for (size_t k = 0; k < r->plan.n_steps; k++) {
		const struct rt_step *s = &r->plan.steps[k];
		int rc;

		if (s->kind != RT_STEP_NAT)
			continue;
		if ((rc = rt_nat_launch(&r->res->inst, &r->lab->domains[s->index], s->argv, err)) <
		    0)
			return -1;
		if (rc > 0)
			progress(r, "nat %s: started", s->name);
	}
	return 0;
}

/* Free the run's own arrays. */
static void
run_free(struct run *r)
{
	for (size_t i = 0; r->images != NULL && i < r->lab->n_hosts; i++)
		free(r->images[i]);
	free(r->images);
	free(r->sel);
	free(r->ready);
	free(r->boots);
	rt_plan_free(&r->plan);
	free((char *)r->env.launcher);
	free((char *)r->env.kernel);
	free(r->windows);
}

/* Fix every interface's hub port before a hub or guest uses one (rt/ports.c). */
static int
record_ports(const struct rt_inst *in, char **err)
{
	struct rt_ports *p = NULL;
	int rc = rt_ports_load(in, &p, err);

	if (rc == 0)
		rc = rt_ports_save(in, p, err);
	rt_ports_free(p);
	return rc;
}

int
rt_lab_start(const struct lab *lab, const struct rt_start_opts *o, const struct rt_report *rep,
             struct rt_result *res, char **err)
{
	struct run r = {.lab = lab,
	                .o = o,
	                .rep = rep,
	                .res = res,
	                .lockfd = -1,
	                .release_fd = o->release_fd};
	struct rt_inst *in = &res->inst;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->n_hosts = lab->n_hosts;
	res->hosts = xcalloc(lab->n_hosts, sizeof(*res->hosts));
	r.images = xcalloc(lab->n_hosts, sizeof(*r.images));
	r.sel = xcalloc(lab->n_hosts, sizeof(*r.sel));
	r.ready = xcalloc(lab->n_hosts, sizeof(*r.ready));
	r.boots = xcalloc(lab->n_hosts, sizeof(*r.boots));
	r.env.opts = &o->gopts;
	/* linfo may only warn; starting nothing and saying "ready" would hide a broken lab. */
	if (lab->n_hosts == 0) {
		rt_fail(err, "the lab in %s has no hosts: nothing to start", lab->dir);
		goto out;
	}
	if (rt_inst_init(in, lab, o->opt_w, err) < 0 ||
	    rt_select(lab, o->hosts, o->n_hosts, r.sel, err) < 0)
		goto out;
	warn_options(lab, r.sel, rep);
	/* Hosts already running are left alone and count as ready for their dependents. */
	for (size_t i = 0; i < lab->n_hosts; i++) {
		enum rt_hstate st = rt_host_state(in, lab->hosts[i].name, &res->hosts[i].pid);

		if (st == RT_H_READY || st == RT_H_BOOTING || st == RT_H_STARTUP_FAILED ||
		    st == RT_H_PAUSED) {
			r.ready[i] = true;
			res->hosts[i].state = r.sel[i] ? RT_H_RUNNING : RT_H_UNSELECTED;
			if (r.sel[i])
				res->hosts[i].detail =
				        xasprintf("already running (%s)", rt_hstate_name(st));
		} else {
			res->hosts[i].state = r.sel[i] ? RT_H_PENDING : RT_H_UNSELECTED;
		}
	}
	if ((r.env.launcher = rt_locate_guest_launch(err)) == NULL)
		goto out;
	if (preflight(&r, err) < 0)
		goto out;
	r.max = o->sequential ? 1
	        : o->parallel ? o->parallel
	                      : rt_default_parallel(lab->default_memory_mb ? lab->default_memory_mb
	                                                                   : LAB_MEM_DEFAULT_MB);
	res->parallel = r.max;
	if (make_plan(&r, err) < 0)
		goto out;
	if (o->dry_run) {
		rt_plan_print(stdout, &r.plan);
		rc = 0;
		goto out;
	}
	if (rt_inst_create(in, err) < 0)
		goto out;
	/* Hubs and their pid files under the lock too (see pump). */
	if ((r.lockfd = rt_inst_lock(in, LOCK_SH)) < 0) {
		rt_fail(err, "%s was removed (lclean?) while lstart was starting", in->dir);
		goto out;
	}
	rc = rt_record_write(in, err) < 0 || record_ports(in, err) < 0 || start_hubs(&r, err) < 0
	             ? -1
	             : 0;
	/* Selected hosts that run already: what the lab file changed since. */
	for (size_t i = 0; rc == 0 && i < lab->n_hosts; i++)
		if (r.sel[i] && res->hosts[i].state == RT_H_RUNNING)
			rt_hotplug(in, &lab->hosts[i], rep);
	if (rc == 0 && start_nats(&r, err) < 0) {
		/* A taken host port, say: take down the hubs no guest uses yet. */
		rt_inst_gc(in, rep);
		rc = -1;
	}
	flock(r.lockfd, LOCK_UN);
	if (rc < 0)
		goto out;
	rc = -1;
	uv_loop_init(&r.loop);
	pump(&r);
	uv_run(&r.loop, UV_RUN_DEFAULT);
	uv_loop_close(&r.loop);
	res->ok = true;
	for (size_t i = 0; i < lab->n_hosts; i++)
		res->ok &= !rt_hstate_failed(res->hosts[i].state);
	if (r.aborting) {
		/* Take down what this run started (all at once); earlier guests stay. */
		bool *killed = xcalloc(lab->n_hosts, sizeof(*killed));

		for (size_t i = 0; i < lab->n_hosts; i++) {
			char *pf = rt_guest_pidfile(in, lab->hosts[i].name);

			if (res->hosts[i].pid > 0 && res->hosts[i].state != RT_H_RUNNING) {
				killed[i] = rt_pidfile_kill(pf, in->dir, SIGKILL) == RT_PID_ALIVE;
				unlink(pf);
			}
			free(pf);
		}
		for (size_t i = 0; i < lab->n_hosts; i++)
			if (killed[i])
				rt_wait_exit(res->hosts[i].pid, 3000);
		free(killed);
		rt_inst_gc(in, rep);
	}
	rc = 0;
out:
	if (r.lockfd >= 0)
		close(r.lockfd);
	if (r.release_fd != NULL && *r.release_fd >= 0) {
		close(*r.release_fd);
		*r.release_fd = -1;
	}
	run_free(&r);
	return rc;
}
