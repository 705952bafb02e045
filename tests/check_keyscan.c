/* SPDX-License-Identifier: BSD-2-Clause */
/* check_keyscan.c - config/'s key scanner against libxlutil itself: on
 * every valid xl.cfg file of tests/configs/xlcfg both find the same keys,
 * each on the line libxlutil records, with the same list items on the
 * same lines; on invalid text both refuse, on the same line. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

#include "config/keyscan.h"
#include "testutil.h"

struct parsed {
	const char *name;
	char *text;
	size_t len;
	FILE *report; /* libxlutil's warnings: the only place it gives lines */
	char *report_text;
	size_t report_len;
	XLU_Config *xlu;
	int xlu_rc;
	struct keyscan scan;
	enum keyscan_result scan_rc;
};

static void parse_both(struct parsed *p, const char *name, const char *text,
		       size_t len)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->text = malloc(len + 1);
	ck_assert_ptr_nonnull(p->text);
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->len = len;
	p->report = open_memstream(&p->report_text, &p->report_len);
	ck_assert_ptr_nonnull(p->report);
	p->xlu = xlu_cfg_init(p->report, "f");
	ck_assert_ptr_nonnull(p->xlu);
	p->xlu_rc = xlu_cfg_readdata(p->xlu, p->text, (int)len);
	p->scan_rc = keyscan_text(p->text, len, &p->scan);
}

static void parsed_free(struct parsed *p)
{
	keyscan_free(&p->scan);
	xlu_cfg_destroy(p->xlu);
	fclose(p->report);
	free(p->report_text);
	free(p->text);
}

/* The line of the first "f:LINE:" libxlutil reports from now on. */
static size_t report_mark(struct parsed *p)
{
	fflush(p->report);
	return p->report_len;
}

static int reported_line(struct parsed *p, size_t mark)
{
	fflush(p->report);
	ck_assert_msg(p->report_len > mark, "%s: libxlutil reported nothing",
		      p->name);
	ck_assert_msg(strncmp(p->report_text + mark, "f:", 2) == 0,
		      "%s: unexpected report %s", p->name,
		      p->report_text + mark);
	return atoi(p->report_text + mark + 2);
}

/* libxlutil prints a setting's line when it is asked for the other shape. */
static int setting_line(struct parsed *p, const char *key, int is_list)
{
	size_t mark = report_mark(p);
	const char *s;

	if (is_list)
		ck_assert_int_eq(xlu_cfg_get_string(p->xlu, key, &s, 0),
				 EINVAL);
	else
		ck_assert_int_eq(xlu_cfg_get_list(p->xlu, key, NULL, NULL, 0),
				 EINVAL);
	return reported_line(p, mark);
}

static int item_line(struct parsed *p, XLU_ConfigValue *v)
{
	size_t mark = report_mark(p);
	XLU_ConfigList *l;
	char *s;

	if (xlu_cfg_value_type(v) == XLU_STRING)
		ck_assert_int_eq(xlu_cfg_value_get_list(p->xlu, v, &l, 0),
				 EINVAL);
	else
		ck_assert_int_eq(xlu_cfg_value_get_string(p->xlu, v, &s, 0),
				 EINVAL);
	return reported_line(p, mark);
}

static void check_key(struct parsed *p, const struct scanned_key *k)
{
	XLU_ConfigList *list = NULL;
	int entries = 0;
	int rc = xlu_cfg_get_list(p->xlu, k->name, &list, &entries, 1);

	ck_assert_msg(rc == 0 || rc == EINVAL, "%s: libxlutil lacks %s",
		      p->name, k->name);
	ck_assert_msg(k->list == (rc == 0), "%s: %s: list %d, libxlutil %d",
		      p->name, k->name, k->list, rc == 0);
	ck_assert_msg(setting_line(p, k->name, rc == 0) == k->line,
		      "%s: %s: line %d, libxlutil %d", p->name, k->name,
		      k->line, setting_line(p, k->name, rc == 0));
	if (rc)
		return;
	ck_assert_msg(k->nitems == (size_t)entries,
		      "%s: %s: %zu items, libxlutil %d", p->name, k->name,
		      k->nitems, entries);
	for (int i = 0; i < entries; i++) {
		int want = item_line(p, xlu_cfg_get_listitem2(list, i));

		ck_assert_msg(k->item_lines[i] == want,
			      "%s: %s[%d]: line %d, libxlutil %d", p->name,
			      k->name, i, k->item_lines[i], want);
	}
}

static int word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_';
}

