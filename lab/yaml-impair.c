/*
 * lab/yaml-impair.c: the impairment keys of a domain in lab.yaml (delay,
 * loss, rate, ...), each value checked where it is written and the rules
 * between keys checked once the mapping is read. The hub applies them; the
 * rules are the hub's (hub/impair-spec.c), reported here with file:line:col
 * so that a lab never reaches lstart with a spec its hub would refuse.
 */
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

const char *const lab__impair_keys[LAB_IMPAIR_NKEYS + 1] = {
        "delay", "jitter",    "distribution", "loss",    "loss_model", "burst", "rate",
        "queue", "duplicate", "corrupt",      "reorder", "mtu",        "seed",  NULL,
};

bool
lab_impair_active(const struct lab_impair *im)
{
	return im->delay_ms != 0 || im->loss_pct != 0 || im->rate_bps != 0 ||
	       im->duplicate_pct != 0 || im->corrupt_pct != 0 || im->mtu != 0;
}

/* A percentage into *pct, or a report. */
static void
percent(struct lab__yaml *y, const yaml_node_t *n, const char *what, double *pct)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s != NULL && !lab__parse_percent(s, pct))
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s '%s' is not a percentage like 1%% or 0.5",
		              what, s);
}

/* A whole number in [min, max] into *out, or a report. */
static void
bounded(struct lab__yaml *y, const yaml_node_t *n, const char *what, unsigned long min,
        unsigned long max, const char *unit, unsigned int *out)
{
	const char *s = lab__y_scalar(y, n, what);
	unsigned long v;

	if (s == NULL)
		return;
	if (!lab__parse_uint(s, max, &v) || v < min)
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be %s from %lu to %lu", what, unit,
		              min, max);
	else
		*out = (unsigned int)v;
}

/* One of two words into *second (true for the second), or a report. */
static void
choice(struct lab__yaml *y, const yaml_node_t *n, const char *what, const char *a, const char *b,
       bool *second)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s == NULL)
		return;
	if (strcmp(s, a) == 0 || strcmp(s, b) == 0)
		*second = strcmp(s, b) == 0;
	else
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be %s or %s, not '%s'", what, a, b,
		              s);
}

void
lab__y_impair_key(struct lab__yaml *y, int k, const yaml_node_t *v, struct lab_impair *im)
{
	const char *s;
	unsigned int u = 0;

	switch (k) {
	case 0:
	case 1:
		lab__y_duration(y, v, lab__impair_keys[k], 1,
		                k == 0 ? &im->delay_ms : &im->jitter_ms);
		if ((k == 0 ? im->delay_ms : im->jitter_ms) > 60000)
			lab__y_report(y, LAB_E_TYPE, v, NULL, "%s is at most 60s",
			              lab__impair_keys[k]);
		break;
	case 2:
		choice(y, v, "distribution", "uniform", "normal", &im->normal);
		break;
	case 3:
		percent(y, v, "loss", &im->loss_pct);
		break;
	case 4:
		choice(y, v, "loss_model", "random", "gilbert", &im->gilbert);
		break;
	case 5:
		bounded(y, v, "burst", 1, 1000, "a number of frames", &im->burst);
		break;
	case 6:
		if ((s = lab__y_scalar(y, v, "rate")) == NULL)
			break;
		if (!lab__parse_rate(s, &im->rate_bps) || im->rate_bps < 1000 ||
		    im->rate_bps > 1000000000000ULL)
			lab__y_report(y, LAB_E_TYPE, v, NULL,
			              "rate '%s' is not a bit rate from 1kbit to 1000G like 10mbit",
			              s);
		break;
	case 7:
		bounded(y, v, "queue", 1, 100000, "a number of frames", &im->queue);
		break;
	case 8:
		percent(y, v, "duplicate", &im->duplicate_pct);
		break;
	case 9:
		percent(y, v, "corrupt", &im->corrupt_pct);
		break;
	case 10:
		percent(y, v, "reorder", &im->reorder_pct);
		break;
	case 11:
		bounded(y, v, "mtu", 68, 9220, "a number of bytes", &im->mtu);
		break;
	case 12:
		bounded(y, v, "seed", 0, 4294967295UL, "a number", &u);
		im->seed = u;
		im->has_seed = true;
		break;
	}
}

void
lab__y_impair_check(struct lab__yaml *y, const yaml_node_t *n, const char *whose,
                    const struct lab_impair *im)
{
	const char *why = NULL;

	if (im->burst != 0 && !im->gilbert)
		why = "burst needs loss_model: gilbert";
	else if (im->gilbert && im->burst == 0)
		why = "loss_model: gilbert needs burst (mean frames lost in a row)";
	else if (im->gilbert && im->loss_pct / 100 > (double)im->burst / (im->burst + 1))
		why = "loss is too high for that burst: at most burst/(burst+1)";
	else if (im->queue != 0 && im->rate_bps == 0)
		why = "queue needs a rate";
	else if (im->reorder_pct != 0 && im->delay_ms == 0)
		why = "reorder needs a delay (reordered frames skip it)";
	else if (im->jitter_ms != 0 && im->delay_ms == 0)
		why = "jitter needs a delay";
	else if (im->normal && im->jitter_ms == 0)
		why = "distribution needs a jitter";
	if (why != NULL)
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s: %s", whose, why);
}
