/* SPDX-License-Identifier: BSD-2-Clause */
/* check_devices.c - specification of the built-in devices and registry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/devices.h"
#include "testutil.h"

static char err[512];

static struct device_args
args_for(uint64_t size, const struct device_param *params, size_t nparams)
{
	return (struct device_args){.space = IO_SPACE_MMIO,
				    .range = {0x10000, 0x10000 + size - 1},
				    .nparams = nparams,
				    .params = params};
}

static struct device_io io_at(uint64_t offset, uint32_t size)
{
	return (struct device_io){.space = IO_SPACE_MMIO,
				  .addr = 0x10000 + offset,
				  .offset = offset,
				  .size = size,
				  .vcpu = 3};
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(registry_lists_every_type)
{
	const char *const *names = device_type_names();
	static const char *const want[] = {"ram", "rom", "trace"};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *const *n = names;

		while (*n && strcmp(*n, want[i]))
			n++;
		ck_assert_msg(*n != NULL, "type %s is missing", want[i]);
	}
}
END_TEST

START_TEST(ram_reads_back_each_size_little_endian)
{
	struct device_args a = args_for(4096, NULL, 0);
	struct device *d = device_create("ram", &a, err, sizeof(err));
	struct device_io io;
	uint64_t v;

	ck_assert_msg(d != NULL, "%s", err);
	io = io_at(8, 8);
	ck_assert_int_eq(device_write(d, &io, 0x1122334455667788ull), 0);
	io = io_at(8, 1);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x88);
	io = io_at(10, 2);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x5566);
	io = io_at(12, 4);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x11223344);
	io = io_at(4095, 1);
	ck_assert_int_eq(device_write(d, &io, 0xab), 0);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0xab);
	/* Past the end is refused, not a crash. */
	io = io_at(4094, 4);
	ck_assert_int_eq(device_read(d, &io, &v), -1);
	ck_assert_int_eq(device_destroy(d), 0);
}
END_TEST

START_TEST(ram_file_holds_the_writes_after_destroy)
{
	const char *path = temp_path("ram.bin");
	struct device_param p = {"file", path};
	struct device_args a = args_for(8192, &p, 1);
	struct device *d;
	struct device_io io = io_at(4096, 4);
	uint32_t word;
	FILE *f;

	unlink(path);
	d = device_create("ram", &a, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(device_write(d, &io, 0xcafef00d), 0);
	ck_assert_int_eq(device_destroy(d), 0);

	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 4096, SEEK_SET), 0);
	ck_assert_uint_eq(fread(&word, 4, 1, f), 1);
	fclose(f);
	ck_assert_uint_eq(word, 0xcafef00d);

	/* A second instance sees the same contents. */
	d = device_create("ram", &a, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	{
		uint64_t v;

		ck_assert_int_eq(device_read(d, &io, &v), 0);
		ck_assert_uint_eq(v, 0xcafef00d);
	}
	device_destroy(d);
}
END_TEST

START_TEST(ram_file_larger_than_size_is_refused)
{
	const char *path = write_temp_file("big.bin", "0123456789");
	struct device_param p = {"file", path};
	struct device_args a = args_for(4, &p, 1);

	ck_assert_ptr_null(device_create("ram", &a, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "file:"));
	ck_assert_ptr_nonnull(strstr(err, "more than size"));
}
END_TEST

START_TEST(rom_reads_its_file_and_pads_with_ones)
{
	const char *path = write_temp_file("rom.bin", "ABCD");
	struct device_param p = {"file", path};
	struct device_args a = args_for(16, &p, 1);
	struct device *d = device_create("rom", &a, err, sizeof(err));
	struct device_io io = io_at(0, 4);
	uint64_t v;

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x44434241);
	io = io_at(4, 4);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0xffffffff);
	/* Writes are refused and change nothing, in memory or on disk. */
	io = io_at(0, 4);
	ck_assert_int_eq(device_write(d, &io, 0), -1);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x44434241);
	device_destroy(d);
	ck_assert_str_eq(slurp(path), "ABCD");
}
END_TEST

