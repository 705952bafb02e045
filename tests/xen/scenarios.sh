#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# scenarios.sh - runs in the test dom0 on real Xen. mmiod is driven as a
# user drives it: a config in /etc/xen/mmiod, the guest created paused with
# xl create -p, mmiod GUEST with unpause = 1. Results are tests/lib.sh's
# PASS/FAIL lines and closing "N passed, N failed" (dom0's /init prefixes
# them for the host to find). Every wait has a timeout: a hang fails its
# scenario instead of the whole run.
. /usr/share/mmiod-test/lib.sh

# wait_for SECONDS COMMAND...: until COMMAND succeeds, checking every
# wait_interval seconds (default 0.2); 1 on timeout.
wait_for() {
	deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep "${wait_interval:-0.2}"
	done
}
exited() {
	! kill -0 "$1" 2>/dev/null
}
# threads PID: each thread's state and where in the kernel it sleeps.
threads() {
	for task in /proc/"$1"/task/*; do
		echo "  thread ${task##*/}: state $(cut -d' ' -f3 "$task/stat")," \
			"in $(cat "$task/wchan")"
	done 2>/dev/null
}
# wait_exit PID SECONDS: the process's exit status; 124 on timeout, after
# showing its threads and killing it. Never waits on a process that
# SIGKILL can't end (one stuck in the kernel), so the run goes on.
wait_exit() {
	if wait_for "$2" exited "$1"; then
		wait "$1"
		return
	fi
	echo "  pid $1 still runs after $2 s:"
	threads "$1"
	kill -KILL "$1" 2>/dev/null
	if wait_for 10 exited "$1"; then
		wait "$1" 2>/dev/null
	else
		echo "  pid $1 survives SIGKILL"
	fi
	return 124
}
# guest_lines DOMAIN: what the domain printed on port 0xE9.
guest_lines() {
	xl dmesg | sed -n "s/^(d$(xl domid "$1")) //p"
}
guest_printed() {
	guest_lines "$1" | grep -q -- "$2"
}
# show_log FILE: mmiod's log, and the kernel's word on a seccomp kill.
show_log() {
	sed 's/^/  /' "$1"
	dmesg | grep 'audit.*syscall=' | tail -3 | sed 's/^/  /'
}

# start_guest DOMAIN LOG: as a user does it: the guest created paused,
# mmiod started (it unpauses the guest); sets pid.
start_guest() {
	if ! xl create -p "/etc/xen/xl/$1.xl" > /dev/null 2>&1; then
		fail "$1: xl create"
		return 1
	fi
	mmiod "$1" 2> "$2" &
	pid=$!
}

# destroy_and_expect_exit DOMAIN PID LOG: mmiod notices the domain's
# death, tears down and exits 0.
destroy_and_expect_exit() {
	timeout 60 xl destroy "$1"
	wait_exit "$2" 20
	status=$?
	if [ "$status" -eq 0 ]; then
		pass "$1: mmiod exits 0 when the domain is destroyed"
	else
		fail "$1: mmiod exit status $status after xl destroy"
		show_log "$3"
	fi
}

# guest_verdicts DOMAIN JOB NAME: the guest's own "ok"/"not ok" lines as
# PASS/FAIL lines named NAME, counted from its "JOB: N passed, N failed"
# summary (a pipeline's loop runs in a subshell, whose counts are lost);
# no summary counts as a failure.
guest_verdicts() {
	guest_lines "$1" | while read -r verdict rest; do
		case $verdict in
		ok) echo "PASS: $3: $rest" ;;
		not) echo "FAIL: $3: ${rest#ok }" ;;
		esac
	done
	summary=$(guest_lines "$1" |
		sed -n "s/^$2: \([0-9]*\) passed, \([0-9]*\) failed/\1 \2/p")
	set -- $summary
	passed=$((passed + ${1:-0}))
	failed=$((failed + ${2:-1}))
}

# battery_served DOMAIN: the guest's battery (its own checks, the stats,
# the trace file's writes), served by mmiod with DOMAIN.cfg.
battery_served() {
	log=/var/log/mmiod/$1.log
	start_guest "$1" "$log" || return
	if ! wait_for 120 guest_printed "$1" '^battery: [0-9]* passed'; then
		fail "$1: the guest did not finish within 120 s"
		guest_lines "$1" | tail -5 | sed 's/^/  /'
		show_log "$log"
	fi
	guest_verdicts "$1" battery "$1 guest"
	guest_lines "$1" | grep '^timing:' | sed 's/^/  /'
	stats=$(mmiod --stats "$1" 2>&1)
	echo "$stats" | grep '^requests' | sed "s/^/  $1: /"
	if echo "$stats" | grep -q '^mmio reads [1-9][0-9]* writes [1-9]'; then
		pass "$1: mmiod --stats reads the counters of the confined daemon"
	else
		fail "$1: mmiod --stats: $stats"
	fi
	trace=/var/log/mmiod/$1-trace.json
	for write in '"size":1,"dir":"write","value":"0x5e"' \
		'"size":2,"dir":"write","value":"0x7e57"' \
		'"size":4,"dir":"write","value":"0xfeedc0de"' \
		'"size":8,"dir":"write","value":"0x123456789abcdef"'; do
		if grep -q -- "$write" "$trace"; then
			pass "$1: trace file holds the guest's write $write"
		else
			fail "$1: trace file lacks $write: $(cat "$trace")"
		fi
	done
}

