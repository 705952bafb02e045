/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_script.c - any bytes as a --sim script: parsed or refused. */
#include <stdint.h>

#include "fuzz_env.h"
#include "sim/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];

	script_free(script_load(fuzz_input_file(data, size), err, sizeof(err)));
	return 0;
}
