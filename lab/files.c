/*
 * lab/files.c: per-host files (NAME.startup, NAME.shutdown, NAME/ overlay)
 * and the shared ones; unreadable files and symlinks that lead out of the
 * lab directory are errors, because the host side reads these trees.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab-int.h"

#define OVERLAY_DEPTH_MAX 64

/* The real path of rel stays inside the lab directory. */
static bool
inside_lab(const struct lab *lab, const char *rel)
{
	char *path = xasprintf("%s/%s", lab->dir, rel);
	char *real = realpath(path, NULL);
	size_t n = strlen(lab->dir);
	bool ok;

	free(path);
	if (real == NULL)
		return true; /* dangling: nothing is read through it */
	ok = strncmp(real, lab->dir, n) == 0 && (real[n] == '/' || real[n] == '\0');
	free(real);
	return ok;
}

/* A regular, readable file rel: *dst = rel when present; errors when unusable. */
static void
check_file(struct lab__ctx *c, int dirfd, const char *rel, char **dst)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, rel, &st, 0) < 0) {
		if (errno != ENOENT)
			lab__report(c, LAB_E_IO, rel, 0, 0, NULL, "cannot examine %s: %s", rel,
			            strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		lab__report(c, LAB_E_IO, rel, 0, 0, NULL, "%s exists but is not a regular file",
		            rel);
		return;
	}
	if (!inside_lab(c->lab, rel)) {
		lab__report(c, LAB_E_UNSAFE_PATH, rel, 0, 0, NULL,
		            "%s is a symlink that leads out of the lab directory", rel);
		return;
	}
	if ((fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC)) < 0) {
		lab__report(c, LAB_E_IO, rel, 0, 0, NULL, "%s exists but cannot be read: %s", rel,
		            strerror(errno));
		return;
	}
	close(fd);
	*dst = xstrdup(rel);
}

/* Does the relative symlink target, seen from directory dir (lab-relative), stay inside? */
static bool
target_inside(const char *dir, const char *target)
{
	char *path = xasprintf("%s/%s", dir, target), *save = NULL;
	long depth = 0;
	bool ok = true;

	/* Lexical resolution: each symlink on the way is checked on its own. */
	for (char *w = strtok_r(path, "/", &save); w != NULL && ok;
	     w = strtok_r(NULL, "/", &save)) {
		if (strcmp(w, ".") == 0)
			continue;
		if (strcmp(w, "..") == 0)
			ok = --depth >= 0;
		else
			depth++;
	}
	free(path);
	return ok;
}

/* A symlink child of directory rel must be relative and stay inside the lab. */
static void
check_link(struct lab__ctx *c, int dirfd, const char *rel, const char *child)
{
	char target[PATH_MAX];
	ssize_t len = readlinkat(dirfd, child, target, sizeof target - 1);

	if (len < 0) {
		lab__report(c, LAB_E_IO, child, 0, 0, NULL, "cannot read link %s: %s", child,
		            strerror(errno));
		return;
	}
	target[len] = '\0';
	if (target[0] == '/' || !target_inside(rel, target))
		lab__report(c, LAB_E_UNSAFE_PATH, child, 0, 0, NULL,
		            "symlink %s -> %s leads out of the lab directory", child, target);
}

/* Walk an overlay directory (lab-relative path rel) in name order, checking every symlink. */
static void
walk_overlay(struct lab__ctx *c, int dirfd, const char *rel, int depth)
{
	struct dirent **list = NULL;
	int n = scandirat(dirfd, rel, &list, NULL, alphasort);

	if (n < 0) {
		lab__report(c, LAB_E_IO, rel, 0, 0, NULL, "cannot read directory %s: %s", rel,
		            strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		struct stat st;
		char *child;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			free(list[i]);
			continue;
		}
		child = xasprintf("%s/%s", rel, name);
		free(list[i]);
		if (fstatat(dirfd, child, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			lab__report(c, LAB_E_IO, child, 0, 0, NULL, "cannot examine %s: %s", child,
			            strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			check_link(c, dirfd, rel, child);
		} else if (S_ISDIR(st.st_mode)) {
			if (depth < OVERLAY_DEPTH_MAX)
				walk_overlay(c, dirfd, child, depth + 1);
			else
				lab__report(c, LAB_E_IO, child, 0, 0, NULL,
				            "%s is nested more than %d levels deep", child,
				            OVERLAY_DEPTH_MAX);
		}
		free(child);
	}
	free(list);
}

/* The overlay tree rel: *dst = rel when it is a directory; its symlinks are checked. */
static void
check_overlay(struct lab__ctx *c, int dirfd, const char *rel, char **dst)
{
	struct stat st;

	if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		if (!inside_lab(c->lab, rel)) {
			lab__report(c, LAB_E_UNSAFE_PATH, rel, 0, 0, NULL,
			            "%s is a symlink that leads out of the lab directory", rel);
			return;
		}
		if (fstatat(dirfd, rel, &st, 0) < 0 || !S_ISDIR(st.st_mode))
			return;
		/* A link to another tree of the lab: that tree is checked under its own name. */
		*dst = xstrdup(rel);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return; /* a file named like a host is not an overlay */
	walk_overlay(c, dirfd, rel, 1);
	*dst = xstrdup(rel);
}

/* Find and check every per-host and shared file of the lab. */
void
lab__scan_files(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	int dirfd = open(lab->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0) {
		lab__report(c, LAB_E_IO, lab->dir, 0, 0, NULL, "cannot open %s: %s", lab->dir,
		            strerror(errno));
		return;
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct lab_host *h = &lab->hosts[i];
		char *f = xasprintf("%s.startup", h->name);

		check_file(c, dirfd, f, &h->startup);
		free(f);
		f = xasprintf("%s.shutdown", h->name);
		check_file(c, dirfd, f, &h->shutdown);
		free(f);
		check_overlay(c, dirfd, h->name, &h->overlay);
	}
	check_file(c, dirfd, "shared.startup", &lab->shared_startup);
	check_file(c, dirfd, "shared.shutdown", &lab->shared_shutdown);
	check_overlay(c, dirfd, "shared", &lab->shared_dir);
	close(dirfd);
}
