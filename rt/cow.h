/*
 * rt/cow.h: reading the header of a UML COW file (NAME.disk), so lstart
 * can tell, before booting, that the model filesystem under it changed.
 */
#ifndef UMLAB_COW_H
#define UMLAB_COW_H

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

#endif
