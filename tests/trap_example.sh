#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# trap_example.sh - examples/trap/run works as the README says: the
# uart_hello driver's line comes out of mmiod's uart16550. In a PID
# namespace, since the example starts and stops an mmiod.
if [ -z "${MMIOD_TEST_PIDNS:-}" ]; then
	MMIOD_TEST_PIDNS=1 exec unshare --pid --fork --mount-proc sh "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"

expect "examples/trap/run prints the driver's line through mmiod" 0 \
	'^hello from a driver without a VM$' -- \
	timeout 30 sh "$top_srcdir/examples/trap/run" "$top_builddir"
finish
