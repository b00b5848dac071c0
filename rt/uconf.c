/*
 * rt/uconf.c: umlab.conf(5) (see uconf.h).
 *
 * The parser reads a line at a time from a bounded buffer and never
 * expands anything: a netkit.conf is a shell script, but umlab only takes
 * its KEY=VALUE lines, so '$', backquotes and backslashes are errors
 * rather than something half-understood.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab.h"
#include "uconf.h"
#include "xalloc.h"

static const char *const key_names[RT_UC_N] = {
        [RT_UC_VM_MEMORY] = "VM_MEMORY",     [RT_UC_MIN_MEM] = "MIN_MEM",
        [RT_UC_MAX_MEM] = "MAX_MEM",         [RT_UC_MAX_INTERFACES] = "MAX_INTERFACES",
        [RT_UC_VM_KERNEL] = "VM_KERNEL",     [RT_UC_VM_MODEL_FS] = "VM_MODEL_FS",
        [RT_UC_VM_CON0] = "VM_CON0",         [RT_UC_VM_CON1] = "VM_CON1",
        [RT_UC_TERM_TYPE] = "TERM_TYPE",     [RT_UC_TMUX_OPEN_TERMS] = "TMUX_OPEN_TERMS",
        [RT_UC_VM_HOSTHOME] = "VM_HOSTHOME",
};

/* Netkit settings umlab has no use for, and why: an error names the reason. */
static const struct {
	const char *key, *why;
} netkit_only[] = {
        {"MCONSOLE_DIR", "umlab keeps its sockets in its runtime directory (UMLAB_RUNDIR)"},
        {"HUB_SOCKET_DIR", "umlab keeps its sockets in its runtime directory (UMLAB_RUNDIR)"},
        {"HUB_SOCKET_PREFIX", "umlab names its hub sockets itself"},
        {"HUB_SOCKET_EXTENSION", "umlab names its hub sockets itself"},
        {"HUB_LOG", "umlab's hubs keep counters instead of a log (lstatus, hub --stats)"},
        {"VM_MEMORY_SKEW", "umlab gives a guest exactly VM_MEMORY"},
        {"MAX_SIMULTANEOUS_VMS", "lstart -p bounds parallel boots"},
        {"GRACE_TIME", "lstart waits for each guest's ready marker, not for a grace time"},
        {"CHECK_FOR_UPDATES", "umlab does not check for updates"},
        {"UPDATE_CHECK_PERIOD", "umlab does not check for updates"},
        {"VPACKAGE_MOUNT_POINT", "umlab-mkfs builds model filesystems"},
        {"LOGFILENAME", "umlab keeps no command log"},
        {"USE_SUDO", "umlab never asks for root"},
        {"CON0_PORTHELPER", "umlab has no port consoles (see VM_CON0)"},
        {"TMUX_START_DETACHED", "write TMUX_OPEN_TERMS=no"},
        {"CONFIG_VERSION", "umlab.conf has no versions"},
};

static const char *const terms[] = {"auto",        "xterm", "gnome",     "konsole",
                                    "konsole-tab", "kitty", "alacritty", NULL};

const char *
rt_uconf_key_name(enum rt_uconf_key k)
{
	return key_names[k];
}

const char *
rt_con_name(enum rt_con m)
{
	static const char *const n[] = {"tmux", "xterm", "this", "none"};

	return n[m];
}

void
rt_uconf_init(struct rt_uconf *c)
{
	memset(c, 0, sizeof(*c));
	c->mem_mb = LAB_MEM_DEFAULT_MB;
	c->min_mem = LAB_MEM_MIN_MB;
	c->max_mem = LAB_MEM_MAX_MB;
	c->max_ifaces = LAB_IFACES_MAX;
	c->con0 = RT_CON_TMUX;
	c->con1 = RT_CON_NONE;
	c->term = xstrdup("auto");
	c->open_terms = RT_TERMS_AUTO;
	c->hosthome = RT_HOME_NO;
	for (size_t k = 0; k < RT_UC_N; k++)
		c->origin[k] = xstrdup("built-in");
}

