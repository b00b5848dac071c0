/*
 * hub/impair.c: link impairments applied to the frames going to one port.
 *
 * Each port has the domain's impairments, or its own (set per port, by
 * number, before or after it joins).  A frame on its way to the port goes
 * through, in netem's order: the mtu check, loss (random, or Gilbert-Elliott
 * bursts), duplication, corruption (one random bit of each copy flipped),
 * then the timed queue: the rate bottleneck (a bounded queue drained at the
 * bit rate) followed by the delay line (delay and jitter).  A "reordered"
 * frame skips the timed queue.  The queue is a FIFO whose due times never
 * decrease, so jitter never reorders frames by itself (netem's does); one
 * libuv timer per port fires at the head's due time, and the forwarding path
 * never waits.  Frames then go out through the port's ordinary send path.
 *
 * Random draws come from xoshiro256** seeded from the spec's seed (or one
 * drawn at start) and the port number, so a seeded run repeats exactly for
 * the same frames.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub-int.h"

#define NS_PER_S 1000000000ULL

/* Counts one impairment event on the port and in the totals. */
#define COUNT(p, field) ((p)->c.field++, (p)->hub->total.field++)

/* splitmix64: spreads a seed over the generator's state. */
static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: fast, and good enough for simulating a link. */
static uint64_t
rnd(struct hub_shaper *sh)
{
	uint64_t *s = sh->rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* True with probability ppm / HUB_PPM (exact in integers). */
static int
chance(struct hub_shaper *sh, uint32_t ppm)
{
	if (ppm == 0)
		return 0;
	return (rnd(sh) >> 32) * HUB_PPM < (uint64_t)ppm << 32;
}

/* True with probability thr / 2^32. */
static int
chance32(struct hub_shaper *sh, uint64_t thr)
{
	return (rnd(sh) >> 32) < thr;
}

/* A uniform double in (0, 1]. */
static double
unit(struct hub_shaper *sh)
{
	return ((double)(rnd(sh) >> 11) + 1.0) / 9007199254740992.0;
}

/* Is this frame lost?  Gilbert-Elliott: the good state loses nothing, the
 * bad one everything; the mean stay in the bad state is the burst length. */
static int
lose(struct hub_shaper *sh)
{
	if (sh->cf.loss == 0)
		return 0;
	if (sh->cf.loss_model == HUB_LOSS_RANDOM)
		return chance(sh, sh->cf.loss);
	if (sh->bad)
		sh->bad = !chance32(sh, sh->to_good);
	else
		sh->bad = chance32(sh, sh->to_bad);
	return sh->bad;
}

/* One frame's delay in ns: delay +- jitter (uniform) or delay with standard
 * deviation jitter (normal, cut at 4 deviations); never negative. */
static uint64_t
delay_ns(struct hub_shaper *sh)
{
	double d = sh->cf.delay_us, j = sh->cf.jitter_us;

	if (j > 0) {
		if (sh->cf.dist == HUB_DIST_NORMAL) {
			double z = sqrt(-2.0 * log(unit(sh))) * cos(2.0 * M_PI * unit(sh));

			d += j * (z > 4 ? 4 : z < -4 ? -4 : z);
		} else {
			d += j * (2.0 * unit(sh) - 1.0);
		}
	}
	return d <= 0 ? 0 : (uint64_t)(d * 1000.0);
}

/* Puts the configuration in force for p (domain's or its own) and reseeds. */
static void
configure(struct hub_port *p)
{
	struct hub *hub = p->hub;
	struct hub_shaper *sh = &p->sh;
	const struct hub_impair *im =
	        hub->port_impair[p->port] != NULL ? hub->port_impair[p->port] : &hub->impair;
	uint64_t x;

	sh->cf = *im;
	x = (im->has_seed ? im->seed : hub->seed) ^ ((uint64_t)p->port * 0xd1342543de82ef95ULL);
	for (int i = 0; i < 4; i++)
		sh->rng[i] = splitmix(&x);
	sh->bad = 0;
	if (im->loss_model == HUB_LOSS_GILBERT) {
		/* Stationary loss p / (p + r) with r = 1 / burst (see check() in
		 * impair-spec.c, which keeps p <= 1). */
		sh->to_good = (1ULL << 32) / im->burst;
		sh->to_bad =
		        ((uint64_t)im->loss << 32) / ((uint64_t)(HUB_PPM - im->loss) * im->burst);
	}
	sh->active = hub_impair_active(im) || sh->qlen > 0;
}

static void on_timer(uv_timer_t *t);

/* Arms the timer for the head of the queue. */
static void
arm(struct hub_port *p, uint64_t now)
{
	uint64_t due = p->sh.q[p->sh.qhead].due;
	uint64_t ms = due > now ? (due - now + 999999) / 1000000 : 0;

	uv_timer_start(&p->sh.timer, on_timer, ms, 0);
}

/* Frames in the queue still in the rate bottleneck (departure after now):
 * departures never decrease, so they are the tail; binary search. */
static unsigned int
backlog(const struct hub_shaper *sh, uint64_t now)
{
	unsigned int lo = 0, hi = sh->qlen;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (sh->q[(sh->qhead + mid) % sh->qcap].depart > now)
			hi = mid;
		else
			lo = mid + 1;
	}
	return sh->qlen - lo;
}

