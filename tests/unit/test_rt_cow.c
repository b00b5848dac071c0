/*
 * tests/unit/test_rt_cow.c: reading UML COW headers and checking them
 * against the model filesystem (src/cow.c).
 *
 * The headers are written here byte by byte in the layout of the kernel's
 * arch/um/drivers/cow_user.c, checked against a COW file UML itself made
 * (xxd of NAME.disk): version 3 is packed and big-endian: magic "OOOM" at
 * 0, version at 4, mtime (u32) at 8, size (u64) at 12, sector size at 20,
 * alignment at 24, format at 28, the 4096-byte backing path at 32.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cow.h"
#include "test_rt_tmp.h"

#define V3_LEN (32 + 4096)

/* Big-endian u32 at p. */
static void
put_be32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

/* Big-endian u64 at p. */
static void
put_be64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

/* Write a version 3 header for backing (mtime, size) to DIR/rel, with data after it. */
static void
write_v3(void **state, const char *rel, const char *backing, uint32_t mtime, uint64_t size)
{
	unsigned char *h = calloc(1, V3_LEN + 512);

	put_be32(h, 0x4f4f4f4d);
	put_be32(h + 4, 3);
	put_be32(h + 8, mtime);
	put_be64(h + 12, size);
	put_be32(h + 20, 512);
	put_be32(h + 24, 4096);
	put_be32(h + 28, 0);
	strcpy((char *)h + 32, backing);
	rt_twrite(state, rel, h, V3_LEN + 512);
	free(h);
}

/* Make DIR/rel an image of size bytes with this mtime. */
static void
make_image(void **state, const char *rel, size_t size, time_t mtime)
{
	char *data = calloc(1, size);
	struct timeval tv[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};

	rt_twrite(state, rel, data, size);
	free(data);
	assert_int_equal(utimes(rt_tpath(state, rel), tv), 0);
}

/* Version 3 fields come out in host order, the path as the guest saw it. */
static void
v3_header_fields_are_read_big_endian(void **state)
{
	struct rt_cow cow;

	write_v3(state, "a.disk", "/umlab/fs/default-b45a454cfad3.img", 0x6b015bd8, 1619001344ULL);
	assert_int_equal(rt_cow_read(rt_tpath(state, "a.disk"), &cow, NULL), 0);
	assert_int_equal(cow.version, 3);
	assert_true(cow.mtime == 0x6b015bd8);
	assert_true(cow.size == 1619001344ULL);
	assert_string_equal(cow.backing, "/umlab/fs/default-b45a454cfad3.img");
	rt_cow_clear(&cow);
}

/* A backing path filling the whole field is read without running off its end. */
static void
v3_backing_path_may_fill_its_field(void **state)
{
	char path[4097];
	struct rt_cow cow;
	unsigned char *h = calloc(1, V3_LEN);

	memset(path, 'p', 4096);
	path[0] = '/';
	put_be32(h, 0x4f4f4f4d);
	put_be32(h + 4, 3);
	memcpy(h + 32, path, 4096);
	rt_twrite(state, "full.disk", h, V3_LEN);
	free(h);
	assert_int_equal(rt_cow_read(rt_tpath(state, "full.disk"), &cow, NULL), 0);
	assert_int_equal(strlen(cow.backing), 4096);
	rt_cow_clear(&cow);
}

/* A file without the magic is not a COW file. */
static void
bad_magic_is_refused(void **state)
{
	char *junk = calloc(1, V3_LEN), *err = NULL;
	struct rt_cow cow;

	memcpy(junk, "XOOM", 4);
	rt_twrite(state, "junk.disk", junk, V3_LEN);
	free(junk);
	assert_int_equal(rt_cow_read(rt_tpath(state, "junk.disk"), &cow, &err), -1);
	assert_non_null(strstr(err, "bad magic"));
	free(err);
}

