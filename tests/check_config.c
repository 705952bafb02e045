/* SPDX-License-Identifier: BSD-2-Clause */
/* check_config.c - specification of config/: valid files and every class
 * of error, each error naming file, line, key and what is valid. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "testutil.h"

static const char *const types[] = {"trace", "ram", "rom", NULL};

static char err[1024];

static struct mmiod_config *load_text(const char *text)
{
	return config_load(write_temp_file("guest.cfg", text), types, err,
			   sizeof(err));
}

/* The config must fail with a message containing every fragment. */
static void expect_error(const char *text, const char *const *fragments)
{
	struct mmiod_config *cfg = load_text(text);

	ck_assert_msg(cfg == NULL, "config was accepted:\n%s", text);
	ck_assert_msg(strstr(err, temp_path("guest.cfg")) == err,
		      "error does not start with the file name: %s", err);
	for (; *fragments; fragments++)
		ck_assert_msg(strstr(err, *fragments), "'%s' not in: %s",
			      *fragments, err);
}

START_TEST(full_config_is_parsed_field_by_field)
{
	struct mmiod_config *cfg = load_text(
		"# a guest\n"
		"domain = \"vm1\"\n"
		"unpause = 1\n"
		"user = \"mmiod\"\n"
		"log_level = \"debug\"\n"
		"workers = 4\n"
		"mmio = [\n"
		"  \"base=0xfe000000,size=4K,type=trace,file=/tmp/t.json\",\n"
		"  \" base = 0xfe001000 , size=0x1000, type=ram\",\n"
		"]\n"
		"pio = [ \"base=0x510,size=4,type=trace,file=/tmp/p,read_value=7\" ]\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->domain, "vm1");
	ck_assert(cfg->unpause);
	ck_assert_str_eq(cfg->user, "mmiod");
	ck_assert_int_eq(cfg->log_level, 3);
	ck_assert_uint_eq(cfg->workers, 4);
	ck_assert_uint_eq(cfg->nregions, 3);

	ck_assert_int_eq(cfg->regions[0].space, IO_SPACE_MMIO);
	ck_assert_uint_eq(cfg->regions[0].range.base, 0xfe000000);
	ck_assert_uint_eq(range_size(cfg->regions[0].range), 4096);
	ck_assert_str_eq(cfg->regions[0].type, "trace");
	ck_assert_int_eq(cfg->regions[0].line, 8);
	ck_assert_uint_eq(cfg->regions[0].nparams, 1);
	ck_assert_str_eq(cfg->regions[0].params[0].key, "file");
	ck_assert_str_eq(cfg->regions[0].params[0].value, "/tmp/t.json");

	ck_assert_uint_eq(cfg->regions[1].range.base, 0xfe001000);
	ck_assert_str_eq(cfg->regions[1].type, "ram");
	ck_assert_int_eq(cfg->regions[1].line, 9);
	ck_assert_uint_eq(cfg->regions[1].nparams, 0);

	ck_assert_int_eq(cfg->regions[2].space, IO_SPACE_PIO);
	ck_assert_uint_eq(cfg->regions[2].range.base, 0x510);
	ck_assert_uint_eq(range_size(cfg->regions[2].range), 4);
	ck_assert_int_eq(cfg->regions[2].line, 11);
	ck_assert_str_eq(config_region_param(&cfg->regions[2], "read_value"),
			 "7");
	ck_assert_ptr_null(config_region_param(&cfg->regions[2], "nope"));
	config_free(cfg);
}
END_TEST

START_TEST(defaults_apply_when_keys_are_absent)
{
	struct mmiod_config *cfg = load_text("mmio = []\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_ptr_null(cfg->domain);
	ck_assert(!cfg->unpause);
	ck_assert_ptr_null(cfg->user);
	ck_assert_int_eq(cfg->log_level, -1);
	ck_assert_uint_eq(cfg->workers, 1);
	ck_assert_uint_eq(cfg->nregions, 0);
	config_free(cfg);
}
END_TEST

START_TEST(numeric_domid_and_suffixes_are_accepted)
{
	struct mmiod_config *cfg = load_text(
		"domain = 7\n"
		"mmio = [ \"base=1G,size=2M,type=ram\", \"base=0x80000000,size=16,type=ram\" ]\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->domain, "7");
	ck_assert_uint_eq(cfg->regions[0].range.base, 1ull << 30);
	ck_assert_uint_eq(range_size(cfg->regions[0].range), 2ull << 20);
	ck_assert_uint_eq(range_size(cfg->regions[1].range), 16);
	config_free(cfg);
}
END_TEST

START_TEST(region_ending_at_the_top_of_the_address_space_is_valid)
{
	struct mmiod_config *cfg = load_text(
		"mmio = [ \"base=0xfffffffffffff000,size=4K,type=ram\" ]\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	config_free(cfg);
}
END_TEST

START_TEST(unknown_key_suggests_the_nearest)
{
	expect_error("domain = \"vm1\"\nunpaus = 1\n",
		     (const char *[]){":2:", "unpaus", "did you mean 'unpause'",
				      NULL});
}
END_TEST

START_TEST(unknown_key_far_from_all_lists_the_valid_ones)
{
	expect_error("frobnicate = 1\n",
		     (const char *[]){":1:", "frobnicate", "valid:", "domain",
				      "workers", NULL});
}
END_TEST

START_TEST(key_given_twice_names_both_lines)
{
	expect_error(
		"domain = \"a\"\n\ndomain = \"b\"\n",
		(const char *[]){":3:", "domain", "twice", "line 1", NULL});
}
END_TEST

START_TEST(entry_key_given_twice_is_an_error)
{
	expect_error("mmio = [ \"base=0x1000,size=1,type=ram,size=2\" ]\n",
		     (const char *[]){":1:", "mmio[0]", "size", "twice", NULL});
}
END_TEST

START_TEST(malformed_number_says_what_is_valid)
{
	expect_error(
		"mmio = [\n\"base=0x1000,size=12Q,type=ram\"\n]\n",
		(const char *[]){":2:", "mmio[0] size", "12Q", "0x hex", NULL});
}
END_TEST

START_TEST(octal_looking_number_is_decimal_or_rejected)
{
	expect_error("mmio = [ \"base=0x,size=1,type=ram\" ]\n",
		     (const char *[]){"base", "'0x'", NULL});
}
END_TEST

START_TEST(size_zero_is_an_error)
{
	expect_error("mmio = [ \"base=0x1000,size=0,type=ram\" ]\n",
		     (const char *[]){":1:", "mmio[0] size", "greater than 0",
				      NULL});
}
END_TEST

START_TEST(base_plus_size_wrapping_is_an_error)
{
	expect_error(
		"mmio = [ \"base=0xfffffffffffff000,size=8K,type=ram\" ]\n",
		(const char *[]){":1:", "mmio[0]", "wraps", NULL});
}
END_TEST

START_TEST(overlapping_regions_name_both)
{
	expect_error("mmio = [\n"
		     "  \"base=0x1000,size=0x100,type=ram\",\n"
		     "  \"base=0x10ff,size=0x10,type=trace,file=x\",\n"
		     "]\n",
		     (const char *[]){":3:", "mmio[1]", "0x10ff-0x110e",
				      "overlaps the ram region 0x1000-0x10ff",
				      "line 2", NULL});
}
END_TEST

/* Regions load in one batch, sorted by base: the later line is still the
 * one reported, even when it has the lower base, and a third region
 * between them does not hide the overlap. */
START_TEST(overlap_is_reported_on_the_later_line_whatever_the_order)
{
	expect_error("mmio = [\n"
		     "  \"base=0x2000,size=0x100,type=ram\",\n"
		     "  \"base=0x9000,size=0x100,type=ram\",\n"
		     "  \"base=0x1000,size=0x1001,type=trace,file=x\",\n"
		     "]\n",
		     (const char *[]){":4:", "mmio[2]", "0x1000-0x2000",
				      "overlaps the ram region 0x2000-0x20ff",
				      "line 2", NULL});
}
END_TEST

START_TEST(mmio_and_pio_spaces_do_not_overlap_each_other)
{
	struct mmiod_config *cfg =
		load_text("mmio = [ \"base=0x500,size=0x100,type=ram\" ]\n"
			  "pio = [ \"base=0x500,size=0x100,type=ram\" ]\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	config_free(cfg);
}
END_TEST

START_TEST(unknown_device_type_suggests_the_nearest)
{
	expect_error("mmio = [ \"base=0x1000,size=1,type=rma\" ]\n",
		     (const char *[]){":1:", "device type 'rma'",
				      "did you mean 'ram'", NULL});
}
END_TEST

START_TEST(pio_range_beyond_0xffff_is_an_error)
{
	expect_error("pio = [ \"base=0xfff0,size=0x20,type=ram\" ]\n",
		     (const char *[]){":1:", "pio[0]", "0xffff", NULL});
}
END_TEST

START_TEST(pio_range_ending_at_0xffff_is_valid)
{
	struct mmiod_config *cfg =
		load_text("pio = [ \"base=0xfff0,size=0x10,type=ram\" ]\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	config_free(cfg);
}
END_TEST

START_TEST(missing_entry_key_is_named)
{
	expect_error("mmio = [ \"base=0x1000,type=ram\" ]\n",
		     (const char *[]){":1:", "mmio[0]", "missing size", NULL});
}
END_TEST

START_TEST(entry_without_equals_is_an_error)
{
	expect_error("mmio = [ \"base=0x1000,size=1,type=ram,readonly\" ]\n",
		     (const char *[]){":1:", "readonly", "key=value", NULL});
}
END_TEST

START_TEST(syntax_error_comes_with_the_line)
{
	expect_error("domain = \"vm1\"\nmmio = [ \"x\" \n",
		     (const char *[]){"guest.cfg:", NULL});
}
END_TEST

START_TEST(syntax_error_at_a_newline_names_its_own_line)
{
	/* libxlutil itself says line 1 here (and line 0 on line 1). */
	expect_error("domain = \"x\"\nuser\n= \"y\"\n",
		     (const char *[]){"guest.cfg:2: ", "syntax error", NULL});
}
END_TEST

START_TEST(bad_boolean_lists_valid_values)
{
	expect_error("unpause = \"maybe\"\n",
		     (const char *[]){":1:", "unpause", "maybe", "yes", NULL});
}
END_TEST

START_TEST(bad_log_level_lists_valid_levels)
{
	expect_error("log_level = \"loud\"\n",
		     (const char *[]){":1:", "log_level", "debug", NULL});
}
END_TEST

START_TEST(poll_us_out_of_range_is_an_error)
{
	expect_error("poll_us = 1001\n",
		     (const char *[]){":1:", "poll_us", "0 to 1000", NULL});
	expect_error("poll_us = \"fast\"\n",
		     (const char *[]){":1:", "poll_us", "0 to 1000", NULL});
}
END_TEST

START_TEST(workers_out_of_range_is_an_error)
{
	expect_error("workers = 0\n",
		     (const char *[]){":1:", "workers", "1 to 64", NULL});
	expect_error("workers = 65\n",
		     (const char *[]){":1:", "workers", "1 to 64", NULL});
}
END_TEST

START_TEST(list_where_a_value_belongs_is_an_error)
{
	expect_error("domain = [ \"a\" ]\n",
		     (const char *[]){":1:", "domain", "single value", NULL});
}
END_TEST

START_TEST(value_where_a_list_belongs_is_an_error)
{
	expect_error("mmio = \"base=1,size=1,type=ram\"\n",
		     (const char *[]){":1:", "mmio", "list of strings", NULL});
}
END_TEST

START_TEST(nul_byte_is_refused_before_libxlutil_sees_it)
{
	/* libxlutil asserts on "\0" inside quotes: found by fuzz_config. */
	FILE *f = fopen(temp_path("nul.cfg"), "wb");
	struct mmiod_config *cfg;

	ck_assert_ptr_nonnull(f);
	fwrite("domain = \"x\"\n\"\0\"", 1, 17, f);
	fclose(f);
	cfg = config_load(temp_path("nul.cfg"), types, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(err, "nul.cfg:2: contains a NUL byte"));
}
END_TEST

START_TEST(missing_file_is_an_error)
{
	ck_assert_ptr_null(
		config_load("/nonexistent/x.cfg", types, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.cfg: cannot open"));
}
END_TEST

START_TEST(dotted_key_is_an_unknown_key_on_its_line)
{
	/* libxlutil's identifiers may contain dots; the scanner used to stop
	 * there and check no key after it (issue 15 #11). */
	expect_error("mmio = [ \"base=0x1000,size=4K,type=ram\" ]\n"
		     "log_level.x = 1\n"
		     "mmio = [ \"base=0x2000,size=4K,type=ram\" ]\n"
		     "usr = \"mmiod\"\n",
		     (const char *[]){":2:", "unknown key 'log_level.x'",
				      "did you mean 'log_level'", NULL});
}
END_TEST

START_TEST(plus_equals_appends_to_a_list_with_each_item_line)
{
	struct mmiod_config *cfg = load_text(
		"mmio = [ \"base=0x1000,size=4K,type=ram\" ]\n"
		"# more regions\n"
		"mmio += [\n"
		"  \"base=0x2000,size=4K,type=ram\",\n"
		"  \"base=0x3000,size=4K,type=ram\" ]\n"
		"pio += [ \"base=0x10,size=1,type=ram\" ]; mmio += []\n");

	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_uint_eq(cfg->nregions, 4);
	ck_assert_uint_eq(cfg->regions[0].range.base, 0x1000);
	ck_assert_int_eq(cfg->regions[0].line, 1);
	ck_assert_uint_eq(cfg->regions[1].range.base, 0x2000);
	ck_assert_int_eq(cfg->regions[1].line, 4);
	ck_assert_uint_eq(cfg->regions[2].range.base, 0x3000);
	ck_assert_int_eq(cfg->regions[2].line, 5);
	ck_assert_int_eq(cfg->regions[3].space, IO_SPACE_PIO);
	ck_assert_int_eq(cfg->regions[3].line, 6);
	config_free(cfg);
}
END_TEST

START_TEST(appended_item_errors_name_the_combined_index_and_line)
{
	expect_error(
		"mmio = [ \"base=0x1000,size=4K,type=ram\" ]\n"
		"mmio += [ \"base=0x2000,size=4K,type=ram\",\n"
		"          \"base=0x1800,size=4K,type=ram\" ]\n",
		(const char *[]){":3:", "mmio[2]", "overlaps", "line 1", NULL});
}
END_TEST

START_TEST(plus_equals_on_a_single_value_key_is_an_error)
{
	expect_error("domain = \"a\"\ndomain += \"b\"\n",
		     (const char *[]){":2:", "domain", "+=", "mmio", NULL});
}
END_TEST

START_TEST(assignment_after_plus_equals_is_given_twice)
{
	expect_error("mmio = []\nmmio += []\nmmio = []\n",
		     (const char *[]){":3:", "mmio", "twice", "line 1", NULL});
}
END_TEST

START_TEST(device_is_refused_as_not_a_regular_file)
{
	ck_assert_ptr_null(config_load("/dev/null", types, err, sizeof(err)));
	ck_assert_str_eq(err, "/dev/null: not a regular file");
}
END_TEST

START_TEST(fifo_is_refused_without_waiting_for_a_writer)
{
	const char *path = temp_path("fifo.cfg");

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(config_load(path, types, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "fifo.cfg: not a regular file"));
	unlink(path);
}
END_TEST

START_TEST(file_over_1_mib_is_refused)
{
	FILE *f = fopen(temp_path("big.cfg"), "w");

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1024 * 1024 / 16 + 1; i++)
		fputs("# fifteen chars\n", f);
	fclose(f);
	ck_assert_ptr_null(
		config_load(temp_path("big.cfg"), types, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "big.cfg: larger than 1 MiB"));
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *valid = tcase_create("valid");
	TCase *errors = tcase_create("errors");

	tcase_add_test(valid, full_config_is_parsed_field_by_field);
	tcase_add_test(valid, defaults_apply_when_keys_are_absent);
	tcase_add_test(valid, numeric_domid_and_suffixes_are_accepted);
	tcase_add_test(valid,
		       region_ending_at_the_top_of_the_address_space_is_valid);
	tcase_add_test(valid, mmio_and_pio_spaces_do_not_overlap_each_other);
	tcase_add_test(valid, pio_range_ending_at_0xffff_is_valid);
	tcase_add_test(valid,
		       plus_equals_appends_to_a_list_with_each_item_line);
	suite_add_tcase(s, valid);

	tcase_add_test(errors, unknown_key_suggests_the_nearest);
	tcase_add_test(errors, unknown_key_far_from_all_lists_the_valid_ones);
	tcase_add_test(errors, key_given_twice_names_both_lines);
	tcase_add_test(errors, entry_key_given_twice_is_an_error);
	tcase_add_test(errors, malformed_number_says_what_is_valid);
	tcase_add_test(errors, octal_looking_number_is_decimal_or_rejected);
	tcase_add_test(errors, size_zero_is_an_error);
	tcase_add_test(errors, base_plus_size_wrapping_is_an_error);
	tcase_add_test(errors, overlapping_regions_name_both);
	tcase_add_test(
		errors,
		overlap_is_reported_on_the_later_line_whatever_the_order);
	tcase_add_test(errors, unknown_device_type_suggests_the_nearest);
	tcase_add_test(errors, pio_range_beyond_0xffff_is_an_error);
	tcase_add_test(errors, missing_entry_key_is_named);
	tcase_add_test(errors, entry_without_equals_is_an_error);
	tcase_add_test(errors, syntax_error_comes_with_the_line);
	tcase_add_test(errors, syntax_error_at_a_newline_names_its_own_line);
	tcase_add_test(errors, bad_boolean_lists_valid_values);
	tcase_add_test(errors, bad_log_level_lists_valid_levels);
	tcase_add_test(errors, workers_out_of_range_is_an_error);
	tcase_add_test(errors, poll_us_out_of_range_is_an_error);
	tcase_add_test(errors, list_where_a_value_belongs_is_an_error);
	tcase_add_test(errors, value_where_a_list_belongs_is_an_error);
	tcase_add_test(errors, missing_file_is_an_error);
	tcase_add_test(errors, device_is_refused_as_not_a_regular_file);
	tcase_add_test(errors, fifo_is_refused_without_waiting_for_a_writer);
	tcase_add_test(errors, file_over_1_mib_is_refused);
	tcase_add_test(errors, nul_byte_is_refused_before_libxlutil_sees_it);
	tcase_add_test(errors, dotted_key_is_an_unknown_key_on_its_line);
	tcase_add_test(errors,
		       appended_item_errors_name_the_combined_index_and_line);
	tcase_add_test(errors, plus_equals_on_a_single_value_key_is_an_error);
	tcase_add_test(errors, assignment_after_plus_equals_is_given_twice);
	suite_add_tcase(s, errors);
	return s;
}

int main(void)
{
	return run_suite(config_suite());
}