void
rt_uconf_clear(struct rt_uconf *c)
{
	free(c->kernel);
	free(c->model);
	free(c->term);
	for (size_t k = 0; k < RT_UC_N; k++)
		free(c->origin[k]);
	memset(c, 0, sizeof(*c));
}

int
rt_con_parse(const char *s, bool con1, enum rt_con *out, char **err)
{
	if (strcmp(s, "tmux") == 0 && !con1) {
		*out = RT_CON_TMUX;
	} else if (strcmp(s, "xterm") == 0 && !con1) {
		*out = RT_CON_XTERM;
	} else if (strcmp(s, "this") == 0 && !con1) {
		*out = RT_CON_THIS;
	} else if (strcmp(s, "none") == 0) {
		if (!con1)
			return rt_fail(err, "con0=none: the primary console cannot be disabled");
		*out = RT_CON_NONE;
	} else if (con1 &&
	           (strcmp(s, "tmux") == 0 || strcmp(s, "xterm") == 0 || strcmp(s, "this") == 0 ||
	            strcmp(s, "pty") == 0 || strncmp(s, "port:", 5) == 0)) {
		return rt_fail(err,
		               "con1=%s: a umlab machine has one console, con0 (its tmux window); "
		               "con1 can only be none",
		               s);
	} else if (strcmp(s, "pty") == 0 || strncmp(s, "port:", 5) == 0) {
		return rt_fail(err,
		               "con0=%s: a guest's %s would be inside its sandbox (own /dev/pts, "
		               "own network namespace), where no host program reaches it; umlab "
		               "offers the tmux window instead: tmux (the default), xterm (the "
		               "window in a terminal emulator) or this (in this terminal)",
		               s, strcmp(s, "pty") == 0 ? "pseudo-terminal" : "TCP port");
	} else {
		return rt_fail(err, "%s=%s: unknown console mode (%s)", con1 ? "con1" : "con0", s,
		               con1 ? "none" : "tmux, xterm, this");
	}
	return 0;
}

int
rt_term_check(const char *s, char **err)
{
	for (size_t i = 0; terms[i] != NULL; i++)
		if (strcmp(s, terms[i]) == 0)
			return 0;
	return rt_fail(err,
	               "--xterm/TERM_TYPE: unknown terminal type '%s' (auto, xterm, gnome, "
	               "konsole, konsole-tab, "
	               "kitty, alacritty)",
	               s);
}

/* A yes/no value: yes, no, true, false, 1, 0 in any case. */
static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "1", NULL}, *const no[] = {"no", "false",
	                                                                            "0", NULL};

	for (size_t i = 0; yes[i] != NULL; i++)
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
	for (size_t i = 0; no[i] != NULL; i++)
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	return -1;
}

/* A number of MB (an optional M suffix) within lo..hi. */
static int
parse_mb(const char *v, unsigned int lo, unsigned int hi, unsigned int *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*end == 'M' || *end == 'm')
		end++;
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

/* A path or name that reaches bwrap's and UML's command lines: no blanks, ',' or ':'. */
static bool
path_ok(const char *v)
{
	if (*v == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ',' || *p == ':')
			return false;
	return true;
}

static void
set_origin(struct rt_uconf *c, enum rt_uconf_key k, const char *origin)
{
	free(c->origin[k]);
	c->origin[k] = xstrdup(origin);
}