/* A file shorter than any header is refused. */
static void
short_file_is_refused(void **state)
{
	char *err = NULL;
	struct rt_cow cow;

	rt_twrite(state, "short.disk", "OOOM", 4);
	assert_int_equal(rt_cow_read(rt_tpath(state, "short.disk"), &cow, &err), -1);
	assert_non_null(strstr(err, "too short"));
	free(err);
}

/* A missing COW file is an error naming it. */
static void
missing_file_is_an_error(void **state)
{
	char *err = NULL;
	struct rt_cow cow;

	assert_int_equal(rt_cow_read(rt_tpath(state, "none.disk"), &cow, &err), -1);
	assert_non_null(strstr(err, "none.disk"));
	free(err);
}

/* Version 2 (big-endian, path right after the version) is recognised by its path. */
static void
v2_header_is_read_for_its_path(void **state)
{
	unsigned char *h = calloc(1, 8 + 4096 + 32);
	struct rt_cow cow;

	put_be32(h, 0x4f4f4f4d);
	put_be32(h + 4, 2);
	strcpy((char *)h + 8, "/umlab/fs/old.img");
	rt_twrite(state, "v2.disk", h, 8 + 4096 + 32);
	free(h);
	assert_int_equal(rt_cow_read(rt_tpath(state, "v2.disk"), &cow, NULL), 0);
	assert_int_equal(cow.version, 2);
	assert_string_equal(cow.backing, "/umlab/fs/old.img");
	rt_cow_clear(&cow);
}

/* A COW file made over this very image (name, size, mtime) passes the check. */
static void
check_accepts_the_image_it_was_made_over(void **state)
{
	char *err = NULL, *img;

	make_image(state, "default-1.img", 8192, 1700000000);
	write_v3(state, "pc1.disk", "/umlab/fs/default-1.img", 1700000000, 8192);
	img = strdup(rt_tpath(state, "default-1.img"));
	assert_int_equal(rt_cow_check(rt_tpath(state, "pc1.disk"), img, &err), 0);
	assert_null(err);
	free(img);
}

/* An image touched after the COW file was made is reported as modified. */
static void
check_reports_a_touched_image(void **state)
{
	char *err = NULL, *img;

	make_image(state, "default-1.img", 8192, 1700000001);
	write_v3(state, "pc1.disk", "/umlab/fs/default-1.img", 1700000000, 8192);
	img = strdup(rt_tpath(state, "default-1.img"));
	assert_int_equal(rt_cow_check(rt_tpath(state, "pc1.disk"), img, &err), -1);
	assert_non_null(strstr(err, "modified"));
	free(img);
	free(err);
}

/* An image of another size is reported with both sizes. */
static void
check_reports_a_resized_image(void **state)
{
	char *err = NULL, *img;

	make_image(state, "default-1.img", 4096, 1700000000);
	write_v3(state, "pc1.disk", "/umlab/fs/default-1.img", 1700000000, 8192);
	img = strdup(rt_tpath(state, "default-1.img"));
	assert_int_equal(rt_cow_check(rt_tpath(state, "pc1.disk"), img, &err), -1);
	assert_non_null(strstr(err, "8192"));
	assert_non_null(strstr(err, "4096"));
	free(img);
	free(err);
}

/* A COW file made over another image (by name) is reported. */
static void
check_reports_another_image(void **state)
{
	char *err = NULL, *img;

	make_image(state, "default-2.img", 8192, 1700000000);
	write_v3(state, "pc1.disk", "/umlab/fs/default-1.img", 1700000000, 8192);
	img = strdup(rt_tpath(state, "default-2.img"));
	assert_int_equal(rt_cow_check(rt_tpath(state, "pc1.disk"), img, &err), -1);
	assert_non_null(strstr(err, "default-1.img"));
	free(img);
	free(err);
}

/*
 * A COW file made by rt_cow_create (vstart -f) has UML's layout: the file
 * UML made over a 1766850560-byte image was 1767292928 bytes (header, a
 * bitmap of a bit per 512-byte sector, data, each aligned to 4096), and
 * its header reads back and checks against its image.
 */
