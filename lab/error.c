/* lab/error.c: diagnostic lists (errors and warnings with file, line and column). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* A new diagnostic; strings are copied. */
struct lab_error *
lab__error_new(enum lab_error_code code, const char *file, unsigned int line, unsigned int col,
               const char *hint, const char *msg)
{
	struct lab_error *e = xcalloc(1, sizeof *e);

	e->code = code;
	e->file = xstrdup(file != NULL ? file : "");
	e->line = line;
	e->col = col;
	e->msg = xstrdup(msg);
	e->hint = hint != NULL ? xstrdup(hint) : NULL;
	return e;
}

/* Append e at the end of *list. */
void
lab__error_append(struct lab_error **list, struct lab_error *e)
{
	while (*list != NULL)
		list = &(*list)->next;
	*list = e;
}

/* Record a diagnostic in c: errors in c->errs, warnings in the lab's list. */
static void __attribute__((format(printf, 7, 0)))
vreport(struct lab__ctx *c, enum lab_error_code code, const char *file, unsigned int line,
        unsigned int col, const char *hint, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	struct lab_error *e = lab__error_new(code, file, line, col, hint, msg);

	free(msg);
	if (lab_error_is_warning(e)) {
		*c->warn_tail = e;
		c->warn_tail = &e->next;
	} else {
		*c->errs_tail = e;
		c->errs_tail = &e->next;
	}
}

/* Record a diagnostic at file:line:col. */
void
lab__report(struct lab__ctx *c, enum lab_error_code code, const char *file, unsigned int line,
            unsigned int col, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, code, file, line, col, hint, fmt, ap);
	va_end(ap);
}

/* Record a diagnostic at an origin. */
void
lab__report_at(struct lab__ctx *c, enum lab_error_code code, const struct lab_origin *o,
               const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, code, o->file, o->line, o->col, hint, fmt, ap);
	va_end(ap);
}

/* Number of errors (not warnings) recorded so far. */
size_t
lab__nerrors(const struct lab__ctx *c)
{
	return lab_error_count(c->errs);
}

/* An origin with a copy of file. */
struct lab_origin
lab__origin(const char *file, unsigned int line, unsigned int col)
{
	struct lab_origin o = {xstrdup(file), line, col};

	return o;
}

/* Free what an origin owns. */
void
lab__origin_free(struct lab_origin *o)
{
	free(o->file);
	o->file = NULL;
}

/* Free a whole list of diagnostics. */
void
lab_error_free(struct lab_error *list)
{
	while (list != NULL) {
		struct lab_error *next = list->next;

		free(list->file);
		free(list->msg);
		free(list->hint);
		free(list);
		list = next;
	}
}

/* "file:line:col: message (hint)", leaving out what is unknown. */
char *
lab_error_format(const struct lab_error *e)
{
	char where[64] = "";
	const char *file = e->file != NULL && e->file[0] != '\0' ? e->file : NULL;

	if (e->line > 0 && e->col > 0)
		snprintf(where, sizeof where, ":%u:%u", e->line, e->col);
	else if (e->line > 0)
		snprintf(where, sizeof where, ":%u", e->line);
	return xasprintf("%s%s%s%s%s%s%s", file != NULL ? file : "", where,
	                 file != NULL ? ": " : "", e->msg, e->hint != NULL ? " (" : "",
	                 e->hint != NULL ? e->hint : "", e->hint != NULL ? ")" : "");
}

/* Warnings never fail a load. */
bool
lab_error_is_warning(const struct lab_error *e)
{
	return e->code == LAB_W_UNSUPPORTED || e->code == LAB_W_STYLE;
}

/* Length of a list. */
size_t
lab_error_count(const struct lab_error *list)
{
	size_t n = 0;

	for (; list != NULL; list = list->next)
		n++;
	return n;
}
