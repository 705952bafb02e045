#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# systemd-boot.sh - the installed mmiod@.service under a real systemd:
# boots systemd 252 as PID 1 of a PID + mount namespace chrooted into a
# Debian 12 root, where tests/systemd-boot/inside.sh starts mmiod@vm1
# against a simulated domain with every sandboxing line of the shipped
# unit, checks it serves as user mmiod and stops it without losing data.
# The root (mmdebstrap, ~25 s) is cached in BUILDDIR/systemd-root; each
# run gets a fresh overlay on it. Exit 77 where the machine can't do it.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
. "$srcdir/tests/lib.sh"
here=$srcdir/tests/systemd-boot

skip() {
	echo "SKIP: $1"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, chroot, mounts)"
for tool in unshare mmdebstrap chroot timeout; do
	command -v $tool >/dev/null ||
		skip "$tool is missing (scripts/setup-deps installs it)"
done

# Everything mmiod links against, plus systemd itself.
cache=$builddir/systemd-root
if [ ! -x "$cache/lib/systemd/systemd" ]; then
	rm -rf "$cache.tmp"
	timeout 600 mmdebstrap --quiet --variant=minbase \
		--include=systemd,systemd-sysv,dbus,libxenmisc4.17,libxenstore4,libxendevicemodel1,libxenevtchn1,libxenforeignmemory1,libxencall1,libxentoolcore1,libxengnttab1,libcapstone4,libseccomp2 \
		bookworm "$cache.tmp" >"$builddir/systemd-root.log" 2>&1 ||
		skip "mmdebstrap failed (no Debian mirror?): $(tail -3 "$builddir/systemd-root.log")"
	mv "$cache.tmp" "$cache"
fi

run=$builddir/systemd-run
rm -rf "$run"
mkdir -p "$run/upper" "$run/work" "$run/root"
up=$run/upper
trap 'rm -rf "$run"' EXIT
if make -C "$builddir" install DESTDIR="$up" >"$run/install.log" 2>&1; then
	pass "make install DESTDIR=ROOT"
else
	fail "make install: $(tail -5 "$run/install.log")"
	finish
	exit
fi
bin=$(find "$up" -type f -name mmiod -perm -u+x | head -1)
bin=${bin#"$up"}

# The test: a oneshot unit run once the system is up, the config, and a
# drop-in that swaps Xen for the simulator and shortens the watchdog so
# that a missed ping shows within the test (every other line of the
# unit, sandboxing included, stays as shipped).
mkdir -p "$up/mmiod-test" "$up/etc/xen/mmiod" \
	"$up/etc/systemd/system/multi-user.target.wants" \
	"$up/etc/systemd/system/mmiod@.service.d"
cp "$here/inside.sh" "$here/guest.sim" "$up/mmiod-test/"
cp "$here/vm1.cfg" "$up/etc/xen/mmiod/vm1.cfg"
# An instance whose domain never appears: its error goes to the journal.
sed 's/vm1/nodomain/g' "$here/vm1.cfg" >"$up/etc/xen/mmiod/nodomain.cfg"
cat >"$up/etc/systemd/system/mmiod@.service.d/sim.conf" <<UNIT
[Service]
ExecStart=
ExecStart=$bin --sim-attach /run/mmiod/%i.sim /etc/xen/mmiod/%i.cfg
WatchdogSec=2s
UNIT
cat >"$up/etc/systemd/system/mmiod-test.service" <<UNIT
[Unit]
Description=mmiod test driver
After=systemd-sysusers.service systemd-tmpfiles-setup.service
[Service]
Type=oneshot
ExecStart=/bin/sh /mmiod-test/inside.sh $bin
UNIT
ln -sf ../mmiod-test.service \
	"$up/etc/systemd/system/multi-user.target.wants/mmiod-test.service"

# unshare ignores SIGTERM; SIGKILL it and PID 1 dies with it
# (--kill-child), and the whole namespace with PID 1. The wait is bounded
# by the loop below: 120 s.
root=$run/root
unshare --kill-child=SIGKILL --pid --fork --mount --uts --ipc \
	sh -c "
	mount --make-rprivate /
	mount -t overlay overlay -o lowerdir=$cache,upperdir=$up,workdir=$run/work $root
	mount -t proc proc $root/proc
	mount -t sysfs sysfs $root/sys
	mount -t cgroup2 cgroup2 $root/sys/fs/cgroup
	mount -t tmpfs tmpfs $root/run
	mount -t tmpfs tmpfs $root/tmp
	mount --rbind /dev $root/dev
	exec chroot $root /lib/systemd/systemd --system" \
	>"$run/boot.log" 2>&1 &
boot=$!
n=0
while [ ! -f "$up/mmiod-test/results" ] && [ $n -lt 1200 ] &&
	kill -0 $boot 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done
kill -KILL $boot 2>/dev/null
wait $boot 2>/dev/null

if [ ! -f "$up/mmiod-test/results" ]; then
	fail "no results from inside systemd: $(tail -5 "$run/boot.log")"
	cat "$up/mmiod-test/results.tmp" 2>/dev/null
	finish
	exit
fi
while read -r verdict text; do
	case $verdict in
	PASS:) pass "$text" ;;
	FAIL:) fail "$text" ;;
	esac
done <"$up/mmiod-test/results"
grep -q '^done$' "$up/mmiod-test/results" || fail "the inside test stopped early"
finish