static void
create_matches_what_uml_makes(void **state)
{
	const char *img = rt_tpath(state, "default-x.img");
	char *cowp = strdup(rt_tpath(state, "m.disk"));
	struct timeval tv[2] = {{.tv_sec = 1796021688}, {.tv_sec = 1796021688}};
	unsigned char hdr[32];
	struct rt_cow cow;
	struct stat st;
	FILE *f;

	rt_twrite(state, "default-x.img", "", 0);
	assert_int_equal(truncate(img, 1766850560LL), 0);
	assert_int_equal(utimes(img, tv), 0);
	assert_int_equal(rt_cow_create(cowp, img, "/umlab/fs/default-x.img", NULL), 0);
	assert_int_equal(stat(cowp, &st), 0);
	assert_true(st.st_size == 1767292928LL);
	assert_true(st.st_blocks < 64); /* sparse: the header only */
	f = fopen(cowp, "rb");
	assert_non_null(f);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	fclose(f);
	assert_memory_equal(hdr + 20, "\0\0\x02\0\0\0\x10\0\0\0\0\0", 12);
	assert_int_equal(rt_cow_read(cowp, &cow, NULL), 0);
	assert_int_equal(cow.version, 3);
	assert_true(cow.mtime == 1796021688);
	assert_true(cow.size == 1766850560ULL);
	assert_string_equal(cow.backing, "/umlab/fs/default-x.img");
	rt_cow_clear(&cow);
	assert_int_equal(rt_cow_check(cowp, img, NULL), 0);
	free(cowp);
}

/* rt_cow_create never writes over anything, a symlink included. */
static void
create_refuses_an_existing_file(void **state)
{
	char *err = NULL, *cowp = strdup(rt_tpath(state, "m.disk"));

	make_image(state, "i.img", 4096, 1000);
	rt_twrite(state, "m.disk", "mine", (size_t)-1);
	assert_int_equal(rt_cow_create(cowp, rt_tpath(state, "i.img"), "/umlab/fs/i.img", &err),
	                 -1);
	assert_non_null(strstr(err, "File exists"));
	free(err);
	err = rt_tread(state, "m.disk");
	assert_string_equal(err, "mine");
	free(err);
	free(cowp);
}

