/*
 * rt/locate.c: finding images and helper programs (see locate.h).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locate.h"
#include "xalloc.h"

#ifndef UMLAB_SOURCE_DIR
#define UMLAB_SOURCE_DIR ""
#endif
#ifndef UMLAB_BUILD_DIR
#define UMLAB_BUILD_DIR ""
#endif

/* Directory of our own executable, or NULL. */
static char *
self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(dirname(buf));
}

/* First executable among candidates (NULL entries skipped); n entries. */
static char *
first_exec(char **cand, size_t n)
{
	char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (found == NULL && cand[i] != NULL && access(cand[i], X_OK) == 0)
			found = realpath(cand[i], NULL);
		free(cand[i]);
	}
	return found;
}

char *
rt_locate_image(const char *name, char **err)
{
	const char *fsdir = getenv("UMLAB_FS_DIR"), *data = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dirs[3] = {NULL, NULL, NULL}, *found = NULL, *looked = xstrdup("");

	if (name == NULL)
		name = "default";
	if (strchr(name, '/') != NULL) {
		if ((found = realpath(name, NULL)) == NULL)
			rt_fail_errno(err, errno, "model filesystem %s", name);
		free(looked);
		return found;
	}
	if (fsdir != NULL && *fsdir != '\0')
		dirs[0] = xstrdup(fsdir);
	if (data != NULL && data[0] == '/')
		dirs[1] = xasprintf("%s/umlab/fs", data);
	else if (home != NULL && home[0] == '/')
		dirs[1] = xasprintf("%s/.local/share/umlab/fs", home);
	dirs[2] = xstrdup("/var/lib/umlab/fs");
	for (size_t i = 0; i < 3; i++) {
		char *p, *next;

		if (dirs[i] == NULL)
			continue;
		p = xasprintf("%s/%s.img", dirs[i], name);
		if (found == NULL && (found = realpath(p, NULL)) != NULL &&
		    access(found, R_OK) < 0) {
			free(found);
			found = NULL;
		}
		next = xasprintf("%s%s%s", looked, *looked ? ", " : "", p);
		free(looked);
		looked = next;
		free(p);
		free(dirs[i]);
	}
	if (found == NULL)
		rt_fail(err,
		        "model filesystem '%s' not found (looked for %s); build it with "
		        "'umlab-mkfs%s%s' (or 'umlab-mkfs --system' as root for all users)",
		        name, looked, strcmp(name, "default") ? " --name " : "",
		        strcmp(name, "default") ? name : "");
	free(looked);
	return found;
}

char *
rt_locate_hub(char **err)
{
	const char *env = getenv("UMLAB_HUB");
	char *self = self_dir(), *cand[3] = {NULL, NULL, NULL}, *found;

	if (env != NULL && *env != '\0') {
		if ((found = realpath(env, NULL)) == NULL || access(found, X_OK) < 0) {
			free(found);
			free(self);
			rt_fail(err, "UMLAB_HUB=%s is not an executable", env);
			return NULL;
		}
		free(self);
		return found;
	}
	if (self != NULL) {
		cand[0] = xasprintf("%s/hub", self); /* installed: bin/hub next to bin/umlab */
		cand[1] = xasprintf("%s/../hub/hub", self); /* build tree: build/src -> build/hub */
	}
	if (*UMLAB_BUILD_DIR)
		cand[2] = xasprintf("%s/hub/hub", UMLAB_BUILD_DIR);
	free(self);
	if ((found = first_exec(cand, 3)) == NULL)
		rt_fail(err, "the hub daemon was not found next to this program nor in the build "
		             "tree; set UMLAB_HUB");
	return found;
}

char *
rt_locate_guest_launch(char **err)
{
	const char *env = getenv("UMLAB_GUEST_LAUNCH");
	char *self = self_dir(), *cand[3] = {NULL, NULL, NULL}, *found;

	if (env != NULL && *env != '\0') {
		if ((found = realpath(env, NULL)) == NULL || access(found, X_OK) < 0) {
			free(found);
			free(self);
			rt_fail(err, "UMLAB_GUEST_LAUNCH=%s is not an executable", env);
			return NULL;
		}
		free(self);
		return found;
	}
	if (self != NULL)
		cand[0] = xasprintf("%s/../libexec/umlab/guest-launch", self);
	if (*UMLAB_SOURCE_DIR)
		cand[1] = xasprintf("%s/share/guest-launch", UMLAB_SOURCE_DIR);
	free(self);
	if ((found = first_exec(cand, 3)) == NULL)
		rt_fail(err, "guest-launch was not found (installed in libexec/umlab/ or in the "
		             "source tree's share/); set UMLAB_GUEST_LAUNCH");
	return found;
}

