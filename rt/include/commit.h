/*
 * rt/include/commit.h: lcommit, a new model filesystem from a configured
 * host: its COW file merged over its image, registered under a name that
 * lab.yaml `fs:` accepts (see lcommit(1), share/doc/runtime-layout.md).
 */
#ifndef UMLAB_COMMIT_H
#define UMLAB_COMMIT_H

#include <stdbool.h>

struct lab;
struct rt_report;

struct rt_commit_opts {
	const char *opt_w;  /* -w DIR or NULL */
	const char *host;   /* the halted host */
	const char *name;   /* the new model filesystem's name */
	const char *fs_dir; /* where to register it; NULL: $UMLAB_FS_DIR, else the per-user dir */
	bool force;         /* replace an existing NAME */
};

/* The per-user (or $UMLAB_FS_DIR) directory of model filesystems; caller frees. */
char *rt_fs_dir_default(char **err);

/*
 * Make FS_DIR/NAME-HASH.img from host o->host, which must be halted (its
 * COW file consistent: a clean shutdown), and point FS_DIR/NAME.img at it.
 * The copy boots as on a first boot: the guest's first-boot mark is
 * removed from it. *image gets the new file's path (caller frees).
 */
int rt_lab_commit(const struct lab *lab, const struct rt_commit_opts *o,
                  const struct rt_report *rep, char **image, char **err);

#endif
