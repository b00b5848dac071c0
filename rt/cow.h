/*
 * rt/cow.h: reading the header of a UML COW file (NAME.disk), so lstart
 * can tell, before booting, that the model filesystem under it changed.
 */
#ifndef UMLAB_COW_H
#define UMLAB_COW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct rt_cow {
	unsigned int version;
	char *backing;  /* owned; the backing file path as the guest saw it */
	uint64_t mtime; /* of the backing file when the COW was made */
	uint64_t size;  /* of the backing file */
};

/* Read the header of the COW file at path. */
int rt_cow_read(const char *path, struct rt_cow *cow, char **err);
void rt_cow_clear(struct rt_cow *cow);

/*
 * Does the COW file at cowpath still fit the image at imagepath? Fails with
 * a message naming what changed (file, mtime or size) when not.
 */
int rt_cow_check(const char *cowpath, const char *imagepath, char **err);

/*
 * Make a new, empty COW file at path over the image at imagepath, exactly
 * as UML's ubd driver makes one on first boot (version 3, 512-byte sectors,
 * 4096-byte alignment, a zeroed bitmap, sparse), recording the backing
 * file as the guest sees it: backing (/umlab/fs/IMAGE). Fails if path
 * exists. For vstart -f, whose COW file is bound alone into the sandbox
 * where the guest could not create it.
 */
int rt_cow_create(const char *path, const char *imagepath, const char *backing, char **err);

/*
 * Does a process (a running guest) hold a lock on the file at path that
 * keeps a guest from opening it for writing (any lock), or for reading
 * (write: false; a write lock, as on an image a -W guest runs on)?
 */
bool rt_cow_in_use(const char *path, bool write);

#endif