/* A FIFO or a symlink at the COW file's name is refused, and the FIFO does not block. */
static void
read_refuses_fifos_and_symlinks(void **state)
{
	char *err = NULL, *target;
	struct rt_cow cow;

	assert_int_equal(mkfifo(rt_tpath(state, "fifo.disk"), 0600), 0);
	assert_int_equal(rt_cow_read(rt_tpath(state, "fifo.disk"), &cow, &err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	err = NULL;
	write_v3(state, "real.disk", "/umlab/fs/x.img", 1, 8192);
	target = strdup(rt_tpath(state, "real.disk"));
	assert_int_equal(symlink(target, rt_tpath(state, "link.disk")), 0);
	free(target);
	assert_int_equal(rt_cow_read(rt_tpath(state, "link.disk"), &cow, &err), -1);
	assert_non_null(strstr(err, "link.disk"));
	free(err);
}

/*
 * The merge fixture: a 128-sector image, sector s filled with byte s, with a
 * hole (zeros) over sectors 32..63; and its COW file (sector size 512,
 * alignment 4096, so the bitmap is at 8192 and the data at 12288) holding
 * sectors 0, 5..9, 40 (in the hole), 64 and 120 (all zeros) and 127, sector
 * s filled with 0x80 | s; the file ends in the middle of sector 127, whose
 * second half reads as zeros.
 */
#define M_SECTORS 128
#define M_SIZE    (M_SECTORS * 512)
#define M_DATA    12288

static bool
m_in_cow(int s)
{
	return s == 0 || (s >= 5 && s <= 9) || s == 40 || s == 64 || s == 120 || s == 127;
}

/* What the guest saw at byte b of sector s. */
static unsigned char
m_expect(int s, int b)
{
	if (s == 64 || s == 120 || (s == 127 && b >= 256))
		return 0;
	if (m_in_cow(s))
		return (unsigned char)(0x80 | s);
	return s >= 32 && s < 64 ? 0 : (unsigned char)s;
}

static void
m_make(void **state, int *cowfd, int *imgfd, struct rt_cow *cow)
{
	unsigned char *img = calloc(1, M_SIZE), *c = calloc(1, M_DATA + M_SECTORS * 512), h[V3_LEN];
	int fd;

	for (int s = 0; s < M_SECTORS; s++)
		if (s < 32 || s >= 64)
			memset(img + s * 512, s, 512);
	/* The image with a real hole over sectors 32..63. */
	fd = open(rt_tpath(state, "m.img"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, M_SIZE), 0);
	assert_int_equal(pwrite(fd, img, 32 * 512, 0), 32 * 512);
	assert_int_equal(pwrite(fd, img + 64 * 512, 64 * 512, 64 * 512), 64 * 512);
	close(fd);
	memset(h, 0, sizeof(h));
	put_be32(h, 0x4f4f4f4d);
	put_be32(h + 4, 3);
	put_be64(h + 12, M_SIZE);
	put_be32(h + 20, 512);
	put_be32(h + 24, 4096);
	strcpy((char *)h + 32, "/umlab/fs/m.img");
	memcpy(c, h, V3_LEN);
	for (int s = 0; s < M_SECTORS; s++) {
		if (!m_in_cow(s))
			continue;
		c[8192 + s / 8] |= (unsigned char)(1 << (s % 8));
		if (s != 64 && s != 120)
			memset(c + M_DATA + s * 512, 0x80 | s, 512);
	}
	/* A short COW file: cut in the middle of sector 127. */
	rt_twrite(state, "m.disk", c, M_DATA + 127 * 512 + 256);
	free(img);
	free(c);
	*cowfd = open(rt_tpath(state, "m.disk"), O_RDONLY);
	*imgfd = open(rt_tpath(state, "m.img"), O_RDONLY);
	assert_true(*cowfd >= 0 && *imgfd >= 0);
	assert_int_equal(rt_cow_read_fd(*cowfd, "m.disk", cow, NULL), 0);
}

/* Every sector of the merge is the COW file's where its bit is set, else the image's. */
static void
merge_puts_the_cow_sectors_over_the_image(void **state)
{
	int cowfd, imgfd, outfd;
	struct rt_cow cow;
	unsigned char *out = malloc(M_SIZE);
	char *err = NULL;

	m_make(state, &cowfd, &imgfd, &cow);
	outfd = open(rt_tpath(state, "out.img"), O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(outfd >= 0);
	assert_int_equal(rt_cow_merge(cowfd, &cow, imgfd, outfd, &err), 0);
	assert_int_equal(pread(outfd, out, M_SIZE, 0), M_SIZE);
	assert_int_equal(lseek(outfd, 0, SEEK_END), M_SIZE);
	for (int s = 0; s < M_SECTORS; s++)
		for (int b = 0; b < 512; b++)
			if (out[s * 512 + b] != m_expect(s, b))
				fail_msg("sector %d byte %d: %#x, wanted %#x", s, b,
				         out[s * 512 + b], m_expect(s, b));
	free(out);
	close(outfd);
	close(cowfd);
	close(imgfd);
	rt_cow_clear(&cow);
}

/* rt_cow_pread gives the same view, across sector boundaries; not past the end. */
static void
pread_reads_the_merged_view(void **state)
{
	int cowfd, imgfd;
	struct rt_cow cow;
	unsigned char buf[1200];
	char *err = NULL;

	m_make(state, &cowfd, &imgfd, &cow);
	/* Sectors 4 (image), 5, 6 (COW), from the middle of 4. */
	assert_int_equal(rt_cow_pread(cowfd, &cow, imgfd, buf, sizeof(buf), 4 * 512 + 300, &err),
	                 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], m_expect((int)((4 * 512 + 300 + i) / 512),
		                                  (int)((4 * 512 + 300 + i) % 512)));
	assert_int_equal(rt_cow_pread(cowfd, &cow, imgfd, buf, 2, M_SIZE - 1, &err), -1);
	free(err);
	close(cowfd);
	close(imgfd);
	rt_cow_clear(&cow);
}

/* Headers UML never writes are refused before any offset is computed from them. */
static void
layout_refuses_what_uml_never_writes(void **state)
{
	struct rt_cow cow = {.version = 3, .size = M_SIZE, .sectorsize = 512, .alignment = 4096};
	struct rt_cow_layout l;
	char *err = NULL;

	(void)state;
	assert_int_equal(rt_cow_layout(&cow, &l, NULL), 0);
	assert_int_equal(l.bitmap_offset, 8192);
	assert_int_equal(l.data_offset, 12288);
	assert_int_equal(l.sectors, M_SECTORS);
	cow.sectorsize = 500;
	assert_int_equal(rt_cow_layout(&cow, &l, &err), -1);
	assert_non_null(strstr(err, "sector size 500"));
	free(err);
	cow.sectorsize = 512;
	cow.alignment = 0;
	assert_int_equal(rt_cow_layout(&cow, &l, NULL), -1);
	cow.alignment = 1u << 31;
	assert_int_equal(rt_cow_layout(&cow, &l, NULL), -1);
	cow.alignment = 4096;
	cow.format = 1;
	assert_int_equal(rt_cow_layout(&cow, &l, NULL), -1);
	cow.format = 0;
	cow.version = 2;
	assert_int_equal(rt_cow_layout(&cow, &l, NULL), -1);
}

/* The image's holes stay holes in the merge: a mostly empty 64 MiB image costs little. */
static void
merge_keeps_holes(void **state)
{
	int imgfd, cowfd, outfd;
	unsigned char h[V3_LEN];
	struct rt_cow cow;
	struct stat st;
	char *err = NULL;

	imgfd = open(rt_tpath(state, "big.img"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(imgfd, 64 << 20), 0);
	assert_int_equal(pwrite(imgfd, "data", 4, 1 << 20), 4);
	memset(h, 0, sizeof(h));
	put_be32(h, 0x4f4f4f4d);
	put_be32(h + 4, 3);
	put_be64(h + 12, 64 << 20);
	put_be32(h + 20, 512);
	put_be32(h + 24, 4096);
	rt_twrite(state, "big.disk", h, sizeof(h)); /* no sector changed, bitmap past the end */
	cowfd = open(rt_tpath(state, "big.disk"), O_RDONLY);
	assert_int_equal(rt_cow_read_fd(cowfd, "big.disk", &cow, NULL), 0);
	outfd = open(rt_tpath(state, "big.out"), O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_int_equal(rt_cow_merge(cowfd, &cow, imgfd, outfd, &err), 0);
	assert_int_equal(fstat(outfd, &st), 0);
	assert_int_equal(st.st_size, 64 << 20);
	assert_true(st.st_blocks * 512 < (1 << 20));
	{
		char buf[4];

		assert_int_equal(pread(outfd, buf, 4, 1 << 20), 4);
		assert_memory_equal(buf, "data", 4);
	}
	close(outfd);
	close(cowfd);
	close(imgfd);
	rt_cow_clear(&cow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(v3_header_fields_are_read_big_endian),
	        T(v3_backing_path_may_fill_its_field),
	        T(bad_magic_is_refused),
	        T(short_file_is_refused),
	        T(missing_file_is_an_error),
	        T(v2_header_is_read_for_its_path),
	        T(check_accepts_the_image_it_was_made_over),
	        T(check_reports_a_touched_image),
	        T(check_reports_a_resized_image),
	        T(check_reports_another_image),
	        T(create_matches_what_uml_makes),
	        T(create_refuses_an_existing_file),
	        T(read_refuses_fifos_and_symlinks),
	        T(merge_puts_the_cow_sectors_over_the_image),
	        T(pread_reads_the_merged_view),
	        T(layout_refuses_what_uml_never_writes),
	        T(merge_keeps_holes),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
