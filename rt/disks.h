/*
 * rt/disks.h: a host's extra disks (lab.yaml `disks:`, lab.yaml(5)).
 *
 * Disk k (from 0) is the sparse file HOSTWD/NAME/NAME.ubdX.img, X = 'b' + k,
 * given to UML as ubd{k+1}d= (the 'd': never taken for a COW file, whatever
 * the guest wrote at its start), so the guest sees /dev/ubdb, /dev/ubdc...
 * in the order of the lab. lstart makes a missing one before the boot
 * (formatted when the lab asks for ext4); lhalt keeps them; lcrash (unless
 * -F), lhalt -r and lclean remove them, like the COW file. HOSTWD/NAME is
 * the guest's to write: nothing here follows a symlink or opens anything
 * but a regular file there.
 */
#ifndef UMLAB_DISKS_H
#define UMLAB_DISKS_H

#include <stddef.h>

struct lab_host;
struct rt_inst;

/* "NAME.ubdX.img" for disk k; caller frees. */
char *rt_disk_file(const char *host, size_t k);
/* The kernel argument of disk k: "ubd{k+1}d=/umlab/wd/NAME.ubdX.img"; caller frees. */
char *rt_disk_karg(const char *host, size_t k);

/*
 * Before h boots (its HOSTWD/NAME exists): make each missing disk (a sparse
 * file, then mke2fs when asked, renamed into place only once complete), grow
 * one smaller than the lab says now. Fails, naming the fix, on a disk larger
 * than the lab says (shrinking would lose data) or on anything but a regular
 * file at a disk's name.
 */
int rt_disks_prepare(const struct rt_inst *in, const struct lab_host *h, char **err);

/* Remove every disk host may have (all LAB_DISKS_MAX names, whatever the lab says now). */
void rt_disks_remove(const struct rt_inst *in, const char *host);

#endif
