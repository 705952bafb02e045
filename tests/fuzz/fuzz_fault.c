/* fuzz_fault.c - any bytes as a raw-fault record: every one gets a reply
 * with a status, through the same bus, regions and devices. */
#include <stdlib.h>
#include <string.h>

#include "daemon/fault_server.h"
#include "decode/decode.h"
#include "fuzz_env.h"
#include "mmiod-fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decoder *d;
	static struct mmiod_fault_request req;
	static struct mmiod_fault_reply reply;
	struct fuzz_engine *fe = fuzz_engine_get();

	if (!d) {
		if (decode_global_init())
			abort();
		d = decoder_create();
	}
	memset(&req, 0, sizeof(req));
	memcpy(&req, data, size < sizeof(req) ? size : sizeof(req));
	/* Half the inputs get a valid header, so the fuzzer reaches the
	 * emulation rather than only the checks. */
	if (size && data[0] & 1) {
		req.magic = MMIOD_FAULT_MAGIC;
		req.version = MMIOD_FAULT_VERSION;
	}
	fault_answer(d, fe->fault_cpu, &req, &reply);
	if (reply.magic != MMIOD_FAULT_MAGIC ||
	    reply.status > MMIOD_FAULT_DEVICE_ERROR ||
	    memchr(reply.error, '\0', sizeof(reply.error)) == NULL)
		abort();
	return 0;
}