int
rt_uconf_set(struct rt_uconf *c, const char *key, const char *v, const char *origin, char **err)
{
	enum rt_uconf_key k = RT_UC_N;
	unsigned int mb;
	bool b;

	for (size_t i = 0; i < RT_UC_N; i++)
		if (strcmp(key, key_names[i]) == 0)
			k = (enum rt_uconf_key)i;
	if (strcmp(key, "USE_TMUX") == 0) {
		/* Netkit-JH 1.x: TRUE gave tmux consoles, FALSE a terminal per machine. */
		if (parse_bool(v, &b) < 0)
			return rt_fail(err, "%s: USE_TMUX must be yes or no, not '%s'", origin, v);
		c->con0 = b ? RT_CON_TMUX : RT_CON_XTERM;
		set_origin(c, RT_UC_VM_CON0, origin);
		return 0;
	}
	if (k == RT_UC_N) {
		for (size_t i = 0; i < sizeof(netkit_only) / sizeof(netkit_only[0]); i++)
			if (strcmp(key, netkit_only[i].key) == 0)
				return rt_fail(
				        err,
				        "%s: %s is a Netkit setting umlab does not apply: %s "
				        "(see umlab.conf(5))",
				        origin, key, netkit_only[i].why);
		return rt_fail(err, "%s: unknown setting '%s' (see umlab.conf(5))", origin, key);
	}
	switch (k) {
	case RT_UC_VM_MEMORY:
	case RT_UC_MIN_MEM:
	case RT_UC_MAX_MEM:
		if (parse_mb(v, LAB_MEM_MIN_MB, LAB_MEM_MAX_MB, &mb) < 0)
			return rt_fail(err, "%s: %s must be a number of MB from %d to %d, not '%s'",
			               origin, key, LAB_MEM_MIN_MB, LAB_MEM_MAX_MB, v);
		*(k == RT_UC_VM_MEMORY ? &c->mem_mb
		  : k == RT_UC_MIN_MEM ? &c->min_mem
		                       : &c->max_mem) = mb;
		break;
	case RT_UC_MAX_INTERFACES:
		if (parse_mb(v, 1, LAB_IFACES_MAX, &mb) < 0 || strpbrk(v, "Mm") != NULL)
			return rt_fail(err,
			               "%s: MAX_INTERFACES must be a number from 1 to %d, not '%s'",
			               origin, LAB_IFACES_MAX, v);
		c->max_ifaces = mb;
		break;
	case RT_UC_VM_KERNEL:
	case RT_UC_VM_MODEL_FS:
		if (!path_ok(v))
			return rt_fail(err, "%s: %s '%s' must be a %s without blanks, ',' or ':'",
			               origin, key, v,
			               k == RT_UC_VM_KERNEL ? "path" : "name or path");
		if (k == RT_UC_VM_MODEL_FS && strchr(v, '/') == NULL && !lab_name_valid(v))
			return rt_fail(
			        err,
			        "%s: VM_MODEL_FS '%s' is neither a path nor a model filesystem "
			        "name ([A-Za-z0-9][A-Za-z0-9_-]{0,31})",
			        origin, v);
		free(k == RT_UC_VM_KERNEL ? c->kernel : c->model);
		*(k == RT_UC_VM_KERNEL ? &c->kernel : &c->model) = xstrdup(v);
		break;
	case RT_UC_VM_CON0:
	case RT_UC_VM_CON1: {
		char *e = NULL;

		if (rt_con_parse(v, k == RT_UC_VM_CON1, k == RT_UC_VM_CON0 ? &c->con0 : &c->con1,
		                 &e) < 0) {
			rt_fail(err, "%s: %s", origin, e);
			free(e);
			return -1;
		}
		break;
	}
	case RT_UC_TERM_TYPE: {
		char *e = NULL;

		if (rt_term_check(v, &e) < 0) {
			rt_fail(err, "%s: %s", origin, e);
			free(e);
			return -1;
		}
		free(c->term);
		c->term = xstrdup(v);
		break;
	}
	case RT_UC_TMUX_OPEN_TERMS:
		if (strcasecmp(v, "auto") == 0)
			c->open_terms = RT_TERMS_AUTO;
		else if (parse_bool(v, &b) == 0)
			c->open_terms = b ? RT_TERMS_YES : RT_TERMS_NO;
		else
			return rt_fail(err, "%s: TMUX_OPEN_TERMS must be yes, no or auto, not '%s'",
			               origin, v);
		break;
	case RT_UC_VM_HOSTHOME:
		if (strcmp(v, "no") == 0)
			c->hosthome = RT_HOME_NO;
		else if (strcmp(v, "ro") == 0)
			c->hosthome = RT_HOME_RO;
		else if (strcmp(v, "rw") == 0)
			c->hosthome = RT_HOME_RW;
		else
			return rt_fail(err, "%s: VM_HOSTHOME must be no, ro or rw, not '%s'",
			               origin, v);
		break;
	case RT_UC_N:
		break;
	}
	set_origin(c, k, origin);
	return 0;
}

