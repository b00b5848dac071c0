/*
 * rt/paths.c: hostwd, runtime directory and instance ID computations.
 *
 * See paths.h for the rules; the brief's "Shared decisions" are the source.
 * Everything is computed lexically so linfo, lstart and lclean agree on the
 * same paths whether or not the directories exist yet.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "xalloc.h"

#define LABNAME_MAX 32

/* Set *err (when err is not NULL) to a formatted message; returns NULL. */
static void *__attribute__((format(printf, 2, 3))) fail(char **err, const char *f, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, f);
		*err = xvasprintf(f, ap);
		va_end(ap);
	}
	return NULL;
}

/* Low 48 bits of h as 12 hex digits. */
void
rt_hash12(uint64_t h, char out[RT_HASH12_LEN + 1])
{
	snprintf(out, RT_HASH12_LEN + 1, "%012llx", (unsigned long long)(h & 0xffffffffffffULL));
}

/* The instance ID that names RUNDIR/ID. */
void
rt_instance_id(const char *labdir_abs, const char *hostwd_abs, char out[RT_HASH12_LEN + 1])
{
	uint64_t h = FNV1A64_INIT;

	/* The NUL separator keeps ("/a/b", "c") and ("/a", "b/c") apart. */
	h = fnv1a64(h, labdir_abs, strlen(labdir_abs) + 1);
	h = fnv1a64(h, hostwd_abs, strlen(hostwd_abs));
	rt_hash12(h, out);
}

/* Absolute, lexically normalised path. */
char *
rt_path_absolute(const char *path, char **err)
{
	char *joined, *out, *cwd = NULL;
	size_t n = 0;

	if (path == NULL || *path == '\0')
		return fail(err, "empty path");
	if (path[0] == '/') {
		joined = xasprintf("%s", path);
	} else {
		if ((cwd = getcwd(NULL, 0)) == NULL)
			return fail(err, "cannot get the current directory: %s", strerror(errno));
		joined = xasprintf("%s/%s", cwd, path);
		free(cwd);
	}
	/* The result is never longer than the joined input, plus "/" for the root. */
	out = xmalloc(strlen(joined) + 2);
	for (char *p = joined; *p != '\0';) {
		char *seg;
		size_t len;

		while (*p == '/')
			p++;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* drop the slash too; ".." of "/" stays "/" */
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, seg, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	free(joined);
	return out;
}

/* The user's home directory: $HOME if absolute, else the password database. */
static char *
home_dir(char **err)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return rt_path_absolute(home, err);
	errno = 0;
	if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return fail(err, "HOME is not set and uid %u has no home directory",
		            (unsigned int)getuid());
	return rt_path_absolute(pw->pw_dir, err);
}

/* The directory holding default hostwds: ${XDG_STATE_HOME:-$HOME/.local/state}/umlab/labs. */
char *
rt_hostwd_parent(char **err)
{
	const char *state = getenv("XDG_STATE_HOME");
	char *base, *path;

	/* The XDG base-directory spec says relative values are to be ignored. */
	if (state != NULL && state[0] == '/') {
		if ((base = rt_path_absolute(state, err)) == NULL)
			return NULL;
	} else {
		char *home = home_dir(err);

		if (home == NULL)
			return NULL;
		base = xasprintf("%s/.local/state", strcmp(home, "/") == 0 ? "" : home);
		free(home);
	}
	path = xasprintf("%s/umlab/labs", strcmp(base, "/") == 0 ? "" : base);
	free(base);
	return path;
}

/* The HASH of a default hostwd name LABNAME-HASH. */
void
rt_labdir_hash(const char *labdir_abs, char out[RT_HASH12_LEN + 1])
{
	rt_hash12(fnv1a64(FNV1A64_INIT, labdir_abs, strlen(labdir_abs)), out);
}

