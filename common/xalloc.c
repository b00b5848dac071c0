/* common/xalloc.c: allocators that never return NULL: out of memory aborts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "xalloc.h"

/* Report out of memory and stop: no caller can do anything sensible. */
static void __attribute__((noreturn)) oom(void)
{
	fputs("umlab: out of memory\n", stderr);
	abort();
}

/* malloc that never returns NULL. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		oom();
	return p;
}

/* calloc that never returns NULL. */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		oom();
	return p;
}

/* realloc that never returns NULL. */
void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		oom();
	return p;
}

/* reallocarray that never returns NULL (and checks n * size). */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

/* strndup that never returns NULL. */
char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

/* vasprintf that never fails. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

/* asprintf that never fails. */
char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Append a copy of s to the string array *v of *n elements. */
void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/* Free a string array and its strings. */
void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Index of s in v, or -1. */
ssize_t
strv_find(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (ssize_t)i;
	return -1;
}

/* 64-bit FNV-1a over len bytes, continuing from h (start with FNV1A64_INIT). */
uint64_t
fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Free a NULL-terminated string array (an argv) and its strings; NULL is fine. */
void
argv_free(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* Everything left in f, NUL-terminated (*len, if wanted, excludes the NUL). */
char *
read_all(FILE *f, size_t *len)
{
	char *buf = NULL, chunk[4096];
	size_t n = 0, got;

	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf = xrealloc(buf, n + got + 1);
		memcpy(buf + n, chunk, got);
		n += got;
	}
	if (buf == NULL)
		buf = xstrdup("");
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}