scenario_battery() {
	battery_served battery
	destroy_and_expect_exit battery "$pid" "$log"
}

# The battery again with adaptive polling (poll_us = 50): every check
# as in event mode, and some requests must have been served by the spin,
# or the mode was not exercised.
scenario_battery_poll() {
	battery_served batterypoll
	polled=$(echo "$stats" | sed -n 's/^requests .* polled \([0-9]*\) .*/\1/p')
	if [ "${polled:-0}" -gt 0 ]; then
		pass "batterypoll: the spin served $polled requests"
	else
		fail "batterypoll: no request served by the spin: $stats"
	fi
	destroy_and_expect_exit batterypoll "$pid" "$log"
}

init_ran() {
	grep -qs "mmiod-test: the guest's /init runs" "$console"
}
# The state letters of xl list: s (shut down), then its reason (r for
# reboot, which is also what a triple fault gives), c (crashed), ...
guest_state() {
	xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'
}
guest_stopped() {
	case $(guest_state "$1") in *[sc]*) true ;; *) false ;; esac
}

# console_grows: true while the boot log grew in the last 30 s. Also
# keeps the longest time between two checks: a dom0 that did not run
# for a while shows there, and then sees a "stall" the moment it runs.
console_grows() {
	size=$(wc -c < "$console" 2>/dev/null || echo 0)
	now=$(date +%s)
	gap=$((now - ${last_check:-$now}))
	[ "$gap" -gt "$longest_gap" ] && longest_gap=$gap
	last_check=$now
	# dom0's CPU time in USER_HZ ticks, read without a fork: across a
	# long gap, idle means dom0 was blocked, steal that Xen did not run
	# it though it was runnable, user+system that it ran.
	read -r _cpu user _nice system idle _iowait _irq _softirq steal _rest \
		< /proc/stat
	[ "$gap" -ge 5 ] && [ -n "${last_idle:-}" ] &&
		echo "  watcher: no check for $gap s; dom0 meanwhile: idle" \
			"+$((idle - last_idle)) steal +$((steal - last_steal))" \
			"user+system +$((user + system - last_busy)) ticks"
	last_idle=$idle
	last_steal=$steal
	last_busy=$((user + system))
	if [ "$size" != "${last_size:-}" ]; then
		last_size=$size
		last_growth=$now
	fi
	[ $((now - last_growth)) -lt 30 ]
}
# boot_ended: once a second. Each xl or mmiod run costs dom0 much more
# under TCG than on hardware, so xl is asked only when the log has been
# quiet for 2 s (a guest that stopped stops its log too).
boot_ended() {
	"$boot_done" || ! console_grows ||
		{ [ $((now - last_growth)) -ge 2 ] &&
			guest_stopped "$boot_domain"; }
}

# stall_report DOMAIN: what a stalled boot shows, to tell whether the
# guest waits on mmiod, mmiod on dom0 or the guest on itself.
stall_report() {
	tail -3 "$console" | sed 's/^/  /'
	echo # the last line may still lack its newline
	stall_dom0
	mmiod --stats "$1" 2>&1 | grep -E '^(requests|slots|region)' |
		sed 's/^/  /'
	timeout 10 xl vcpu-list "$1" | sed 's/^/  /'
	stall_xen_state "$1"
	# Whether it goes on by itself, now that the watcher is quiet.
	before=$(console_bytes)
	sleep 5
	echo "  5 s later: boot log $before -> $(console_bytes) bytes;" \
		"$(mmiod --stats "$1" 2>&1 | grep -E '^(requests|slots)' |
			cut -d' ' -f1-2 | tr '\n' ' ')"
}
console_bytes() {
	wc -c < "$console" 2>/dev/null || echo 0
}
# stall_dom0: dom0's load and each mmiod thread's state, wait channel,
# voluntary switches and schedstat (ns run, ns waiting to run, slices).
stall_dom0() {
	echo "  dom0 load $(cut -d' ' -f1-4 /proc/loadavg)"
	for task in /proc/"$pid"/task/*; do
		echo "  thread ${task##*/}: state $(cut -d' ' -f3 "$task/stat")," \
			"in $(cat "$task/wchan"), voluntary switches" \
			"$(sed -n 's/^voluntary_ctxt_switches:[^0-9]*//p' "$task/status")," \
			"schedstat $(cat "$task/schedstat")"
	done 2>/dev/null
}
# stall_xen_state DOMAIN: Xen's side, from its debug keys (the whole
# dumps are on Xen's console): the run queue (r), the guest's event
# channels and dom0's ends of them ([pending/masked]; e) and the guest's
# vCPUs (q: pause_flags 1 blocked, 4 blocked in Xen on an ioreq).
stall_xen_state() {
	domid=$(xl domid "$1")
	xl dmesg -c > /dev/null
	for key in r e q; do
		xl debug-keys "$key"
	done
	xl dmesg -c > /tmp/stall-keys.txt
	awk "/Domain info:/ { on = 1 } /'e' pressed/ { on = 0 } on" \
		/tmp/stall-keys.txt | sed 's/^/  xen: /'
	awk -v d="$domid" '
		/Event channel information for domain/ {
			own = ($NF == d ":"); zero = ($NF == "0:")
		}
		/General information for domain/ { own = 0; zero = 0 }
		/VCPU information and callbacks for domain/ { vcpus = ($NF == d ":") }
		/No periodic timer|periodic_timer/ { vcpus = 0 }
		own || vcpus || (zero && $0 ~ (" d=" d "( |$)")) { print }
	' /tmp/stall-keys.txt | sed 's/^/  xen: /'
}

