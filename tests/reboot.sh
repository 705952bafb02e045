#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# reboot.sh - a guest reboot on the simulator, with mmiod restarted the
# way mmiod@.service restarts it: the scripted guest reboots (its domain
# dies, a new one with the same name and the next domid appears at the
# same socket), the mmiod serving the old domain exits, the restarted one
# --waits for the new domain and serves it. Then the guest shuts down for
# good, and the restarted mmiod waits until SIGTERM/SIGINT stop it at
# once. Runs in a PID namespace of its own (tests/pidns.sh): it sends
# signals.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
. "$srcdir/tests/pidns.sh"
builddir=$(cd "${top_builddir:-.}" && pwd)
mmiod=$builddir/mmiod
unit=$srcdir/systemd/mmiod@.service.in
. "$srcdir/tests/lib.sh"

work=$(mktemp -d /tmp/mmiod-reboot-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# wait_until SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout.
wait_until() {
	limit=$(($1 * 10))
	shift
	n=0
	until "$@"; do
		[ $n -ge $limit ] && return 1
		sleep 0.1
		n=$((n + 1))
	done
}

# at_least N COMMAND...: COMMAND prints a count of N or more. (A count
# in wait_until's arguments would be taken once, not on every try.)
at_least() {
	n_least=$1
	shift
	[ "$("$@" 2> /dev/null | awk '{ n = $1 } END { print n + 0 }')" -ge "$n_least" ]
}

# The unit's restart policy, read from the unit itself.
key() {
	sed -n "s/^$1=//p" "$unit"
}
exec_flags=$(key ExecStart | sed 's/^[^ ]*mmiod //; s/ *%i$//')
restart=$(key Restart)
prevent=$(key RestartPreventExitStatus)
restart_sec=$(key RestartSec)
case " $exec_flags " in
*" --wait "*) pass "the unit's mmiod --waits for the domain ($exec_flags)" ;;
*) fail "the unit's ExecStart has no --wait: '$exec_flags'" ;;
esac
if [ "$restart" = always ]; then
	pass "the unit restarts mmiod after a clean exit (Restart=always)"
else
	fail "the unit's Restart=$restart: a domain's death (exit 0) is not restarted"
fi

# supervise: the unit's loop, as systemd runs it: the unit's flags (with
# --sim-attach for the simulated Xen), restarted after RestartSec= on
# exit as Restart= says (always, or on-failure: a non-zero status), but
# never after a stop (the file "stopped") or a RestartPreventExitStatus=.
# Each run's pid goes to mmiod.pid, its exit status to exits.
supervise() {
	while [ ! -e stopped ]; do
		# shellcheck disable=SC2086 # the unit's flags, split
		"$mmiod" --sim-attach guest.sock $exec_flags --state-dir . \
			reboot.cfg 2>> mmiod.log &
		echo $! > mmiod.pid
		wait $!
		status=$?
		echo "$status" >> exits
		case " $prevent " in *" $status "*) break ;; esac
		[ "$restart" = always ] || [ "$status" -ne 0 ] || break
		[ -e stopped ] || sleep "$restart_sec"
	done
}

cat > reboot.cfg <<'CFG'
domain = "rebootvm"
unpause = 1
mmio = [ "base=0xfe100000,size=4K,type=ram,file=ram.bin" ]
CFG
# The write before the reboot comes back after it only through the ram
# file, so only if an mmiod serves the new domain (else: all ones).
cat > reboot.sim <<'SIM'
vcpus 2
write 0xfe100000 4 0x600d0001
read 0xfe100000 4 expect 0x600d0001
reboot
read 0xfe100000 4 expect 0x600d0001
on vcpu 1
write 0xfe100004 4 0x600d0002
read 0xfe100004 4 expect 0x600d0002
destroy
SIM

expect "--sim refuses a script that reboots (one domain, one mmiod), exit 2" 2 \
	'reboot.sim:4: reboot needs --sim-guest' -- timeout -k 2 10 "$mmiod" --sim reboot.sim reboot.cfg

supervise &
supervisor=$!
# mmiod is waiting before the domain exists, as before xendomains.
wait_until 10 grep -qs 'waiting for domain rebootvm' mmiod.log
"$mmiod" --sim-guest guest.sock reboot.sim > guest.out 2>&1 &
guest=$!
if wait_until 30 exited $guest && wait $guest; then
	pass "the guest's accesses before and after its reboot are served: every expect held"
else
	fail "the rebooted guest was not served: $(cat guest.out); $(cat mmiod.log)"
fi
if grep -q 'rebooted as domain 2' guest.out &&
	grep -q 'serving domain rebootvm (1)' mmiod.log &&
	grep -q 'domain 1 is gone' mmiod.log &&
	grep -q 'serving domain rebootvm (2)' mmiod.log; then
	pass "the mmiod of domain 1 exits on its death; the restarted one serves domain 2"
else
	fail "no hand-over from domain 1 to domain 2: $(cat mmiod.log)"
fi
# The second mmiod's status is written once the supervisor has reaped
# it, which may be a moment after the guest is done.
wait_until 10 at_least 2 wc -l exits
if [ "$(head -2 exits | tr '\n' ' ')" = "0 0 " ]; then
	pass "both domains' deaths end their mmiod with status 0"
else
	fail "exit statuses: $(tr '\n' ' ' < exits)"
fi

# The guest is shut down for good: the restarted mmiod waits for a
# domain of that name, serving nothing, until stopped.
wait_until 10 at_least 2 grep -c 'waiting for domain rebootvm' mmiod.log
waiting=$(cat mmiod.pid)
if ! exited "$waiting" && [ ! -e rebootvm.state ]; then
	pass "after a shutdown for good mmiod waits for the name, serving nothing"
else
	fail "after the shutdown: $(tail -3 mmiod.log); $(ls)"
fi
touch stopped
kill -TERM "$waiting"
if wait_until 2 exited "$waiting"; then
	pass "SIGTERM stops a waiting mmiod at once"
else
	fail "a waiting mmiod ignores SIGTERM"
	kill -KILL "$waiting"
fi
wait_until 10 exited $supervisor
wait $supervisor
if [ "$(tail -1 exits)" = 0 ] && grep -q 'stopping on signal during start-up' mmiod.log; then
	pass "a waiting mmiod stopped by SIGTERM exits 0, saying why"
else
	fail "after SIGTERM: exit $(tail -1 exits); $(tail -2 mmiod.log)"
fi

"$mmiod" --sim-attach none.sock --wait --state-dir . reboot.cfg 2> int.log &
pid=$!
wait_until 10 grep -qs 'waiting for domain' int.log
kill -INT $pid
if wait_until 2 exited $pid && wait $pid; then
	pass "SIGINT stops a waiting mmiod at once, exit 0"
else
	fail "SIGINT: $(cat int.log)"
	kill -KILL $pid 2>/dev/null
fi
expect "without --wait, no domain at SOCKET is an error, exit 1" 1 \
	'cannot attach to the simulated domain at none.sock' \
	-- timeout -k 2 10 "$mmiod" --sim-attach none.sock --state-dir . reboot.cfg
finish
