/*
 * rt/cow.c: the UML COW header, as arch/um/drivers/cow_user.c writes it.
 *
 * Version 3 (the only one current kernels write) is big-endian:
 * magic "OOOM" (0x4f4f4f4d), version, mtime (u32), size (u64), sector
 * size, alignment, format, then the backing file path (4096 bytes).
 * Older versions (1, 2: host endian, path first) are recognised and only
 * their path is checked.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cow.h"
#include "xalloc.h"

#define COW_MAGIC    0x4f4f4f4dU
#define PATH_LEN_V1  256
#define PATH_LEN_V3  4096
#define V3_PATH_OFF  32
#define V12_PATH_OFF 8
#define SECTOR       512
#define ALIGN        4096 /* UML's PAGE_SIZE */

/* Big-endian u32 at p. */
static uint32_t
be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

/* Big-endian u64 at p. */
static uint64_t
be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

/* Copy a NUL-padded path field of at most max bytes. */
static char *
field_path(const unsigned char *p, size_t max)
{
	size_t n = strnlen((const char *)p, max);
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
rt_cow_read(const char *path, struct rt_cow *cow, char **err)
{
	struct stat st;
	int fd, rc;

	memset(cow, 0, sizeof(*cow));
	/* O_NONBLOCK: a FIFO a guest planted there must not hang lstart. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
		return rt_fail_errno(err, errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rt_fail(err, "%s is not a regular file", path);
	}
	rc = rt_cow_read_fd(fd, path, cow, err);
	close(fd);
	return rc;
}

int
rt_cow_read_fd(int fd, const char *path, struct rt_cow *cow, char **err)
{
	unsigned char buf[V3_PATH_OFF + PATH_LEN_V3];
	uint32_t host_magic;
	ssize_t n;

	memset(cow, 0, sizeof(*cow));
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)(V12_PATH_OFF + PATH_LEN_V1))
		return rt_fail(err, "%s is too short to be a UML COW file", path);
	memcpy(&host_magic, buf, 4);
	if (be32(buf) == COW_MAGIC && be32(buf + 4) == 3 && n >= (ssize_t)sizeof(buf)) {
		cow->version = 3;
		cow->mtime = be32(buf + 8);
		cow->size = be64(buf + 12);
		cow->sectorsize = be32(buf + 20);
		cow->alignment = be32(buf + 24);
		cow->format = be32(buf + 28);
		cow->backing = field_path(buf + V3_PATH_OFF, PATH_LEN_V3);
		return 0;
	}
	if (host_magic == COW_MAGIC || be32(buf) == COW_MAGIC) {
		uint32_t v =
		        host_magic == COW_MAGIC ? buf[4] | (uint32_t)buf[5] << 8 : be32(buf + 4);

		cow->version = v;
		cow->backing = field_path(buf + V12_PATH_OFF, v == 1 ? PATH_LEN_V1 : PATH_LEN_V3);
		return 0;
	}
	return rt_fail(err, "%s is not a UML COW file (bad magic)", path);
}

void
rt_cow_clear(struct rt_cow *cow)
{
	free(cow->backing);
	cow->backing = NULL;
}

int
rt_cow_fits(const struct rt_cow *cow, const char *cowpath, const char *imagepath, char **err)
{
	struct stat st;
	char *a, *b;
	int rc = 0;

	if (stat(imagepath, &st) < 0)
		return rt_fail_errno(err, errno, "cannot stat model filesystem %s", imagepath);
	/* The guest sees the image at /umlab/fs/BASENAME: compare basenames. */
	a = xstrdup(cow->backing);
	b = xstrdup(imagepath);
	if (strcmp(basename(a), basename(b)) != 0)
		rc = rt_fail(err,
		             "%s was made over model filesystem '%s', but the lab now uses '%s'",
		             cowpath, cow->backing, imagepath);
	else if (cow->version == 3 && cow->size != (uint64_t)st.st_size)
		rc = rt_fail(err, "%s was made over a %llu-byte %s, which is now %llu bytes",
		             cowpath, (unsigned long long)cow->size, imagepath,
		             (unsigned long long)st.st_size);
	else if (cow->version == 3 && cow->mtime != (uint64_t)(uint32_t)st.st_mtime)
		rc = rt_fail(err, "model filesystem %s was modified after %s was made over it",
		             imagepath, cowpath);
	free(a);
	free(b);
	return rc;
}

int
rt_cow_check(const char *cowpath, const char *imagepath, char **err)
{
	struct rt_cow cow;
	int rc;

	if (rt_cow_read(cowpath, &cow, err) < 0)
		return -1;
	rc = rt_cow_fits(&cow, cowpath, imagepath, err);
	rt_cow_clear(&cow);
	return rc;
}

/* Store v big-endian at p. */
static void
put_be32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

int
rt_cow_create(const char *path, const char *imagepath, const char *backing, char **err)
{
	unsigned char hdr[V3_PATH_OFF + PATH_LEN_V3];
	uint64_t bitmap_off, bitmap_len, data_off;
	struct stat st;
	int fd;

	if (strlen(backing) >= PATH_LEN_V3)
		return rt_fail(err, "backing file name too long: %s", backing);
	if (stat(imagepath, &st) < 0)
		return rt_fail_errno(err, errno, "cannot stat model filesystem %s", imagepath);
	memset(hdr, 0, sizeof(hdr));
	put_be32(hdr, COW_MAGIC);
	put_be32(hdr + 4, 3);
	put_be32(hdr + 8, (uint32_t)st.st_mtime);
	put_be64(hdr + 12, (uint64_t)st.st_size);
	put_be32(hdr + 20, SECTOR);
	put_be32(hdr + 24, ALIGN);
	put_be32(hdr + 28, 0); /* format: a bitmap */
	memcpy(hdr + V3_PATH_OFF, backing, strlen(backing));
	/* The layout UML computes: header, bitmap (a bit a sector), data, each aligned. */
	bitmap_off = (sizeof(hdr) + ALIGN - 1) / ALIGN * ALIGN;
	bitmap_len = (((uint64_t)st.st_size + SECTOR - 1) / SECTOR + 7) / 8;
	data_off = (bitmap_off + bitmap_len + ALIGN - 1) / ALIGN * ALIGN;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return rt_fail_errno(err, errno, "cannot create %s", path);
	if (pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    ftruncate(fd, (off_t)(data_off + (uint64_t)st.st_size)) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return rt_fail_errno(err, e, "cannot write %s", path);
	}
	if (close(fd) < 0)
		return rt_fail_errno(err, errno, "cannot write %s", path);
	return 0;
}

bool
rt_cow_in_use(const char *path, bool write)
{
	struct flock fl = {.l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET};
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool used;

	if (fd < 0)
		return false;
	/* UML locks its disks with fcntl: a lock held elsewhere means a guest has it. */
	used = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return used;
}
