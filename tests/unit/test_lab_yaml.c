/* tests/unit/test_lab_yaml.c: lab.yaml, the native format: shapes, defaults, tests and errors. */
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* The issue's example loads with every host, interface, MAC and domain. */
static void
yaml_issue_example_loads_hosts_interfaces_and_domains(void **state)
{
	const struct lab_host *r1;
	const struct lab_domain *a;
	struct lab *lab;

	lt_write(state, "lab.yaml",
	         "name: static-routing\n"
	         "description: Two LANs joined by two routers\n"
	         "defaults: { memory: 64M }\n"
	         "hosts:\n"
	         "  pc1: { interfaces: [A] }\n"
	         "  r1:\n"
	         "    interfaces: { eth0: A, eth1: { domain: B, mac: \"02:00:00:00:01:01\" } }\n"
	         "    memory: 128M\n"
	         "    depends: [r2]\n"
	         "  r2: { interfaces: [C, B] }\n"
	         "domains:\n"
	         "  A: { capture: true }\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->format, LAB_FMT_YAML);
	assert_string_equal(lab->name, "static-routing");
	assert_string_equal(lab->description, "Two LANs joined by two routers");
	assert_int_equal(lab->n_hosts, 3);
	assert_string_equal(lab->hosts[0].name, "pc1");
	assert_int_equal(lab_host_memory_mb(lab, &lab->hosts[0]), 64);
	assert_non_null(r1 = lab_host_find(lab, "r1"));
	assert_int_equal(r1->memory_mb, 128);
	assert_int_equal(r1->n_ifaces, 2);
	assert_string_equal(r1->ifaces[1].domain, "B");
	assert_string_equal(r1->ifaces[1].mac, "02:00:00:00:01:01");
	assert_null(r1->ifaces[0].mac);
	assert_int_equal(r1->n_depends, 1);
	assert_string_equal(r1->depends[0], "r2");
	assert_int_equal(lab->n_domains, 3);
	assert_non_null(a = lab_domain_find(lab, "A"));
	assert_true(a->capture);
	assert_int_equal(a->n_members, 2);
	assert_string_equal(a->members[0], "pc1:eth0");
	assert_string_equal(a->members[1], "r1:eth0");
	assert_false(lab_domain_find(lab, "B")->capture);
	assert_string_equal(lab->conf_file, "lab.yaml");
}

/* `pc1: [A, B]` is the short form of an interfaces list. */
static void
yaml_host_given_as_a_list_gets_those_interfaces(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  pc1: [A, B]\n  pc2:\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->hosts[0].n_ifaces, 2);
	assert_int_equal(LT_LAB(state)->hosts[0].ifaces[1].index, 1);
	assert_string_equal(LT_LAB(state)->hosts[0].ifaces[1].domain, "B");
	assert_int_equal(LT_LAB(state)->hosts[1].n_ifaces, 0);
}

/* Interfaces written out of order in a map come back sorted by index. */
static void
yaml_interface_map_is_sorted_by_index(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  r: { interfaces: { eth1: B, eth0: A } }\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->hosts[0].ifaces[0].index, 0);
	assert_string_equal(LT_LAB(state)->hosts[0].ifaces[0].domain, "A");
}

/* 64M, 1G and a plain number of MiB are all memory sizes. */
static void
yaml_memory_accepts_units_and_plain_megabytes(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n  a: { memory: 64M }\n  b: { memory: 1G }\n  c: { memory: 96 }\n"
	         "  d: { memory: 32mb }\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->hosts[0].memory_mb, 64);
	assert_int_equal(LT_LAB(state)->hosts[1].memory_mb, 1024);
	assert_int_equal(LT_LAB(state)->hosts[2].memory_mb, 96);
	assert_int_equal(LT_LAB(state)->hosts[3].memory_mb, 32);
}

