/* tests/unit/test_lab_conf.c: Netkit/Kathara lab.conf with its quirks; nothing dropped silently. */
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* The option key of host h, or NULL. */
static const struct lab_option *
option(const struct lab_host *h, const char *key)
{
	for (size_t i = 0; i < h->n_options; i++)
		if (strcmp(h->options[i].key, key) == 0)
			return &h->options[i];
	return NULL;
}

/* A typical Netkit lab.conf: interfaces, mem, metadata. */
static void
conf_netkit_lab_loads_interfaces_options_and_metadata(void **state)
{
	struct lab *lab;
	const struct lab_host *r;

	lt_write(state, "lab.conf",
	         "LAB_DESCRIPTION=DHCP demo\n"
	         "LAB_VERSION=1.0\n"
	         "LAB_AUTHOR=Someone\n"
	         "LAB_EMAIL=someone@example.org\n"
	         "LAB_WEB=http://example.org/\n"
	         "# a comment\n"
	         "\n"
	         "a[0]=CD1\n"
	         "router[0]=CD1\n"
	         "router[1]=CD2\n"
	         "b[0]=CD2\n"
	         "dhcp-server[0]=CD1\n"
	         "dhcp-server[mem]=256\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->format, LAB_FMT_CONF);
	assert_string_equal(lab->description, "DHCP demo");
	assert_string_equal(lab->version, "1.0");
	assert_string_equal(lab->author, "Someone");
	assert_string_equal(lab->email, "someone@example.org");
	assert_string_equal(lab->web, "http://example.org/");
	assert_int_equal(lab->n_hosts, 4);
	assert_string_equal(lab->hosts[0].name, "a");
	assert_non_null(r = lab_host_find(lab, "router"));
	assert_int_equal(r->n_ifaces, 2);
	assert_string_equal(r->ifaces[1].domain, "CD2");
	assert_int_equal(r->ifaces[1].origin.line, 10);
	assert_int_equal(lab_host_find(lab, "dhcp-server")->memory_mb, 256);
	assert_true(option(lab_host_find(lab, "dhcp-server"), "mem")->honoured);
	assert_int_equal(lab->n_domains, 2);
	assert_int_equal(lab_domain_find(lab, "CD1")->n_members, 3);
	assert_null(lab->warnings);
}

/* CRLF line ends are read as LF, with one warning for the file. */
static void
conf_crlf_line_ends_are_read_with_one_warning(void **state)
{
	lt_write(state, "lab.conf", "LAB_AUTHOR=Win\r\npc1[0]=A\r\npc2[0]=A\r\n");
	LT_LOAD_OK(state);
	assert_string_equal(LT_LAB(state)->author, "Win");
	assert_string_equal(LT_LAB(state)->hosts[1].ifaces[0].domain, "A");
	LT_WARNS(state, LAB_W_STYLE, 1, "CRLF");
	assert_int_equal(lab_error_count(LT_LAB(state)->warnings), 1);
}

/* Leading and trailing blanks, and blanks around '=', warn and are trimmed. */
static void
conf_blanks_around_lines_and_values_are_warnings(void **state)
{
	lt_write(state, "lab.conf", "  pc1[0]=A\npc2[0]=B \t\npc3[0] = C\n");
	LT_LOAD_OK(state);
	assert_string_equal(lab_host_find(LT_LAB(state), "pc1")->ifaces[0].domain, "A");
	assert_string_equal(lab_host_find(LT_LAB(state), "pc2")->ifaces[0].domain, "B");
	assert_string_equal(lab_host_find(LT_LAB(state), "pc3")->ifaces[0].domain, "C");
	LT_WARNS(state, LAB_W_STYLE, 1, "leading or trailing blanks");
	LT_WARNS(state, LAB_W_STYLE, 2, "leading or trailing blanks");
	LT_WARNS(state, LAB_W_STYLE, 3, "blanks around");
}

/* pc1[D] and the man page's pc1[D]= are the same bare flag: kept, not honoured, warned. */
static void
conf_bare_flags_with_and_without_equals_are_kept_and_warned(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf", "pc1[0]=A\npc1[D]\npc1[F]=\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc1");
	assert_int_equal(h->n_options, 2);
	assert_string_equal(h->options[0].key, "D");
	assert_null(h->options[0].value);
	assert_false(h->options[0].honoured);
	assert_null(h->options[1].value);
	assert_int_equal(h->options[1].origin.line, 3);
	LT_WARNS(state, LAB_W_UNSUPPORTED, 2, "flag 'D'");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 3, "flag 'F'");
}

