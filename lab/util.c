/* lab/util.c: allocation, string arrays, edit distance and hashing for the lab model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Out of memory is the one failure the library does not report: it aborts. */
static void
oom(void)
{
	fputs("umlab: out of memory\n", stderr);
	abort();
}

/* malloc that never returns NULL. */
void *
lab__xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

/* calloc that never returns NULL. */
void *
lab__xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

/* realloc that never returns NULL. */
void *
lab__xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

/* reallocarray that never returns NULL. */
void *
lab__xreallocarray(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n ? n : 1, size ? size : 1);

	if (q == NULL)
		oom();
	return q;
}

/* strdup that never returns NULL. */
char *
lab__xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

/* strndup that never returns NULL. */
char *
lab__xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

/* vasprintf that never fails. */
char *
lab__xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

/* asprintf that never fails. */
char *
lab__xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = lab__xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Append a copy of s to the string array *v of *n elements. */
void
lab__strv_push(char ***v, size_t *n, const char *s)
{
	*v = lab__xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = lab__xstrdup(s);
}

/* Free a string array and its strings. */
void
lab__strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Index of s in v, or -1. */
ssize_t
lab__strv_find(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return (ssize_t)i;
	return -1;
}

/* Edit distance counting a swap of neighbours as one edit (words over 64 bytes: far). */
size_t
lab__distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t prev2[65], prev[65], cur[65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		memcpy(prev2, prev, sizeof prev);
		memcpy(prev, cur, sizeof cur);
	}
	return prev[lb];
}

/* The candidate nearest to word when it is a plausible typo, else NULL. */
const char *
lab__closest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) <= 4 ? 1 : 2;

	for (const char *const *c = candidates; *c != NULL; c++) {
		size_t d = lab__distance(word, *c);

		if (d < best_d) {
			best_d = d;
			best = *c;
		}
	}
	return best_d <= limit ? best : NULL;
}

/* 64-bit FNV-1a over len bytes, continuing from h. */
uint64_t
lab__fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