/* Every key libxlutil stores is a word [a-z][._0-9a-z]* of the text that
 * does not continue one to its left; asking libxlutil about each such word
 * (strings' contents included) finds every key it has, without trusting
 * the scanner to find them. */
static void check_same_keys(struct parsed *p)
{
	for (size_t i = 0; i < p->len; i++) {
		size_t n = 1;
		char word[256];
		int lib, scan;

		if (p->text[i] < 'a' || p->text[i] > 'z' ||
		    (i > 0 && word_char(p->text[i - 1])))
			continue;
		while (i + n < p->len && word_char(p->text[i + n]))
			n++;
		ck_assert_uint_lt(n, sizeof(word));
		memcpy(word, p->text + i, n);
		word[n] = '\0';
		lib = xlu_cfg_get_list(p->xlu, word, NULL, NULL, 1) != ESRCH;
		scan = keyscan_find(&p->scan, word) != NULL;
		ck_assert_msg(lib == scan, "%s: '%s': libxlutil %d, scanner %d",
			      p->name, word, lib, scan);
	}
	for (size_t i = 0; i < p->scan.count; i++)
		check_key(p, keyscan_find(&p->scan, p->scan.keys[i].name));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = malloc(65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(data);
	*len = fread(data, 1, 65535, f);
	ck_assert(feof(f));
	fclose(f);
	return data;
}

static int is_cfg(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".cfg") == 0;
}

START_TEST(scanner_agrees_with_libxlutil_on_the_corpus)
{
	struct dirent **files;
	int n = scandir(XLCFG_CORPUS, &files, is_cfg, alphasort);

	ck_assert_msg(n >= 20, "%s: %d files", XLCFG_CORPUS, n);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct parsed p;
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", XLCFG_CORPUS,
			 files[i]->d_name);
		text = slurp(path, &len);
		parse_both(&p, files[i]->d_name, text, len);
		ck_assert_msg(p.xlu_rc == 0, "%s: libxlutil refuses it",
			      p.name);
		ck_assert_msg(p.scan_rc == KEYSCAN_OK, "%s: scanner refuses %d",
			      p.name, p.scan.error_line);
		check_same_keys(&p);
		parsed_free(&p);
		free(text);
		free(files[i]);
	}
	free(files);
}
END_TEST

/* Text libxlutil refuses, and the line the error is on. The scanner must
 * refuse it there. (libxlutil's own report says line 0 or 1 for an
 * unexpected newline on line 2, so the loader takes the line from the
 * scanner.) */
static const struct {
	const char *text;
	int line;
} invalid[] = {
	{"a = 1 # a comment without its newline", 1},
	{"a = 1\r\n", 1},
	{"a = \"x\"\nb = word\n", 2},
	{"a = \"x\" b = \"y\"\n", 1},
	{"a = \"not closed\n", 1},
	{"a = \"x\"\n\nA = 1\n", 3},
	{"a = [ \"x\" \"y\" ]\n", 1},
	{"a = [ \"x\",\n\n", 2},
	{"a = [ , ]\n", 1},
	{"a = [ \"x\", , ]\n", 1},
	{"a\n= 1\n", 1},
	{"x = 1\na = \n\"x\"\n", 2},
	{"1 = 2\n", 1},
	{"a = [ \"x\" ]\na += \"y\"\n", 2},
	{"a = 1 + 2\n", 1},
	{"a.b = (1)\n", 1},
	{"a = \"x\\\ny\"\n", 1},
	{"a = [ \"x\" ] ]\n", 1},
	{"= 1\n", 1},
};

START_TEST(scanner_refuses_what_libxlutil_refuses)
{
	const char *text = invalid[_i].text;
	struct parsed p;

	parse_both(&p, text, text, strlen(text));
	ck_assert_msg(p.xlu_rc != 0, "libxlutil accepts %s", text);
	ck_assert_msg(p.scan_rc == KEYSCAN_SYNTAX, "scanner accepts %s", text);
	ck_assert_msg(p.scan.error_line == invalid[_i].line,
		      "%s: scanner says line %d, not %d (libxlutil: %s)", text,
		      p.scan.error_line, invalid[_i].line, p.report_text);
	parsed_free(&p);
}
END_TEST

static Suite *keyscan_suite(void)
{
	Suite *s = suite_create("keyscan");
	TCase *tc = tcase_create("libxlutil");

	tcase_add_test(tc, scanner_agrees_with_libxlutil_on_the_corpus);
	tcase_add_loop_test(tc, scanner_refuses_what_libxlutil_refuses, 0,
			    (int)(sizeof(invalid) / sizeof(invalid[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(keyscan_suite());
}
