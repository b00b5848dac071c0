/*
 * lab/yaml-disks.c: a host's extra disks in lab.yaml (`disks:`), in a host
 * or in `defaults:`. A list whose items are a size ("1G") or a mapping
 * {size, format, label}; a single item without the list is one disk, and an
 * empty value (or []) is none, so a host can drop the defaults' disks.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

#define MAP_EACH(n, p)                                                                             \
	for (yaml_node_pair_t *p = (n)->data.mapping.pairs.start; p < (n)->data.mapping.pairs.top; \
	     p++)

void
lab__disks_free(struct lab_disk *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].format);
		free(d[i].label);
		lab__origin_free(&d[i].origin);
	}
	free(d);
}

void
lab__disks_copy(const struct lab_disk *src, size_t n, struct lab_disk **dst, size_t *ndst)
{
	*dst = n > 0 ? xcalloc(n, sizeof **dst) : NULL;
	for (size_t i = 0; i < n; i++) {
		(*dst)[i].size_mb = src[i].size_mb;
		(*dst)[i].format = src[i].format != NULL ? xstrdup(src[i].format) : NULL;
		(*dst)[i].label = src[i].label != NULL ? xstrdup(src[i].label) : NULL;
		(*dst)[i].origin =
		        lab__origin(src[i].origin.file, src[i].origin.line, src[i].origin.col);
	}
	*ndst = n;
}

/* An ext4 volume label we also pass to mke2fs: [A-Za-z0-9_-]{1,16}. */
static bool
label_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LAB_DISK_LABEL_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) ||
		    !(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* The size of one disk in MiB, or 0 after reporting. */
static unsigned long
size_mb(struct lab__yaml *y, const yaml_node_t *n)
{
	const char *s = lab__y_scalar(y, n, "a disk size");
	unsigned long mb;

	if (s == NULL)
		return 0;
	if (!lab__parse_memory(s, &mb)) {
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "disk size '%s' is not a size like 500M, 2G or 64 (MiB)", s);
		return 0;
	}
	if (mb < 1 || mb > LAB_DISKS_MAX_MB) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "disk size %luM is outside 1..%u MiB", mb,
		              LAB_DISKS_MAX_MB);
		return 0;
	}
	return mb;
}

/* One disk: "SIZE" or {size: SIZE, format: ext4, label: LABEL}; false after reporting. */
static bool
disk(struct lab__yaml *y, const yaml_node_t *n, const char *whose, struct lab_disk *d)
{
	static const char *const keys[] = {"size", "format", "label", NULL};
	const yaml_node_t *sn = NULL, *fn = NULL, *ln = NULL;
	char *where = xasprintf("in a disk of %s", whose);
	uint64_t seen = 0;
	bool ok = true;

	memset(d, 0, sizeof *d);
	d->origin = lab__y_origin(y, n);
	if (n->type == YAML_MAPPING_NODE) {
		MAP_EACH(n, p)
		{
			int k = lab__y_key(y, p, keys, where, &seen);
			const yaml_node_t *v = lab__y_node(y, p->value);

			if (k == 0)
				sn = v;
			else if (k == 1)
				fn = v;
			else if (k == 2)
				ln = v;
			else
				ok = false;
		}
		if (sn == NULL && ok) {
			lab__y_report(y, LAB_E_TYPE, n, NULL, "a disk of %s has no size", whose);
			ok = false;
		}
	} else {
		sn = n;
	}
	free(where);
	if (sn != NULL && (d->size_mb = size_mb(y, sn)) == 0)
		ok = false;
	if (fn != NULL) {
		const char *s = lab__y_scalar(y, fn, "a disk format");

		if (s != NULL && strcmp(s, "ext4") != 0)
			lab__y_report(y, LAB_E_TYPE, fn, NULL,
			              "disk format '%s' is not supported: ext4, or no format for a "
			              "raw disk",
			              s);
		if (s == NULL || strcmp(s, "ext4") != 0)
			ok = false;
		else
			d->format = xstrdup(s);
	}
	if (ln != NULL) {
		const char *s = lab__y_scalar(y, ln, "a disk label");

		if (s != NULL && !label_valid(s))
			lab__y_report(y, LAB_E_TYPE, ln, NULL,
			              "disk label '%s' is not [A-Za-z0-9_-]{1,%d}", s,
			              LAB_DISK_LABEL_MAX);
		else if (s != NULL && fn == NULL)
			lab__y_report(y, LAB_E_TYPE, ln, NULL,
			              "disk label '%s' needs format: ext4 (the label is the "
			              "filesystem's)",
			              s);
		if (s == NULL || !label_valid(s) || fn == NULL)
			ok = false;
		else
			d->label = xstrdup(s);
	}
	return ok;
}

void
lab__y_disks(struct lab__yaml *y, const yaml_node_t *n, const char *whose, struct lab_disk **v,
             size_t *nv)
{
	struct lab_disk *out = NULL;
	size_t nout = 0, total = 0, count = 0;
	bool ok = true, seq = n->type == YAML_SEQUENCE_NODE;

	if (seq)
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	else if (!lab__y_is_null(n))
		count = 1; /* one disk without the list */
	if (count > LAB_DISKS_MAX) {
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "%s has %zu disks; at most %d (/dev/ubdb .. /dev/ubd%c)", whose,
		              count, LAB_DISKS_MAX, 'b' + LAB_DISKS_MAX - 1);
		return;
	}
	out = count > 0 ? xcalloc(count, sizeof *out) : NULL;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item = seq ? lab__y_node(y, n->data.sequence.items.start[i]) : n;

		if (item == NULL)
			continue;
		if (!disk(y, item, whose, &out[nout])) {
			/* The next disk reuses the slot: free what this one got. */
			free(out[nout].format);
			free(out[nout].label);
			lab__origin_free(&out[nout].origin);
			ok = false;
			continue;
		}
		total += out[nout].size_mb;
		nout++;
	}
	if (ok && total > LAB_DISKS_MAX_MB) {
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "the disks of %s add up to %zuM, more than %u MiB (64G)", whose,
		              total, LAB_DISKS_MAX_MB);
		ok = false;
	}
	if (!ok) {
		lab__disks_free(out, nout);
		return;
	}
	lab__disks_free(*v, *nv);
	*v = out;
	*nv = nout;
}
