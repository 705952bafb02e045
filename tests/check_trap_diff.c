/* SPDX-License-Identifier: BSD-2-Clause */
/* check_trap_diff.c - the CPU as mmiod's oracle: every accessor of the
 * corpora (hand-written instructions; C built by gcc and clang at -O0 and
 * -O2) and a stream of random encodings run natively and through a
 * libmmiod-trap window of mmiod's ram device, and must agree bit for bit.
 * TRAP_RANDOM_COUNT and TRAP_RANDOM_SEED choose a longer random run. */
#include <check.h>
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "trap_diff.h"
#include "trap_random.h"

#define SEEDS_PER_ACCESSOR 3

static struct trap_fixture fixture;
static struct diff_env *env;

static void setup(void)
{
	trap_fixture_start(&fixture, DIFF_GPA, DIFF_MEM_SIZE, NULL);
	env = diff_env_create(&fixture);
	ck_assert_ptr_nonnull(env);
}

static void teardown(void)
{
	diff_env_destroy(env);
	trap_fixture_stop(&fixture);
}

static bool cpu_has_movbe(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_MOVBE);
}

static void set_pointer(struct diff_input *in, int reg, enum diff_area area,
			uint64_t offset)
{
	in->cpu.r[reg] = offset;
	in->area[reg] = (uint8_t)area;
}

/* The registers trap_corpus_asm.c's accessors expect. */
static void apply_setup(const struct accessor *a, struct diff_input *in)
{
	switch (a->setup) {
	case SETUP_PLAIN:
		set_pointer(in, MMIOD_RBX, AREA_MEM, 0x800);
		set_pointer(in, MMIOD_R13, AREA_MEM, 0x1800);
		in->cpu.r[MMIOD_RCX] = 3;
		in->cpu.r[MMIOD_R9] = (uint64_t)-2;
		in->cpu.r[MMIOD_R12] = 77;
		break;
	case SETUP_STR_TO_MEM:
		set_pointer(in, MMIOD_RDI, AREA_MEM, 0xf00);
		set_pointer(in, MMIOD_RSI, AREA_RAM, 0x1000);
		in->cpu.r[MMIOD_RCX] = 7;
		break;
	case SETUP_STR_FROM_MEM:
		set_pointer(in, MMIOD_RSI, AREA_MEM, 0xf00);
		set_pointer(in, MMIOD_RDI, AREA_RAM, 0x1000);
		in->cpu.r[MMIOD_RCX] = 7;
		break;
	case SETUP_C:
		set_pointer(in, MMIOD_RDI, AREA_MEM, 0x800);
		break;
	}
	if (a->rcx)
		in->cpu.r[MMIOD_RCX] = a->rcx;
	if (a->down)
		in->cpu.r[MMIOD_RFLAGS] |= CPU_DF;
}

/* Runs every accessor of a corpus from several random states; prints
 * each disagreement and returns how many there were. */
static int run_corpus(const char *corpus, const struct accessor *list, size_t n)
{
	bool movbe = cpu_has_movbe();
	int disagree = 0, runs = 0;
	char report[1024];

	for (size_t i = 0; i < n; i++) {
		if (list[i].movbe && !movbe)
			continue;
		for (uint64_t s = 1; s <= SEEDS_PER_ACCESSOR; s++) {
			struct diff_input in = {
				.name = list[i].name,
				.code = list[i].start,
				.function = list[i].function,
				.flags = list[i].flags,
				.abs_at = -1,
				.seed = s * 0x9e3779b97f4a7c15ull + i};
			uint64_t seed = in.seed;

			if (list[i].start)
				in.code_len =
					(size_t)(list[i].end - list[i].start);
			diff_random_cpu(&in.cpu, &seed);
			apply_setup(&list[i], &in);
			runs++;
			if (diff_run(env, &in, report, sizeof(report)) ==
			    DIFF_AGREE)
				continue;
			fprintf(stderr, "%s: seed %llu: %s\n", corpus,
				(unsigned long long)s, report);
			disagree++;
			break;
		}
	}
	printf("%s: %zu accessors, %d runs, %d disagreements\n", corpus, n,
	       runs, disagree);
	return disagree;
}

START_TEST(asm_corpus_agrees_with_cpu)
{
	ck_assert_int_eq(
		run_corpus("asm", trap_asm_corpus, trap_asm_corpus_len), 0);
}
END_TEST

static const struct {
	const char *name;
	const struct accessor *list;
} c_builds[] = {
	{"c gcc -O0", trap_c_gcc_O0},
	{"c gcc -O2", trap_c_gcc_O2},
	{"c clang -O0", trap_c_clang_O0},
	{"c clang -O2", trap_c_clang_O2},
};

START_TEST(c_corpus_agrees_with_cpu)
{
	ck_assert_int_eq(run_corpus(c_builds[_i].name, c_builds[_i].list,
				    trap_c_corpus_len),
			 0);
}
END_TEST

static uint64_t env_number(const char *name, uint64_t fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : fallback;
}

/* CI runs TRAP_RANDOM_COUNT (2,000) encodings from TRAP_RANDOM_SEED (1);
 * set them for a longer or another run. Encodings the CPU itself refuses
 * (#UD: a LOCK where none is allowed, ...) are skipped and counted. */
START_TEST(random_encodings_agree_with_cpu)
{
	uint64_t count = env_number("TRAP_RANDOM_COUNT", 2000);
	uint64_t seed = env_number("TRAP_RANDOM_SEED", 1);
	uint64_t state = seed * 0x9e3779b97f4a7c15ull | 1;
	unsigned agree = 0, skipped = 0, disagree = 0;
	uint8_t buf[TRAP_RANDOM_MAX];
	char report[1024];

	for (uint64_t i = 0; i < count; i++) {
		struct diff_input in;

		memset(&in, 0, sizeof(in));
		trap_random_insn(&state, &in, buf);
		switch (diff_run(env, &in, report, sizeof(report))) {
		case DIFF_AGREE:
			agree++;
			break;
		case DIFF_NATIVE_CRASHED:
			skipped++;
			break;
		case DIFF_DISAGREE:
			if (disagree++ < 20)
				fprintf(stderr, "seed %llu #%llu: %s\n",
					(unsigned long long)seed,
					(unsigned long long)i, report);
			break;
		}
	}
	printf("random: seed %llu, %llu encodings: %u agree, %u disagree, "
	       "%u skipped (the CPU refused them)\n",
	       (unsigned long long)seed, (unsigned long long)count, agree,
	       disagree, skipped);
	ck_assert_uint_eq(disagree, 0);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("trap_diff");
	TCase *tc = tcase_create("differential");

	(void)argc;
	trap_fixture_pid_namespace(argv);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, asm_corpus_agrees_with_cpu);
	tcase_add_loop_test(tc, c_corpus_agrees_with_cpu, 0, 4);
	tcase_add_test(tc, random_encodings_agree_with_cpu);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
