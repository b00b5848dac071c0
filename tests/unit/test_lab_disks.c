/* tests/unit/test_lab_disks.c: lab.yaml `disks:` (extra disks per host): shapes, defaults, errors.
 */
#include <stdlib.h>
#include <string.h>

#include "labtmp.h"

/* Sizes, a single item, a mapping with format and label, in order. */
static void
disks_list_of_sizes_and_mappings_in_order(void **state)
{
	const struct lab_host *h;

	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1:\n"
	         "    disks: [1G, 64, {size: 500M, format: ext4, label: data}]\n"
	         "  pc2: { disks: 2G }\n"
	         "  pc3: { disks: { size: 16M, format: ext4 } }\n"
	         "  pc4: {}\n");
	LT_LOAD_OK(state);
	h = lab_host_find(LT_LAB(state), "pc1");
	assert_int_equal(h->n_disks, 3);
	assert_int_equal(h->disks[0].size_mb, 1024);
	assert_null(h->disks[0].format);
	assert_null(h->disks[0].label);
	assert_int_equal(h->disks[1].size_mb, 64);
	assert_int_equal(h->disks[2].size_mb, 500);
	assert_string_equal(h->disks[2].format, "ext4");
	assert_string_equal(h->disks[2].label, "data");
	assert_int_equal(h->disks[2].origin.line, 3);
	h = lab_host_find(LT_LAB(state), "pc2");
	assert_int_equal(h->n_disks, 1);
	assert_int_equal(h->disks[0].size_mb, 2048);
	h = lab_host_find(LT_LAB(state), "pc3");
	assert_int_equal(h->n_disks, 1);
	assert_string_equal(h->disks[0].format, "ext4");
	assert_null(h->disks[0].label);
	assert_int_equal(lab_host_find(LT_LAB(state), "pc4")->n_disks, 0);
}

/* defaults: disks go to every host; a host's own list replaces them, [] or ~ drops them. */
static void
disks_defaults_apply_unless_a_host_sets_its_own(void **state)
{
	const struct lab *lab;

	lt_write(state, "lab.yaml",
	         "defaults: { disks: [{size: 1G, format: ext4, label: scratch}] }\n"
	         "hosts:\n"
	         "  a: [A]\n"
	         "  b: { disks: [2G, 3G] }\n"
	         "  c: { disks: [] }\n"
	         "  d: { disks: ~ }\n");
	LT_LOAD_OK(state);
	lab = LT_LAB(state);
	assert_int_equal(lab_host_find(lab, "a")->n_disks, 1);
	assert_string_equal(lab_host_find(lab, "a")->disks[0].label, "scratch");
	assert_int_equal(lab_host_find(lab, "b")->n_disks, 2);
	assert_int_equal(lab_host_find(lab, "b")->disks[1].size_mb, 3072);
	assert_null(lab_host_find(lab, "b")->disks[0].label);
	assert_int_equal(lab_host_find(lab, "c")->n_disks, 0);
	assert_int_equal(lab_host_find(lab, "d")->n_disks, 0);
}

/* A size that is no size, too big, or zero: at the value's line and column. */
static void
disks_bad_sizes_are_reported_where_written(void **state)
{
	const struct lab_error *e;

	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1:\n"
	         "    disks: [1T]\n"
	         "  pc2:\n"
	         "    disks: [0]\n"
	         "  pc3:\n"
	         "    disks: [65G]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 3, "disk size '1T' is not a size");
	LT_EXPECT(state, LAB_E_TYPE, 5, "disk size 0M is outside 1..65536 MiB");
	LT_EXPECT(state, LAB_E_TYPE, 7, "disk size 66560M is outside");
	e = lt_find(LT_ERRS(state), LAB_E_TYPE);
	assert_string_equal(e->file, "lab.yaml");
	assert_int_equal(e->col, 13);
}

/* At most LAB_DISKS_MAX disks and 64 GiB in all. */
static void
disks_count_and_total_are_bounded(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  pc1: { disks: [1M, 1M, 1M, 1M, 1M, 1M, 1M, 1M, 1M] }\n"
	         "  pc2: { disks: [32G, 32G, 1M] }\n"
	         "  pc3: { disks: [32G, 32G, 1M, 1M, 1M, 1M, 1M, 1M] }\n"
	         "  ok: { disks: [32G, 32G] }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2,
	          "host 'pc1' has 9 disks; at most 8 (/dev/ubdb .. /dev/ubdi)");
	LT_EXPECT(state, LAB_E_TYPE, 3,
	          "the disks of host 'pc2' add up to 65537M, more than 65536");
	LT_EXPECT(state, LAB_E_TYPE, 4, "the disks of host 'pc3' add up to");
	assert_int_equal(lab_error_count(LT_ERRS(state)), 3);
}

/* Unknown keys (with a hint), a missing size, formats other than ext4, labels. */
static void
disks_mapping_errors(void **state)
{
	lt_write(state, "lab.yaml",
	         "hosts:\n"
	         "  a: { disks: [{sise: 1G}] }\n"
	         "  b: { disks: [{format: ext4}] }\n"
	         "  c: { disks: [{size: 1G, format: xfs}] }\n"
	         "  d: { disks: [{size: 1G, label: data}] }\n"
	         "  e: { disks: [{size: 1G, format: ext4, label: \"has space\"}] }\n"
	         "  f: { disks: [{size: 1G, format: ext4, label: seventeen-chars-x}] }\n"
	         "  g: { disks: [[1G]] }\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_UNKNOWN_KEY, 2, "sise");
	assert_string_equal(lt_find(LT_ERRS(state), LAB_E_UNKNOWN_KEY)->hint,
	                    "did you mean 'size'?");
	LT_EXPECT(state, LAB_E_TYPE, 3, "a disk of host 'b' has no size");
	LT_EXPECT(state, LAB_E_TYPE, 4, "disk format 'xfs' is not supported");
	LT_EXPECT(state, LAB_E_TYPE, 5, "disk label 'data' needs format: ext4");
	LT_EXPECT(state, LAB_E_TYPE, 6, "disk label 'has space' is not");
	LT_EXPECT(state, LAB_E_TYPE, 7, "disk label 'seventeen-chars-x' is not");
	LT_EXPECT(state, LAB_E_TYPE, 8, "a disk size");
}

/* Errors in defaults say so; a host then has no disks from them. */
static void
disks_errors_in_defaults_name_defaults(void **state)
{
	lt_write(state, "lab.yaml",
	         "defaults:\n"
	         "  disks: [1G, {size: 1G, format: btrfs}]\n"
	         "hosts:\n"
	         "  pc1: [A]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2, "disk format 'btrfs'");
	lt_write(state, "lab.yaml",
	         "defaults:\n"
	         "  disks: [40G, 40G]\n"
	         "hosts:\n"
	         "  pc1: [A]\n");
	LT_LOAD_FAILS(state);
	LT_EXPECT(state, LAB_E_TYPE, 2, "the disks of defaults add up to 81920M");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, labtmp_setup, labtmp_teardown)
	const struct CMUnitTest tests[] = {
	        T(disks_list_of_sizes_and_mappings_in_order),
	        T(disks_defaults_apply_unless_a_host_sets_its_own),
	        T(disks_bad_sizes_are_reported_where_written),
	        T(disks_count_and_total_are_bounded),
	        T(disks_mapping_errors),
	        T(disks_errors_in_defaults_name_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
