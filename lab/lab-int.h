/*
 * lab/lab-int.h: internals of the lab model shared by its files (parsers,
 * validation, loader) and by the fuzz targets. Not for the other libraries: lab.h is the interface.
 */
#ifndef UMLAB_LAB_INT_H
#define UMLAB_LAB_INT_H

#include <stdarg.h>

#include "lab.h"
#include "xalloc.h"

/* One dependency edge "from needs to", as written, before validation. */
struct lab__dep {
	char *from;
	char *to;
	struct lab_origin origin;
};

/* A domain declared in lab.yaml's domains: section, merged after hosts. */
struct lab__domdecl {
	struct lab_domain dom;
};

/* Everything a load accumulates before the model is final. */
struct lab__ctx {
	struct lab *lab;
	struct lab_error *errs; /* errors found so far */
	struct lab_error **errs_tail;
	struct lab_error **warn_tail; /* appends to lab->warnings */
	struct lab__dep *deps;
	size_t n_deps;
	struct lab_domain *decls; /* lab.yaml domains: section */
	size_t n_decls;
	char **machines; /* lab.conf LAB_MACHINES= or machines="..." */
	size_t n_machines;
	struct lab_origin machines_origin;
	bool has_machines;
	char *default_fs; /* lab.yaml defaults: applied to hosts at the end */
	char *default_kernel;
	char **default_kargs;
	size_t n_default_kargs;
	int default_ipv6;      /* -1: not set */
	int default_num_terms; /* -1: not set */
	int default_links_up;  /* -1: not set; likewise the next three */
	int default_forwarding;
	int default_ipv6_forwarding;
	int default_mount_shared;
	struct lab_disk *default_disks; /* lab.yaml defaults: disks */
	size_t n_default_disks;
};

/* Edit distance, capped: used for "did you mean". */
size_t lab__distance(const char *a, const char *b);
/* The closest of candidates[] to word if close enough, else NULL. */
const char *lab__closest(const char *word, const char *const *candidates);

/* Diagnostics: append an error (or a warning when code is LAB_W_*). */
void lab__report(struct lab__ctx *c, enum lab_error_code code, const char *file, unsigned int line,
                 unsigned int col, const char *hint, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));
/* Same, at an origin. */
void lab__report_at(struct lab__ctx *c, enum lab_error_code code, const struct lab_origin *o,
                    const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct lab_error *lab__error_new(enum lab_error_code code, const char *file, unsigned int line,
                                 unsigned int col, const char *hint, const char *msg);
void lab__error_append(struct lab_error **list, struct lab_error *e);
size_t lab__nerrors(const struct lab__ctx *c);

/* Origins. */
struct lab_origin lab__origin(const char *file, unsigned int line, unsigned int col);
void lab__origin_free(struct lab_origin *o);

/* Context life cycle; ctx_init allocates an empty struct lab. */
void lab__ctx_init(struct lab__ctx *c);
/* Free the context's scratch; the lab stays unless free_lab. */
void lab__ctx_done(struct lab__ctx *c, bool free_lab);

/* Hosts and their parts while building. */
struct lab_host *lab__host_get(struct lab__ctx *c, const char *name, const struct lab_origin *o);
struct lab_host *lab__host_lookup(struct lab *lab, const char *name);
/* "did you mean 'pc1'?" for a mistyped host name, or NULL; caller frees. */
char *lab__host_hint(const struct lab *lab, const char *name);
struct lab_iface *lab__host_add_iface(struct lab_host *h, unsigned int index, const char *domain,
                                      const char *mac, const struct lab_origin *o);
void lab__host_add_option(struct lab_host *h, const char *key, const char *value, bool honoured,
                          const struct lab_origin *o);
void lab__add_dep(struct lab__ctx *c, const char *from, const char *to, const struct lab_origin *o);
void lab__host_free(struct lab_host *h);
/* Extra disks (yaml-disks.c): free n of them and the array; copy n into a new array. */
void lab__disks_free(struct lab_disk *d, size_t n);
void lab__disks_copy(const struct lab_disk *src, size_t n, struct lab_disk **dst, size_t *ndst);
void lab__domain_free(struct lab_domain *d);
void lab__test_free(struct lab_test *t);

/* Values shared by the parsers; each returns false when s does not parse. */
bool lab__parse_memory(const char *s, unsigned long *mb);
bool lab__parse_bool(const char *s, bool *out);
bool lab__parse_uint(const char *s, unsigned long max, unsigned long *out);
/* "500ms", "20s", "2m"; a plain number is in plain_unit_ms milliseconds. */
bool lab__parse_duration(const char *s, unsigned long plain_unit_ms, unsigned int *ms);
bool lab__parse_percent(const char *s, double *pct);
bool lab__parse_rate(const char *s, uint64_t *bps);
/* A unicast "xx:xx:xx:xx:xx:xx"; out gets it in lower case. */
bool lab__parse_mac(const char *s, char out[18]);
/* "eth3" -> 3. */
bool lab__parse_ethname(const char *s, unsigned int *index);
/* "net.ipv4.ip_forward=1": a dotted key, '=', a value without newlines. */
bool lab__sysctl_valid(const char *s);
/* A kernel command-line word: printable, no blanks, no quotes. */

/* Parsers: read one file's text; problems go to c. file names the file in messages. */
void lab__parse_yaml_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file);
void lab__parse_conf_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file);
void lab__parse_dep_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file);
/* The tests: and setup:/teardown: parts of lab.yaml (parse-yaml-tests.c). */
struct lab__yaml;
void lab__yaml_tests(struct lab__yaml *y, int node_id);
void lab__yaml_suite_steps(struct lab__yaml *y, int node_id, bool setup);

/*
 * Checks that need no file system: sorts interfaces, builds domains, resolves
 * dependencies, finds cycles, checks names and bounds. Fills c with errors.
 */
void lab__finish_model(struct lab__ctx *c);
/* NAT domains (nat.c): addresses given out and checked, forwards resolved. */
void lab__nat_finish(struct lab__ctx *c);
void lab__nat_free(struct lab_nat *nat);
/* Cycles among the hosts' resolved dependencies (order.c). */
void lab__find_cycles(struct lab__ctx *c);
/* Per-host files and overlay trees under lab->dir (files.c). */
void lab__scan_files(struct lab__ctx *c);

#endif
