/*
 * rt/safefile.h: opening, writing and removing files below a directory a
 * guest can write to (see share/doc/trust-boundary.md).
 *
 * A guest may replace anything below such a directory, at any moment, by a
 * symlink (to a host file), a FIFO (to hang us) or another directory. So
 * every function here starts from a directory fd the host trusts (the
 * guest cannot rename the directory itself: it is a bind-mount point or
 * lies outside the sandbox) and resolves the rest with openat2()
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or component by component with
 * O_NOFOLLOW where openat2 is missing. Nothing here follows a symlink,
 * blocks on a FIFO or device, or reads anything but a regular file.
 *
 * Functions return -1 with errno set on failure (ELOOP for a symlink on
 * the way, EXDEV for a path leaving the directory, EINVAL for a special
 * file where a regular one was expected).
 */
#ifndef UMLAB_SAFEFILE_H
#define UMLAB_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * For flat files in a directory we trust whose entries a guest may replace
 * (hostwd): fopen for reading that refuses symlinks and special files and
 * never blocks; and a fresh file for writing (whatever was at path, a
 * planted symlink included, is unlinked first; O_EXCL|O_NOFOLLOW, 0600),
 * meant to be renamed over the real name.
 */
FILE *rt_sf_fopen_read(const char *path);
FILE *rt_sf_fopen_new(const char *path);

/* Open directory rel below dirfd (rel "." is dirfd itself); O_DIRECTORY|O_CLOEXEC. */
int rt_sf_opendir(int dirfd, const char *rel);
/* Open the directory at an absolute path we trust (no symlink in its last component). */
int rt_sf_opendir_path(const char *path);

/* Open regular file rel below dirfd for reading; the fd is blocking again. */
int rt_sf_open_read(int dirfd, const char *rel);
/* Read at most max bytes of regular file rel into a malloc'd NUL-terminated buffer. */
char *rt_sf_read(int dirfd, const char *rel, size_t max, size_t *len);

/*
 * Open regular file rel below dirfd with flags (O_RDONLY, O_RDWR) without
 * ever opening anything else: it is looked at through an O_PATH fd first,
 * so a FIFO or device node planted there is never opened (no blocking, no
 * side effect of a device's open), then reopened through that fd.
 */
int rt_sf_open_regular(int dirfd, const char *rel, int flags);

/*
 * Open regular file rel below dirfd for appending, creating it with mode
 * (never through a symlink, never a FIFO).
 */
int rt_sf_open_append(int dirfd, const char *rel, mode_t mode);

/*
 * Replace file name (one component) in directory dirfd with data: a fresh
 * temporary ".name.tmp" (any old one removed first, created O_EXCL) renamed
 * over it. Whatever a guest planted under either name is replaced, not
 * written through.
 */
int rt_sf_write_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/*
 * Replace file name in dir (a directory we trust), or in its subdirectory
 * sub (made 0700 when missing; NULL: dir itself), with text, as
 * rt_sf_write_replace does. 0, or -1 with errno.
 */
int rt_sf_write_at(const char *dir, const char *sub, const char *name, const char *text);

/*
 * Remove name (one component) from dirfd whatever it is: a file, a symlink
 * (not its target), or a directory tree, which is walked through fds with
 * O_NOFOLLOW so no symlink inside it is ever followed. Missing is success.
 */
int rt_sf_remove(int dirfd, const char *name);
/* The same for rel (may have several components) below an absolute trusted directory. */
int rt_sf_remove_below(const char *dir, const char *rel);
/* The same for an absolute path whose parent we trust (made by us, out of guests' reach). */
int rt_sf_remove_path(const char *path);

#endif
