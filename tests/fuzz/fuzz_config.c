/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_config.c - any bytes as a guest config: an error or a config,
 * never a crash, a leak or undefined behaviour; and whatever libxlutil
 * accepts, the key scanner accepts with the same keys and list sizes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxlutil.h>

#include "config/config.h"
#include "config/keyscan.h"
#include "fuzz_env.h"

static void check_scan_agrees(const char *text, size_t size)
{
	static FILE *quiet;
	struct keyscan ks;
	XLU_Config *xlu;

	/* libxlutil asserts on a NUL in a string; config_load refuses it. */
	if (memchr(text, '\0', size) || size > 1 << 20)
		return;
	if (!quiet)
		quiet = fopen("/dev/null", "w");
	xlu = xlu_cfg_init(quiet, "fuzz");
	if (!xlu)
		return;
	if (xlu_cfg_readdata(xlu, text, (int)size) == 0) {
		if (keyscan_text(text, size, &ks) != KEYSCAN_OK)
			abort(); /* libxlutil accepts what the scanner refuses */
		for (size_t i = 0; i < ks.count; i++) {
			const struct scanned_key *k =
				keyscan_find(&ks, ks.keys[i].name);
			int n = -1;
			int rc = xlu_cfg_get_list(xlu, k->name, NULL, &n, 1);

			if (rc == ESRCH || k->list != (rc == 0) ||
			    (rc == 0 && (size_t)n != k->nitems))
				abort();
		}
		keyscan_free(&ks);
	}
	xlu_cfg_destroy(xlu);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"ram", "rom", "trace", "uart16550",
					    NULL};
	struct mmiod_config *cfg;
	char err[1024];

	cfg = config_load(fuzz_input_file(data, size), types, err, sizeof(err));
	config_free(cfg);
	check_scan_agrees((const char *)data, size);
	return 0;
}