/* LAB_MACHINES sets the hosts and their order; others configured are dropped with a warning. */
static void
conf_lab_machines_sets_hosts_and_their_order(void **state)
{
	struct lab *lab;

	lt_mkdir(state, "d");
	lt_write(state, "lab.conf", "a[0]=X\nb[0]=X\nc[0]=X\nLAB_MACHINES=b,a,e\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->n_hosts, 3);
	assert_string_equal(lab->hosts[0].name, "b");
	assert_string_equal(lab->hosts[1].name, "a");
	assert_string_equal(lab->hosts[2].name, "e");
	assert_int_equal(lab->hosts[1].n_ifaces, 1);
	assert_int_equal(lab->hosts[2].n_ifaces, 0);
	LT_WARNS(state, LAB_W_STYLE, 3, "host 'c' is configured but not in the host list");
}

/* Netkit 2.8's machines="..." works like LAB_MACHINES; a second list is a warning. */
static void
conf_legacy_machines_variable_is_understood(void **state)
{
	lt_write(state, "lab.conf", "machines=\"pc2 pc1\"\nLAB_MACHINES=x\npc1[0]=A\npc2[0]=A\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->n_hosts, 2);
	assert_string_equal(LT_LAB(state)->hosts[0].name, "pc2");
	LT_WARNS(state, LAB_W_STYLE, 2, "LAB_MACHINES ignored");
}

/* Double and single quotes around values are removed. */
static void
conf_quoted_and_unquoted_values_are_the_same(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf",
	         "LAB_DESCRIPTION='quoted text'\npc1[0]=\"A\"\npc1[1]=B\npc1[exec]=\"echo hi\"\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc1");
	assert_string_equal(LT_LAB(state)->description, "quoted text");
	assert_string_equal(h->ifaces[0].domain, "A");
	assert_string_equal(h->ifaces[1].domain, "B");
	assert_string_equal(h->execs[0], "echo hi");
}

/* DOMAIN/MAC sets the MAC (in lower case); a bad MAC is an error. */
static void
conf_domain_with_mac_sets_the_mac(void **state)
{
	lt_write(state, "lab.conf", "pc1[0]=A/02:42:AC:11:00:02\n");
	LT_LOAD_OK(state);
	assert_string_equal(lab_host_find(LT_LAB(state), "pc1")->ifaces[0].mac,
	                    "02:42:ac:11:00:02");
	lt_write(state, "lab.conf", "pc1[0]=A/zz:42:ac:11:00:02\npc2[0]=A/03:00:00:00:00:01\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 1, "'zz:42:ac:11:00:02'");
	LT_EXPECT(state, LAB_E_TYPE, 2, "'03:00:00:00:00:01'");
}

/* Lines that are neither HOST[KEY]=VALUE nor VAR=VALUE are warnings naming the line. */
static void
conf_unparseable_lines_are_warnings_naming_the_line(void **state)
{
	lt_write(state, "lab.conf", "pc1[0]=A\nthis is not a line\npc1[0=B\nLAB_FOO=1\n");
	LT_LOAD_OK(state);
	LT_WARNS(state, LAB_W_STYLE, 2, "lab.conf:2:1: line ignored: 'this is not a line'");
	LT_WARNS(state, LAB_W_STYLE, 3, "line ignored");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 4, "variable LAB_FOO");
	assert_int_equal(lab_host_find(LT_LAB(state), "pc1")->n_ifaces, 1);
}

/* image, sctp ports and unknown options are kept with honoured=false and warned
 * (bridged and tcp/udp ports are honoured: test_lab_nat.c). */
static void
conf_unsupported_options_are_kept_and_warned(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf",
	         "pc1[0]=A\npc1[image]=kathara/frr\npc1[port]=8080:80/sctp\n"
	         "pc1[cpus]=2\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc1");
	assert_int_equal(h->n_options, 3);
	assert_string_equal(option(h, "image")->value, "kathara/frr");
	assert_false(option(h, "image")->honoured);
	assert_false(option(h, "port")->honoured);
	assert_int_equal(h->n_ifaces, 1);
	assert_null(h->fs);
	LT_WARNS(state, LAB_W_UNSUPPORTED, 2, "the default model filesystem is used");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 3, "forwards tcp and udp, not sctp");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 4, "option 'cpus' is not supported");
}

/* mem (Netkit and Kathara spellings), M, sysctl, exec, num_terms 0/1, ipv6 map to fields. */
static void
conf_honoured_options_map_to_model_fields(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf",
	         "a[mem]=256m\nb[M]=64\nc[sysctl]=net.ipv4.ip_forward=1\n"
	         "c[sysctl]=net.ipv6.conf.all.forwarding=1\nc[exec]=ip a\nc[num_terms]=0\n"
	         "c[ipv6]=false\nc[append]=quiet loglevel=3\n");
	LT_LOAD_OK(state);
	assert_int_equal(lab_host_find(LT_LAB(state), "a")->memory_mb, 256);
	assert_int_equal(lab_host_find(LT_LAB(state), "b")->memory_mb, 64);
	h = lab_host_find(LT_LAB(state), "c");
	assert_int_equal(h->n_sysctls, 2);
	assert_string_equal(h->sysctls[1], "net.ipv6.conf.all.forwarding=1");
	assert_string_equal(h->execs[0], "ip a");
	assert_int_equal(h->num_terms, 0);
	assert_false(h->ipv6);
	assert_int_equal(h->n_kargs, 2);
	assert_string_equal(h->kargs[1], "loglevel=3");
	for (size_t i = 0; i < h->n_options; i++)
		assert_true(h->options[i].honoured);
	assert_null(LT_LAB(state)->warnings);
}

