/*
 * common/xalloc.h: allocators that die on out of memory (the one fatal
 * error), string vectors and hashing, shared by every part of umlab.
 */
#ifndef UMLAB_XALLOC_H
#define UMLAB_XALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "errmsg.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* String vectors: an array of owned strings and its length. */
void strv_push(char ***v, size_t *n, const char *s);
void strv_free(char **v, size_t n);
ssize_t strv_find(char *const *v, size_t n, const char *s);
/* Everything left in stream f, NUL-terminated; *len (optional) without the NUL. */
char *read_all(FILE *f, size_t *len);
/* Free a NULL-terminated array of strings (an argv); NULL is fine. */
void argv_free(char **argv);

/* 64-bit FNV-1a: fold len bytes into h, starting from FNV1A64_INIT. */
#define FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t h, const void *data, size_t len);

#endif