/* Queues a frame for its time; takes the reference f, or drops it. */
static void
enqueue(struct hub_port *p, struct hub_frame *f, uint64_t now)
{
	struct hub_shaper *sh = &p->sh;
	uint64_t depart = now, due;
	struct hub_delayed *d;

	if (sh->qlen >= HUB_IMPAIR_FRAMES || sh->qbytes + f->len > HUB_IMPAIR_BYTES) {
		COUNT(p, limit_drops);
		hub__frame_unref(f);
		return;
	}
	if (sh->cf.rate_bps != 0) {
		if (backlog(sh, now) >= (sh->cf.queue ? sh->cf.queue : HUB_QUEUE_DEFAULT)) {
			COUNT(p, rate_drops);
			hub__frame_unref(f);
			return;
		}
		depart = sh->rate_free > now ? sh->rate_free : now;
		depart += (uint64_t)f->len * 8 * NS_PER_S / sh->cf.rate_bps;
		sh->rate_free = depart;
	}
	due = depart + delay_ns(sh);
	if (due < sh->last_due)
		due = sh->last_due;
	sh->last_due = due;
	if (sh->qlen == sh->qcap) {
		unsigned int ncap = sh->qcap ? sh->qcap * 2 : 256, i;
		struct hub_delayed *nq = xcalloc(ncap, sizeof(*nq));

		for (i = 0; i < sh->qlen; i++)
			nq[i] = sh->q[(sh->qhead + i) % sh->qcap];
		free(sh->q);
		sh->q = nq;
		sh->qcap = ncap;
		sh->qhead = 0;
	}
	d = &sh->q[(sh->qhead + sh->qlen) % sh->qcap];
	d->depart = depart;
	d->due = due;
	d->f = f;
	sh->qlen++;
	sh->qbytes += f->len;
	sh->active = 1;
	COUNT(p, delayed);
	if (sh->qlen == 1)
		arm(p, now);
}

/* Timer: sends every frame whose time has come, then waits for the next. */
static void
on_timer(uv_timer_t *t)
{
	struct hub_port *p = t->data;
	struct hub_shaper *sh = &p->sh;
	struct hub_rx rx[HUB_BATCH];
	uint64_t now = uv_hrtime();
	unsigned int n, k;

	while (sh->qlen > 0 && sh->q[sh->qhead].due <= now) {
		for (n = 0; n < HUB_BATCH && sh->qlen > 0 && sh->q[sh->qhead].due <= now; n++) {
			struct hub_frame *f = sh->q[sh->qhead].f;

			rx[n].data = f->data;
			rx[n].len = f->len;
			rx[n].copy = f;
			sh->qhead = (sh->qhead + 1) % sh->qcap;
			sh->qlen--;
			sh->qbytes -= f->len;
		}
		hub__port_send(p, rx, n);
		for (k = 0; k < n; k++)
			hub__frame_unref(rx[k].copy);
	}
	if (sh->qlen > 0)
		arm(p, now);
	else
		sh->active = hub_impair_active(&sh->cf);
}

/* A private copy of the frame with one random bit flipped. */
static struct hub_frame *
corrupt(struct hub_shaper *sh, const struct hub_rx *rx)
{
	struct hub_frame *f = xmalloc(sizeof(*f) + rx->len);
	uint64_t bit = rnd(sh) % ((uint64_t)rx->len * 8);

	f->refs = 1;
	f->len = rx->len;
	memcpy(f->data, rx->data, rx->len);
	f->data[bit / 8] ^= (unsigned char)(1U << (bit % 8));
	return f;
}