/* Bad option values are errors at their line. */
static void
conf_bad_option_values_are_errors(void **state)
{
	lt_write(state, "lab.conf",
	         "a[mem]=lots\nb[mem]=4\nc[num_terms]=x\nd[ipv6]=perhaps\ne[sysctl]=nope\n"
	         "f[mem]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 1, "memory 'lots'");
	LT_EXPECT(state, LAB_E_MEMORY, 2, "4M is outside");
	LT_EXPECT(state, LAB_E_TYPE, 3, "num_terms");
	LT_EXPECT(state, LAB_E_TYPE, 4, "ipv6");
	LT_EXPECT(state, LAB_E_TYPE, 5, "sysctl 'nope'");
	LT_EXPECT(state, LAB_E_SYNTAX, 6, "option 'mem' of host 'f' needs a value");
}

/* Without a host list, a subdirectory lab.conf does not name is a host when
 * the lab has its NAME.startup (Netkit); never shared, _test or hidden ones. */
static void
conf_hosts_also_come_from_subdirectories(void **state)
{
	struct lab *lab;

	lt_write(state, "lab.conf", "r1[0]=A\n");
	lt_mkdir(state, "pc1/etc");
	lt_write(state, "pc1.startup", "true\n");
	lt_mkdir(state, "r1");
	lt_mkdir(state, "shared");
	lt_mkdir(state, "_test");
	lt_mkdir(state, ".git");
	lt_mkdir(state, "not valid");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->n_hosts, 2);
	assert_string_equal(lab->hosts[0].name, "r1");
	assert_string_equal(lab->hosts[1].name, "pc1");
	assert_string_equal(lab->hosts[1].overlay, "pc1");
	assert_string_equal(lab->shared_dir, "shared");
	LT_WARNS(state, LAB_W_STYLE, 0, "directory 'not valid' is not a host");
}

/* A folder of pictures beside a Kathara lab.conf is not a host. */
static void
conf_unnamed_folder_without_startup_is_not_a_host(void **state)
{
	lt_write(state, "lab.conf", "pc1[0]=A\npc2[0]=A\n");
	lt_mkdir(state, "images");
	lt_mkdir(state, "pc1/etc");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->n_hosts, 2);
	assert_null(lab_host_find(LT_LAB(state), "images"));
	LT_WARNS(state, LAB_W_STYLE, 0, "directory 'images' is not a host");
}

/* Each lab.conf host boots as a Kathara device: links up, router sysctls on
 * every interface, shared/ on /shared; IPv6 on without forwarding unless
 * ipv6=true, off with ipv6=false. The host's own sysctls come last. */
static void
conf_hosts_boot_with_kathara_settings(void **state)
{
	const struct lab_host *h;
	char **v;
	size_t n;

	lt_write(state, "lab.conf",
	         "r[0]=A\nr[1]=B\nr[sysctl]=net.ipv4.ip_forward=0\n"
	         "v6[0]=A\nv6[ipv6]=true\nno6[0]=B\nno6[ipv6]=false\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "r");
	assert_true(h->links_up);
	assert_true(h->forwarding);
	assert_true(h->mount_shared);
	assert_true(h->ipv6);
	assert_false(h->ipv6_forwarding);
	n = lab_host_boot_sysctls(h, &v);
	assert_int_equal(n, 8);
	assert_string_equal(v[0], "net.ipv4.ip_forward=1");
	assert_string_equal(v[4], "net.ipv4.conf.eth0.rp_filter=0");
	assert_string_equal(v[5], "net.ipv4.conf.eth1.rp_filter=0");
	assert_string_equal(v[6], "net.ipv4.icmp_ratelimit=0");
	assert_string_equal(v[7], "net.ipv4.ip_forward=0");
	lab_strv_free(v, n);
	n = lab_host_boot_sysctls(lab_host_find(LT_LAB(state), "v6"), &v);
	assert_string_equal(v[n - 3], "net.ipv6.conf.all.forwarding=1");
	assert_string_equal(v[n - 2], "net.ipv6.conf.all.accept_ra=0");
	lab_strv_free(v, n);
	n = lab_host_boot_sysctls(lab_host_find(LT_LAB(state), "no6"), &v);
	assert_string_equal(v[n - 2], "net.ipv6.conf.all.disable_ipv6=1");
	assert_string_equal(v[n - 1], "net.ipv6.conf.default.disable_ipv6=1");
	lab_strv_free(v, n);
}

/* num_terms above 1 is kept, not honoured, and said so. */
static void
conf_num_terms_above_one_is_warned(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf", "a[0]=A\na[num_terms]=3\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "a");
	assert_int_equal(h->n_options, 1); /* a[0] is an interface, not an option */
	assert_false(h->options[0].honoured);
	LT_WARNS(state, LAB_W_UNSUPPORTED, 2, "num_terms=3");
}

