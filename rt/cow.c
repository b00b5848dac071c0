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
