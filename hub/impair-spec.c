/*
 * hub/impair-spec.c: the text form of a port's or domain's impairments,
 * "delay=50ms,jitter=5ms,loss=10%", as read from the command line (--impair)
 * and the mgmt socket ("impair ...") and printed in stats and events.
 *
 * Names follow lab.yaml(5), which follows netem where they agree.  Numbers
 * are parsed by hand, in integers, so that hub_impair_format prints back
 * exactly what was read (the fuzz target checks that round trip).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hub.h"

/* Unsigned decimal digits into *v (bounded by max); advances *s. */
static int
digits(const char **s, uint64_t max, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (max - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*v = n;
	return 0;
}

/* "1500us", "50ms", "2s"; a plain number is milliseconds. */
static int
duration(const char *s, uint32_t *us)
{
	uint64_t v, mult = 1000;

	if (digits(&s, HUB_DELAY_MAX_US, &v) == -1)
		return -1;
	if (strcmp(s, "us") == 0)
		mult = 1;
	else if (strcmp(s, "s") == 0)
		mult = 1000000;
	else if (*s != '\0' && strcmp(s, "ms") != 0)
		return -1;
	if (v * mult > HUB_DELAY_MAX_US)
		return -1;
	*us = (uint32_t)(v * mult);
	return 0;
}

/* "10%", "0.5", "0.0001%": a percentage with up to 4 decimals, into ppm. */
static int
percent(const char *s, uint32_t *ppm)
{
	uint64_t whole, frac = 0;
	int nfrac = 0;

	if (digits(&s, 100, &whole) == -1)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++nfrac > 4)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (nfrac == 0)
			return -1;
		for (; nfrac < 4; nfrac++)
			frac *= 10;
	}
	if (*s == '%')
		s++;
	if (*s != '\0' || whole * 10000 + frac > HUB_PPM)
		return -1;
	*ppm = (uint32_t)(whole * 10000 + frac);
	return 0;
}

/* "10mbit", "512kbit", "1gbit", "100000": bits per second, at least 1 kbit/s. */
static int
bitrate(const char *s, uint64_t *bps)
{
	uint64_t v, mult = 1;

	if (digits(&s, UINT64_MAX, &v) == -1)
		return -1;
	if (*s == 'k' || *s == 'K')
		mult = 1000, s++;
	else if (*s == 'm' || *s == 'M')
		mult = 1000000, s++;
	else if (*s == 'g' || *s == 'G')
		mult = 1000000000, s++;
	if (*s != '\0' && strcmp(s, "bit") != 0)
		return -1;
	if (v > 1000000000000ULL / mult || v * mult < 1000)
		return -1;
	*bps = v * mult;
	return 0;
}

/* A plain number within [min, max]. */
static int
number(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	if (digits(&s, max, v) == -1 || *s != '\0' || *v < min)
		return -1;
	return 0;
}

enum key {
	K_DELAY,
	K_JITTER,
	K_DIST,
	K_LOSS,
	K_LOSS_MODEL,
	K_BURST,
	K_RATE,
	K_QUEUE,
	K_DUPLICATE,
	K_CORRUPT,
	K_REORDER,
	K_MTU,
	K_SEED,
	K_COUNT
};

static const char *const keys[K_COUNT] = {
        "delay", "jitter",    "distribution", "loss",    "loss_model", "burst", "rate",
        "queue", "duplicate", "corrupt",      "reorder", "mtu",        "seed",
};

/* What a bad value of each key should look like. */
static const char *const expect[K_COUNT] = {
        "a duration up to 60s like 50ms or 1500us",
        "a duration up to 60s like 5ms",
        "uniform or normal",
        "a percentage like 10% or 0.5",
        "random or gilbert",
        "a number of frames from 1 to 1000",
        "a bit rate from 1kbit to 1000gbit like 10mbit",
        "a number of frames from 1 to 100000",
        "a percentage like 1%",
        "a percentage like 0.1%",
        "a percentage like 25%",
        "a number of bytes from 68 to 9220",
        "a number",
};

