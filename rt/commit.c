/*
 * rt/commit.c: lcommit (see commit.h). The host's COW file is the guest's
 * to write (HOSTWD/NAME), so it is opened without following anything and
 * its header checked against the image the lab resolves now, never against
 * the path the header names. The one step that reads the guest's
 * filesystem as a filesystem, removing its first-boot mark with debugfs,
 * runs in a bubblewrap sandbox that sees only /usr and the new image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit.h"
#include "cow.h"
#include "inst.h"
#include "lab.h"
#include "locate.h"
#include "paths.h"
#include "rt.h"
#include "safefile.h"
#include "xalloc.h"

/* The guest init's first-boot mark (share/guest/init.c): absent, it sets the
 * host name and copies the lab's overlay trees on the next boot. */
#define FIRST_BOOT_MARK "/etc/umlab/configured"

#define EXT_MAGIC            0xEF53
#define EXT_INCOMPAT_RECOVER 0x4 /* the journal needs replaying: not cleanly unmounted */

static void
progress(const struct rt_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (rep == NULL || rep->progress == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		rep->progress(rep->ctx, msg);
		free(msg);
	}
	va_end(ap);
}

char *
rt_fs_dir_default(char **err)
{
	const char *fsdir = getenv("UMLAB_FS_DIR"), *data = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	/* Where umlab-mkfs builds, and the first place rt_locate_image looks. */
	if (fsdir != NULL && *fsdir != '\0')
		return xstrdup(fsdir);
	if (data != NULL && data[0] == '/')
		return xasprintf("%s/umlab/fs", data);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.local/share/umlab/fs", home);
	rt_fail(err, "no HOME: give the model filesystem directory");
	return NULL;
}

/* mkdir -p, mode 0755 (images are for every user of the directory). */
static int
mkdir_p(const char *dir, char **err)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = rt_fail_errno(err, errno, "cannot make %s", p);
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

static uint32_t
le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The guest's root filesystem, as it saw it, must be ext2/3/4 (we reset its
 * first boot with debugfs) and cleanly unmounted: a journal still to replay
 * means the guest did not shut down (lcrash -F), and its state is whatever
 * was on disk when it died.
 */
static int
check_clean(int cowfd, const struct rt_cow *cow, int imgfd, const char *host, char **err)
{
	unsigned char sb[1024];

	if (cow->size < 2048)
		return rt_fail(err, "the model filesystem is too small to be ext4");
	if (rt_cow_pread(cowfd, cow, imgfd, sb, sizeof(sb), 1024, err) < 0)
		return -1;
	if ((sb[0x38] | sb[0x39] << 8) != EXT_MAGIC)
		return rt_fail(err,
		               "%s's root filesystem is not ext2/3/4: lcommit cannot make an "
		               "image of it",
		               host);
	if (le32(sb + 0x60) & EXT_INCOMPAT_RECOVER)
		return rt_fail(err,
		               "%s was not shut down cleanly (its root filesystem's journal still "
		               "needs replaying): lstart it, then lhalt it (not lcrash)",
		               host);
	return 0;
}

/* Append a copy of s to a NULL-terminated argv of n entries. */
static void
push(char ***argv, size_t *n, const char *s)
{
	*argv = xrealloc(*argv, (*n + 2) * sizeof(**argv));
	(*argv)[(*n)++] = xstrdup(s);
	(*argv)[*n] = NULL;
}

/*
 * Remove the first-boot mark from image (a new file of ours) with debugfs,
 * sandboxed: it parses what a guest wrote. debugfs exits 0 whatever
 * happens, so its messages are read: only its banner and "not found" (a
 * guest that never finished its first boot) are fine.
 */
