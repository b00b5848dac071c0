/* common/json.c: JSON string escaping and a streaming writer for --json output. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "json.h"

/* Write s as a JSON string literal, or null when s is NULL. */
void
json_write_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Start writing one document to f. */
void
json_out_init(struct json_out *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->first[0] = true;
	j->is_array[0] = true; /* the top level takes a value, never a key */
}

/* Write the newline and indentation for the current depth. */
static void
indent(struct json_out *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Write the separator and key that come before any value. */
static void
member(struct json_out *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		indent(j);
	}
	j->first[j->depth] = false;
	if (!j->is_array[j->depth]) {
		json_write_string(j->f, key != NULL ? key : "");
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

/* Open a container after its key; nesting beyond JSON_DEPTH_MAX is a bug. */
static void
open_container(struct json_out *j, const char *key, char c, bool array)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
	j->is_array[j->depth] = array;
}

/* Close the innermost container, on its own line unless it is empty. */
static void
close_container(struct json_out *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
}

/* Finish the document with a newline; true when every container was closed. */
bool
json_out_finish(struct json_out *j)
{
	fputc('\n', j->f);
	return j->depth == 0;
}

/* Open an object member (key) or element (NULL). */
void
json_begin_object(struct json_out *j, const char *key)
{
	open_container(j, key, '{', false);
}

/* Close the innermost object. */
void
json_end_object(struct json_out *j)
{
	close_container(j, '}');
}

/* Open an array member (key) or element (NULL). */
void
json_begin_array(struct json_out *j, const char *key)
{
	open_container(j, key, '[', true);
}

/* Close the innermost array. */
void
json_end_array(struct json_out *j)
{
	close_container(j, ']');
}

/* Write a string member or element; NULL becomes null. */
void
json_string(struct json_out *j, const char *key, const char *val)
{
	member(j, key);
	json_write_string(j->f, val);
}

/* Write an unsigned integer member or element. */
void
json_uint(struct json_out *j, const char *key, uint64_t val)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

/* Write a signed integer member or element. */
void
json_int(struct json_out *j, const char *key, int64_t val)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, val);
}

/* Write a number member or element with up to 15 significant digits. */
void
json_double(struct json_out *j, const char *key, double val)
{
	member(j, key);
	if (!isfinite(val))
		fputs("null", j->f); /* JSON has no NaN nor infinity */
	else
		fprintf(j->f, "%.15g", val);
}

/* Write a boolean member or element. */
void
json_bool(struct json_out *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

/* Write a null member or element. */
void
json_null(struct json_out *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}
