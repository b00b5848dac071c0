/* tests/unit/test_lab_nat.c: NAT domains in the model: lab.yaml's nat keys, interface
 * addresses, forwards; lab.conf's bridged=, port= and Netkit's tap interfaces. */
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* The dotted form of a, in a static buffer (one use per expression). */
static const char *
ip(uint32_t a)
{
	static char s[16];

	lab_ipv4_format(a, s);
	return s;
}

/* IPv4 parsing is strict: four decimal parts, no leading zeros, nothing after. */
static void
nat_ipv4_parse_is_strict(void **state)
{
	uint32_t a;

	(void)state;
	assert_true(lab_ipv4_parse("10.0.2.15", &a));
	assert_int_equal(a, 0x0a00020f);
	assert_true(lab_ipv4_parse("0.0.0.0", &a));
	assert_true(lab_ipv4_parse("255.255.255.255", &a));
	assert_false(lab_ipv4_parse("10.0.2", &a));
	assert_false(lab_ipv4_parse("10.0.2.256", &a));
	assert_false(lab_ipv4_parse("10.0.2.015", &a));
	assert_false(lab_ipv4_parse("10.0.2.1/24", &a));
	assert_false(lab_ipv4_parse(" 10.0.2.1", &a));
	assert_false(lab_ipv4_parse("10..2.1", &a));
}