# boot_watched DOMAIN START DONE SECONDS: START creates the guest and
# starts its mmiod (setting pid); then waits up to SECONDS for DONE, for
# the guest to stop on its own, or for its boot log ($console) to stall
# for 30 s. Returns 0 once DONE holds.
#
# Under QEMU's emulated SVM the kernel now and then triple-faults (the
# guest stops, reason reboot, with Xen's own address in CR2): not
# something mmiod can cause or fix; the guest is booted again, up to
# boot_attempts boots in all. So is one whose log stopped for 30 s, after
# a report (STALL:). Such stalls were this watcher's own doing while it
# ran xl and six other programs five times a second: dom0's one vCPU
# stayed busy, mmiod's worker waited to run with the guest's request in
# its slot, and the log went on within seconds of the loop stopping.
# Hence one check a second (boot_ended).
boot_attempts=3
boot_watched() {
	boot_domain=$1
	boot_done=$3
	attempt=1
	while :; do
		last_size=
		last_check=
		longest_gap=0
		"$2" || return 1
		deadline=$(($(date +%s) + $4))
		until boot_ended || [ "$(date +%s)" -ge "$deadline" ]; do
			sleep 1
		done
		if "$3"; then
			echo "  $1: boot $attempt done; longest gap between" \
				"the watcher's checks ${longest_gap} s"
			return 0
		fi
		if guest_stopped "$1"; then
			echo "  $1: the guest stopped on its own (xl state" \
				"$(guest_state "$1")) after" \
				"$(wc -l < "$console") lines (boot $attempt)"
			xl dmesg | tail -5 | sed 's/^/  /'
		elif console_grows; then
			echo "  $1: boot $attempt not done after $4 s, its log" \
				"still growing ($(wc -l < "$console") lines)"
		else
			echo "  $1: STALL: the boot log stopped after" \
				"$(wc -l < "$console") lines (xl state" \
				"$(guest_state "$1"), boot $attempt; longest" \
				"gap between the watcher's checks ${longest_gap} s)"
			stall_report "$1"
		fi
		[ "$attempt" -ge "$boot_attempts" ] && return 1
		attempt=$((attempt + 1))
		[ -n "${responder:-}" ] && kill "$responder" 2>/dev/null
		kill -TERM "$pid"
		wait_exit "$pid" 20
		timeout 60 xl destroy "$1"
	done
}

# start_linux: the Linux guest's boot; sets first_line_in_time when
# "Linux version" came within 60 s.
linux_started() {
	grep -qs "Linux version" "$console" || guest_stopped linux
}
start_linux() {
	rm -f "$console"
	first_line_in_time=no
	start_guest linux "$log" || return 1
	wait_for 60 linux_started
	grep -qs "Linux version" "$console" && first_line_in_time=yes
	return 0
}

scenario_linux() {
	log=/var/log/mmiod/linux.log
	console=/var/log/mmiod/linux-console.log
	responder=
	boot_watched linux start_linux init_ran 120
	result=$?
	# A request whose event never reached mmiod is served by the idle
	# sweep a second later: say how often that happened in this boot.
	mmiod --stats linux 2>&1 | sed -n 's/.* \(swept [0-9]*\) .*/  linux: requests \1 (served without their event)/p'
	if [ "$first_line_in_time" = yes ]; then
		pass "linux: the PVH guest's boot log reaches the uart16550"
		grep -m1 "Linux version" "$console" | cut -c1-100 |
			sed 's/^/  /'
	else
		fail "linux: no 'Linux version' on the uart within 60 s"
		show_log "$log"
	fi
	if [ "$result" -eq 0 ]; then
		pass "linux: the guest boots to its initramfs' /init, all of it through the uart ($(wc -l < "$console") lines)"
	else
		fail "linux: the boot log stops after $(wc -l < "$console") lines (xl state $(guest_state linux))"
		show_log "$log"
	fi
	# SIGTERM: mmiod disables, unmaps and destroys its server and exits 0.
	kill -TERM "$pid"
	wait_exit "$pid" 20
	status=$?
	if [ "$status" -eq 0 ] && grep -q "stopping on signal" "$log"; then
		pass "linux: mmiod exits 0 on SIGTERM"
	else
		fail "linux: mmiod exit status $status after SIGTERM"
		show_log "$log"
	fi
	timeout 60 xl destroy linux
}

