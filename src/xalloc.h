/*
 * src/xalloc.h: allocators that die on out of memory, the one fatal error,
 * and the runtime's error-message helpers (the char **err convention of
 * paths.h: a fallible function returns < 0 or NULL and sets *err to a
 * malloc'd message the caller frees).
 */
#ifndef UMLAB_XALLOC_H
#define UMLAB_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Set *err (if err is not NULL and *err is NULL) to a message; returns -1. */
int rt_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like rt_fail, with ": strerror(errnum)" appended. */
int rt_fail_errno(char **err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefix *err with context: "starting pc1: " + old message. */
void rt_wrap(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
