/*
 * rt/include/paths.h: where a lab instance keeps its state on the host.
 *
 * Pure path computations shared by linfo (which shows them) and the runtime
 * (which creates them): the host working directory (hostwd), the per-user
 * runtime directory base, and the instance ID that keys RUNDIR/ID. Nothing
 * here creates, checks or opens anything, except reading the environment and
 * stat() on $XDG_RUNTIME_DIR to check its owner.
 *
 * Fallible functions return NULL and set *err to a malloc'd message (the
 * caller frees it); out of memory is fatal.
 */
#ifndef UMLAB_PATHS_H
#define UMLAB_PATHS_H

#include <stddef.h>
#include <stdint.h>

#define RT_HASH12_LEN 12 /* hex digits in instance IDs and hostwd suffixes */

/*
 * Longest runtime directory base: the longest sockets below it,
 * BASE/ID/uml/HOST/mconsole and BASE/ID.h/agent/HOST.sock, must fit the
 * 108-byte sun_path with its NUL (1 + 12 + 5 + 32 + 9 = 1 + 12 + 2 + 7 +
 * 32 + 5 = 59 bytes after BASE).
 */
#define RT_RUNDIR_BASE_MAX (108 - 1 - (1 + RT_HASH12_LEN + 5 + 32 + 9))

/* Write the low 48 bits of h as 12 lowercase hex digits and a NUL. */
void rt_hash12(uint64_t h, char out[RT_HASH12_LEN + 1]);

/*
 * The instance ID of a lab run: 12 hex digits of FNV-1a 64 over
 * "labdir_abs\0hostwd_abs" (no trailing NUL). out gets the digits.
 */
void rt_instance_id(const char *labdir_abs, const char *hostwd_abs, char out[RT_HASH12_LEN + 1]);

/*
 * Make path absolute (relative to the current directory) and normalise it
 * lexically: no "." or ".." components, no repeated or trailing slashes.
 * Symlinks are not resolved, so the result does not depend on whether the
 * directory exists yet. Returns a malloc'd string, or NULL with *err set.
 */
char *rt_path_absolute(const char *path, char **err);

/*
 * The default hostwd of a lab:
 * ${XDG_STATE_HOME:-$HOME/.local/state}/umlab/labs/LABNAME-HASH, HASH being
 * rt_hash12 of FNV-1a 64 over labdir_abs (no NUL). Characters of labname
 * outside [A-Za-z0-9._-] become '_', and it is cut to 32 characters.
 * XDG_STATE_HOME is ignored unless absolute; without HOME the password
 * database gives the home directory. Returns a malloc'd string or NULL.
 */
char *rt_hostwd_default(const char *labdir_abs, const char *labname, char **err);

/* The directory of default hostwds: ${XDG_STATE_HOME:-$HOME/.local/state}/umlab/labs. */
char *rt_hostwd_parent(char **err);

/* The HASH of a default hostwd LABNAME-HASH: rt_hash12 of FNV-1a 64 over labdir_abs. */
void rt_labdir_hash(const char *labdir_abs, char out[RT_HASH12_LEN + 1]);

/*
 * The hostwd to use: opt_w (a -w argument, made absolute by
 * rt_path_absolute) when not NULL, else rt_hostwd_default(). Malloc'd or NULL.
 */
char *rt_hostwd(const char *opt_w, const char *labdir_abs, const char *labname, char **err);

/*
 * The per-user runtime directory base: $UMLAB_RUNDIR if set, else
 * $XDG_RUNTIME_DIR/umlab when XDG_RUNTIME_DIR is an absolute directory owned
 * by the user, else /tmp/umlab-UID. The result must be absolute, at most
 * RT_RUNDIR_BASE_MAX bytes, and made of [A-Za-z0-9/._+-] only (it reaches
 * kernel command lines, where ',' and blanks separate words). Malloc'd or NULL.
 */
char *rt_rundir_base(char **err);

/* RUNDIR/ID for a lab instance, from rt_rundir_base(). Malloc'd or NULL. */
char *rt_rundir(const char *labdir_abs, const char *hostwd_abs, char **err);

#endif