# The PCI uart is the guest's only pty uart: serial 0, whose stable link
# mmiod makes once the pty is open.
pci_pty=/run/mmiod/linuxpci.uart0
pci_pty_ready() {
	[ -e "$pci_pty" ]
}
# answer_pings PTY: the uart's other end, as a user's terminal program
# would be: each line that starts with PING gets a PONG line back.
answer_pings() {
	exec 4<>"$1"
	stty -F "$1" raw -echo
	while read -r line <&4; do
		echo "backend got: $line" >> "$backend_log"
		case $line in
		PING*) echo "PONG for: $line" >&4 ;;
		esac
	done
}
pci_done() {
	grep -qs "mmiod-test: done" "$console"
}
start_linux_pci() {
	rm -f "$console" "$backend_log"
	start_guest linuxpci "$log" || return 1
	responder=
	if wait_for 20 pci_pty_ready; then
		answer_pings "$pci_pty" &
		responder=$!
	else
		fail "linuxpci: mmiod names no pty for the PCI uart"
		show_log "$log"
	fi
}

# A Linux PVH guest finds mmiod's PCI functions on its own scan, binds
# its 8250_pci driver to the uart with MSI and talks through it both
# ways, interrupt-driven.
scenario_linux_pci() {
	log=/var/log/mmiod/linuxpci.log
	console=/var/log/mmiod/linuxpci-console.log
	backend_log=/var/log/mmiod/linuxpci-backend.log
	boot_watched linuxpci start_linux_pci pci_done 240
	grep 'mmiod-test: \(pci\|reply\|interrupts\)' "$console" | cut -c1-120 |
		sed 's/^/  /'
	grep -m1 'Using MSI' "$console" | cut -c1-100 | sed 's/^/  /'
	if grep -q 'mmiod-test: pci 0000:00:01.0 0x9710:0x9900 class 0x070002' "$console"; then
		pass "linuxpci: the guest's own scan finds mmiod's uart at 00:01.0 with its ids"
	else
		fail "linuxpci: 00:01.0 not found (state $(guest_state linuxpci))"
		tail -20 "$console" | sed 's/^/  /'
	fi
	if grep -q 'mmiod-test: pci 0000:00:02.0 0x1234:0x11e0 class 0x080100 bar0 0x0*[1-9a-f][0-9a-f]* ' "$console"; then
		pass "linuxpci: the scan lists the copy-engine plugin at 00:02.0 with the ids it declares and a memory BAR"
	else
		fail "linuxpci: no copy engine with a BAR at 00:02.0"
	fi
	if grep -q 'mmiod-test: interrupts before: .*PCI-MSI' "$console"; then
		pass "linuxpci: 8250_pci binds the uart with an MSI interrupt"
	else
		fail "linuxpci: no PCI-MSI interrupt for the uart"
	fi
	if grep -qs 'backend got: PING from the guest' "$backend_log"; then
		pass "linuxpci: the line the guest wrote to its tty reaches mmiod's backend"
	else
		fail "linuxpci: the backend got: $(cat "$backend_log" 2>/dev/null)"
	fi
	if grep -q 'mmiod-test: reply: PONG for: PING from the guest' "$console"; then
		pass "linuxpci: the backend's reply reaches the guest's tty"
	else
		fail "linuxpci: no reply in the guest"
	fi
	stats=$(mmiod --stats linuxpci 2>&1)
	echo "$stats" | grep '^pci 00:01.0\|^requests' | sed 's/^/  /'
	before=$(sed -n 's/.*interrupts before: *[0-9]*: *\([0-9]*\) .*/\1/p' "$console")
	after=$(sed -n 's/.*interrupts after: *[0-9]*: *\([0-9]*\) .*/\1/p' "$console")
	if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ] &&
		echo "$stats" | grep -q '^pci 00:01.0 uart16550 messages [1-9]'; then
		pass "linuxpci: the guest's MSI count rises ($before -> $after) with the MSIs mmiod sent"
	else
		fail "linuxpci: interrupts before '$before' after '$after'"
		show_log "$log"
	fi
	[ -n "$responder" ] && kill "$responder" 2>/dev/null
	destroy_and_expect_exit linuxpci "$pid" "$log"
}

copy_finished() {
	guest_printed copy '^copy: [0-9]* passed'
}

