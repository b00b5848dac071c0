/*
 * lab/yaml-int.h: helpers shared by the lab.yaml parser files (document
 * walking, typed scalars, key tables with "did you mean").
 */
#ifndef UMLAB_YAML_INT_H
#define UMLAB_YAML_INT_H

#include <yaml.h>

#include "lab-int.h"

/* One lab.yaml being walked. */
struct lab__yaml {
	struct lab__ctx *c;
	yaml_document_t doc;
	const char *file;
};

yaml_node_t *lab__y_node(struct lab__yaml *y, int id);
/* Where node starts, 1-based (libyaml marks are 0-based: converted here only). */
struct lab_origin lab__y_origin(struct lab__yaml *y, const yaml_node_t *n);
void lab__y_report(struct lab__yaml *y, enum lab_error_code code, const yaml_node_t *n,
                   const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* An empty value: `key:`, `~`, `null`. */
bool lab__y_is_null(const yaml_node_t *n);
/* The text of a scalar node, or NULL after reporting that what must be a string. */
const char *lab__y_scalar(struct lab__yaml *y, const yaml_node_t *n, const char *what);
/* A string or a list of strings appended to *v; false after reporting. */
bool lab__y_strv(struct lab__yaml *y, const yaml_node_t *n, const char *what, char ***v,
                 size_t *nv);
/* Replace *dst with a copy of a string node. */
void lab__y_set_str(struct lab__yaml *y, const yaml_node_t *n, const char *what, char **dst);
/* Duration node into *ms (plain numbers count plain_ms each). */
void lab__y_duration(struct lab__yaml *y, const yaml_node_t *n, const char *what,
                     unsigned long plain_ms, unsigned int *ms);
/*
 * The index of a mapping key in keys (NULL-terminated), or -1 after
 * reporting an unknown or repeated key; *seen tracks repeats.
 */
int lab__y_key(struct lab__yaml *y, const yaml_node_pair_t *pair, const char *const *keys,
               const char *where, uint64_t *seen);
/* The node must be a mapping; false after reporting. */
bool lab__y_is_map(struct lab__yaml *y, const yaml_node_t *n, const char *what);

/* yaml-disks.c: `disks:` of whose ("host 'pc1'", "defaults") replaces *v, or reports. */
void lab__y_disks(struct lab__yaml *y, const yaml_node_t *n, const char *whose, struct lab_disk **v,
                  size_t *nv);

/* yaml-impair.c: the impairment keys, in lab__y_impair_key's numbering. */
#define LAB_IMPAIR_NKEYS 13
extern const char *const lab__impair_keys[LAB_IMPAIR_NKEYS + 1];
/* Sets impairment key k (an index in lab__impair_keys) from v, or reports. */
void lab__y_impair_key(struct lab__yaml *y, int k, const yaml_node_t *v, struct lab_impair *im);
/* Reports broken rules between keys at n ("domain 'B'" is whose). */
void lab__y_impair_check(struct lab__yaml *y, const yaml_node_t *n, const char *whose,
                         const struct lab_impair *im);

/* yaml-nat.c: the nat keys of a domain (nat, subnet, gateway, dns, outbound, forward). */
#define LAB_NAT_NKEYS 6
extern const char *const lab__nat_keys[LAB_NAT_NKEYS + 1];
/* What a domain mapping said about its nat keys, for the checks between them. */
struct lab__nat_nodes {
	const yaml_node_t *node[LAB_NAT_NKEYS];
};
/* Sets nat key k (an index in lab__nat_keys) from v, or reports. */
void lab__y_nat_key(struct lab__yaml *y, int k, const yaml_node_t *v, struct lab_nat *nat,
                    struct lab__nat_nodes *seen);
/* Reports broken rules between the nat keys of domain d. */
void lab__y_nat_check(struct lab__yaml *y, const struct lab_domain *d,
                      const struct lab__nat_nodes *seen);

#endif