/* defaults: fill what hosts leave out; host kargs come after the default ones. */
static void
yaml_defaults_apply_to_every_host(void **state)
{
	struct lab *lab;

	lt_write(state, "lab.yaml",
	         "defaults: { memory: 96M, fs: bookworm, kernel: /k, kargs: [quiet], ipv6: no,"
	         " num_terms: 2 }\n"
	         "hosts:\n  a: { kargs: debug, fs: other }\n  b: {}\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->default_memory_mb, 96);
	assert_int_equal(lab_host_memory_mb(lab, &lab->hosts[1]), 96);
	assert_string_equal(lab->hosts[0].fs, "other");
	assert_string_equal(lab->hosts[1].fs, "bookworm");
	assert_string_equal(lab->hosts[1].kernel, "/k");
	assert_int_equal(lab->hosts[0].n_kargs, 2);
	assert_string_equal(lab->hosts[0].kargs[0], "quiet");
	assert_string_equal(lab->hosts[0].kargs[1], "debug");
	assert_false(lab->hosts[1].ipv6);
	assert_int_equal(lab->hosts[1].num_terms, 2);
}

/* Host settings: sysctl as list or map, exec, num_terms, ipv6. */
static void
yaml_host_settings_are_kept(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  r:\n"
	         "    sysctl: { net.ipv4.ip_forward: 1 }\n"
	         "    exec: [\"echo hi\", \"true\"]\n"
	         "    num_terms: 0\n"
	         "    ipv6: false\n"
	         "  s: { sysctl: [\"net.ipv6.conf.all.forwarding=1\"] }\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "r");
	assert_int_equal(h->n_sysctls, 1);
	assert_string_equal(h->sysctls[0], "net.ipv4.ip_forward=1");
	assert_int_equal(h->n_execs, 2);
	assert_int_equal(h->num_terms, 0);
	assert_false(h->ipv6);
	assert_true(lab_host_find(LT_LAB(state), "s")->ipv6);
	assert_string_equal(lab_host_find(LT_LAB(state), "s")->sysctls[0],
	                    "net.ipv6.conf.all.forwarding=1");
}

/* Domain impairments parse their units. */
static void
yaml_domain_impairments_are_parsed(void **state)
{
	const struct lab_domain *d;

	lt_write(state, "lab.yaml",
	         "hosts: { a: [W] }\n"
	         "domains:\n  W: { delay: 20ms, jitter: 5, loss: 1.5%, rate: 10mbit }\n");
	LT_LOAD_OK(state);
	d = lab_domain_find(LT_LAB(state), "W");
	assert_int_equal(d->impair.delay_ms, 20);
	assert_int_equal(d->impair.jitter_ms, 5);
	assert_true(d->impair.loss_pct > 1.49 && d->impair.loss_pct < 1.51);
	assert_true(d->impair.rate_bps == 10000000ULL);
	assert_false(d->impair.normal);
}

/* Every impairment key is read, and rules between keys are errors at the domain. */
static void
yaml_domain_impairment_keys_and_rules(void **state)
{
	const struct lab_domain *d;

	lt_write(state, "lab.yaml",
	         "hosts: { a: [W] }\n"
	         "domains:\n  W: { delay: 20ms, jitter: 5ms, distribution: normal, loss: 10%, "
	         "loss_model: gilbert, burst: 4, rate: 1mbit, queue: 30, duplicate: 1%, "
	         "corrupt: 0.5, reorder: 25%, mtu: 1400, seed: 9 }\n");
	LT_LOAD_OK(state);
	d = lab_domain_find(LT_LAB(state), "W");
	assert_true(d->impair.normal && d->impair.gilbert);
	assert_int_equal(d->impair.burst, 4);
	assert_int_equal(d->impair.queue, 30);
	assert_int_equal(d->impair.mtu, 1400);
	assert_true(d->impair.has_seed && d->impair.seed == 9);
	assert_true(d->impair.reorder_pct > 24.9 && d->impair.corrupt_pct < 0.51);
	assert_true(lab_impair_active(&d->impair));

	lt_write(state, "lab.yaml",
	         "hosts: { a: [W] }\n"
	         "domains:\n  W: { reorder: 5%, mtu: 20 }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 3, "mtu must be a number of bytes from 68 to 9220");
	lt_write(state, "lab.yaml",
	         "hosts: { a: [W] }\n"
	         "domains:\n  W: { reorder: 5% }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 3, "domain 'W': reorder needs a delay");
}

/* tests:, setup: and teardown: become the model's tests and suite steps. */
static void
yaml_tests_and_suite_steps_are_parsed(void **state)
{
	struct lab *lab;
	const struct lab_test *t;

	lt_write(state, "lab.yaml",
	         "hosts: { pc1: [A], pc2: [A] }\n"
	         "setup:\n  - { on: pc1, run: \"ip link\" }\n"
	         "teardown:\n  - { on: pc2, run: sync }\n"
	         "tests:\n"
	         "  - name: ping\n"
	         "    on: pc1\n"
	         "    run: ping -c1 10.0.0.2\n"
	         "    expect: { status: 0, stdout: \"1 received\", stderr_not: \"^err\", lines: 5 "
	         "}\n"
	         "    within: 20s\n"
	         "    timeout: 500ms\n"
	         "    setup: [\"true\"]\n"
	         "  - { on: pc2, run: \"false\", expect: { status: any } }\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab->n_tests, 2);
	t = &lab->tests[0];
	assert_string_equal(t->name, "ping");
	assert_string_equal(t->on, "pc1");
	assert_true(t->expect.has_status);
	assert_int_equal(t->expect.status, 0);
	assert_string_equal(t->expect.stdout_re, "1 received");
	assert_string_equal(t->expect.stderr_not_re, "^err");
	assert_null(t->expect.stdout_not_re);
	assert_int_equal(t->expect.lines, 5);
	assert_int_equal(t->within_ms, 20000);
	assert_int_equal(t->timeout_ms, 500);
	assert_int_equal(t->n_setup, 1);
	assert_string_equal(lab->tests[1].name, "test-2");
	assert_false(lab->tests[1].expect.has_status);
	assert_int_equal(lab->tests[1].expect.lines, -1);
	assert_int_equal(lab->n_setup, 1);
	assert_string_equal(lab->setup[0], "ip link");
	assert_string_equal(lab->setup_on[0], "pc1");
	assert_string_equal(lab->teardown_on[0], "pc2");
}

/* A typo in a key names the key, file, line, column, and the key meant. */
static void
yaml_unknown_key_names_file_line_column_and_the_close_key(void **state)
{
	const struct lab_error *e;
	char *s;

	lt_write(state, "lab.yaml", "hosts:\n  pc1:\n    interfacs: [A]\n");
	LT_LOAD_FAILS(state);
	assert_non_null(e = lt_find(LT_ERRS(state), LAB_E_UNKNOWN_KEY));
	assert_string_equal(e->file, "lab.yaml");
	assert_int_equal(e->line, 3);
	assert_int_equal(e->col, 5);
	assert_string_equal(e->hint, "did you mean 'interfaces'?");
	s = lab_error_format(e);
	assert_string_equal(s, "lab.yaml:3:5: unknown key 'interfacs' in host 'pc1' "
	                       "(did you mean 'interfaces'?)");
	free(s);
}

/* A key far from every known key gets no hint. */
static void
yaml_unknown_key_without_a_close_match_has_no_hint(void **state)
{
	lt_write(state, "lab.yaml", "colour: blue\nhosts: { a: [A] }\n");
	LT_LOAD_FAILS(state);
	assert_null(lt_find(LT_ERRS(state), LAB_E_UNKNOWN_KEY)->hint);
	LT_EXPECT(state, LAB_E_UNKNOWN_KEY, 1, "'colour' at the top level");
}

/* libyaml's syntax errors come with 1-based line and column. */
static void
yaml_syntax_error_has_line_and_column(void **state)
{
	const struct lab_error *e;

	lt_write(state, "lab.yaml", "hosts:\n  pc1: [A\n  pc2: [B]\n");
	LT_LOAD_FAILS(state);
	assert_non_null(e = lt_find(LT_ERRS(state), LAB_E_SYNTAX));
	assert_true(e->line >= 2);
	assert_true(e->col >= 1);
	assert_non_null(strstr(e->msg, "YAML"));
}

/* The same key twice in one mapping is an error, as is the same host twice. */
static void
yaml_repeated_key_and_repeated_host_are_errors(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  a: { memory: 64, memory: 96 }\n  a: [B]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_DUPLICATE, 2, "key 'memory' given twice");
	LT_EXPECT(state, LAB_E_DUPLICATE, 3, "host 'a' defined twice (first at line 2)");
}

/* Values of the wrong shape or out of range are type errors at the value. */
static void
yaml_wrong_types_are_reported_at_the_value(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  a: { memory: [1] }\n"
	         "  b: { memory: lots }\n"
	         "  c: { ipv6: maybe }\n"
	         "  d: { num_terms: 99 }\n"
	         "  e: { sysctl: [noequals] }\n"
	         "  f: { kargs: [\"two words\"] }\n"
	         "  g: { interfaces: { eth0: { mac: \"02:00:00:00:00:01\" } } }\n"
	         "domains: { A: { loss: 200% }, B: { delay: soon }, C: { rate: fast } }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2, "memory must be a single value");
	LT_EXPECT(state, LAB_E_TYPE, 3, "memory 'lots'");
	LT_EXPECT(state, LAB_E_TYPE, 4, "ipv6 must be true or false");
	LT_EXPECT(state, LAB_E_TYPE, 5, "num_terms");
	LT_EXPECT(state, LAB_E_TYPE, 6, "sysctl 'noequals'");
	LT_EXPECT(state, LAB_E_TYPE, 7, "kernel argument 'two words'");
	LT_EXPECT(state, LAB_E_TYPE, 8, "has no domain");
	LT_EXPECT(state, LAB_E_TYPE, 9, "loss '200%'");
	LT_EXPECT(state, LAB_E_TYPE, 9, "delay 'soon'");
	LT_EXPECT(state, LAB_E_TYPE, 9, "rate 'fast'");
}

/* Memory outside the bounds is its own error class. */
static void
yaml_memory_outside_bounds_is_a_memory_error(void **state)
{
	lt_write(state, "lab.yaml", "defaults: { memory: 8M }\nhosts:\n  a: { memory: 64G }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_MEMORY, 1, "8M is outside");
	LT_EXPECT(state, LAB_E_MEMORY, 3, "65536M is outside");
}

/* A MAC must be a unicast address written in full. */
static void
yaml_multicast_or_malformed_mac_is_rejected(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n  a: { interfaces: [ { domain: A, mac: \"01:00:5e:00:00:01\" } ] }\n"
	         "  b: { interfaces: [ { domain: A, mac: \"02:00:00:00:01\" } ] }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2, "'01:00:5e:00:00:01' is not a unicast");
	LT_EXPECT(state, LAB_E_TYPE, 3, "'02:00:00:00:01' is not a unicast");
}

/* Interface keys must be eth0..eth63; host and domain names must be safe. */
static void
yaml_bad_interface_host_and_domain_names_are_name_errors(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  a: { interfaces: { eth01: A, wlan0: B, eth64: C } }\n"
	         "  \"b c\": [A]\n"
	         "  shared: [A]\n"
	         "  d: [\"x;rm\"]\n"
	         "domains: { \"-x\": {} }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_NAME, 2, "'eth01'");
	LT_EXPECT(state, LAB_E_NAME, 2, "'wlan0'");
	LT_EXPECT(state, LAB_E_NAME, 2, "'eth64'");
	LT_EXPECT(state, LAB_E_NAME, 3, "'b c'");
	LT_EXPECT(state, LAB_E_NAME, 4, "'shared'");
	LT_EXPECT(state, LAB_E_NAME, 5, "'x;rm'");
	LT_EXPECT(state, LAB_E_NAME, 6, "'-x'");
}

/* A test on a host the lab does not have is reported with a hint. */
static void
yaml_test_on_unknown_host_is_reported_with_a_hint(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts: { pc1: [A] }\n"
	         "tests:\n  - { on: pc2, run: \"true\" }\n  - { name: x, run: \"true\" }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNKNOWN_HOST, 3, "no host 'pc2' in this lab (did you mean 'pc1'?)");
	LT_EXPECT(state, LAB_E_TYPE, 4, "test 'x' needs both 'on' and 'run'");
}

/* Regular expressions are compiled at load time; repeated test names are errors. */
static void
yaml_bad_regex_and_repeated_test_names_are_reported(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts: { pc1: [A] }\n"
	         "tests:\n"
	         "  - { name: t, on: pc1, run: ls, expect: { stdout: \"(\" } }\n"
	         "  - { name: t, on: pc1, run: ls, expect: { status: 300 } }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 3, "bad regular expression '('");
	LT_EXPECT(state, LAB_E_TYPE, 4, "status must be 0..255");
	LT_EXPECT(state, LAB_E_DUPLICATE, 4, "test 't' defined twice");
}

/* One run reports every problem, not just the first one. */
static void
yaml_every_problem_is_reported_in_one_run(void **state)
{
	lt_write(state, "lab.yaml",
	         "nmae: x\n"
	         "hosts:\n"
	         "  a: { memroy: 64, interfaces: [A] }\n"
	         "  b: { memory: 2, interfaces: [A] }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNKNOWN_KEY, 1, "did you mean 'name'?");
	LT_EXPECT(state, LAB_E_UNKNOWN_KEY, 3, "did you mean 'memory'?");
	LT_EXPECT(state, LAB_E_MEMORY, 4, "2M");
	assert_int_equal(lab_error_count(LT_ERRS(state)), 3);
}

/* An empty lab.yaml is a lab without hosts: an error, nothing to start. */
static void
yaml_empty_file_is_a_lab_without_hosts(void **state)
{
	lt_write(state, "lab.yaml", "");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_NOT_A_LAB, 0, "no hosts");
}

/* A top level that is not a mapping, and tests that are not a list, are type errors. */
static void
yaml_document_of_the_wrong_shape_is_a_type_error(void **state)
{
	lt_write(state, "lab.yaml", "- a\n- b\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 1, "must be a mapping");
	lt_write(state, "lab.yaml", "hosts: [a]\ntests: { a: 1 }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 1, "hosts must be a mapping");
	LT_EXPECT(state, LAB_E_TYPE, 2, "tests must be a list");
}

/* lab.yaml wins over lab.conf; the ignored file is a warning. */
static void
yaml_takes_precedence_over_lab_conf(void **state)
{
	lt_write(state, "lab.yaml", "hosts: { a: [A] }\n");
	lt_write(state, "lab.conf", "b[0]=A\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->n_hosts, 1);
	LT_WARNS(state, LAB_W_STYLE, 0, "lab.conf is ignored");
}

/* Anchors and aliases are plain YAML and work. */
static void
yaml_aliases_reuse_a_value(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  a: &h { interfaces: [A], memory: 80 }\n  b: *h\n");
	LT_LOAD_OK(state);
	assert_int_equal(LT_LAB(state)->hosts[1].memory_mb, 80);
	assert_int_equal(LT_LAB(state)->hosts[1].n_ifaces, 1);
}

/* An invalid lab name is an error in lab.yaml (it reaches paths and MACs). */
static void
yaml_invalid_lab_name_is_an_error(void **state)
{
	lt_write(state, "lab.yaml", "name: \"my lab\"\nhosts: { a: [A] }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_NAME, 1, "lab name 'my lab'");
}

/* Boot settings: off by default in lab.yaml, on from defaults or per host;
 * forwarding covers IPv6 when IPv6 is on. */
static void
yaml_boot_settings_default_off_and_can_be_set(void **state)
{
	const struct lab_host *h;
	char **v;
	size_t n;

	lt_write(state, "lab.yaml",
	         "defaults: { links_up: true, mount_shared: true }\n"
	         "hosts:\n"
	         "  pc: { interfaces: [A] }\n"
	         "  r: { interfaces: [A], forwarding: true, links_up: false }\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc");
	assert_true(h->links_up);
	assert_true(h->mount_shared);
	assert_false(h->forwarding);
	n = lab_host_boot_sysctls(h, &v);
	assert_int_equal(n, 0);
	lab_strv_free(v, n);
	h = lab_host_find(LT_LAB(state), "r");
	assert_false(h->links_up);
	assert_true(h->forwarding);
	assert_true(h->ipv6_forwarding);
	n = lab_host_boot_sysctls(h, &v);
	assert_string_equal(v[0], "net.ipv4.ip_forward=1");
	assert_string_equal(v[n - 3], "net.ipv6.conf.all.forwarding=1");
	lab_strv_free(v, n);
}

/* num_terms above 1 is accepted and warned about: one console per host. */
static void
yaml_num_terms_above_one_is_warned(void **state)
{
	lt_write(state, "lab.yaml", "hosts:\n  pc: { interfaces: [A], num_terms: 2 }\n");
	LT_LOAD_OK(state);
	LT_WARNS(state, LAB_W_UNSUPPORTED, 2, "num_terms 2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	        T(yaml_issue_example_loads_hosts_interfaces_and_domains),
	        T(yaml_host_given_as_a_list_gets_those_interfaces),
	        T(yaml_interface_map_is_sorted_by_index),
	        T(yaml_memory_accepts_units_and_plain_megabytes),
	        T(yaml_defaults_apply_to_every_host),
	        T(yaml_host_settings_are_kept),
	        T(yaml_boot_settings_default_off_and_can_be_set),
	        T(yaml_num_terms_above_one_is_warned),
	        T(yaml_domain_impairments_are_parsed),
	        T(yaml_domain_impairment_keys_and_rules),
	        T(yaml_tests_and_suite_steps_are_parsed),
	        T(yaml_unknown_key_names_file_line_column_and_the_close_key),
	        T(yaml_unknown_key_without_a_close_match_has_no_hint),
	        T(yaml_syntax_error_has_line_and_column),
	        T(yaml_repeated_key_and_repeated_host_are_errors),
	        T(yaml_wrong_types_are_reported_at_the_value),
	        T(yaml_memory_outside_bounds_is_a_memory_error),
	        T(yaml_multicast_or_malformed_mac_is_rejected),
	        T(yaml_bad_interface_host_and_domain_names_are_name_errors),
	        T(yaml_test_on_unknown_host_is_reported_with_a_hint),
	        T(yaml_bad_regex_and_repeated_test_names_are_reported),
	        T(yaml_every_problem_is_reported_in_one_run),
	        T(yaml_empty_file_is_a_lab_without_hosts),
	        T(yaml_document_of_the_wrong_shape_is_a_type_error),
	        T(yaml_takes_precedence_over_lab_conf),
	        T(yaml_aliases_reuse_a_value),
	        T(yaml_invalid_lab_name_is_an_error),
#undef T
	};

	return cmocka_run_group_tests_name("lab.yaml", tests, NULL, NULL);
}