static int
reset_first_boot(const char *image, char **err)
{
	static const char *const top[] = {"lib", "lib32", "lib64", "libx32", "bin", "sbin"};
	char *debugfs = rt_locate_sbin("debugfs"), **argv = NULL, *out = NULL, *e = NULL;
	size_t n = 0;
	int rc = 0;

	if (debugfs == NULL)
		return rt_fail(err, "debugfs not found (install e2fsprogs)");
	if (strncmp(debugfs, "/usr/", 5) != 0) {
		rc = rt_fail(err, "%s is outside /usr, which is all the sandbox sees", debugfs);
		free(debugfs);
		return rc;
	}
	push(&argv, &n, "bwrap");
	push(&argv, &n, "--unshare-all");
	push(&argv, &n, "--die-with-parent");
	push(&argv, &n, "--new-session");
	push(&argv, &n, "--ro-bind");
	push(&argv, &n, "/usr");
	push(&argv, &n, "/usr");
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		char *d = xasprintf("/%s", top[i]), link[256];
		ssize_t l = readlink(d, link, sizeof(link) - 1);
		struct stat st;

		if (l > 0) {
			link[l] = '\0';
			push(&argv, &n, "--symlink");
			push(&argv, &n, link);
			push(&argv, &n, d);
		} else if (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) {
			push(&argv, &n, "--ro-bind");
			push(&argv, &n, d);
			push(&argv, &n, d);
		}
		free(d);
	}
	push(&argv, &n, "--proc");
	push(&argv, &n, "/proc");
	push(&argv, &n, "--dev");
	push(&argv, &n, "/dev");
	push(&argv, &n, "--bind");
	push(&argv, &n, image);
	push(&argv, &n, "/image");
	push(&argv, &n, "--");
	/* Its messages go to stderr: one stream to read. */
	push(&argv, &n, "/usr/bin/sh");
	push(&argv, &n, "-c");
	push(&argv, &n, "exec \"$0\" -w -R \"rm " FIRST_BOOT_MARK "\" /image 2>&1");
	push(&argv, &n, debugfs);
	if (rt_run(argv, &out, &e) != 0) {
		rc = rt_fail(err, "cannot run debugfs in a sandbox: %s", e != NULL ? e : "failed");
	} else {
		char *save = NULL;

		for (char *line = strtok_r(out != NULL ? out : "", "\n", &save);
		     line != NULL && rc == 0; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "debugfs ", 8) == 0 ||
			    strstr(line, "File not found") != NULL)
				continue;
			rc = rt_fail(err, "cannot remove %s from the new image: %s",
			             FIRST_BOOT_MARK, line);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	free(out);
	free(e);
	free(debugfs);
	return rc;
}

/* Is host in a state whose COW file is complete and nobody writes? */
static int
check_halted(const struct rt_inst *in, const char *labdir, const char *host, char **err)
{
	switch (rt_host_state(in, host, NULL)) {
	case RT_H_HALTED:
		return 0;
	case RT_H_ABSENT:
		return rt_fail(err,
		               "%s has no COW file (%s/%s/%s.disk): start it, configure it and "
		               "lhalt it first",
		               host, in->hostwd, host, host);
	case RT_H_CRASHED:
		return rt_fail(err,
		               "%s was not halted (its guest died): lstart it, then lhalt it, so "
		               "its filesystem is consistent",
		               host);
	default:
		return rt_fail(err,
		               "%s is running: 'lhalt -d %s %s' first (the COW file of a running "
		               "guest is not consistent)",
		               host, labdir, host);
	}
}

/* Register tmp as dir/NAME-HASH.img and point dir/NAME.img at it. */
static int
install(const char *dir, const char *name, const char *tmp, char **image, char **err)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned char rnd[8] = {0};
		char hash[RT_HASH12_LEN + 1], *final, *lnk, *newlnk;
		uint64_t h = 0;

		if (getrandom(rnd, sizeof(rnd), 0) < 0)
			return rt_fail_errno(err, errno, "getrandom");
		for (size_t i = 0; i < sizeof(rnd); i++)
			h = h << 8 | rnd[i];
		rt_hash12(h, hash);
		final = xasprintf("%s/%s-%s.img", dir, name, hash);
		/* link(2) never replaces: an image, once there, stays as it is. */
		if (link(tmp, final) < 0) {
			int e = errno;

			free(final);
			if (e == EEXIST)
				continue;
			return rt_fail_errno(err, e, "cannot make the image in %s", dir);
		}
		unlink(tmp);
		lnk = xasprintf("%s/%s.img", dir, name);
		newlnk = xasprintf("%s/.%s.img.new", dir, name);
		unlink(newlnk);
		/* Relative, as umlab-mkfs makes it: the directory may move. */
		if (symlink(strrchr(final, '/') + 1, newlnk) < 0 || rename(newlnk, lnk) < 0) {
			int e = errno;

			unlink(newlnk);
			rt_fail_errno(err, e, "cannot point %s at %s", lnk, final);
			free(final);
			free(lnk);
			free(newlnk);
			return -1;
		}
		free(lnk);
		free(newlnk);
		*image = final;
		return 0;
	}
	return rt_fail(err, "cannot find a free image name in %s", dir);
}

/* The same file, untouched since st was taken? */
static bool
unchanged(int fd, const struct stat *st)
{
	struct stat now;

	return fstat(fd, &now) == 0 && now.st_ino == st->st_ino && now.st_size == st->st_size &&
	       now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	       now.st_ctim.tv_sec == st->st_ctim.tv_sec &&
	       now.st_ctim.tv_nsec == st->st_ctim.tv_nsec;
}

