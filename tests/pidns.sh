# SPDX-License-Identifier: BSD-2-Clause
# pidns.sh - re-runs the test script that sources it inside a PID
# namespace of its own, so that no signal it or the mmiod it tests sends
# (kill -1 included) can reach a process the test did not start. Source it
# first, passing the script's arguments; where unshare can't make the
# namespace the test is skipped (exit 77), never run outside one.
if [ -z "${MMIOD_TEST_PIDNS:-}" ]; then
	if unshare --pid --fork --mount-proc true 2>/dev/null; then
		MMIOD_TEST_PIDNS=1 exec unshare --pid --fork --mount-proc \
			sh "$0" "$@"
	fi
	echo "SKIP: $0 sends signals; it needs unshare --pid --fork --mount-proc (root, or user namespaces enabled)"
	exit 77
fi
