/*
 * tests/unit/test_rt_uconf.c: umlab.conf(5) (rt/uconf.c): the KEY=VALUE
 * syntax netkit.conf files use, Netkit's names, the errors with file:line,
 * the bounds, and the precedence of system file, user file and environment.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_rt_tmp.h"
#include "uconf.h"

/* Parse text into a fresh configuration; returns the status, *err set on failure. */
static int
parse(struct rt_uconf *c, const char *text, char **err)
{
	rt_uconf_init(c);
	return rt_uconf_parse(c, "f.conf", text, strlen(text), err);
}

/* Parse text, which must fail with msg in its message. */
static void
parse_fails(const char *text, const char *msg)
{
	struct rt_uconf c;
	char *err = NULL;

	assert_int_equal(parse(&c, text, &err), -1);
	assert_non_null(err);
	if (strstr(err, msg) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, err, msg);
	free(err);
	rt_uconf_clear(&c);
}

static void
built_in_defaults(void **state)
{
	struct rt_uconf c;

	(void)state;
	rt_uconf_init(&c);
	assert_int_equal(c.mem_mb, 128);
	assert_int_equal(c.min_mem, 16);
	assert_int_equal(c.max_mem, 8192);
	assert_int_equal(c.max_ifaces, 64);
	assert_null(c.kernel);
	assert_null(c.model);
	assert_int_equal(c.con0, RT_CON_TMUX);
	assert_int_equal(c.con1, RT_CON_NONE);
	assert_string_equal(c.term, "auto");
	assert_int_equal(c.hosthome, RT_HOME_NO);
	assert_string_equal(c.origin[RT_UC_VM_MEMORY], "built-in");
	assert_int_equal(rt_uconf_check(&c, NULL), 0);
	rt_uconf_clear(&c);
}

/* What a netkit.conf says: quotes, comments, blanks, CRLF; last one wins. */
static void
netkit_syntax(void **state)
{
	struct rt_uconf c;

	(void)state;
	assert_int_equal(
	        parse(&c,
	              "# netkit.conf\n\n  VM_MEMORY=64   # MB\r\nVM_MODEL_FS=\"/srv/fs/my-fs\"\n"
	              "TERM_TYPE='konsole-tab'\nVM_CON0=xterm\nVM_CON1=none\n"
	              "TMUX_OPEN_TERMS=no\nMIN_MEM=32\nMAX_MEM=512\nMAX_INTERFACES=40\n"
	              "VM_KERNEL=/opt/uml/linux\nVM_MEMORY=96",
	              NULL),
	        0);
	assert_int_equal(c.mem_mb, 96);
	assert_string_equal(c.origin[RT_UC_VM_MEMORY], "f.conf:13");
	assert_string_equal(c.model, "/srv/fs/my-fs");
	assert_string_equal(c.term, "konsole-tab");
	assert_int_equal(c.con0, RT_CON_XTERM);
	assert_int_equal(c.open_terms, RT_TERMS_NO);
	assert_int_equal(c.min_mem, 32);
	assert_int_equal(c.max_mem, 512);
	assert_int_equal(c.max_ifaces, 40);
	assert_string_equal(c.kernel, "/opt/uml/linux");
	assert_int_equal(rt_uconf_check(&c, NULL), 0);
	rt_uconf_clear(&c);
}

/* Netkit-JH 1.x's USE_TMUX, umlab's VM_HOSTHOME and memory with an M. */
static void
use_tmux_and_hosthome(void **state)
{
	struct rt_uconf c;
	char *v;

	(void)state;
	assert_int_equal(parse(&c, "USE_TMUX=FALSE\nVM_HOSTHOME=rw\nVM_MEMORY=200M\n", NULL), 0);
	assert_int_equal(c.con0, RT_CON_XTERM);
	assert_string_equal(c.origin[RT_UC_VM_CON0], "f.conf:1");
	assert_int_equal(c.hosthome, RT_HOME_RW);
	assert_int_equal(c.mem_mb, 200);
	v = rt_uconf_value(&c, RT_UC_VM_HOSTHOME);
	assert_string_equal(v, "rw");
	free(v);
	rt_uconf_clear(&c);
	assert_int_equal(parse(&c, "USE_TMUX=yes\nTMUX_OPEN_TERMS=auto\n", NULL), 0);
	assert_int_equal(c.con0, RT_CON_TMUX);
	assert_int_equal(c.open_terms, RT_TERMS_AUTO);
	rt_uconf_clear(&c);
}

