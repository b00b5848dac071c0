/* lab/values.c: the value syntaxes shared by lab.yaml and lab.conf (sizes, durations, MACs...). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab-int.h"

/* Leading decimal digits of s as a number (at most 10^12), advancing *s; false if none. */
static bool
digits(const char **s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > 1000000000000ULL)
			return false;
	}
	*s = p;
	*out = v;
	return true;
}

/* s equals one of the NULL-terminated words, ignoring case. */
static bool
one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcasecmp(s, *words) == 0)
			return true;
	return false;
}

/* "64", "64M", "64MB", "1G": a size in MiB (a plain number is MiB). */
bool
lab__parse_memory(const char *s, unsigned long *mb)
{
	static const char *const mega[] = {"", "m", "mb", "mib", NULL};
	static const char *const giga[] = {"g", "gb", "gib", NULL};
	unsigned long long v;

	if (!digits(&s, &v))
		return false;
	if (one_of(s, giga))
		v *= 1024;
	else if (!one_of(s, mega))
		return false;
	if (v > ULONG_MAX / 2)
		return false;
	*mb = (unsigned long)v;
	return true;
}

/* true/false, yes/no, on/off, 1/0. */
bool
lab__parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};

	if (one_of(s, yes))
		*out = true;
	else if (one_of(s, no))
		*out = false;
	else
		return false;
	return true;
}

/* A plain decimal number no larger than max. */
bool
lab__parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long long v;

	if (!digits(&s, &v) || *s != '\0' || v > max)
		return false;
	*out = (unsigned long)v;
	return true;
}

/* "500ms", "20s", "2m"; a plain number counts plain_unit_ms milliseconds. */
bool
lab__parse_duration(const char *s, unsigned long plain_unit_ms, unsigned int *ms)
{
	unsigned long long v, unit;

	if (!digits(&s, &v))
		return false;
	if (*s == '\0')
		unit = plain_unit_ms;
	else if (strcmp(s, "ms") == 0)
		unit = 1;
	else if (strcmp(s, "s") == 0)
		unit = 1000;
	else if (strcmp(s, "m") == 0 || strcmp(s, "min") == 0)
		unit = 60000;
	else
		return false;
	if (v > UINT_MAX / unit)
		return false;
	*ms = (unsigned int)(v * unit);
	return true;
}

/* "1%", "0.5", "12.5%": a percentage from 0 to 100. */
bool
lab__parse_percent(const char *s, double *pct)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (*end != '\0' || !isfinite(v) || v < 0 || v > 100)
		return false;
	*pct = v;
	return true;
}

/* "10mbit", "512kbit", "1G", "100000": bits per second. */
bool
lab__parse_rate(const char *s, uint64_t *bps)
{
	static const char *const units[] = {"", "bit", "bps", NULL};
	unsigned long long v, mult = 1;

	if (!digits(&s, &v))
		return false;
	switch (*s) {
	case 'k':
	case 'K':
		mult = 1000ULL, s++;
		break;
	case 'm':
	case 'M':
		mult = 1000000ULL, s++;
		break;
	case 'g':
	case 'G':
		mult = 1000000000ULL, s++;
		break;
	}
	if (!one_of(s, units) || v > UINT64_MAX / mult)
		return false;
	*bps = v * mult;
	return true;
}

/* A unicast, non-zero MAC "xx:xx:xx:xx:xx:xx"; out gets it in lower case. */
bool
lab__parse_mac(const char *s, char out[18])
{
	unsigned int first = 0, any = 0;

	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[17] = '\0';
	sscanf(out, "%2x", &first);
	for (int i = 0; i < 17; i++)
		any |= out[i] != '0' && out[i] != ':';
	return (first & 1) == 0 && any;
}

/* "eth3" -> 3; no leading zeros, below LAB_IFACES_MAX. */
bool
lab__parse_ethname(const char *s, unsigned int *index)
{
	unsigned long v;

	if (strncmp(s, "eth", 3) != 0 || (s[3] == '0' && s[4] != '\0'))
		return false;
	if (!lab__parse_uint(s + 3, LAB_IFACES_MAX - 1, &v))
		return false;
	*index = (unsigned int)v;
	return true;
}

/* "net.ipv4.ip_forward=1": dotted key of [A-Za-z0-9_./-], '=', printable value. */
bool
lab__sysctl_valid(const char *s)
{
	const char *p = s;

	while (*p != '\0' && (isalnum((unsigned char)*p) || strchr("_./-", *p) != NULL))
		p++;
	if (p == s || *p != '=' || p[1] == '\0')
		return false;
	for (p++; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			return false;
	return true;
}

/* A kernel command-line word: see lab.h. */
bool
lab_karg_valid(const char *s)
{
	if (*s == '\0')
		return false;
	/* Blanks and quotes would split or change the word on its way through
	 * guest-launch; tmux reads a lone ';' or '\\;' as a command separator. */
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\'' || *p == ';' || *p == '\\')
			return false;
	return true;
}