START_TEST(rom_without_file_is_refused)
{
	struct device_args a = args_for(16, NULL, 0);

	ck_assert_int_eq(device_validate("rom", &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "file"));
}
END_TEST

START_TEST(rom_with_missing_file_is_refused)
{
	struct device_param p = {"file", "/nonexistent/rom.bin"};
	struct device_args a = args_for(16, &p, 1);

	ck_assert_ptr_null(device_create("rom", &a, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

START_TEST(trace_records_each_access_as_json)
{
	const char *path = temp_path("trace.json");
	struct device_param p[] = {{"file", path}, {"read_value", "0x1234"}};
	struct device_args a = args_for(16, p, 2);
	struct device *d;
	struct device_io io = io_at(4, 2);
	uint64_t v;
	char *text;

	unlink(path);
	d = device_create("trace", &a, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(device_write(d, &io, 0xbeef), 0);
	io = io_at(0, 1);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, 0x34); /* read_value masked to the size */
	ck_assert_int_eq(device_destroy(d), 0);

	text = slurp(path);
	ck_assert_ptr_nonnull(
		strstr(text, "\"vcpu\":3,\"space\":\"mmio\","
			     "\"addr\":\"0x10004\",\"size\":2,"
			     "\"dir\":\"write\",\"value\":\"0xbeef\"}\n"));
	ck_assert_ptr_nonnull(strstr(text,
				     "\"addr\":\"0x10000\",\"size\":1,"
				     "\"dir\":\"read\",\"value\":\"0x34\"}\n"));
}
END_TEST

START_TEST(trace_reads_all_ones_by_default)
{
	struct device_param p = {"file", temp_path("t2.json")};
	struct device_args a = args_for(16, &p, 1);
	struct device *d = device_create("trace", &a, err, sizeof(err));
	struct device_io io = io_at(0, 8);
	uint64_t v;

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(device_read(d, &io, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	device_destroy(d);
}
END_TEST

START_TEST(unknown_key_lists_the_valid_keys)
{
	struct device_param p[] = {{"file", "x"}, {"fiel", "y"}};
	struct device_args a = args_for(16, p, 2);

	ck_assert_int_eq(device_validate("trace", &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "fiel: unknown key"));
	ck_assert_ptr_nonnull(strstr(err, "read_value"));
}
END_TEST

START_TEST(bad_number_names_the_key)
{
	struct device_param p[] = {{"file", "x"}, {"read_value", "ten"}};
	struct device_args a = args_for(16, p, 2);

	ck_assert_int_eq(device_validate("trace", &a, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "read_value: 'ten'"));
}
END_TEST

START_TEST(validate_only_creates_no_file)
{
	const char *path = temp_path("never.bin");
	struct device_param p = {"file", path};
	struct device_args a = args_for(16, &p, 1);
	struct stat st;

	unlink(path);
	ck_assert_int_eq(device_validate("ram", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

static Suite *devices_suite(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("builtin");

	tcase_add_test(tc, registry_lists_every_type);
	tcase_add_test(tc, ram_reads_back_each_size_little_endian);
	tcase_add_test(tc, ram_file_holds_the_writes_after_destroy);
	tcase_add_test(tc, ram_file_larger_than_size_is_refused);
	tcase_add_test(tc, rom_reads_its_file_and_pads_with_ones);
	tcase_add_test(tc, rom_without_file_is_refused);
	tcase_add_test(tc, rom_with_missing_file_is_refused);
	tcase_add_test(tc, trace_records_each_access_as_json);
	tcase_add_test(tc, trace_reads_all_ones_by_default);
	tcase_add_test(tc, unknown_key_lists_the_valid_keys);
	tcase_add_test(tc, bad_number_names_the_key);
	tcase_add_test(tc, validate_only_creates_no_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(devices_suite());
}