static void
errors_name_file_and_line(void **state)
{
	(void)state;
	parse_fails("# a\nMCONSOLE_DIR=/x\n",
	            "f.conf:2: MCONSOLE_DIR is a Netkit setting umlab does not apply");
	parse_fails("GRACE_TIME=1", "f.conf:1: GRACE_TIME is a Netkit setting");
	parse_fails("VM_MEMROY=1", "f.conf:1: unknown setting 'VM_MEMROY'");
	parse_fails("vm_memory=1", "f.conf:1: expected KEY=VALUE");
	parse_fails("VM_MEMORY = 1", "no blanks around '='");
	parse_fails("VM_MEMORY=8", "VM_MEMORY must be a number of MB from 16 to 8192");
	parse_fails("VM_MEMORY=9000", "from 16 to 8192, not '9000'");
	parse_fails("VM_MEMORY=12x", "not '12x'");
	parse_fails("MAX_INTERFACES=65", "MAX_INTERFACES must be a number from 1 to 64");
	parse_fails("MAX_INTERFACES=4M", "MAX_INTERFACES must be a number");
	parse_fails("VM_KERNEL=\"$NETKIT_HOME/kernel\"", "'$' in the value of VM_KERNEL");
	parse_fails("VM_KERNEL=~/k", "'~' in the value of VM_KERNEL");
	parse_fails("VM_KERNEL=`k`", "'`' in the value");
	parse_fails("VM_KERNEL=\"a b\"", "must be a path without blanks");
	parse_fails("VM_MODEL_FS=a,b", "without blanks, ',' or ':'");
	parse_fails("VM_MODEL_FS=a.img", "neither a path nor a model filesystem name");
	parse_fails("VM_CON0=pty", "con0=pty: a guest's pseudo-terminal");
	parse_fails("VM_CON0=port:2000", "con0=port:2000: a guest's TCP port");
	parse_fails("VM_CON0=none", "con0=none: the primary console cannot be disabled");
	parse_fails("VM_CON1=this", "con1=this: a umlab machine has one console");
	parse_fails("TERM_TYPE=wt", "unknown terminal type 'wt'");
	parse_fails("TMUX_OPEN_TERMS=maybe", "TMUX_OPEN_TERMS must be yes, no or auto");
	parse_fails("USE_TMUX=2", "USE_TMUX must be yes or no");
	parse_fails("VM_HOSTHOME=yes", "VM_HOSTHOME must be no, ro or rw");
	parse_fails("VM_MEMORY=\"64", "f.conf:1: unterminated \" quote");
	parse_fails("VM_MEMORY=64 128", "unexpected text after the value of VM_MEMORY");
	parse_fails("VM_MEMORY=\"64\"x", "unexpected text after the value");
	parse_fails("VM_MEMORY=64;", "';' in the value");
	parse_fails("VM_MEMORY=6\x01"
	            "4",
	            "control character");
}

/* A file past the bounds, or with a NUL, is refused whole. */
static void
bounds(void **state)
{
	struct rt_uconf c;
	size_t big = RT_UCONF_MAX_SIZE + 1;
	char *text = malloc(big), *err = NULL;

	(void)state;
	memset(text, '#', big);
	rt_uconf_init(&c);
	assert_int_equal(rt_uconf_parse(&c, "f.conf", text, big, &err), -1);
	assert_non_null(strstr(err, "larger than"));
	free(err);
	err = NULL;
	memset(text, '#', RT_UCONF_MAX_LINE + 1);
	text[RT_UCONF_MAX_LINE + 1] = '\n';
	assert_int_equal(rt_uconf_parse(&c, "f.conf", text, RT_UCONF_MAX_LINE + 2, &err), -1);
	assert_non_null(strstr(err, "f.conf:1: line longer than"));
	free(err);
	err = NULL;
	assert_int_equal(rt_uconf_parse(&c, "f.conf", "VM_MEMORY=64\0", 13, &err), -1);
	assert_non_null(strstr(err, "NUL byte"));
	free(err);
	assert_int_equal(c.mem_mb, 128); /* nothing applied from a refused file */
	free(text);
	rt_uconf_clear(&c);
}

