/*
 * rt/locate.h: where the runtime finds what it runs: the model filesystem
 * image, the hub daemon, guest-launch and the UML kernel. Environment
 * variables (UMLAB_FS_DIR, UMLAB_HUB, UMLAB_GUEST_LAUNCH) come first so
 * tests run from the build tree; then the installed layout next to our own
 * executable; then the build tree.
 */
#ifndef UMLAB_LOCATE_H
#define UMLAB_LOCATE_H

/*
 * The model filesystem NAME ("default" when NULL): NAME.img in
 * $UMLAB_FS_DIR, ${XDG_DATA_HOME:-~/.local/share}/umlab/fs, /var/lib/umlab/fs,
 * symlinks resolved. A NAME with a slash is a path. Fails with the fix.
 */
char *rt_locate_image(const char *name, char **err);
/* The hub binary. */
char *rt_locate_hub(char **err);
/* The guest-launch wrapper. */
char *rt_locate_guest_launch(char **err);
/*
 * The kernel umlab-mkkernel builds and the runtime boots when nothing names
 * one (share/doc/kernel.md).
 */
#define RT_DEFAULT_KERNEL "linux-6.12"
/*
 * The UML kernel, symlinks resolved. A name with a slash is a path; another
 * name is a kernel umlab-mkkernel built (NAME/linux.uml in $UMLAB_KERNEL_DIR,
 * ${XDG_DATA_HOME:-~/.local/share}/umlab/kernels, /var/lib/umlab/kernels),
 * else a program in PATH ("linux.uml": Debian's). NULL: $UMLAB_KERNEL if set,
 * else RT_DEFAULT_KERNEL if built, else linux.uml. Fails with the fix.
 */
char *rt_locate_kernel(const char *name, char **err);
/*
 * An administration tool (mke2fs, debugfs): PATH, then /usr/sbin and /sbin,
 * which a user's PATH often lacks on Debian; symlinks resolved. NULL if none.
 */
char *rt_locate_sbin(const char *name);

#endif