/* Sends frames to an impaired port: drops, copies, delays (see the top). */
void
hub__impair_send(struct hub_port *p, struct hub_rx *rx, unsigned int n)
{
	struct hub_shaper *sh = &p->sh;
	struct hub_rx out[2 * HUB_BATCH];
	struct hub_rx *src[2 * HUB_BATCH];
	int own[2 * HUB_BATCH];
	int timed = sh->cf.delay_us != 0 || sh->cf.rate_bps != 0 || sh->qlen > 0;
	unsigned int i, k, no = 0;
	uint64_t now = 0;

	for (i = 0; i < n; i++) {
		struct hub_rx *r = &rx[i];
		int copies = 1;

		if (sh->cf.mtu != 0 && r->len - 14 > sh->cf.mtu) {
			COUNT(p, mtu_drops);
			continue;
		}
		if (lose(sh)) {
			COUNT(p, lost);
			continue;
		}
		if (chance(sh, sh->cf.duplicate)) {
			COUNT(p, duplicated);
			copies = 2;
			hub__rx_copy(r); /* both copies share one frame */
		}
		for (k = 0; k < (unsigned int)copies; k++) {
			struct hub_frame *f = NULL;

			if (chance(sh, sh->cf.corrupt)) {
				COUNT(p, corrupted);
				f = corrupt(sh, r);
			}
			if (!timed || chance(sh, sh->cf.reorder)) {
				if (timed)
					COUNT(p, reordered);
				out[no] = *r;
				src[no] = r;
				own[no] = f != NULL;
				if (f != NULL) {
					out[no].data = f->data;
					out[no].copy = f;
				}
				no++;
				continue;
			}
			if (now == 0)
				now = uv_hrtime();
			if (f == NULL) {
				f = hub__rx_copy(r);
				f->refs++;
			}
			enqueue(p, f, now);
		}
	}
	/* hub__port_send takes at most HUB_BATCH frames at a time. */
	for (k = 0; k < no; k += HUB_BATCH)
		hub__port_send(p, out + k, no - k < HUB_BATCH ? no - k : HUB_BATCH);
	for (k = 0; k < no; k++) {
		if (own[k])
			hub__frame_unref(out[k].copy);
		else if (out[k].copy != NULL && src[k]->copy == NULL)
			src[k]->copy = out[k].copy; /* made by the send queue: rx owns it */
	}
}

/* A joining port gets its impairments and its timer. */
void
hub__impair_attach(struct hub_port *p)
{
	uv_timer_init(p->hub->loop, &p->sh.timer);
	p->sh.timer.data = p;
	p->sh.timer_init = 1;
	p->open++;
	configure(p);
}

/* A leaving port drops what waits; its timer closes with its other handles. */
void
hub__impair_detach(struct hub_port *p, uv_close_cb closed)
{
	struct hub_shaper *sh = &p->sh;

	while (sh->qlen > 0) {
		hub__frame_unref(sh->q[sh->qhead].f);
		sh->qhead = (sh->qhead + 1) % sh->qcap;
		sh->qlen--;
	}
	free(sh->q);
	sh->q = NULL;
	sh->qcap = sh->qhead = 0;
	sh->qbytes = 0;
	if (sh->timer_init) {
		sh->timer_init = 0;
		uv_close((uv_handle_t *)&sh->timer, closed);
	}
}

/* Drops every frame waiting in the port's impairment queue: its link went
 * down.  The bottleneck and the delay line start empty again. */
void
hub__impair_discard(struct hub_port *p)
{
	struct hub_shaper *sh = &p->sh;

	p->c.link_drops_out += sh->qlen;
	p->hub->total.link_drops_out += sh->qlen;
	while (sh->qlen > 0) {
		hub__frame_unref(sh->q[sh->qhead].f);
		sh->qhead = (sh->qhead + 1) % sh->qcap;
		sh->qlen--;
	}
	sh->qbytes = 0;
	sh->rate_free = sh->last_due = 0;
	if (sh->timer_init)
		uv_timer_stop(&sh->timer);
	sh->active = hub_impair_active(&sh->cf);
}

/* Sets the domain's impairments (port -1) or one port's ("domain": its own
 * go away); puts them in force and tells the event streams. */
int
hub__impair_set(struct hub *hub, int port, const char *spec, char *why, size_t whylen)
{
	struct hub_impair im;
	char line[HUB_SPEC_MAX + 32], text[HUB_SPEC_MAX];
	int inherit = port >= 0 && strcmp(spec, "domain") == 0;

	if (port == 0 || port >= (int)HUB_PORTS_MAX) {
		snprintf(why, whylen, "port must be 1 to %u", HUB_PORTS_MAX - 1);
		return -1;
	}
	if (!inherit && hub_impair_parse(spec, &im, why, whylen) == -1)
		return -1;
	if (port < 0) {
		hub->impair = im;
	} else if (inherit) {
		free(hub->port_impair[port]);
		hub->port_impair[port] = NULL;
	} else {
		if (hub->port_impair[port] == NULL)
			hub->port_impair[port] = xmalloc(sizeof(im));
		*hub->port_impair[port] = im;
	}
	for (unsigned int i = 0; i < hub->ndests; i++) {
		if (port < 0 || hub->dests[i]->port == (unsigned int)port)
			configure(hub->dests[i]);
	}
	if (inherit)
		snprintf(text, sizeof(text), "domain");
	else
		hub_impair_format(&im, text, sizeof(text));
	if (port < 0)
		snprintf(line, sizeof(line), "impair domain %s\n", text);
	else
		snprintf(line, sizeof(line), "impair port %d %s\n", port, text);
	hub__mgmt_event_line(hub, line);
	return 0;
}

/* Frees the per-port settings at exit. */
void
hub__impair_free(struct hub *hub)
{
	for (unsigned int i = 0; i < HUB_PORTS_MAX; i++)
		free(hub->port_impair[i]);
}