static void
check_memory_bounds(void **state)
{
	struct rt_uconf c;
	char *err = NULL;

	(void)state;
	assert_int_equal(parse(&c, "VM_MEMORY=100\nMAX_MEM=64\n", NULL), 0);
	assert_int_equal(rt_uconf_check(&c, &err), -1);
	assert_non_null(
	        strstr(err, "VM_MEMORY=100 (f.conf:1) is outside MIN_MEM..MAX_MEM (16..64)"));
	free(err);
	err = NULL;
	rt_uconf_clear(&c);
	assert_int_equal(parse(&c, "MIN_MEM=512\nMAX_MEM=256\n", NULL), 0);
	assert_int_equal(rt_uconf_check(&c, &err), -1);
	assert_non_null(strstr(err, "MIN_MEM=512 (f.conf:1) is above MAX_MEM=256 (f.conf:2)"));
	free(err);
	rt_uconf_clear(&c);
}

/* System file, then the user's, then UMLAB_* variables. */
static void
load_precedence(void **state)
{
	struct rt_uconf c;
	char *err = NULL;

	rt_twrite(state, "sys.conf", "VM_MEMORY=256\nTERM_TYPE=xterm\nVM_CON0=xterm\n", (size_t)-1);
	assert_int_equal(mkdir(rt_tpath(state, "umlab"), 0700), 0);
	rt_twrite(state, "umlab/umlab.conf", "VM_MEMORY=64\nUSE_TMUX=yes\n", (size_t)-1);
	rt_tsetenv("UMLAB_SYSTEM_CONF", rt_tpath(state, "sys.conf"));
	rt_tsetenv("XDG_CONFIG_HOME", rt_tdir(state));
	rt_tsetenv("UMLAB_VM_MEMORY", "96");
	rt_tsetenv("UMLAB_VM_CON1", NULL);
	rt_tsetenv("UMLAB_USE_TMUX", "no");
	rt_tsetenv("UMLAB_VM_CON0", NULL);
	assert_int_equal(rt_uconf_load(&c, &err), 0);
	assert_int_equal(c.mem_mb, 96);
	assert_string_equal(c.origin[RT_UC_VM_MEMORY], "$UMLAB_VM_MEMORY");
	assert_string_equal(c.term, "xterm");
	assert_string_equal(c.origin[RT_UC_TERM_TYPE], rt_tpath(state, "sys.conf:2"));
	/* USE_TMUX from the environment over the user file's. */
	assert_int_equal(c.con0, RT_CON_XTERM);
	rt_uconf_clear(&c);
	/* ... but not over an explicit UMLAB_VM_CON0. */
	rt_tsetenv("UMLAB_VM_CON0", "this");
	assert_int_equal(rt_uconf_load(&c, &err), 0);
	assert_int_equal(c.con0, RT_CON_THIS);
	rt_uconf_clear(&c);
	rt_tsetenv("UMLAB_VM_MEMORY", "lots");
	assert_int_equal(rt_uconf_load(&c, &err), -1);
	assert_non_null(strstr(err, "$UMLAB_VM_MEMORY: VM_MEMORY must be a number"));
	free(err);
	rt_uconf_clear(&c);
}

/* A missing file is no error; one that cannot be read is. */
static void
load_missing_and_unreadable(void **state)
{
	struct rt_uconf c;
	char *err = NULL;

	rt_tsetenv("UMLAB_SYSTEM_CONF", rt_tpath(state, "none.conf"));
	rt_tsetenv("XDG_CONFIG_HOME", rt_tpath(state, "nowhere"));
	rt_tsetenv("UMLAB_VM_MEMORY", NULL);
	assert_int_equal(rt_uconf_load(&c, &err), 0);
	rt_uconf_clear(&c);
	rt_tsetenv("UMLAB_SYSTEM_CONF", rt_tdir(state)); /* a directory */
	assert_int_equal(rt_uconf_load(&c, &err), -1);
	assert_non_null(strstr(err, "cannot read"));
	free(err);
	rt_uconf_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, rttmp_setup, rttmp_teardown)
	        T(built_in_defaults),
	        T(netkit_syntax),
	        T(use_tmux_and_hosthome),
	        T(errors_name_file_and_line),
	        T(bounds),
	        T(check_memory_bounds),
	        T(load_precedence),
	        T(load_missing_and_unreadable),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
