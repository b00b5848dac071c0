/*
 * rt/cow-merge.c: what a guest saw through its COW file, as one image
 * (uml_moo's job, see cow.h). The COW file is the guest's: every number in
 * its header is checked before use, and reads past its end are zeros.
 *
 * Version 3 layout (arch/um/drivers/cow_user.c): the header (4128 bytes),
 * then the bitmap at the header's size rounded up to the alignment, one bit
 * per sector, least significant bit first in each byte (ubd_kern.c's
 * ubd_test_bit); then the data, at the bitmap's end rounded up to the
 * alignment, sector i at data_offset + i * sectorsize (the file is sparse:
 * only sectors the guest wrote are there).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow.h"
#include "xalloc.h"

#define V3_HEADER_LEN 4128      /* sizeof(struct cow_header_v3), packed */
#define CHUNK         (1 << 20) /* bytes read or written at once */
#define BITMAP_CHUNK  65536     /* bitmap bytes read at once: 256 MiB of 512-byte sectors */

static bool
pow2_between(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

static uint64_t
round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

int
rt_cow_layout(const struct rt_cow *cow, struct rt_cow_layout *l, char **err)
{
	if (cow->version != 3)
		return rt_fail(err, "COW file version %u: only version 3 can be merged",
		               cow->version);
	if (cow->format != 0)
		return rt_fail(err, "COW file format %u is not the bitmap format", cow->format);
	if (!pow2_between(cow->sectorsize, 512, 1 << 20) ||
	    !pow2_between(cow->alignment, 512, 1 << 20))
		return rt_fail(err, "COW file sector size %u or alignment %u is not one UML writes",
		               cow->sectorsize, cow->alignment);
	/* Bounded by the image's size, checked against the real image first. */
	l->sectors = (cow->size + cow->sectorsize - 1) / cow->sectorsize;
	l->bitmap_offset = round_up(V3_HEADER_LEN, cow->alignment);
	l->data_offset = round_up(l->bitmap_offset + (l->sectors + 7) / 8, cow->alignment);
	return 0;
}

/* Read exactly len bytes at off, zeros past the end of the file; < 0 on an error. */
static int
read_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	memset((char *)buf + got, 0, len - got);
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Is bit i of the COW file's bitmap set? (One byte read: for small reads only.) */
static int
bit_set(int cowfd, const struct rt_cow_layout *l, uint64_t i, bool *set)
{
	unsigned char b;

	if (read_full(cowfd, &b, 1, l->bitmap_offset + i / 8) < 0)
		return -1;
	*set = (b >> (i % 8)) & 1;
	return 0;
}

int
rt_cow_pread(int cowfd, const struct rt_cow *cow, int imgfd, void *buf, size_t len, uint64_t off,
             char **err)
{
	struct rt_cow_layout l;
	size_t done = 0;

	if (rt_cow_layout(cow, &l, err) < 0)
		return -1;
	if (off > cow->size || len > cow->size - off)
		return rt_fail(err, "read past the end of the image");
	while (done < len) {
		uint64_t pos = off + done, sector = pos / cow->sectorsize;
		size_t in = cow->sectorsize - (size_t)(pos % cow->sectorsize);
		bool set;

		if (in > len - done)
			in = len - done;
		if (bit_set(cowfd, &l, sector, &set) < 0 ||
		    read_full(set ? cowfd : imgfd, (char *)buf + done, in,
		              set ? l.data_offset + pos : pos) < 0)
			return rt_fail_errno(err, errno, "cannot read the COW file or its image");
		done += in;
	}
	return 0;
}

/* Copy [from, to) of in to the same place in out (copy_file_range, else read and write). */
static int
copy_range(int in, int out, uint64_t from, uint64_t to, char *buf)
{
	bool plain = false;

	while (from < to) {
		size_t want = to - from > CHUNK ? CHUNK : (size_t)(to - from);
		off_t a = (off_t)from, b = (off_t)from;
		ssize_t n = -1;

		if (!plain) {
			n = copy_file_range(in, &a, out, &b, want, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			              errno == EOPNOTSUPP))
				plain = true;
			else if (n < 0 && errno != EINTR)
				return -1;
		}
		if (plain) {
			if (read_full(in, buf, want, from) < 0 ||
			    write_full(out, buf, want, from) < 0)
				return -1;
			n = (ssize_t)want;
		}
		if (n == 0) /* the image shrank under us: the rest stays a hole */
			break;
		if (n > 0)
			from += (uint64_t)n;
	}
	return 0;
}

