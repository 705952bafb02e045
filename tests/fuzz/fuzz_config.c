/* fuzz_config.c - any bytes as a guest config: an error or a config,
 * never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"ram", "rom", "trace", "uart16550",
					    NULL};
	struct mmiod_config *cfg;
	char err[1024];

	cfg = config_load(fuzz_input_file(data, size), types, err, sizeof(err));
	config_free(cfg);
	return 0;
}