# The test guest drives the copy-engine plugin on PCI with its own config
# cycles and interrupt handler: BAR, MSI, DMA.
scenario_copy() {
	log=/var/log/mmiod/copy.log
	start_guest copy "$log" || return
	if ! wait_for 60 copy_finished; then
		fail "copy: the guest did not finish within 60 s"
		guest_lines copy | tail -5 | sed 's/^/  /'
		show_log "$log"
	fi
	guest_verdicts copy copy copy
	mmiod --stats copy 2>&1 | grep '^pci\|^dma' | sed 's/^/  /'
	destroy_and_expect_exit copy "$pid" "$log"
}

last_count() {
	guest_lines counter | sed -n 's/^loop: \([0-9]*\)$/\1/p' | tail -1
}
counter_beyond() {
	n=$(last_count)
	[ -n "$n" ] && [ "$n" -ge "$1" ]
}

scenario_restart_and_teardown() {
	log=/var/log/mmiod/counter.log
	ram=/var/lib/mmiod/counter-ram.bin
	start_guest counter "$log" || return
	if ! wait_for 60 counter_beyond 400; then
		fail "counter: the guest is not counting"
		show_log "$log"
		timeout 60 xl destroy counter
		return
	fi
	kill -KILL "$pid"
	wait_exit "$pid" 10
	before=$(last_count)
	mmiod counter 2> "$log.2" &
	pid=$!
	if wait_for 60 counter_beyond $((before + 400)); then
		pass "counter: after SIGKILL a restarted mmiod serves the guest again"
	else
		fail "counter: stuck at $(last_count) after the restart"
		show_log "$log.2"
	fi
	if guest_printed counter "lost a write"; then
		fail "counter: the guest read back a different value"
		guest_lines counter | grep "lost a write" | head -3
	else
		pass "counter: every write read back across the restart"
	fi
	if grep -q "destroyed ioreq server [0-9]* after answering" "$log.2"; then
		pass "counter: the restart answered and destroyed the killed mmiod's server"
	else
		fail "counter: no stale server destroyed"
		show_log "$log.2"
	fi
	last=$(last_count)
	destroy_and_expect_exit counter "$pid" "$log.2"
	saved=$(od -An -tu4 -N4 "$ram" | tr -d ' ')
	if [ -n "$saved" ] && [ "$saved" -ge "$last" ]; then
		pass "counter: the ram file holds the guest's count ($saved >= $last)"
	else
		fail "counter: the ram file holds '$saved', the guest reached $last"
	fi
	if [ ! -e /run/mmiod/counter.state ]; then
		pass "counter: the state file is gone after a clean exit"
	else
		fail "counter: state file left behind"
	fi
}

# --- make bench-xen: mmiod against the floor server, one boot ----------
#
# Both servers serve one guest at once: mmiod claims the page at
# 0xfe000000, bench/xen/floor the next one, and the guest's timing job
# alternates batches of reads between the two (b a a b ...). Servers
# taking turns over whole guests saw the emulated machine drift by up
# to 3x from one guest to the next, more than the servers differ.

bench_pairs=40        # the guest's pairs of batches (tests/xen/guest)
bench_reads=2000      # reads per server per guest: pairs x 50
bench_floor_base=0xfe001000
bench_default_modes="timing floor timingpoll50 timingpoll1000"
bench_idle_seconds=5

# cpu_ms PID: the CPU time the process used so far, in ms (utime and
# stime are in clock ticks of 10 ms).
cpu_ms() {
	awk '{ print ($14 + $15) * 10 }' "/proc/$1/stat" 2>/dev/null
}
thread_cpu_ms() {
	for task in /proc/"$1"/task/*; do
		awk '{ printf "%d ", ($14 + $15) * 10 }' "$task/stat"
	done 2>/dev/null
}

# traced NAME COMMAND...: runs COMMAND, with bench_strace set under
# strace -f -c, its summary in /tmp/strace-NAME.
traced() {
	name=$1
	shift
	[ -n "${bench_strace:-}" ] &&
		exec strace -f -c -S calls -o "/tmp/strace-$name" "$@"
	exec "$@"
}

# stop_server PID: SIGTERM, to the server or, when it runs under strace,
# to strace's child (strace then writes its summary as it exits).
stop_server() {
	for stat in /proc/[0-9]*/stat; do
		awk -v parent="$1" '$4 == parent { print $1 }' "$stat"
	done 2> /dev/null | xargs -r kill -TERM 2> /dev/null
	wait_for 5 exited "$1" || kill -TERM "$1" 2> /dev/null
	wait_exit "$1" 20 > /dev/null
}

# batch_ticks DOMAIN SIDE: the guest's ticks per read of each batch of
# side a (mmiod, or a second floor) or b (the floor), in order.
batch_ticks() {
	guest_lines "$1" | sed -n "s/^bench: $2 \([0-9]*\) ticks per read$/\1/p"
}

# run_floor NAME BASE DOMAIN LOG [OPTION]: a floor (traced as NAME)
# serving the page at BASE until it has answered $bench_reads requests.
# Sets started_pid; true once it serves.
run_floor() {
	traced "$1" floor $5 "$(xl domid "$3")" 1 "$2" 0x1000 $bench_reads \
		> "$4" 2>&1 &
	started_pid=$!
	wait_for 20 grep -qs '^floor: ready' "$4"
}