/* The image's data extents, holes skipped (the whole file when SEEK_DATA is unknown). */
static int
copy_image(int imgfd, int outfd, uint64_t size, char *buf)
{
	uint64_t off = 0;

	while (off < size) {
		off_t d = lseek(imgfd, (off_t)off, SEEK_DATA), h;

		if (d < 0 && errno == ENXIO)
			return 0; /* only a hole is left */
		if (d < 0)
			return errno == EINVAL ? copy_range(imgfd, outfd, off, size, buf) : -1;
		if ((h = lseek(imgfd, d, SEEK_HOLE)) < 0)
			return -1;
		if ((uint64_t)h > size)
			h = (off_t)size;
		if (copy_range(imgfd, outfd, (uint64_t)d, (uint64_t)h, buf) < 0)
			return -1;
		off = (uint64_t)h;
	}
	return 0;
}

/* Sectors [first, end) from the COW file to out: zeros as holes, the rest written. */
static int
copy_run(int cowfd, int outfd, const struct rt_cow *cow, const struct rt_cow_layout *l,
         uint64_t first, uint64_t end, char *buf)
{
	uint64_t pos = first * cow->sectorsize, stop = end * cow->sectorsize;

	if (stop > cow->size)
		stop = cow->size;
	while (pos < stop) {
		size_t len = stop - pos > CHUNK ? CHUNK : (size_t)(stop - pos);
		bool zero = true;

		if (read_full(cowfd, buf, len, l->data_offset + pos) < 0)
			return -1;
		for (size_t i = 0; i < len && zero; i++)
			zero = buf[i] == 0;
		if (!zero || fallocate(outfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		                       (off_t)pos, (off_t)len) < 0) {
			if (write_full(outfd, buf, len, pos) < 0)
				return -1;
		}
		pos += len;
	}
	return 0;
}

/* Every run of set bits in the bitmap, copied from the COW file. */
static int
overlay(int cowfd, int outfd, const struct rt_cow *cow, const struct rt_cow_layout *l, char *buf)
{
	unsigned char *bm = xmalloc(BITMAP_CHUNK);
	uint64_t bytes = (l->sectors + 7) / 8, run = UINT64_MAX;
	int rc = 0;

	for (uint64_t at = 0; at < bytes && rc == 0; at += BITMAP_CHUNK) {
		size_t n = bytes - at > BITMAP_CHUNK ? BITMAP_CHUNK : (size_t)(bytes - at);

		if (read_full(cowfd, bm, n, l->bitmap_offset + at) < 0) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n * 8 && rc == 0; i++) {
			uint64_t s = at * 8 + i;
			bool set = s < l->sectors && (bm[i / 8] >> (i % 8)) & 1;

			if (set && run == UINT64_MAX) {
				run = s;
			} else if (!set && run != UINT64_MAX) {
				rc = copy_run(cowfd, outfd, cow, l, run, s, buf);
				run = UINT64_MAX;
			}
		}
	}
	if (rc == 0 && run != UINT64_MAX)
		rc = copy_run(cowfd, outfd, cow, l, run, l->sectors, buf);
	free(bm);
	return rc;
}

int
rt_cow_merge(int cowfd, const struct rt_cow *cow, int imgfd, int outfd, char **err)
{
	struct rt_cow_layout l;
	char *buf;
	int rc = 0;

	if (rt_cow_layout(cow, &l, err) < 0)
		return -1;
	if (ftruncate(outfd, (off_t)cow->size) < 0)
		return rt_fail_errno(err, errno, "cannot size the new image");
	buf = xmalloc(CHUNK);
	if (copy_image(imgfd, outfd, cow->size, buf) < 0)
		rc = rt_fail_errno(err, errno, "cannot copy the model filesystem");
	else if (overlay(cowfd, outfd, cow, &l, buf) < 0)
		rc = rt_fail_errno(err, errno, "cannot copy the COW file's sectors");
	free(buf);
	return rc;
}