/* Sets one key from its value text; -1 if the value is bad. */
static int
set_key(struct hub_impair *im, enum key k, const char *v)
{
	uint64_t n;

	switch (k) {
	case K_DELAY:
		return duration(v, &im->delay_us);
	case K_JITTER:
		return duration(v, &im->jitter_us);
	case K_DIST:
		if (strcmp(v, "uniform") == 0)
			im->dist = HUB_DIST_UNIFORM;
		else if (strcmp(v, "normal") == 0)
			im->dist = HUB_DIST_NORMAL;
		else
			return -1;
		return 0;
	case K_LOSS:
		return percent(v, &im->loss);
	case K_LOSS_MODEL:
		if (strcmp(v, "random") == 0)
			im->loss_model = HUB_LOSS_RANDOM;
		else if (strcmp(v, "gilbert") == 0)
			im->loss_model = HUB_LOSS_GILBERT;
		else
			return -1;
		return 0;
	case K_BURST:
		if (number(v, 1, 1000, &n) == -1)
			return -1;
		im->burst = (uint32_t)n;
		return 0;
	case K_RATE:
		return bitrate(v, &im->rate_bps);
	case K_QUEUE:
		if (number(v, 1, HUB_QUEUE_MAX, &n) == -1)
			return -1;
		im->queue = (uint32_t)n;
		return 0;
	case K_DUPLICATE:
		return percent(v, &im->duplicate);
	case K_CORRUPT:
		return percent(v, &im->corrupt);
	case K_REORDER:
		return percent(v, &im->reorder);
	case K_MTU:
		if (number(v, HUB_MTU_MIN, HUB_MTU_MAX, &n) == -1)
			return -1;
		im->mtu = (uint32_t)n;
		return 0;
	case K_SEED:
		if (number(v, 0, UINT64_MAX, &im->seed) == -1)
			return -1;
		im->has_seed = 1;
		return 0;
	case K_COUNT:
		break;
	}
	return -1;
}

/* Rules between keys, checked once the whole spec is read. */
static const char *
check(const struct hub_impair *im)
{
	if (im->burst != 0 && im->loss_model != HUB_LOSS_GILBERT)
		return "burst needs loss_model=gilbert";
	if (im->loss_model == HUB_LOSS_GILBERT) {
		if (im->burst == 0)
			return "loss_model=gilbert needs burst (mean frames lost in a row)";
		/* Good -> bad with p = loss * r / (1 - loss), r = 1 / burst: p <= 1. */
		if ((uint64_t)im->loss * (im->burst + 1) > (uint64_t)HUB_PPM * im->burst)
			return "loss is too high for that burst: it must be at most "
			       "burst/(burst+1)";
	}
	if (im->queue != 0 && im->rate_bps == 0)
		return "queue needs a rate";
	if (im->reorder != 0 && im->delay_us == 0)
		return "reorder needs a delay (reordered frames skip it)";
	if (im->jitter_us != 0 && im->delay_us == 0)
		return "jitter needs a delay";
	if (im->dist != HUB_DIST_UNIFORM && im->jitter_us == 0)
		return "distribution needs a jitter";
	return NULL;
}