# start_side_a MODE DOMAIN LOG: what serves the page at 0xfe000000 in
# MODE: mmiod with DOMAIN.cfg (timing: event mode; timingpollN: poll_us
# = N; timing-noseccomp: timing.cfg without the seccomp filter, to time
# what the filter costs) or a second floor: in mode floor the same as
# side b's (the two sides' difference is then the method's own), in
# mode floor-X with option -X (a step of mmiod's added to the bare
# protocol). Sets side_a_pid; true once it serves.
start_side_a() {
	case $1 in
	floor*)
		run_floor floor-a 0xfe000000 "$2" "$3" "${1#floor}"
		;;
	*)
		no_seccomp=
		[ "$1" = timing-noseccomp ] && no_seccomp=--no-seccomp
		traced mmiod mmiod $no_seccomp "$2" 2> "$3" &
		started_pid=$!
		wait_for 20 grep -qs 'serving domain' "$3"
		;;
	esac
	status=$?
	side_a_pid=$started_pid
	return $status
}

# start_floor DOMAIN LOG: side b, the floor at $bench_floor_base. Sets
# floor_pid; true once it serves.
start_floor() {
	run_floor floor $bench_floor_base "$1" "$2"
	status=$?
	floor_pid=$started_pid
	return $status
}

# served_in LOG: how many requests the floor that wrote LOG answered.
served_in() {
	sed -n 's/^floor: served \([0-9]*\) .*/\1/p' "$1"
}

# bench_round MODE ROUND: one guest of the timing job, side a served as
# start_side_a says, side b by the floor. Prints "A B RATIO": each
# side's median batch (TSC ticks per read) and the median of the pairs'
# a/b ratios; nothing when the guest did not finish or a server did not
# answer all its reads itself (Xen then answered the rest: far cheaper,
# and not what is measured).
bench_round() {
	domain=$1
	case $1 in floor* | timing-*) domain=timing ;; esac
	alog=/var/log/mmiod/bench-$1.log
	flog=/var/log/mmiod/bench-$1-floor.log
	if ! xl create -p "/etc/xen/xl/$domain.xl" > /dev/null 2>&1; then
		echo "  bench: $1: xl create failed" >&2
		return
	fi
	# A background job's redirection truncates its file only once the
	# child runs: until then the grep below would find the last round's
	# "floor: ready" and start the guest before the floor claimed a
	# thing (its reads then got Xen's own answer).
	rm -f "$alog" "$flog"
	# Xen looks for a request's server newest first, so the server
	# created second is found a little sooner: side b's is created
	# first in odd rounds, side a's in even ones.
	if [ $(($2 % 2)) = 1 ]; then
		echo "  bench: $1: b's server made first" >&2
		start_floor "$domain" "$flog" &&
			start_side_a "$1" "$domain" "$alog"
	else
		echo "  bench: $1: a's server made first" >&2
		start_side_a "$1" "$domain" "$alog" &&
			start_floor "$domain" "$flog"
	fi || echo "  bench: $1: a server did not start" >&2
	xl unpause "$domain"
	finished=false
	# The guest's last batch is the floor's, which exits after its last
	# answer: watched with kill -0, a shell builtin, not with xl, whose
	# start costs dom0 what the servers need.
	if wait_interval=1 wait_for 300 exited "$floor_pid" &&
		wait_for 20 guest_printed "$domain" '^bench: done'; then
		finished=true
		case $1 in floor*) ;; *)
			busy=$(cpu_ms "$side_a_pid")
			echo "  bench: $1: mmiod used $busy ms of dom0 CPU" \
				"(per thread: $(thread_cpu_ms "$side_a_pid"))" >&2
			# The guest idles now: a spin must not go on without
			# requests.
			sleep $bench_idle_seconds
			echo "  bench: $1: mmiod idle: $(($(cpu_ms "$side_a_pid") - busy))" \
				"ms of CPU in $bench_idle_seconds s" >&2
			stats=$(mmiod --stats "$domain" 2>&1 | grep '^requests')
			echo "  bench: $1: mmiod $stats" >&2
			a_served=$(echo "$stats" | sed -n 's/^requests \([0-9]*\) .*/\1/p')
		esac
		batch_ticks "$domain" a > /tmp/bench-a
		batch_ticks "$domain" b > /tmp/bench-b
	else
		echo "  bench: $1: the guest did not finish" >&2
		show_log "$alog" >&2
	fi
	timeout 60 xl destroy "$domain"
	stop_server "$side_a_pid"
	stop_server "$floor_pid"
	case $1 in floor*)
		a_served=$(served_in "$alog")
		sed -n 's/^floor: served/  bench: side a floor: served/p' "$alog" >&2
	esac
	sed -n 's/^floor: served/  bench: floor: served/p' "$flog" >&2
	floor_served=$(served_in "$flog")
	$finished || return
	if [ "${a_served:-0}" -lt $bench_reads ] ||
		[ "${floor_served:-0}" -lt $bench_reads ]; then
		echo "  bench: $1: side a answered ${a_served:-none} and the" \
			"floor ${floor_served:-none} of the guest's $bench_reads" \
			"reads each: not counted" >&2
		return
	fi
	[ "$(wc -l < /tmp/bench-a)" = $bench_pairs ] &&
		[ "$(wc -l < /tmp/bench-b)" = $bench_pairs ] || return
	echo "$(median %.0f < /tmp/bench-a) $(median %.0f < /tmp/bench-b)" \
		"$(paste -d' ' /tmp/bench-a /tmp/bench-b |
			awk '{ print $1 / $2 }' | median %.3f)"
}