/* The default hostwd under the XDG state directory. */
char *
rt_hostwd_default(const char *labdir_abs, const char *labname, char **err)
{
	char name[LABNAME_MAX + 1], hash[RT_HASH12_LEN + 1];
	char *parent, *path;
	size_t i;

	rt_labdir_hash(labdir_abs, hash);
	for (i = 0; labname != NULL && labname[i] != '\0' && i < LABNAME_MAX; i++) {
		char c = labname[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		name[i] = ok ? c : '_';
	}
	if (i == 0)
		name[i++] = '_';
	name[i] = '\0';
	if ((parent = rt_hostwd_parent(err)) == NULL)
		return NULL;
	path = xasprintf("%s/%s-%s", parent, name, hash);
	free(parent);
	return path;
}

/* The hostwd from -w or the default. */
char *
rt_hostwd(const char *opt_w, const char *labdir_abs, const char *labname, char **err)
{
	char *wd, *real;
	size_t n = strlen(labdir_abs);

	if (opt_w == NULL)
		return rt_hostwd_default(labdir_abs, labname, err);
	if ((wd = rt_path_absolute(opt_w, err)) == NULL)
		return NULL;
	/* Each guest writes into HOSTWD/NAME and HOSTWD/shared: inside the lab
	 * directory those are the lab's own overlay trees (NAME/, shared/). */
	real = realpath(wd, NULL);
	const char *cmp = real != NULL ? real : wd;
	if (strncmp(cmp, labdir_abs, n) == 0 && (cmp[n] == '\0' || cmp[n] == '/')) {
		rt_fail(err,
		        "hostwd %s is inside the lab directory %s: guests write into it; "
		        "choose another -w",
		        wd, labdir_abs);
		free(wd);
		wd = NULL;
	}
	free(real);
	return wd;
}

/* Is dir an absolute path to a directory owned by the calling user? */
static bool
owned_dir(const char *dir)
{
	struct stat st;

	return dir != NULL && dir[0] == '/' && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == getuid();
}

/* The per-user runtime directory base, validated for sockets and kernel command lines. */
char *
rt_rundir_base(char **err)
{
	const char *env = getenv("UMLAB_RUNDIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *base;

	if (env != NULL && *env != '\0') {
		if (env[0] != '/')
			return fail(err, "UMLAB_RUNDIR must be an absolute path, not '%s'", env);
		base = rt_path_absolute(env, err);
	} else if (owned_dir(xdg)) {
		char *x = rt_path_absolute(xdg, err);

		if (x == NULL)
			return NULL;
		base = xasprintf("%s/umlab", strcmp(x, "/") == 0 ? "" : x);
		free(x);
	} else {
		base = xasprintf("/tmp/umlab-%u", (unsigned int)getuid());
	}
	if (base == NULL)
		return NULL;
	if (strlen(base) > RT_RUNDIR_BASE_MAX) {
		fail(err,
		     "runtime directory '%s' is longer than %d bytes: unix socket paths "
		     "below it would not fit; set UMLAB_RUNDIR to a shorter path",
		     base, RT_RUNDIR_BASE_MAX);
		free(base);
		return NULL;
	}
	for (const char *p = base; *p != '\0'; p++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '.' || c == '_' || c == '+' || c == '-')) {
			fail(err,
			     "runtime directory '%s' contains '%c': only [A-Za-z0-9/._+-] may "
			     "reach a kernel command line; set UMLAB_RUNDIR",
			     base, c);
			free(base);
			return NULL;
		}
	}
	return base;
}

/* RUNDIR/ID of one lab instance. */
char *
rt_rundir(const char *labdir_abs, const char *hostwd_abs, char **err)
{
	char id[RT_HASH12_LEN + 1];
	char *base, *dir;

	if ((base = rt_rundir_base(err)) == NULL)
		return NULL;
	rt_instance_id(labdir_abs, hostwd_abs, id);
	dir = xasprintf("%s/%s", strcmp(base, "/") == 0 ? "" : base, id);
	free(base);
	return dir;
}