int
hub_impair_parse(const char *spec, struct hub_impair *im, char *why, size_t whylen)
{
	struct hub_impair v;
	unsigned int seen = 0;
	const char *p = spec, *rule;

	memset(&v, 0, sizeof(v));
	if (strcmp(spec, "none") == 0 || *spec == '\0') {
		*im = v;
		return 0;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ","), klen;
		const char *eq = memchr(p, '=', len);
		char val[64];
		int k;

		if (eq == NULL || eq == p) {
			snprintf(why, whylen, "'%.*s' is not key=value", (int)(len > 40 ? 40 : len),
			         p);
			return -1;
		}
		klen = (size_t)(eq - p);
		for (k = 0; k < K_COUNT; k++) {
			if (strlen(keys[k]) == klen && memcmp(keys[k], p, klen) == 0)
				break;
		}
		if (k == K_COUNT) {
			snprintf(why, whylen, "unknown key '%.*s'", (int)(klen > 40 ? 40 : klen),
			         p);
			return -1;
		}
		if (seen & (1U << k)) {
			snprintf(why, whylen, "%s given twice", keys[k]);
			return -1;
		}
		seen |= 1U << k;
		if (len - klen - 1 >= sizeof(val)) {
			snprintf(why, whylen, "%s: value too long", keys[k]);
			return -1;
		}
		memcpy(val, eq + 1, len - klen - 1);
		val[len - klen - 1] = '\0';
		if (set_key(&v, (enum key)k, val) == -1) {
			snprintf(why, whylen, "%s '%s' is not %s", keys[k], val, expect[k]);
			return -1;
		}
		p += len;
		if (*p == ',' && *++p == '\0') {
			snprintf(why, whylen, "trailing comma");
			return -1;
		}
	}
	if ((rule = check(&v)) != NULL) {
		snprintf(why, whylen, "%s", rule);
		return -1;
	}
	*im = v;
	return 0;
}

int
hub_impair_active(const struct hub_impair *im)
{
	return im->delay_us != 0 || im->loss != 0 || im->rate_bps != 0 || im->duplicate != 0 ||
	       im->corrupt != 0 || im->mtu != 0;
}

/* Appends text to buf (truncating safely). */
static void __attribute__((format(printf, 3, 4))) add(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	if (n > 0)
		buf[n++] = ',', buf[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* Appends key=duration, in ms when exact. */
static void
add_duration(char *buf, size_t len, const char *key, uint32_t us)
{
	if (us % 1000 == 0)
		add(buf, len, "%s=%ums", key, us / 1000);
	else
		add(buf, len, "%s=%uus", key, us);
}

/* Appends key=percent with as few decimals as needed. */
static void
add_percent(char *buf, size_t len, const char *key, uint32_t ppm)
{
	char frac[8];
	int n;

	if (ppm % 10000 == 0) {
		add(buf, len, "%s=%u%%", key, ppm / 10000);
		return;
	}
	n = snprintf(frac, sizeof(frac), "%04u", ppm % 10000);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	add(buf, len, "%s=%u.%s%%", key, ppm / 10000, frac);
}

/* Appends key=rate in the largest exact unit. */
static void
add_rate(char *buf, size_t len, uint64_t bps)
{
	static const char *const unit[] = {"gbit", "mbit", "kbit"};
	static const uint64_t mult[] = {1000000000, 1000000, 1000};

	for (int i = 0; i < 3; i++) {
		if (bps % mult[i] == 0) {
			add(buf, len, "rate=%llu%s", (unsigned long long)(bps / mult[i]), unit[i]);
			return;
		}
	}
	add(buf, len, "rate=%llubit", (unsigned long long)bps);
}

void
hub_impair_format(const struct hub_impair *im, char *buf, size_t len)
{
	buf[0] = '\0';
	if (im->delay_us)
		add_duration(buf, len, "delay", im->delay_us);
	if (im->jitter_us)
		add_duration(buf, len, "jitter", im->jitter_us);
	if (im->dist == HUB_DIST_NORMAL)
		add(buf, len, "distribution=normal");
	if (im->loss)
		add_percent(buf, len, "loss", im->loss);
	if (im->loss_model == HUB_LOSS_GILBERT)
		add(buf, len, "loss_model=gilbert");
	if (im->burst)
		add(buf, len, "burst=%u", im->burst);
	if (im->rate_bps)
		add_rate(buf, len, im->rate_bps);
	if (im->queue)
		add(buf, len, "queue=%u", im->queue);
	if (im->duplicate)
		add_percent(buf, len, "duplicate", im->duplicate);
	if (im->corrupt)
		add_percent(buf, len, "corrupt", im->corrupt);
	if (im->reorder)
		add_percent(buf, len, "reorder", im->reorder);
	if (im->mtu)
		add(buf, len, "mtu=%u", im->mtu);
	if (im->has_seed)
		add(buf, len, "seed=%llu", (unsigned long long)im->seed);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}
