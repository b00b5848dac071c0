/*
 * lab/load.c: lab_load(): find which files make up the lab directory, run the
 * parsers, merge lab.dep, add hosts from subdirectories as Netkit does, then
 * validate. Errors are all collected before the load fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab-int.h"

#define LAB_FILE_MAX (4u << 20) /* a lab file larger than this is a mistake (or an attack) */

/* Read dir/name whole. Returns 1 with *buf, 0 when absent, -1 after reporting. */
static int
read_file(struct lab__ctx *c, int dirfd, const char *name, char **buf, size_t *len)
{
	/*
	 * Inside the lab only: no symlink (out of the lab, or to /dev/zero), and
	 * O_NONBLOCK so a FIFO is refused below instead of waited on.
	 */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	size_t n = 0;

	*buf = NULL;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP) {
			lab__report(c, LAB_E_UNSAFE_PATH, name, 0, 0, NULL,
			            "%s is a symlink: lab files must be regular files in the lab",
			            name);
			return -1;
		}
		lab__report(c, LAB_E_IO, name, 0, 0, NULL, "cannot read %s: %s", name,
		            strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)LAB_FILE_MAX) {
		lab__report(c, LAB_E_IO, name, 0, 0, NULL, "%s is not a regular file under %u MiB",
		            name, LAB_FILE_MAX >> 20);
		close(fd);
		return -1;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			lab__report(c, LAB_E_IO, name, 0, 0, NULL, "cannot read %s: %s", name,
			            strerror(errno));
			free(*buf);
			*buf = NULL;
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	(*buf)[n] = '\0';
	*len = n;
	close(fd);
	return 1;
}

/* Parse one file with fn if it exists; returns whether it exists. */
static bool
parse_file(struct lab__ctx *c, int dirfd, const char *name,
           void (*fn)(struct lab__ctx *, const char *, size_t, const char *))
{
	char *buf;
	size_t len = 0;
	int rc = read_file(c, dirfd, name, &buf, &len);

	if (rc > 0)
		fn(c, buf, len, name);
	free(buf);
	return rc != 0;
}

/* Candidate host directories in name order: not hidden, not shared, _test or CVS. */
static void
host_dirs(struct lab__ctx *c, int dirfd, char ***names, size_t *n)
{
	struct dirent **list = NULL;
	int count = scandir(c->lab->dir, &list, NULL, alphasort);

	for (int i = 0; i < count; i++) {
		const char *name = list[i]->d_name;
		struct stat st;

		if (name[0] != '.' && strcmp(name, "shared") != 0 && strcmp(name, "_test") != 0 &&
		    strcmp(name, "CVS") != 0 && fstatat(dirfd, name, &st, 0) == 0 &&
		    S_ISDIR(st.st_mode))
			strv_push(names, n, name);
		free(list[i]);
	}
	free(list);
}

/* Hosts from subdirectories (lab.conf without a host list, or no lab.conf at all). */
static void
add_dir_hosts(struct lab__ctx *c, char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct lab_origin o = lab__origin(dirs[i], 0, 0);

		if (lab_name_valid(dirs[i]))
			lab__host_get(c, dirs[i], &o);
		else
			lab__report_at(c, LAB_W_STYLE, &o, NULL,
			               "directory '%s' is not a valid host name; not a host",
			               dirs[i]);
		lab__origin_free(&o);
	}
}

/* A valid lab name made from any text: unsafe characters become '-'. */
static char *
sanitize_name(const char *s)
{
	char *out = xcalloc(LAB_NAME_MAX + 1, 1);
	size_t n = 0;

	for (; *s != '\0' && n < LAB_NAME_MAX; s++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';

		if (n == 0 && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		                (ch >= '0' && ch <= '9')))
			continue;
		out[n++] = ok ? ch : '-';
	}
	if (n == 0 || !lab_name_valid(out)) {
		free(out);
		out = xstrdup("lab");
	}
	return out;
}

/* The lab's name: as written if valid, else made safe from it or the directory name. */
static void
settle_name(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	const char *base = strrchr(lab->dir, '/');
	char *safe;

	if (lab->name != NULL && lab_name_valid(lab->name))
		return;
	safe = sanitize_name(lab->name != NULL ? lab->name : base != NULL ? base + 1 : lab->dir);
	if (lab->name != NULL)
		lab__report(c, LAB_W_STYLE, lab->conf_file, 0, 0, NULL,
		            "lab name '%s' is not a valid name; using '%s'", lab->name, safe);
	free(lab->name);
	lab->name = safe;
}

/* A legacy lab's hosts get what Kathara gives its devices before their
 * startup files run (lab.conf(5), "Runtime semantics"): interfaces up,
 * router sysctls, the shared/ folder on /shared. IPv6 stays on, as in Netkit,
 * without forwarding unless a host says ipv6=true. */
static void
legacy_defaults(struct lab__ctx *c)
{
	c->default_links_up = 1;
	c->default_forwarding = 1;
	c->default_mount_shared = 1;
}