/* Characters a shell would give a meaning umlab does not: refused, not guessed at. */
static bool
shell_special(char ch, bool quoted)
{
	return ch == '$' || ch == '`' || ch == '\\' ||
	       (!quoted && strchr("\"';&|<>(){}*?[]~", ch) != NULL);
}

/*
 * Parse one line (NUL-terminated, no newline) of file at lineno. A line is
 * blank, a comment, or KEY=VALUE with VALUE bare, "double-quoted" or
 * 'single-quoted', then optional blanks and a comment.
 */
static int
parse_line(struct rt_uconf *c, const char *file, unsigned int lineno, char *line, char **err)
{
	char *p = line, *key, *val, *origin;
	int rc;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	key = p;
	if (!(isupper((unsigned char)*p) || *p == '_'))
		return rt_fail(err, "%s:%u: expected KEY=VALUE", file, lineno);
	while (isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '=')
		return rt_fail(err, "%s:%u: expected KEY=VALUE (no blanks around '=')", file,
		               lineno);
	*p++ = '\0';
	if (*p == '"' || *p == '\'') {
		char q = *p++;

		val = p;
		while (*p != '\0' && *p != q) {
			if (q == '"' && shell_special(*p, true))
				return rt_fail(err,
				               "%s:%u: '%c' in the value of %s: umlab.conf expands "
				               "nothing; write the value in full",
				               file, lineno, *p, key);
			p++;
		}
		if (*p != q)
			return rt_fail(err, "%s:%u: unterminated %c quote", file, lineno, q);
		*p++ = '\0';
	} else {
		val = p;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (shell_special(*p, false))
				return rt_fail(err,
				               "%s:%u: '%c' in the value of %s: umlab.conf expands "
				               "nothing; write the value in full (quoted if it has "
				               "blanks)",
				               file, lineno, *p, key);
			p++;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && *p != '#')
		return rt_fail(err, "%s:%u: unexpected text after the value of %s", file, lineno,
		               key);
	origin = xasprintf("%s:%u", file, lineno);
	rc = rt_uconf_set(c, key, val, origin, err);
	free(origin);
	return rc;
}

int
rt_uconf_parse(struct rt_uconf *c, const char *file, const char *text, size_t len, char **err)
{
	char line[RT_UCONF_MAX_LINE];
	unsigned int lineno = 0;
	size_t pos = 0;

	if (len > RT_UCONF_MAX_SIZE)
		return rt_fail(err, "%s: larger than %u bytes: not a umlab.conf", file,
		               RT_UCONF_MAX_SIZE);
	if (memchr(text, '\0', len) != NULL)
		return rt_fail(err, "%s: has a NUL byte: not a text file", file);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl != NULL ? (size_t)(nl - text) : len) - pos;

		lineno++;
		if (n >= sizeof(line))
			return rt_fail(err, "%s:%u: line longer than %d bytes", file, lineno,
			               RT_UCONF_MAX_LINE - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0'; /* a file saved with CRLF means the same */
		for (size_t i = 0; line[i] != '\0'; i++)
			if ((unsigned char)line[i] < ' ' && line[i] != '\t')
				return rt_fail(err, "%s:%u: control character in the line", file,
				               lineno);
		if (parse_line(c, file, lineno, line, err) < 0)
			return -1;
		pos += n + (nl != NULL);
	}
	return 0;
}

int
rt_uconf_check(const struct rt_uconf *c, char **err)
{
	if (c->min_mem > c->max_mem)
		return rt_fail(err, "MIN_MEM=%u (%s) is above MAX_MEM=%u (%s)", c->min_mem,
		               c->origin[RT_UC_MIN_MEM], c->max_mem, c->origin[RT_UC_MAX_MEM]);
	if (c->mem_mb < c->min_mem || c->mem_mb > c->max_mem)
		return rt_fail(err, "VM_MEMORY=%u (%s) is outside MIN_MEM..MAX_MEM (%u..%u)",
		               c->mem_mb, c->origin[RT_UC_VM_MEMORY], c->min_mem, c->max_mem);
	return 0;
}