int
rt_lab_commit(const struct lab *lab, const struct rt_commit_opts *o, const struct rt_report *rep,
              char **image, char **err)
{
	const struct lab_host *h = lab_host_find(lab, o->host);
	struct rt_inst in = {0};
	struct rt_cow cow = {0};
	struct stat st;
	char *img = NULL, *gwd = NULL, *cowname = NULL, *cowpath = NULL, *dir = NULL, *lock = NULL,
	     *lnk = NULL, *tmp = NULL;
	int dfd = -1, cowfd = -1, imgfd = -1, lockfd = -1, outfd = -1, rc = -1;
	bool image_opt = false;

	*image = NULL;
	if (!lab_name_valid(o->name))
		return rt_fail(
		        err, "'%s' is not a model filesystem name ([A-Za-z0-9][A-Za-z0-9_-]{0,31})",
		        o->name);
	if (strcmp(o->name, "default") == 0)
		return rt_fail(err, "'default' is umlab-mkfs's own image: choose another name, and "
		                    "give it to the lab's hosts with fs: NAME");
	if (h == NULL)
		return rt_fail(err, "no host '%s' in lab %s", o->host, lab->dir);
	if (rt_inst_init(&in, lab, o->opt_w, err) < 0)
		goto out;
	if (check_halted(&in, lab->dir, h->name, err) < 0)
		goto out;
	/* The image the lab gives the host now, as lstart resolves it. */
	for (size_t k = 0; k < h->n_options; k++)
		image_opt |= strcmp(h->options[k].key, "image") == 0;
	if ((img = rt_locate_image(image_opt ? NULL : h->fs, err)) == NULL)
		goto out;
	gwd = rt_gwd(&in, h->name);
	cowname = xasprintf("%s.disk", h->name);
	cowpath = xasprintf("%s/%s", gwd, cowname);
	if ((dfd = rt_sf_opendir_path(gwd)) < 0 ||
	    (cowfd = rt_sf_open_regular(dfd, cowname, O_RDONLY)) < 0) {
		rt_fail_errno(err, errno, "cannot open %s", cowpath);
		goto out;
	}
	if (fstat(cowfd, &st) < 0 || rt_cow_read_fd(cowfd, cowpath, &cow, err) < 0 ||
	    rt_cow_fits(&cow, cowpath, img, err) < 0)
		goto out;
	if ((imgfd = open(img, O_RDONLY | O_CLOEXEC)) < 0) {
		rt_fail_errno(err, errno, "cannot open %s", img);
		goto out;
	}
	if (check_clean(cowfd, &cow, imgfd, h->name, err) < 0)
		goto out;

	if ((dir = o->fs_dir != NULL ? xstrdup(o->fs_dir) : rt_fs_dir_default(err)) == NULL ||
	    mkdir_p(dir, err) < 0)
		goto out;
	/* umlab-mkfs's lock: no build, prune or other lcommit in dir meanwhile. */
	lock = xasprintf("%s/.lock", dir);
	if ((lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		rt_fail_errno(err, errno, "cannot write in %s", dir);
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
		progress(rep, "waiting for another umlab-mkfs or lcommit in %s", dir);
		if (flock(lockfd, LOCK_EX) < 0) {
			rt_fail_errno(err, errno, "cannot lock %s", lock);
			goto out;
		}
	}
	lnk = xasprintf("%s/%s.img", dir, o->name);
	if (!o->force && lstat(lnk, &(struct stat){0}) == 0) {
		rt_fail(err,
		        "model filesystem '%s' exists (%s); --force points it at the new image "
		        "(the old one stays for COW files made over it)",
		        o->name, lnk);
		goto out;
	}
	tmp = xasprintf("%s/.%s.img.tmp.%d", dir, o->name, (int)getpid());
	unlink(tmp);
	if ((outfd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		rt_fail_errno(err, errno, "cannot write in %s", dir);
		goto out;
	}
	progress(rep, "merging %s over %s", cowpath, img);
	if (rt_cow_merge(cowfd, &cow, imgfd, outfd, err) < 0)
		goto out;
	if (fsync(outfd) < 0) {
		rt_fail_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	progress(rep, "removing %s's first-boot mark %s", h->name, FIRST_BOOT_MARK);
	if (reset_first_boot(tmp, err) < 0)
		goto out;
	/* A start meanwhile would have written to the COW file: what we copied is not one state. */
	if (!unchanged(cowfd, &st) || rt_host_state(&in, h->name, NULL) != RT_H_HALTED) {
		rt_fail(err, "%s was started or changed during lcommit: halt it and try again",
		        h->name);
		goto out;
	}
	if (fchmod(outfd, 0444) < 0 || fsync(outfd) < 0) {
		rt_fail_errno(err, errno, "cannot write %s", tmp);
		goto out;
	}
	rc = install(dir, o->name, tmp, image, err);
out:
	if (outfd >= 0)
		close(outfd);
	if (tmp != NULL && rc < 0)
		unlink(tmp);
	if (lockfd >= 0)
		close(lockfd);
	if (imgfd >= 0)
		close(imgfd);
	if (cowfd >= 0)
		close(cowfd);
	if (dfd >= 0)
		close(dfd);
	rt_cow_clear(&cow);
	rt_inst_clear(&in);
	free(img);
	free(gwd);
	free(cowname);
	free(cowpath);
	free(dir);
	free(lock);
	free(lnk);
	free(tmp);
	return rc;
}
