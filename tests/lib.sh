# SPDX-License-Identifier: BSD-2-Clause
# lib.sh - helpers for the shell tests: counts, the closing line, and
# whether a process has exited.
# Sourced; each test calls pass/fail, and finish prints "N passed, N failed".
passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "PASS: $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
}

# expect NAME WANT_STATUS PATTERN -- COMMAND...: runs COMMAND, checks its
# exit status and that its stdout+stderr match the extended regex PATTERN.
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	out=$("$@" 2>&1)
	status=$?
	if [ "$status" -ne "$want" ]; then
		fail "$name: exit status $status, expected $want; output: $out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		fail "$name: output does not match /$pattern/: $out"
	else
		pass "$name"
	fi
}

# exited PID: true once PID is gone or a zombie.
exited() {
	state=$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