# min_median FORMAT: the min and median of the numbers on stdin (of an
# even count, the mean of the middle two).
min_median() {
	awk -v f="$1" '{ v[NR] = $1 + 0 }
	END {
		for (i = 2; i <= NR; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		m = (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2
		printf "min " f " median " f, v[1], m
	}'
}
median() {
	min_median "$1" | awk '{ print $4 }'
}

scenario_bench() {
	# make bench-xen BENCH_ROUNDS=N BENCH_MODES="...", passed on by
	# tests/xen/run.
	[ -s /usr/share/mmiod-test/bench ] && . /usr/share/mmiod-test/bench
	rounds=${bench_rounds:-6}
	bench_modes=${bench_modes:-$bench_default_modes}
	echo "  bench: TSC ticks per read, median batch of 50 (each guest: $bench_pairs pairs of" \
		"batches, side a: mmiod or a floor-X, side b: the floor); ratio: median of the pairs' a/b"
	for mode in $bench_modes; do
		: > "/tmp/bench-$mode"
	done
	round=1
	while [ $round -le $rounds ]; do
		for mode in $bench_modes; do
			result=$(bench_round $mode $round)
			echo "  bench: round $round $mode: a floor a/floor: ${result:--}"
			if [ -n "$result" ]; then
				echo "$result" >> "/tmp/bench-$mode"
				pass "bench: round $round $mode: both servers answered every read"
			else
				fail "bench: round $round $mode: a server did not serve the guest"
			fi
		done
		round=$((round + 1))
	done
	for mode in $bench_modes; do
		[ -s "/tmp/bench-$mode" ] || continue
		echo "  bench: $mode: a $(cut -d' ' -f1 "/tmp/bench-$mode" | min_median %.0f)," \
			"floor $(cut -d' ' -f2 "/tmp/bench-$mode" | min_median %.0f) ticks;" \
			"a/floor $(cut -d' ' -f3 "/tmp/bench-$mode" | min_median %.3f)"
	done
	bench_syscalls
}

# bench_syscalls: one more guest with both servers under strace -f -c:
# each one's system calls per read it served (its start and stop
# included), and its most frequent ones.
bench_syscalls() {
	command -v strace > /dev/null || return
	counted=$(bench_strace=1 bench_round timing 1 2> /dev/null)
	for server in mmiod floor; do
		trace=/tmp/strace-$server
		if [ -z "$counted" ] || [ ! -s "$trace" ]; then
			echo "  bench: $server under strace: the guest was not served"
			continue
		fi
		awk -v server=$server -v reads=$bench_reads '$NF == "total" {
			printf "  bench: %s: %.2f system calls per read (%d in all)\n",
				server, $4 / reads, $4 }' "$trace"
		sed -n '3,8p' "$trace" | awk '{ print "  bench:   " $NF " " $4 }'
	done
}

# supervise GUEST LOG: mmiod@.service's restart loop (the rig has no
# systemd): mmiod --wait GUEST, started again 1 s after every exit
# (Restart=always, RestartSec=1) but a config error (2) or a stop (the
# file /run/GUEST.stopped). Each run's pid goes to /run/GUEST.pid.
supervise() {
	while [ ! -e "/run/$1.stopped" ]; do
		mmiod --wait "$1" 2>> "$2" &
		echo $! > "/run/$1.pid"
		wait $!
		status=$?
		echo "supervisor: mmiod exited $status" >> "$2"
		[ "$status" -eq 2 ] && break
		[ -e "/run/$1.stopped" ] || sleep 1
	done
}
# reboot_lines: every "reboot:" line of every domain, as "DOMID TEXT".
reboot_lines() {
	xl dmesg | sed -n 's/^(d\([0-9]*\)) reboot: /\1 /p'
}
second_boot_served() {
	reboot_lines | grep -q 'boot 2 served'
}
# While the rebooted guest writes to its pty uart: xenstore names the
# console link for xl console, the link names a pty, and xl console -t
# serial attaches and shows the guest's lines. (Only output: xenconsole
# reads its stdin only when that is a terminal, and the rig has none.)
check_serial_console() {
	domid=$(xl domid reboot)
	tty=$(xsread "/local/domain/$domid/serial/0/tty" 2>&1)
	if [ "$tty" = /run/mmiod/reboot.uart0 ] && [ -c "$(readlink "$tty")" ]; then
		pass "reboot: xenstore's serial/0/tty names reboot.uart0, a link to $(readlink "$tty")"
	else
		fail "reboot: serial/0/tty of domain $domid is '$tty' ($(ls -l /run/mmiod 2>&1))"
	fi
	mkdir -p /var/lock # xenconsole's lock file goes there
	timeout 3 xl console -t serial reboot < /dev/null > /tmp/xl-console.out 2>&1
	if grep -q 'hello from serial 0' /tmp/xl-console.out; then
		pass "reboot: xl console -t serial attaches and shows the guest's uart output"
	else
		fail "reboot: xl console -t serial: $(head -c 300 /tmp/xl-console.out)"
	fi
}
last_line_waits() {
	tail -1 "$1" | grep -q 'waiting for domain reboot'
}
powered_off() {
	reboot_lines | grep -q 'powering off' && ! xl domid reboot > /dev/null 2>&1
}

# The guest reboots itself once; xl (on_reboot = "restart") creates the
# new domain and runs it at once. The supervised mmiod of the first domain
# exits on its death, the restarted one serves the new domid, and after
# the guest's poweroff (xl destroys it) the next one waits for the name.
scenario_reboot() {
	log=/var/log/mmiod/reboot.log
	if ! xl create -p /etc/xen/xl/reboot.xl > /dev/null 2>&1; then
		fail "reboot: xl create"
		return
	fi
	supervise reboot "$log" &
	supervisor=$!
	if wait_for 120 second_boot_served; then
		check_serial_console
	else
		fail "reboot: the rebooted guest was not served within 120 s"
		reboot_lines | sed 's/^/  /'
		tail -5 /var/log/xen/xl-reboot.log 2>&1 | sed 's/^/  xl: /'
	fi
	if ! wait_for 120 powered_off; then
		fail "reboot: the guest did not power off within 120 s of its second boot"
		reboot_lines | sed 's/^/  /'
		show_log "$log"
	fi
	first=$(reboot_lines | sed -n 's/^\([0-9]*\) boot 1 served.*/\1/p')
	second=$(reboot_lines | sed -n 's/^\([0-9]*\) boot 2 served.*/\1/p')
	if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ]; then
		pass "reboot: the rebooted guest (domain $first, then $second) is served again"
		reboot_lines | grep 'unserved' | sed 's/^/  domain /'
	else
		fail "reboot: served boots: '$first' and '$second'"
		reboot_lines | sed 's/^/  /'
		show_log "$log"
	fi
	if grep -q "serving domain reboot ($first)" "$log" &&
		grep -q "serving domain reboot ($second)" "$log" &&
		[ "$(grep -c 'supervisor: mmiod exited 0' "$log")" -ge 2 ]; then
		pass "reboot: each domain's mmiod exits 0 on its death; the restarted one serves the next"
	else
		fail "reboot: the supervised mmiods did not hand over"
		show_log "$log"
	fi
	saved=$(od -An -tu4 -N4 /var/lib/mmiod/reboot-ram.bin | tr -d ' ')
	if [ "$saved" = 2 ]; then
		pass "reboot: the ram file counts both boots"
	else
		fail "reboot: the ram file holds '$saved' boots, not 2"
	fi
	wait_for 20 last_line_waits "$log"
	pid=$(cat /run/reboot.pid)
	if last_line_waits "$log" && ! exited "$pid"; then
		pass "reboot: after the poweroff the restarted mmiod waits for the name"
	else
		fail "reboot: no mmiod waits after the poweroff"
		show_log "$log"
	fi
	if [ ! -e /run/mmiod/reboot.uart0 ]; then
		pass "reboot: the console link went with the mmiod that made it"
	else
		fail "reboot: a waiting mmiod left $(ls -l /run/mmiod/reboot.uart0)"
	fi
	touch /run/reboot.stopped
	if exited "$pid"; then
		fail "reboot: no waiting mmiod to stop"
	elif kill -TERM "$pid" && wait_for 3 exited "$pid"; then
		pass "reboot: SIGTERM stops the waiting mmiod at once"
	else
		fail "reboot: the waiting mmiod ignores SIGTERM"
		kill -KILL "$pid"
	fi
	wait_exit "$supervisor" 10 > /dev/null
}

echo "dom0 up, $(xl info | grep -E '^virt_caps' | tr -s ' ')"
if [ -e /usr/share/mmiod-test/bench ]; then
	scenario_bench
elif [ -e /usr/share/mmiod-test/only ]; then
	for name in $(cat /usr/share/mmiod-test/only); do
		"scenario_$name"
	done
else
	# The reboot scenario first: a stall of the battery's SMP part must
	# not hide it.
	scenario_reboot
	scenario_battery
	scenario_battery_poll
	scenario_restart_and_teardown
	scenario_copy
	scenario_linux
	scenario_linux_pci
fi
finish