/* Forwards: protocol, host port, optional target, guest port; host ports from 1024. */
static void
nat_forward_syntax(void **state)
{
	struct lab_forward f;
	char *why = NULL;

	(void)state;
	assert_true(lab_forward_parse("8080:80", &f, &why));
	assert_false(f.udp);
	assert_int_equal(f.host_port, 8080);
	assert_int_equal(f.guest_port, 80);
	assert_null(f.to_host);
	assert_int_equal(f.to_addr, 0);
	lab_forward_clear(&f);
	assert_true(lab_forward_parse("udp:5353:pc1:53", &f, &why));
	assert_true(f.udp);
	assert_string_equal(f.to_host, "pc1");
	lab_forward_clear(&f);
	assert_true(lab_forward_parse("tcp:2222:10.0.2.20:22", &f, &why));
	assert_null(f.to_host);
	assert_string_equal(ip(f.to_addr), "10.0.2.20");
	lab_forward_clear(&f);
	static const char *const bad[][2] = {
	        {"80:80", "below 1024"},
	        {"sctp:8080:80", "protocol 'sctp' is not tcp or udp"},
	        {"8080", "not [tcp:|udp:]"},
	        {"1:2:3:4:5", "not [tcp:|udp:]"},
	        {"8080:0", "guest port '0'"},
	        {"70000:80", "host port '70000'"},
	        {"8080:pc$1:80", "neither a host name nor"},
	        {"8080::80", "neither a host name nor"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(lab_forward_parse(bad[i][0], &f, &why));
		if (strstr(why, bad[i][1]) == NULL)
			fail_msg("'%s': '%s' does not say '%s'", bad[i][0], why, bad[i][1]);
		free(why);
		why = NULL;
	}
}

/* Netkit's tap,TAP,GUEST: the largest network up to /24 that holds both. */
static void
nat_from_tap(void **state)
{
	struct lab_nat nat;
	uint32_t g;
	char *why = NULL;

	(void)state;
	assert_true(lab_nat_from_tap("10.0.0.1", "10.0.0.2", &nat, &g, &why));
	assert_true(nat.enabled);
	assert_string_equal(ip(nat.network), "10.0.0.0");
	assert_int_equal(nat.prefix, 24);
	assert_string_equal(ip(nat.gateway), "10.0.0.1");
	assert_string_equal(ip(g), "10.0.0.2");
	assert_true(lab_nat_from_tap("192.168.0.1", "192.168.3.7", &nat, &g, &why));
	assert_int_equal(nat.prefix, 22);
	assert_false(lab_nat_from_tap("10.0.0.1", "11.0.0.1", &nat, &g, &why));
	assert_non_null(strstr(why, "not two hosts of one network"));
	free(why);
	assert_false(lab_nat_from_tap("10.0.0.1", "10.0.0.1", &nat, &g, &why));
	free(why);
	assert_false(lab_nat_from_tap("10.0.0.1", "x", &nat, &g, &why));
	assert_non_null(strstr(why, "guest address 'x'"));
	free(why);
}

/* A lab.yaml nat domain: defaults, addresses given out from .15, forwards resolved. */
static void
nat_yaml_defaults_and_addresses(void **state)
{
	const struct lab_domain *d;
	const struct lab *lab;

	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1: [wan, lan]\n"
	         "  pc2: {interfaces: [{domain: wan, address: 10.0.2.16}]}\n"
	         "  pc3: [wan]\n"
	         "domains:\n"
	         "  wan:\n"
	         "    nat: true\n"
	         "    forward: [\"8080:pc1:80\", \"udp:5353:10.0.2.16:53\"]\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	d = lab_domain_find(lab, "wan");
	assert_true(d->nat.enabled);
	assert_true(d->nat.outbound);
	assert_string_equal(ip(d->nat.network), "10.0.2.0");
	assert_int_equal(d->nat.prefix, 24);
	assert_string_equal(ip(d->nat.gateway), "10.0.2.2");
	assert_string_equal(ip(d->nat.dns), "10.0.2.3");
	assert_string_equal(ip(lab_host_find(lab, "pc1")->ifaces[0].address), "10.0.2.15");
	assert_int_equal(lab_host_find(lab, "pc1")->ifaces[1].address, 0);
	assert_true(lab_host_find(lab, "pc2")->ifaces[0].address_given);
	/* .16 is pc2's: pc3 gets the next free one. */
	assert_string_equal(ip(lab_host_find(lab, "pc3")->ifaces[0].address), "10.0.2.17");
	assert_int_equal(d->nat.n_forwards, 2);
	assert_string_equal(ip(d->nat.forwards[0].to_addr), "10.0.2.15");
	assert_int_equal(d->nat.forwards[0].origin.line, 8);
	assert_true(d->nat.forwards[1].udp);
	assert_false(lab_domain_find(lab, "lan")->nat.enabled);
	assert_null(lab->warnings);
}

/* Every key with its own network; a one-interface domain's forward needs no target. */
static void
nat_yaml_all_keys(void **state)
{
	const struct lab_domain *d;

	lt_write(state, "lab.yaml",
	         "hosts: {gw: [up]}\n"
	         "domains:\n"
	         "  up: {nat: true, subnet: 192.168.50.0/26, gateway: 192.168.50.1,\n"
	         "       dns: 192.168.50.53, outbound: false, forward: 2222:22}\n");
	LT_LOAD_OK(state);
	d = lab_domain_find(LT_LAB(state), "up");
	assert_int_equal(d->nat.prefix, 26);
	assert_string_equal(ip(d->nat.gateway), "192.168.50.1");
	assert_string_equal(ip(d->nat.dns), "192.168.50.53");
	assert_false(d->nat.outbound);
	assert_string_equal(ip(lab_host_find(LT_LAB(state), "gw")->ifaces[0].address),
	                    "192.168.50.15");
	assert_string_equal(ip(d->nat.forwards[0].to_addr), "192.168.50.15");
}

/* Bad values are errors at their line and column. */
static void
nat_yaml_bad_values_are_errors_at_their_place(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1: [wan]\n"
	         "  pc2: {interfaces: [{domain: wan, address: 10.0.3.1}]}\n"
	         "  pc3: {interfaces: [{domain: lan, address: 10.0.0.1}]}\n"
	         "  pc4: {interfaces: [{domain: wan, address: 10.0.2.2}]}\n"
	         "domains:\n"
	         "  wan:\n"
	         "    nat: maybe\n"
	         "    subnet: 10.0.2.1/24\n"
	         "    gateway: 10.0.9.1\n"
	         "    dns: 10.0.2\n"
	         "    forward:\n"
	         "      - 80:pc1:80\n"
	         "      - 8080:nobody:80\n"
	         "      - 8081:80\n"
	         "  lan: {outbound: false}\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 8, "lab.yaml:8:10: nat must be true or false");
	LT_EXPECT(state, LAB_E_TYPE, 9, "lab.yaml:9:13: subnet '10.0.2.1/24' has host bits set");
	LT_EXPECT(state, LAB_E_TYPE, 11, "lab.yaml:11:10: dns '10.0.2' is not an IPv4 address");
	LT_EXPECT(state, LAB_E_TYPE, 13,
	          "lab.yaml:13:9: forward '80:pc1:80': host port 80 is below");
	LT_EXPECT(state, LAB_E_TYPE, 16, "lab.yaml:16:19: domain 'lan': outbound needs nat: true");
	LT_EXPECT(state, LAB_E_TYPE, 4, "domain 'lan' is no nat domain");
}

/* Once the domain is a nat domain, what depends on hosts is checked too. */
static void
nat_yaml_addresses_and_targets_are_checked(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1: [wan]\n"
	         "  pc2: {interfaces: [{domain: wan, address: 10.0.3.1}]}\n"
	         "  pc3: {interfaces: [{domain: wan, address: 10.0.2.2}]}\n"
	         "  pc4: {interfaces: [{domain: wan, address: 10.0.2.99}]}\n"
	         "  pc5: {interfaces: [{domain: wan, address: 10.0.2.99}]}\n"
	         "domains:\n"
	         "  wan:\n"
	         "    nat: true\n"
	         "    gateway: 10.0.9.1\n"
	         "    forward: [\"8080:nobody:80\", \"8081:80\", \"8082:10.0.2.3:80\",\n"
	         "              \"8083:pc1:80\", \"tcp:8083:pc2:80\", \"udp:8083:pc2:80\"]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 10, "gateway is not a host of its subnet 10.0.2.0/24");
	LT_EXPECT(state, LAB_E_TYPE, 3, "address 10.0.3.1 of pc2:eth0 is not a host of domain");
	LT_EXPECT(state, LAB_E_DUPLICATE, 6, "address 10.0.2.99 of pc5:eth0 is also pc4:eth0's");
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 11, "names 'nobody', which has no interface");
	LT_EXPECT(state, LAB_E_TYPE, 11, "host port 8081 names no guest");
	LT_EXPECT(state, LAB_E_TYPE, 11, "goes to 10.0.2.3, which is no guest address");
	LT_EXPECT(state, LAB_E_DUPLICATE, 12, "host port 8083/tcp is forwarded twice");
	assert_false(lt_has(LT_ERRS(state), LAB_E_DUPLICATE, 12, "8083/udp"));
}

