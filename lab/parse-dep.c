/*
 * lab/parse-dep.c: lab.dep, make-like "target ...: dependency ..." lines with
 * # comments and backslash continuations. Repeated targets are merged; the
 * edges are resolved against the hosts once every file is read.
 */
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* Next blank-separated word of s from *pos: its start, or NULL; *len gets its length. */
static const char *
word(const char *s, size_t *pos, size_t *len)
{
	size_t p = *pos, start;

	while (s[p] == ' ' || s[p] == '\t')
		p++;
	if (s[p] == '\0')
		return NULL;
	start = p;
	while (s[p] != '\0' && s[p] != ' ' && s[p] != '\t')
		p++;
	*pos = p;
	*len = p - start;
	return s + start;
}

/* Check a name written in lab.dep; false after reporting. */
static bool
dep_name(struct lab__ctx *c, const char *file, unsigned int line, unsigned int col,
         const char *name)
{
	if (lab_name_valid(name))
		return true;
	lab__report(c, LAB_E_NAME, file, line, col, NULL,
	            "'%s' is not a host name ([A-Za-z0-9][A-Za-z0-9_-]{0,31})", name);
	return false;
}

/* One logical line (continuations joined, comment removed). */
static void
dep_line(struct lab__ctx *c, const char *file, unsigned int line, char *text)
{
	char *colon = strchr(text, ':');
	size_t tpos = 0, len;
	const char *t;
	bool any = false;

	if (colon == NULL || strchr(colon + 1, ':') != NULL || strchr(text, '=') != NULL) {
		size_t p = 0;

		if (word(text, &p, &len) == NULL)
			return; /* blank */
		lab__report(c, LAB_E_SYNTAX, file, line, 1, NULL,
		            colon == NULL && strchr(text, '=') == NULL
		                    ? "expected 'host: dependency ...'"
		                    : "only 'host: dependency ...' is understood, not other "
		                      "make syntax");
		return;
	}
	*colon = '\0';
	while ((t = word(text, &tpos, &len)) != NULL) {
		char *target = xstrndup(t, len);
		size_t dpos = 0, dlen;
		const char *d;

		any = true;
		if (dep_name(c, file, line, (unsigned int)(t - text) + 1, target)) {
			char *rest = colon + 1;

			while ((d = word(rest, &dpos, &dlen)) != NULL) {
				char *dep = xstrndup(d, dlen);
				unsigned int col = (unsigned int)(d - text) + 1;
				struct lab_origin o = lab__origin(file, line, col);

				if (dep_name(c, file, line, col, dep))
					lab__add_dep(c, target, dep, &o);
				lab__origin_free(&o);
				free(dep);
			}
		}
		free(target);
	}
	if (!any)
		lab__report(c, LAB_E_SYNTAX, file, line, 1, NULL, "no host before ':'");
}

/* Parse lab.dep text into c. An empty file is valid. */
void
lab__parse_dep_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file)
{
	char *logical = NULL;
	size_t llen = 0, pos = 0;
	unsigned int no = 0, first = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t n = end - pos;
		const char *hash;
		bool cont;

		no++;
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		if (memchr(buf + pos, '\0', n) != NULL) {
			lab__report(c, LAB_E_SYNTAX, file, no, 0, NULL, "NUL byte in lab.dep");
			pos = end + 1;
			continue;
		}
		if ((hash = memchr(buf + pos, '#', n)) != NULL)
			n = (size_t)(hash - (buf + pos));
		cont = hash == NULL && n > 0 && buf[pos + n - 1] == '\\';
		if (cont)
			n--;
		if (logical == NULL)
			first = no;
		logical = xrealloc(logical, llen + n + 2);
		memcpy(logical + llen, buf + pos, n);
		llen += n;
		logical[llen++] = ' ';
		logical[llen] = '\0';
		if (!cont) {
			dep_line(c, file, first, logical);
			free(logical);
			logical = NULL;
			llen = 0;
		}
		pos = end + 1;
	}
	if (logical != NULL)
		dep_line(c, file, first, logical);
	free(logical);
}
