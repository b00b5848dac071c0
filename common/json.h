/*
 * common/json.h: minimal JSON writing for --json output (RFC 8259).
 *
 * json_write_string escapes one string. struct json_out is a small streaming
 * writer that tracks nesting and commas and indents with two spaces, so
 * commands can emit documents without building a tree first.
 */
#ifndef UMLAB_JSON_H
#define UMLAB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 32

void json_write_string(FILE *f, const char *s); /* writes "..." or null for NULL */

struct json_out {
	FILE *f;                       /* borrowed */
	bool pretty;                   /* newlines and indentation */
	int depth;                     /* open objects and arrays */
	bool first[JSON_DEPTH_MAX];    /* no member written yet at this level */
	bool is_array[JSON_DEPTH_MAX]; /* arrays take no keys */
};

/* Start writing one document to f. */
void json_out_init(struct json_out *j, FILE *f, bool pretty);
/* Finish the document with a newline; true when every container was closed. */
bool json_out_finish(struct json_out *j);

/*
 * Members: key is the member name inside an object, NULL inside an array
 * or for the top-level value.
 */
void json_begin_object(struct json_out *j, const char *key);
void json_end_object(struct json_out *j);
void json_begin_array(struct json_out *j, const char *key);
void json_end_array(struct json_out *j);
void json_string(struct json_out *j, const char *key, const char *val); /* NULL: null */
void json_uint(struct json_out *j, const char *key, uint64_t val);
void json_int(struct json_out *j, const char *key, int64_t val);
void json_double(struct json_out *j, const char *key, double val); /* non-finite: null */
void json_bool(struct json_out *j, const char *key, bool val);
void json_null(struct json_out *j, const char *key);

#endif