/* Apply file if it exists; a file that exists but cannot be read is an error. */
static int
load_file(struct rt_uconf *c, const char *path, char **err)
{
	FILE *f = fopen(path, "re");
	char buf[RT_UCONF_MAX_SIZE + 1];
	size_t n;
	int rc;

	if (f == NULL)
		return errno == ENOENT || errno == ENOTDIR
		               ? 0
		               : rt_fail_errno(err, errno, "cannot read %s", path);
	n = fread(buf, 1, sizeof(buf), f);
	rc = ferror(f) ? rt_fail_errno(err, errno, "cannot read %s", path)
	               : rt_uconf_parse(c, path, buf, n, err);
	fclose(f);
	return rc;
}

char *
rt_uconf_user_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	/* The XDG base-directory spec ignores relative values. */
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/umlab/umlab.conf", x);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.config/umlab/umlab.conf", home);
	return NULL;
}

int
rt_uconf_load(struct rt_uconf *c, char **err)
{
	const char *sys = getenv("UMLAB_SYSTEM_CONF");
	char *user = rt_uconf_user_path();
	int rc;

	rt_uconf_init(c);
	rc = load_file(c, sys != NULL && *sys != '\0' ? sys : RT_UCONF_SYSTEM, err);
	if (rc == 0 && user != NULL)
		rc = load_file(c, user, err);
	free(user);
	for (size_t k = 0; rc == 0 && k <= RT_UC_N; k++) {
		/* USE_TMUX last: an explicit UMLAB_VM_CON0 is the more precise of the two. */
		const char *key = k < RT_UC_N ? key_names[k] : "USE_TMUX";
		char *env = xasprintf("UMLAB_%s", key), *origin = xasprintf("$%s", env);
		const char *v = getenv(env);

		if (v != NULL && *v != '\0' && !(k == RT_UC_N && getenv("UMLAB_VM_CON0") != NULL))
			rc = rt_uconf_set(c, key, v, origin, err);
		free(env);
		free(origin);
	}
	if (rc == 0)
		rc = rt_uconf_check(c, err);
	return rc;
}

char *
rt_uconf_value(const struct rt_uconf *c, enum rt_uconf_key k)
{
	switch (k) {
	case RT_UC_VM_MEMORY:
		return xasprintf("%u", c->mem_mb);
	case RT_UC_MIN_MEM:
		return xasprintf("%u", c->min_mem);
	case RT_UC_MAX_MEM:
		return xasprintf("%u", c->max_mem);
	case RT_UC_MAX_INTERFACES:
		return xasprintf("%u", c->max_ifaces);
	case RT_UC_VM_KERNEL:
		/* NULL: the runtime's default (rt_locate_kernel), which vstart shows. */
		return c->kernel != NULL ? xstrdup(c->kernel) : NULL;
	case RT_UC_VM_MODEL_FS:
		return xstrdup(c->model != NULL ? c->model : "default");
	case RT_UC_VM_CON0:
		return xstrdup(rt_con_name(c->con0));
	case RT_UC_VM_CON1:
		return xstrdup(rt_con_name(c->con1));
	case RT_UC_TERM_TYPE:
		return xstrdup(c->term);
	case RT_UC_TMUX_OPEN_TERMS:
		return xstrdup(c->open_terms == RT_TERMS_AUTO  ? "auto"
		               : c->open_terms == RT_TERMS_YES ? "yes"
		                                               : "no");
	case RT_UC_VM_HOSTHOME:
		return xstrdup(c->hosthome == RT_HOME_NO   ? "no"
		               : c->hosthome == RT_HOME_RO ? "ro"
		                                           : "rw");
	case RT_UC_N:
		break;
	}
	return xstrdup("");
}