/* A network too small for its interfaces says so. */
static void
nat_yaml_small_network_runs_out(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts: {a: [w], b: [w], c: [w], d: [w], e: [w]}\n"
	         "domains: {w: {nat: true, subnet: 10.9.0.0/29}}\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 1, "has no address left for e:eth0");
	assert_false(lt_has(LT_ERRS(state), LAB_E_TYPE, 1, "for d:eth0"));
}

/* Kathara's bridged=true and port=: one more interface on the lab's nat domain "bridged". */
static void
nat_conf_bridged_and_port(void **state)
{
	const struct lab *lab;
	const struct lab_domain *d;
	const struct lab_host *a, *b;

	lt_write(state, "lab.conf",
	         "a[0]=A\n"
	         "a[1]=B\n"
	         "a[bridged]=true\n"
	         "b[0]=A\n"
	         "b[port]=\"8080:80/tcp\"\n"
	         "b[port]=53/udp\n"
	         "c[0]=A\n"
	         "c[bridged]=false\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	a = lab_host_find(lab, "a");
	b = lab_host_find(lab, "b");
	assert_int_equal(a->n_ifaces, 3);
	assert_string_equal(a->ifaces[2].domain, LAB_BRIDGED_DOMAIN);
	assert_int_equal(b->n_ifaces, 2);
	assert_string_equal(b->ifaces[1].domain, LAB_BRIDGED_DOMAIN);
	assert_int_equal(lab_host_find(lab, "c")->n_ifaces, 1);
	d = lab_domain_find(lab, LAB_BRIDGED_DOMAIN);
	assert_true(d->nat.enabled);
	assert_int_equal(d->n_members, 2);
	assert_int_equal(d->nat.n_forwards, 2);
	assert_int_equal(d->nat.forwards[0].host_port, 8080);
	assert_int_equal(d->nat.forwards[0].guest_port, 80);
	assert_int_equal(d->nat.forwards[0].to_addr, b->ifaces[1].address);
	/* Kathara's default host port. */
	assert_int_equal(d->nat.forwards[1].host_port, 3000);
	assert_true(d->nat.forwards[1].udp);
	for (size_t i = 0; i < b->n_options; i++)
		assert_true(b->options[i].honoured);
	assert_null(lab->warnings);
}

/* Bad bridged= and port= values are errors at their line; sctp is a warning. */
static void
nat_conf_bad_values(void **state)
{
	lt_write(state, "lab.conf",
	         "a[0]=A\n"
	         "a[bridged]=perhaps\n"
	         "b[0]=A\n"
	         "b[port]=80:80\n"
	         "c[0]=A\n"
	         "c[port]=8080:80/icmp\n"
	         "d[0]=A\n"
	         "d[port]=8080:80/sctp\n"
	         "e[bridged]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2, "lab.conf:2:3: bridged must be true or false");
	LT_EXPECT(state, LAB_E_TYPE, 4, "host port 80 is below 1024");
	LT_EXPECT(state, LAB_E_TYPE, 6, "protocol 'icmp' is not tcp, udp or sctp");
	LT_EXPECT(state, LAB_E_SYNTAX, 9, "option 'bridged' of host 'e' needs a value");
	LT_EXPECT(state, LAB_W_UNSUPPORTED, 8, "not sctp");
}

/* A lab that already calls a domain "bridged" cannot get Kathara's bridged interface. */
static void
nat_conf_bridged_name_taken(void **state)
{
	lt_write(state, "lab.conf", "a[0]=bridged\nb[0]=A\nb[bridged]=true\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_DUPLICATE, 3, "and a[0] uses that name");
}

/* Netkit's tap interfaces join the nat domain "tap": the first TAP is its gateway. */
static void
nat_conf_tap(void **state)
{
	const struct lab *lab;
	const struct lab_domain *d;

	lt_write(state, "lab.conf",
	         "r[0]=tap,10.0.0.1,10.0.0.3\n"
	         "r[1]=A\n"
	         "s[0]=tap,10.0.0.9,10.0.0.2\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	d = lab_domain_find(lab, LAB_TAP_DOMAIN);
	assert_true(d->nat.enabled);
	assert_string_equal(ip(d->nat.gateway), "10.0.0.1");
	/* .3 is r's: the DNS relay moves up. */
	assert_string_equal(ip(d->nat.dns), "10.0.0.4");
	assert_string_equal(ip(lab_host_find(lab, "r")->ifaces[0].address), "10.0.0.3");
	assert_string_equal(ip(lab_host_find(lab, "s")->ifaces[0].address), "10.0.0.2");
	LT_WARNS(state, LAB_W_UNSUPPORTED, 3, "tap address 10.0.0.9 ignored");
}

/* Malformed tap interfaces are errors. */
static void
nat_conf_bad_tap(void **state)
{
	lt_write(state, "lab.conf",
	         "r[0]=tap,10.0.0.1\n"
	         "s[0]=tap,10.0.0.1,192.168.0.2\n"
	         "t[0]=tap,10.0.0.1,10.0.0.2,x\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_SYNTAX, 1, "tap,TAP-ADDRESS,GUEST-ADDRESS");
	LT_EXPECT(state, LAB_E_TYPE, 2, "not two hosts of one network");
	LT_EXPECT(state, LAB_E_SYNTAX, 3, "tap,TAP-ADDRESS,GUEST-ADDRESS");
}

/* lab.ext is said not to be supported, not ignored silently. */
static void
nat_lab_ext_is_a_warning(void **state)
{
	lt_write(state, "lab.conf", "a[0]=A\n");
	lt_write(state, "lab.ext", "A enp9s0\n");
	LT_LOAD_OK(state);
	LT_WARNS(state, LAB_W_UNSUPPORTED, 0, "lab.ext is not supported");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(nat_ipv4_parse_is_strict),
	        cmocka_unit_test(nat_forward_syntax),
	        cmocka_unit_test(nat_from_tap),
	        T(nat_yaml_defaults_and_addresses),
	        T(nat_yaml_all_keys),
	        T(nat_yaml_bad_values_are_errors_at_their_place),
	        T(nat_yaml_addresses_and_targets_are_checked),
	        T(nat_yaml_small_network_runs_out),
	        T(nat_conf_bridged_and_port),
	        T(nat_conf_bad_values),
	        T(nat_conf_bridged_name_taken),
	        T(nat_conf_tap),
	        T(nat_conf_bad_tap),
	        T(nat_lab_ext_is_a_warning),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