char *
rt_locate_sbin(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs = xasprintf("%s:/usr/sbin:/sbin", path != NULL ? path : "/usr/bin:/bin");
	char *save = NULL, *found = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d != NULL && found == NULL;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);

		if (d[0] == '/' && access(p, X_OK) == 0)
			found = realpath(p, NULL);
		free(p);
	}
	free(dirs);
	return found;
}

/* DIR/NAME/linux.uml in the kernel caches umlab-mkkernel fills, in the
 * runtime's order ($UMLAB_KERNEL_DIR, the per-user one, the system one);
 * NULL if none. looked gathers where it looked, for the error. */
static char *
cached_kernel(const char *name, char **looked)
{
	const char *kdir = getenv("UMLAB_KERNEL_DIR"), *data = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dirs[3] = {NULL, NULL, NULL}, *found = NULL;

	if (kdir != NULL && kdir[0] == '/')
		dirs[0] = xstrdup(kdir);
	if (data != NULL && data[0] == '/')
		dirs[1] = xasprintf("%s/umlab/kernels", data);
	else if (home != NULL && home[0] == '/')
		dirs[1] = xasprintf("%s/.local/share/umlab/kernels", home);
	dirs[2] = xstrdup("/var/lib/umlab/kernels");
	for (size_t i = 0; i < 3; i++) {
		if (dirs[i] == NULL)
			continue;
		if (found == NULL) {
			char *p = xasprintf("%s/%s/linux.uml", dirs[i], name);

			if ((found = realpath(p, NULL)) != NULL && access(found, X_OK) < 0) {
				free(found);
				found = NULL;
			}
			free(p);
		}
		if (looked != NULL) {
			char *next = xasprintf("%s%s%s", *looked, **looked ? ", " : "", dirs[i]);

			free(*looked);
			*looked = next;
		}
		free(dirs[i]);
	}
	return found;
}

/* name looked up in PATH; NULL if not there. */
static char *
path_kernel(const char *name)
{
	const char *env = getenv("PATH");
	char *copy = xstrdup(env != NULL ? env : "/usr/bin:/bin"), *save = NULL, *found = NULL;

	for (char *d = strtok_r(copy, ":", &save); d != NULL && found == NULL;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);

		if (d[0] == '/' && access(p, X_OK) == 0)
			found = realpath(p, NULL);
		free(p);
	}
	free(copy);
	return found;
}

char *
rt_locate_kernel(const char *name, char **err)
{
	const char *env = getenv("UMLAB_KERNEL");
	char *found = NULL, *looked = xstrdup("");

	if (name == NULL && env != NULL && *env != '\0')
		name = env;
	if (name == NULL) {
		/* The default: umlab's own kernel once built, else Debian's. */
		if ((found = cached_kernel(RT_DEFAULT_KERNEL, NULL)) == NULL)
			found = path_kernel("linux.uml");
		if (found == NULL)
			rt_fail(err, "no UML kernel: build one with 'umlab-mkkernel --system' (or "
			             "install user-mode-linux for Debian's linux.uml)");
	} else if (strchr(name, '/') != NULL) {
		if ((found = realpath(name, NULL)) == NULL || access(found, X_OK) < 0) {
			free(found);
			found = NULL;
			rt_fail(err, "kernel %s is not an executable", name);
		}
	} else if ((found = cached_kernel(name, &looked)) == NULL &&
	           (found = path_kernel(name)) == NULL) {
		rt_fail(err,
		        "kernel '%s' not found: no %s/linux.uml in %s (umlab-mkkernel --list shows "
		        "the built ones) and no %s in PATH",
		        name, name, looked, name);
	}
	free(looked);
	return found;
}
