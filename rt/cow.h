/*
 * rt/cow.h: reading the header of a UML COW file (NAME.disk), so lstart
 * can tell, before booting, that the model filesystem under it changed;
 * and merging a COW file over its image into a new one (lcommit).
 */
#ifndef UMLAB_COW_H
#define UMLAB_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct rt_cow {
	unsigned int version;
	char *backing;  /* owned; the backing file path as the guest saw it */
	uint64_t mtime; /* of the backing file when the COW was made */
	uint64_t size;  /* of the backing file */
	/* Version 3 only (0 otherwise): the layout, as read, not yet checked. */
	uint32_t sectorsize; /* bytes per bitmap bit */
	uint32_t alignment;  /* of the bitmap and of the data */
	uint32_t format;     /* 0: the bitmap format, the only one */
};

/*
 * Read the header of the COW file at path. It is the guest's file: a
 * symlink is refused, and anything but a regular file (a FIFO) is refused
 * without blocking.
 */
int rt_cow_read(const char *path, struct rt_cow *cow, char **err);
/* The same from an open file; path only names it in messages. */
int rt_cow_read_fd(int fd, const char *path, struct rt_cow *cow, char **err);
void rt_cow_clear(struct rt_cow *cow);

/*
 * Does the COW file at cowpath still fit the image at imagepath? Fails with
 * a message naming what changed (file, mtime or size) when not.
 */
int rt_cow_check(const char *cowpath, const char *imagepath, char **err);
/* The same for a header already read. */
int rt_cow_fits(const struct rt_cow *cow, const char *cowpath, const char *imagepath, char **err);

/*
 * Where a version 3 COW file keeps the bitmap and the data
 * (cow_user.c's cow_sizes): fails unless its layout is one UML writes
 * (sector size and alignment powers of two, 512 bytes to 1 MiB; format 0).
 */
struct rt_cow_layout {
	uint64_t sectors;       /* in the image: ceil(size / sectorsize) */
	uint64_t bitmap_offset; /* bit i (LSB first in each byte): sector i is in the COW file */
	uint64_t data_offset;   /* sector i at data_offset + i * sectorsize */
};
int rt_cow_layout(const struct rt_cow *cow, struct rt_cow_layout *l, char **err);

/* Read len bytes at off of what the guest saw: image sectors under the COW file's. */
int rt_cow_pread(int cowfd, const struct rt_cow *cow, int imgfd, void *buf, size_t len,
                 uint64_t off, char **err);

/*
 * Write that whole view to outfd, a new empty file: the image's data
 * extents first (holes stay holes), then every sector the COW file holds,
 * all-zero runs punched as holes. Reads of the COW file past its end give
 * zeros: a guest can make it short, never make us read elsewhere.
 */
int rt_cow_merge(int cowfd, const struct rt_cow *cow, int imgfd, int outfd, char **err);

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
