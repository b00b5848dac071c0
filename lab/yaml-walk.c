/* lab/yaml-walk.c: typed access to a libyaml document, with errors that name line and column. */
#include <stdlib.h>
#include <string.h>

#include "yaml-int.h"

/* The node with this id, or NULL. */
yaml_node_t *
lab__y_node(struct lab__yaml *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

/* Where node starts, 1-based: the one place libyaml's 0-based marks are converted. */
struct lab_origin
lab__y_origin(struct lab__yaml *y, const yaml_node_t *n)
{
	return lab__origin(y->file, (unsigned int)n->start_mark.line + 1,
	                   (unsigned int)n->start_mark.column + 1);
}

/* Record a diagnostic at a node. */
void
lab__y_report(struct lab__yaml *y, enum lab_error_code code, const yaml_node_t *n, const char *hint,
              const char *fmt, ...)
{
	struct lab_origin o = lab__y_origin(y, n);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	lab__report_at(y->c, code, &o, hint, "%s", msg);
	free(msg);
	lab__origin_free(&o);
}

/* An empty value: `key:`, `~` or `null`, unquoted. */
bool
lab__y_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The text of a scalar node, or NULL after reporting. */
const char *
lab__y_scalar(struct lab__yaml *y, const yaml_node_t *n, const char *what)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be a single value, not a %s", what,
		              n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		lab__y_report(y, LAB_E_TYPE, n, NULL, "%s contains a NUL character", what);
		return NULL;
	}
	return v;
}

/* A string or a list of strings, appended to *v. */
bool
lab__y_strv(struct lab__yaml *y, const yaml_node_t *n, const char *what, char ***v, size_t *nv)
{
	bool ok = true;

	if (lab__y_is_null(n))
		return true;
	if (n->type != YAML_SEQUENCE_NODE) {
		const char *s = lab__y_scalar(y, n, what);

		if (s != NULL)
			strv_push(v, nv, s);
		return s != NULL;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = lab__y_node(y, *it);
		const char *s = item != NULL ? lab__y_scalar(y, item, what) : NULL;

		if (s != NULL)
			strv_push(v, nv, s);
		else
			ok = false;
	}
	return ok;
}

/* Replace *dst with a copy of a string node. */
void
lab__y_set_str(struct lab__yaml *y, const yaml_node_t *n, const char *what, char **dst)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s == NULL)
		return;
	free(*dst);
	*dst = xstrdup(s);
}

/* A duration node into *ms. */
void
lab__y_duration(struct lab__yaml *y, const yaml_node_t *n, const char *what, unsigned long plain_ms,
                unsigned int *ms)
{
	const char *s = lab__y_scalar(y, n, what);

	if (s != NULL && !lab__parse_duration(s, plain_ms, ms))
		lab__y_report(y, LAB_E_TYPE, n, NULL,
		              "%s '%s' is not a duration like 500ms, 20s or 2m", what, s);
}

/* The index of a mapping key in keys, or -1 after reporting it. */
int
lab__y_key(struct lab__yaml *y, const yaml_node_pair_t *pair, const char *const *keys,
           const char *where, uint64_t *seen)
{
	const yaml_node_t *kn = lab__y_node(y, pair->key);
	const char *k = kn != NULL ? lab__y_scalar(y, kn, "a key") : NULL;
	const char *near;
	char *hint = NULL;

	if (k == NULL)
		return -1;
	for (int i = 0; keys[i] != NULL; i++) {
		if (strcmp(k, keys[i]) != 0)
			continue;
		if (*seen & (1ULL << i)) {
			lab__y_report(y, LAB_E_DUPLICATE, kn, NULL, "key '%s' given twice %s", k,
			              where);
			return -1;
		}
		*seen |= 1ULL << i;
		return i;
	}
	near = lab__closest(k, keys);
	if (near != NULL)
		hint = xasprintf("did you mean '%s'?", near);
	lab__y_report(y, LAB_E_UNKNOWN_KEY, kn, hint, "unknown key '%s' %s", k, where);
	free(hint);
	return -1;
}

/* The node must be a mapping. */
bool
lab__y_is_map(struct lab__yaml *y, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_MAPPING_NODE)
		return true;
	lab__y_report(y, LAB_E_TYPE, n, NULL, "%s must be a mapping (key: value)", what);
	return false;
}
