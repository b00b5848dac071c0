/*
 * rt/record.h: the instance record, what lclean needs when the lab itself
 * can no longer be loaded (lab.yaml broken or deleted after lstart).
 *
 * lstart writes the same small file twice, as HOSTWD/.umlab-instance (it
 * survives a reboot) and RUNDIR/ID.h/instance (it survives the loss of
 * hostwd): the absolute lab directory and hostwd, and every host and
 * collision domain the instance ever had, one "key=value" per line:
 *
 *     labdir=/home/u/labs/two-hosts
 *     hostwd=/home/u/.local/state/umlab/labs/two-hosts-3f2a9c01b7de
 *     host=pc1
 *     domain=A
 *
 * Names that fail lab_name_valid() are dropped when read, so a record
 * never makes us touch a file or a tmux window outside the instance.
 */
#ifndef UMLAB_RECORD_H
#define UMLAB_RECORD_H

#include <stddef.h>

struct rt_inst;

#define RT_RECORD_WD  ".umlab-instance" /* in hostwd */
#define RT_RECORD_RUN "instance"        /* in RUNDIR/ID.h */

struct rt_record {
	char *labdir; /* owned, or NULL */
	char *hostwd; /* owned, or NULL */
	char **hosts; /* owned; n_hosts names */
	size_t n_hosts;
	char **domains; /* owned; n_domains names */
	size_t n_domains;
};

/* Read a record file; < 0 when it is missing or names no lab directory. */
int rt_record_read(const char *path, struct rt_record *rec);
/* Write rec to path atomically (a temporary file renamed into place). */
int rt_record_save(const char *path, const struct rt_record *rec, char **err);
/* Add a host (kind 'h') or domain (kind 'd') name unless present or invalid. */
void rt_record_add(struct rt_record *rec, char kind, const char *name);
void rt_record_clear(struct rt_record *rec);

/*
 * Record in->lab's hosts and domains in both places, keeping names an
 * earlier record of the same lab directory listed (hosts since removed from
 * the lab still have files to clean).
 */
int rt_record_write(const struct rt_inst *in, char **err);
/* Merge what the instance's records (either place) list into rec. */
void rt_record_load(const struct rt_inst *in, struct rt_record *rec);

#endif
