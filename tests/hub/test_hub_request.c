/*
 * tests/hub/test_hub_request.c: unit tests of the hub's control request
 * parser (hub/request.c) with requests shaped like those real clients send
 * (libvdeplug, UML's daemon transport) and the malformed ones a hub must
 * refuse.  Each test builds its own buffer: no shared state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hub.h"

/* Builds a version-3 request for a path address and a description; returns its length. */
static size_t
build(unsigned char *buf, uint32_t type, const char *path, const char *descr)
{
	uint32_t v;
	uint16_t family = 1;

	memset(buf, 0, 512);
	v = HUB_SWITCH_MAGIC;
	memcpy(buf, &v, 4);
	v = HUB_SWITCH_VER;
	memcpy(buf + 4, &v, 4);
	memcpy(buf + 8, &type, 4);
	memcpy(buf + 12, &family, 2);
	memcpy(buf + 14, path, strlen(path));
	memcpy(buf + 122, descr, strlen(descr));
	return 122 + strlen(descr);
}

/* Asserts that a buffer is rejected with the given reason. */
static void
assert_rejected(const unsigned char *buf, size_t len, const char *reason)
{
	struct hub_request req;
	const char *why = NULL;

	assert_int_equal(hub_request_parse(buf, len, &req, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void
libvdeplug_request_is_accepted_with_its_description(void **state)
{
	unsigned char buf[512];
	struct hub_request req;
	const char *why = NULL;
	size_t len = build(buf, 0, "/tmp/h/.03044-00000", "vdeclient user=root pid=3044");

	assert_int_equal(hub_request_parse(buf, len, &req, &why), 0);
	assert_int_equal(req.kind, HUB_REQ_NEW_CTL);
	assert_int_equal(req.port, 0);
	assert_false(req.abstract);
	assert_string_equal(req.addr.sun_path, "/tmp/h/.03044-00000");
	assert_string_equal(req.descr, "vdeclient user=root pid=3044");
}

static void
explicit_port_comes_from_the_type_bits_above_the_kind(void **state)
{
	unsigned char buf[512];
	struct hub_request req;
	const char *why = NULL;
	size_t len = build(buf, 5U << 8, "/tmp/h/.1-2", "x");

	assert_int_equal(hub_request_parse(buf, len, &req, &why), 0);
	assert_int_equal(req.kind, HUB_REQ_NEW_CTL);
	assert_int_equal(req.port, 5);
}

static void
port0_request_is_its_own_kind(void **state)
{
	unsigned char buf[512];
	struct hub_request req;
	const char *why = NULL;
	size_t len = build(buf, HUB_REQ_NEW_PORT0, "/tmp/h/.1-2", "");

	assert_int_equal(hub_request_parse(buf, len, &req, &why), 0);
	assert_int_equal(req.kind, HUB_REQ_NEW_PORT0);
	assert_string_equal(req.descr, "");
}

static void
uml_daemon_request_keeps_all_address_bytes_and_ignores_padding(void **state)
{
	unsigned char buf[512];
	struct hub_request req;
	const char *why = NULL;
	size_t len = build(buf, 0, "", "");

	/* Abstract name: zero byte, pid, usecs, then uninitialised kernel memory. */
	memset(buf + 15, 0xa5, 107);
	buf[122] = 0x80; /* the unpacked struct's padding, garbage too */
	buf[123] = 0x2f;
	len = HUB_REQ_DAEMON;
	assert_int_equal(hub_request_parse(buf, len, &req, &why), 0);
	assert_true(req.abstract);
	assert_memory_equal(&req.addr, buf + 12, HUB_SUN_LEN);
	assert_string_equal(req.descr, "");
}

static void
description_is_cut_at_nul_and_made_printable(void **state)
{
	unsigned char buf[512];
	struct hub_request req;
	const char *why = NULL;
	size_t len = build(buf, 0, "/s", "a\tb\"c");

	buf[122 + 5] = 0xc3;
	buf[122 + 6] = '\0';
	buf[122 + 7] = 'z';
	len += 3;
	assert_int_equal(hub_request_parse(buf, len, &req, &why), 0);
	assert_string_equal(req.descr, "a?b\"c?");
}

static void
short_request_is_rejected(void **state)
{
	unsigned char buf[512];

	build(buf, 0, "/s", "");
	assert_rejected(buf, 121, "short request");
	assert_rejected(buf, 0, "short request");
}

static void
oversize_description_is_rejected(void **state)
{
	unsigned char buf[512];

	build(buf, 0, "/s", "");
	memset(buf + 122, 'x', 129);
	assert_rejected(buf, 122 + 129, "description too long");
}

static void
wrong_magic_version_or_type_is_rejected(void **state)
{
	unsigned char buf[512];
	size_t len = build(buf, 0, "/s", "d");
	uint32_t v;

	buf[0] ^= 1;
	assert_rejected(buf, len, "bad magic");
	len = build(buf, 0, "/s", "d");
	v = 2;
	memcpy(buf + 4, &v, 4);
	assert_rejected(buf, len, "unsupported protocol version");
	len = build(buf, 7, "/s", "d");
	assert_rejected(buf, len, "unknown request type");
	len = build(buf, HUB_PORTS_MAX << 8, "/s", "d");
	assert_rejected(buf, len, "port out of range");
	len = build(buf, (3U << 8) | HUB_REQ_NEW_PORT0, "/s", "d");
	assert_rejected(buf, len, "port 0 request names another port");
}

static void
garbage_addresses_are_rejected(void **state)
{
	unsigned char buf[512];
	size_t len = build(buf, 0, "/s", "d");

	buf[12] = 2;
	assert_rejected(buf, len, "client address is not AF_UNIX");
	len = build(buf, 0, "relative/sock", "d");
	assert_rejected(buf, len, "client path not absolute");
	len = build(buf, 0, "/", "d");
	memset(buf + 14, 'A', 108);
	assert_rejected(buf, len, "client path not terminated");
}

/* Runs every request parser test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(libvdeplug_request_is_accepted_with_its_description),
	        cmocka_unit_test(explicit_port_comes_from_the_type_bits_above_the_kind),
	        cmocka_unit_test(port0_request_is_its_own_kind),
	        cmocka_unit_test(uml_daemon_request_keeps_all_address_bytes_and_ignores_padding),
	        cmocka_unit_test(description_is_cut_at_nul_and_made_printable),
	        cmocka_unit_test(short_request_is_rejected),
	        cmocka_unit_test(oversize_description_is_rejected),
	        cmocka_unit_test(wrong_magic_version_or_type_is_rejected),
	        cmocka_unit_test(garbage_addresses_are_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