/* The same interface twice, or a missing domain, are errors. */
static void
conf_repeated_or_empty_interface_is_an_error(void **state)
{
	lt_write(state, "lab.conf", "pc1[0]=A\npc1[0]=B\npc2[0]=\npc3[0]\npc4[99]=A\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_DUPLICATE, 2, "eth0 of host 'pc1' given twice (also at lab.conf:1)");
	LT_EXPECT(state, LAB_E_SYNTAX, 3, "eth0 of host 'pc2' has no collision domain");
	LT_EXPECT(state, LAB_E_SYNTAX, 4, "eth0 of host 'pc3' has no collision domain");
	LT_EXPECT(state, LAB_E_TYPE, 5, "interface number 99");
}

/* A comma in a domain that is not Netkit's tap,TAP,GUEST: kept, warned, on an
 * isolated domain (the tap domain itself: test_lab_nat.c). */
static void
conf_tap_interface_is_kept_and_warned(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.conf", "gw[0]=tapdom,10.0.8.1,10.0.8.2\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "gw");
	assert_string_equal(h->ifaces[0].domain, "tapdom");
	assert_string_equal(h->options[0].value, "tapdom,10.0.8.1,10.0.8.2");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 1, "is not Netkit's tap,TAP,GUEST");
}

/* Unsafe host and domain names are errors; Netkit's dotted domains are not allowed. */
static void
conf_unsafe_names_are_errors(void **state)
{
	lt_write(state, "lab.conf", "pc$1[0]=A\npc2[0]=A.b\nLAB_MACHINES=pc2,bad$x\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_NAME, 1, "host name 'pc$1'");
	LT_EXPECT(state, LAB_E_NAME, 2, "collision domain 'A.b'");
	LT_EXPECT(state, LAB_E_NAME, 3, "host name 'bad$x'");
}

/* The first LAB_* value wins; the lab name falls back to a safe form of the directory name. */
static void
conf_first_metadata_wins_and_name_is_made_safe(void **state)
{
	lt_write(state, "lab.conf", "LAB_VERSION=1\nLAB_VERSION=2\nLAB_NAME=My Lab!\npc1[0]=A\n");
	LT_LOAD_OK(state);
	assert_string_equal(LT_LAB(state)->version, "1");
	assert_string_equal(LT_LAB(state)->name, "My-Lab-");
	LT_WARNS(state, LAB_W_STYLE, 2, "given again");
	LT_WARNS(state, LAB_W_STYLE, 0, "lab name 'My Lab!' is not a valid name");
	lt_write(state, "lab.conf", "pc1[0]=A\n");
	LT_LOAD_OK(state);
	assert_true(lab_name_valid(LT_LAB(state)->name));
	assert_non_null(strstr(((struct labtmp *)*state)->dir, LT_LAB(state)->name));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(conf_netkit_lab_loads_interfaces_options_and_metadata),
	        T(conf_crlf_line_ends_are_read_with_one_warning),
	        T(conf_blanks_around_lines_and_values_are_warnings),
	        T(conf_bare_flags_with_and_without_equals_are_kept_and_warned),
	        T(conf_lab_machines_sets_hosts_and_their_order),
	        T(conf_legacy_machines_variable_is_understood),
	        T(conf_quoted_and_unquoted_values_are_the_same),
	        T(conf_domain_with_mac_sets_the_mac),
	        T(conf_unparseable_lines_are_warnings_naming_the_line),
	        T(conf_unsupported_options_are_kept_and_warned),
	        T(conf_honoured_options_map_to_model_fields),
	        T(conf_bad_option_values_are_errors),
	        T(conf_hosts_also_come_from_subdirectories),
	        T(conf_unnamed_folder_without_startup_is_not_a_host),
	        T(conf_hosts_boot_with_kathara_settings),
	        T(conf_num_terms_above_one_is_warned),
	        T(conf_repeated_or_empty_interface_is_an_error),
	        T(conf_tap_interface_is_kept_and_warned),
	        T(conf_unsafe_names_are_errors),
	        T(conf_first_metadata_wins_and_name_is_made_safe),
#undef T
	};

	return cmocka_run_group_tests_name("lab.conf", tests, NULL, NULL);
}
