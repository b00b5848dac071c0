/*
 * rt/include/uconf.h: umlab.conf(5), the defaults of vstart(1).
 *
 * Built-in values, then /etc/umlab/umlab.conf, then the user's
 * ${XDG_CONFIG_HOME:-~/.config}/umlab/umlab.conf, then UMLAB_KEY environment
 * variables; the command line comes last. The files are KEY=VALUE lines as
 * in Netkit's netkit.conf, read by a small bounded parser (never sourced by
 * a shell): Netkit's names are accepted where umlab gives them the same
 * meaning, and a Netkit name umlab does not apply is an error that says why.
 */
#ifndef UMLAB_UCONF_H
#define UMLAB_UCONF_H

#include <stdbool.h>
#include <stddef.h>

#define RT_UCONF_SYSTEM   "/etc/umlab/umlab.conf"
#define RT_UCONF_MAX_SIZE (64u * 1024) /* bytes of one file */
#define RT_UCONF_MAX_LINE 1024         /* bytes of one line, with its newline */

/* The settings, in the order --help shows them. */
enum rt_uconf_key {
	RT_UC_VM_MEMORY,
	RT_UC_MIN_MEM,
	RT_UC_MAX_MEM,
	RT_UC_MAX_INTERFACES,
	RT_UC_VM_KERNEL,
	RT_UC_VM_MODEL_FS,
	RT_UC_VM_CON0,
	RT_UC_VM_CON1,
	RT_UC_TERM_TYPE,
	RT_UC_TMUX_OPEN_TERMS,
	RT_UC_VM_HOSTHOME,
	RT_UC_N,
};

/* Where a console goes (vstart --con0): the guest's tmux window, shown or not. */
enum rt_con {
	RT_CON_TMUX,  /* the machine's tmux window (the default) */
	RT_CON_XTERM, /* that window in a terminal emulator */
	RT_CON_THIS,  /* that window in the current terminal */
	RT_CON_NONE,  /* con1 only */
};

enum rt_hosthome { RT_HOME_NO, RT_HOME_RO, RT_HOME_RW };
enum rt_terms { RT_TERMS_AUTO, RT_TERMS_YES, RT_TERMS_NO };

struct rt_uconf {
	unsigned int mem_mb, min_mem, max_mem, max_ifaces;
	char *kernel; /* owned; NULL: linux.uml from PATH */
	char *model;  /* owned; a model filesystem name or path; NULL: "default" */
	enum rt_con con0, con1;
	char *term; /* owned; "auto", "xterm", "gnome", "konsole", "konsole-tab", ... */
	enum rt_terms open_terms;
	enum rt_hosthome hosthome;
	char *origin[RT_UC_N]; /* owned; "built-in", "FILE:LINE" or "$UMLAB_KEY" */
};

/* The built-in values. */
void rt_uconf_init(struct rt_uconf *c);
void rt_uconf_clear(struct rt_uconf *c);

/*
 * Apply the KEY=VALUE text of file (len bytes, NUL bytes refused) to c.
 * -1 with *err "FILE:LINE: message" at the first bad line; c keeps the
 * lines before it.
 */
int rt_uconf_parse(struct rt_uconf *c, const char *file, const char *text, size_t len, char **err);

/* Apply one setting (key as in the file, Netkit names included) from origin. */
int rt_uconf_set(struct rt_uconf *c, const char *key, const char *value, const char *origin,
                 char **err);

/* Check what only all settings together can say (VM_MEMORY within MIN_MEM..MAX_MEM). */
int rt_uconf_check(const struct rt_uconf *c, char **err);

/*
 * Built-in values, the system file ($UMLAB_SYSTEM_CONF, for tests, else
 * RT_UCONF_SYSTEM), the user's file and the environment, checked.
 */
int rt_uconf_load(struct rt_uconf *c, char **err);

/* The user's file: ${XDG_CONFIG_HOME:-$HOME/.config}/umlab/umlab.conf; caller frees. */
char *rt_uconf_user_path(void);

/* The file name of a key ("VM_MEMORY"), and its value as the file would say it (NULL:
 * VM_KERNEL unset, the runtime's default); caller frees. */
const char *rt_uconf_key_name(enum rt_uconf_key k);
char *rt_uconf_value(const struct rt_uconf *c, enum rt_uconf_key k);

/* "tmux", "xterm", "this", "none". */
const char *rt_con_name(enum rt_con m);
/*
 * Parse a console mode for con0 (con1 false) or con1; pty and port:N are
 * refused with what umlab offers instead.
 */
int rt_con_parse(const char *s, bool con1, enum rt_con *out, char **err);
/* Is s a terminal type umlab knows how to open (--xterm)? */
int rt_term_check(const char *s, char **err);

#endif