/* Subdirectories a lab.conf does not name. Netkit started every one as a host,
 * Kathara none: a folder of pictures or notes is no host. One is a host here
 * when the lab also has its NAME.startup or NAME.shutdown. */
static void
add_unnamed_dir_hosts(struct lab__ctx *c, int dirfd, char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *up = xasprintf("%s.startup", dirs[i]),
		     *down = xasprintf("%s.shutdown", dirs[i]);

		if (lab__host_lookup(c->lab, dirs[i]) != NULL) {
			;
		} else if (faccessat(dirfd, up, F_OK, 0) == 0 ||
		           faccessat(dirfd, down, F_OK, 0) == 0) {
			add_dir_hosts(c, &dirs[i], 1);
		} else {
			lab__report(c, LAB_W_STYLE, dirs[i], 0, 0, NULL,
			            "directory '%s' is not a host: lab.conf does not name it and "
			            "there is no %s",
			            dirs[i], up);
		}
		free(up);
		free(down);
	}
}

/* Read every file of an opened lab directory into c. */
static void
load_dir(struct lab__ctx *c, int dirfd)
{
	struct lab *lab = c->lab;
	char **dirs = NULL;
	size_t n_dirs = 0;
	bool yaml, conf = false, dep;

	host_dirs(c, dirfd, &dirs, &n_dirs);
	if ((yaml = parse_file(c, dirfd, "lab.yaml", lab__parse_yaml_buf))) {
		lab->format = LAB_FMT_YAML;
		lab->conf_file = xstrdup("lab.yaml");
		if (faccessat(dirfd, "lab.conf", F_OK, 0) == 0)
			lab__report(c, LAB_W_STYLE, "lab.conf", 0, 0, NULL,
			            "lab.conf is ignored: lab.yaml describes this lab");
	} else {
		legacy_defaults(c);
		if ((conf = parse_file(c, dirfd, "lab.conf", lab__parse_conf_buf))) {
			lab->format = LAB_FMT_CONF;
			lab->conf_file = xstrdup("lab.conf");
			if (!c->has_machines)
				add_unnamed_dir_hosts(c, dirfd, dirs, n_dirs);
		} else {
			lab->format = LAB_FMT_DIR;
			add_dir_hosts(c, dirs, n_dirs);
		}
	}
	/* Kathara's lab.ext puts a domain's frames on a host NIC or VLAN: that
	 * needs root and is no NAT, so it is said, not mapped (compat.md). */
	if (faccessat(dirfd, "lab.ext", F_OK, 0) == 0)
		lab__report(c, LAB_W_UNSUPPORTED, "lab.ext", 0, 0, NULL,
		            "lab.ext is not supported: joining a domain to a host network "
		            "interface needs root; its domains stay inside the lab (a host with "
		            "bridged=true reaches the host's network through a NAT instead)");
	dep = parse_file(c, dirfd, "lab.dep", lab__parse_dep_buf);
	lab->has_dep_file = dep;
	if (!yaml && !conf && !dep && n_dirs == 0 && lab__nerrors(c) == 0)
		lab__report(c, LAB_E_NOT_A_LAB, lab->dir, 0, 0, NULL,
		            "not a lab directory: no lab.yaml, lab.conf, lab.dep nor host "
		            "directories");
	strv_free(dirs, n_dirs);
}

/* Load and validate the lab in dir; on failure *errs gets every problem found. */
int
lab_load(const char *dir, struct lab **out, struct lab_error **errs)
{
	struct lab__ctx c;
	struct stat st;
	int dirfd;

	*out = NULL;
	lab__ctx_init(&c);
	c.lab->dir = realpath(dir, NULL);
	if (c.lab->dir == NULL || stat(c.lab->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		lab__report(&c, c.lab->dir == NULL && errno != ENOENT ? LAB_E_IO : LAB_E_NOT_A_LAB,
		            dir, 0, 0, NULL, "not a lab directory: %s",
		            c.lab->dir == NULL ? strerror(errno) : "not a directory");
	} else if ((dirfd = open(c.lab->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		lab__report(&c, LAB_E_IO, dir, 0, 0, NULL, "cannot open %s: %s", dir,
		            strerror(errno));
	} else {
		load_dir(&c, dirfd);
		close(dirfd);
		if (lab__nerrors(&c) == 0 || c.lab->n_hosts > 0) {
			settle_name(&c);
			lab__finish_model(&c);
			lab__scan_files(&c);
		}
	}
	if (c.errs != NULL) {
		/* The lab goes away: its warnings follow the errors so nothing is lost. */
		lab__error_append(&c.errs, c.lab->warnings);
		c.lab->warnings = NULL;
		lab__error_append(errs, c.errs);
		lab__ctx_done(&c, true);
		return -1;
	}
	*out = c.lab;
	lab__ctx_done(&c, false);
	return 0;
}
