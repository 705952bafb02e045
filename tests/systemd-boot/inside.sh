#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# inside.sh - runs as a oneshot unit under the real systemd that
# tests/systemd-boot.sh boots: drives mmiod@vm1 as an administrator would
# and writes PASS/FAIL lines to /mmiod-test/results for the host to read.
# Usage: inside.sh MMIOD_BINARY
mmiod=$1
out=/mmiod-test/results.tmp
: >"$out"
pass() { echo "PASS: $1" >>"$out"; }
fail() { echo "FAIL: $1" >>"$out"; }
# The unit's last journal lines, on one line.
journal() { journalctl -b -o cat -u "$1" | tail -4 | tr '\n' ' '; }
show() { systemctl show -p "$1" --value "$2"; }

# The domain lives outside the unit, as a Xen domain does.
"$mmiod" --sim-guest /run/mmiod/vm1.sim /mmiod-test/guest.sim \
	>/mmiod-test/guest.out 2>&1 &
guest=$!
n=0
while [ ! -S /run/mmiod/vm1.sim ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done

# Type=notify: start returns once mmiod said READY=1, or fails.
if timeout 20 systemctl start mmiod@vm1; then
	pass "systemctl start mmiod@vm1 returns once READY"
else
	fail "systemctl start mmiod@vm1: $(journal mmiod@vm1)"
fi
state=$(show ActiveState mmiod@vm1)
pid=$(show MainPID mmiod@vm1)
if [ "$state" = active ] && [ "${pid:-0}" -gt 0 ]; then
	pass "ActiveState=active, MainPID=$pid"
else
	fail "ActiveState=$state MainPID=$pid"
fi
status=$(show StatusText mmiod@vm1)
case $status in
*serving*) pass "StatusText: $status" ;;
*) fail "StatusText '$status' does not say serving" ;;
esac
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
if [ -n "$uid" ] && [ "$uid" = "$(id -u mmiod)" ]; then
	pass "the main pid runs as user mmiod"
else
	fail "the main pid runs as uid '$uid', not mmiod ($(id -u mmiod))"
fi

# The counters go to the stats file, not into the journal.
if timeout 10 "$mmiod" --stats vm1 | grep -q '^requests '; then
	pass "mmiod --stats vm1 prints the counters"
else
	fail "mmiod --stats vm1 printed no counters"
fi
if journalctl -b -o cat -u mmiod@vm1 | grep -q '^requests '; then
	fail "mmiod --stats wrote the counters into the journal"
else
	pass "the counters stay out of the journal"
fi

# The drop-in's WatchdogSec=2s: without a WATCHDOG=1 at least every
# second, systemd would have killed and restarted mmiod by now.
sleep 3
if [ "$(show MainPID mmiod@vm1)" = "$pid" ] &&
	[ "$(show NRestarts mmiod@vm1)" = 0 ]; then
	pass "3 s under WatchdogSec=2s: same MainPID, no restart"
else
	fail "watchdog: MainPID $(show MainPID mmiod@vm1) (was $pid), $(journal mmiod@vm1)"
fi

# Priorities reach the journal: the errors of an instance whose domain
# isn't there are at err, the running instance's info lines are not.
timeout 20 systemctl start mmiod@nodomain 2>/dev/null
timeout 20 systemctl stop mmiod@nodomain
if journalctl -b -p err -o cat -u mmiod@nodomain | grep -q 'cannot attach' &&
	! journalctl -b -p err -o cat -u mmiod@vm1 | grep -q 'serving'; then
	pass "journalctl -p err shows the error lines, not the info lines"
else
	fail "journalctl -p err: $(journalctl -b -p err -o cat -u mmiod@nodomain | tail -2 | tr '\n' ' ')"
fi

# A typo'd instance has no config: starting it must fail, not be skipped.
if timeout 20 systemctl start mmiod@typo 2>/dev/null; then
	fail "systemctl start mmiod@typo succeeded without a config"
else
	pass "systemctl start mmiod@typo fails (AssertResult=$(show AssertResult mmiod@typo))"
fi

# Give the guest time to write (the ram file is mapped shared, so its
# writes show at once), then stop: nothing it wrote may be lost.
ram() { od -An -tx4 -N8 /var/lib/mmiod/vm1-ram.bin 2>/dev/null | tr -s ' '; }
n=0
while [ "$(ram)" != " 11223344 55667788" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
if timeout 40 systemctl stop mmiod@vm1 &&
	[ "$(show ActiveState mmiod@vm1)" = inactive ]; then
	pass "systemctl stop mmiod@vm1: inactive, $(show Result mmiod@vm1)"
else
	fail "stop: $(show ActiveState mmiod@vm1), $(journal mmiod@vm1)"
fi
if [ "$(ram)" = " 11223344 55667788" ]; then
	pass "the ram file holds what the guest wrote"
else
	fail "ram file: '$(ram)'; guest: $(tail -3 /mmiod-test/guest.out)"
fi
kill "$guest" 2>/dev/null
wait "$guest" 2>/dev/null
echo done >>"$out"
mv "$out" /mmiod-test/results
