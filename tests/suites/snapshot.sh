#!/usr/bin/env bash
# needs: /dev/kvm
# Pause, snapshot and restore (kvm/snapshot.c, kvm/snapcmd.c, the x86
# owners): the count guest (2 vCPUs, LAPIC timer) stops counting while
# paused and goes on after resume; `snapshot --stop` ends the VM with 0
# and two restores from the same directory both go on from the saved
# count, with time and the AP's work continuing; a snapshot of a running VM
# lets it run on. With the test VMM's simulated nvme assigned, its MSI-X
# vector interrupts the restored guest, and without VFIO migration the
# snapshot is refused by name while the VM runs on; one added at run time
# (lkvm vfio add) is restored behind its port, one removed is not. Bad input: an existing or uncreatable directory, a full
# disk, a truncated, corrupt, other-arch or other-format snapshot, options
# that cannot change: the documented status, the VM untouched, nothing left.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
G=tests/guests/build
T=$(mktemp -d)
export XDG_RUNTIME_DIR=$T/run
cleanup() {
	local p
	for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
	mountpoint -q "$T/full" 2>/dev/null && umount "$T/full"
	rm -rf "$T"
}
trap cleanup EXIT

# start NAME ARGS...: lkvm run ARGS in the background as VM NAME ($pid),
# output in $T/NAME.out.
start() {
	local name=$1
	shift
	$LKVM run "$@" --name "$name" </dev/null >"$T/$name.out" \
		2>"$T/$name.err" &
	pid=$!
}

# counts NAME: the numbers of the complete count lines so far.
counts() {
	sed -n 's/^GUEST count \([0-9]*\) t=.*ap=[0-9]*$/\1/p' "$T/$1.out"
}
last_count() { counts "$1" | tail -1; }
first_count() { counts "$1" | head -1; }
# field NAME N KEY: KEY's value (t or ap) on count line N.
field() {
	awk -v n="$2" -v k="$3=" '$1 == "GUEST" && $2 == "count" && $3 == n {
		for (i = 4; i <= NF; i++) if (index($i, k) == 1) {
			print substr($i, length(k) + 1); exit } }' "$T/$1.out"
}

# wait_count NAME N [SECS]: until count line N is there (0), or 1.
wait_count() {
	local i
	for i in $(seq $((${3:-30} * 10))); do
		[ "$(last_count "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start A --raw -k $G/count.bin -m 64 -c 2
if ! wait_count A 3; then
	fail snap-boot "the count guest did not count: $(cat $T/A.out $T/A.err)"
	summary snapshot
	exit 1
fi
grep -q "GUEST count start cpus=2 up=2 rtc=[0-5]\?[0-9]\$" $T/A.out
check snap-boot $? "the AP did not start or the RTC is off: $(head -1 $T/A.out)"
# Every fd of a running VM beyond 0-2 is close-on-exec (issue 19's audit).
no_cloexec() {
	local n
	# one awk for every fd (a fork per fd is slow in the 1-vCPU L1); fds
	# lkvm inherited from this shell (${inherited}) are not its own
	for n in $(awk -v skip=" ${inherited-} " 'FNR == 1 { f = FILENAME; sub(".*/", "", f) }
		/^flags:/ && f + 0 >= 3 && !index(skip, " " f " ") {
			d = length($2) >= 7 ? substr($2, length($2) - 6, 1) : 0
			if (int(d) % 4 < 2) print f }' /proc/$1/fdinfo/* 2>/dev/null); do
		echo "$n->$(readlink /proc/$1/fd/$n)"
	done
}
# the shell's own fds without close-on-exec (a CI runner's, say): lkvm inherits them
inherited=$(no_cloexec $$ | sed 's/->.*//' | tr '\n' ' ')
bad=$(no_cloexec $pid)
[ -d /proc/$pid/fdinfo ] && [ -z "$bad" ] && [ "$(ls /proc/$pid/fd | wc -l)" -gt 5 ]
check fds-cloexec $? "fds without O_CLOEXEC: $bad"

# ---- pause and resume ----
$LKVM pause --name A >$T/p.out 2>&1
st=$?
c1=$(last_count A)
sleep 1.5
c2=$(last_count A)
[ $st = 0 ] && [ "$c1" = "$c2" ]
check snap-pause $? "status $st, count $c1 -> $c2 while paused: $(cat $T/p.out)"
$LKVM pause --name A >$T/p.out 2>&1
check snap-pause-twice $? "second pause: $(cat $T/p.out)"
# `lkvm list` shows the state, in a table and as JSON
$LKVM list >$T/l.out 2>&1
awk '$1 == "A" && $3 == "paused" && $4 == 2 && $5 == 64 { f = 1 } END { exit !f }' $T/l.out
check list-paused $? "$(cat $T/l.out)"
$LKVM list --json >$T/l.json 2>&1
python3 -c '
import json, sys
vms = {v["name"]: v for v in json.load(open(sys.argv[1]))}
a = vms["A"]
assert a["state"] == "paused" and a["cpus"] == 2 and a["ram_mib"] == 64, a
assert isinstance(a["devices"], list) and a["pid"] > 0, a
' $T/l.json
check list-json $? "$(cat $T/l.json)"
$LKVM resume --name A >$T/p.out 2>&1
st=$?
wait_count A $((c2 + 2)) 20
check snap-resume $? "status $st, count stayed at $(last_count A) after resume"
$LKVM list >$T/l.out 2>&1
awk '$1 == "A" && $3 == "running" { f = 1 } END { exit !f }' $T/l.out
check list-running $? "$(cat $T/l.out)"

# A stop request always works, even while paused.
start P --raw -k $G/count.bin -m 64
wait_count P 1 && $LKVM pause --name P >/dev/null 2>&1
kill -TERM $pid
wait_gone $pid 10
check snap-stop-while-paused "$([ "$st" = 143 ] && echo 0 || echo 1)" \
	"SIGTERM to a paused VM: status $st"

# ---- snapshot --stop, then two restores ----
start A2 --raw -k $G/count.bin -m 64 -c 2
apid=$pid
wait_count A2 2	# young: KVM takes a TSC within 1 s of its own for a sync
$LKVM snapshot --stop --name A2 $T/s1 >$T/s.out 2>&1
sst=$?
wait_gone $apid 10
C=$(last_count A2)
[ $sst = 0 ] && [ "$st" = 0 ] && [ -f $T/s1/state ] && [ -f $T/s1/ram ]
check snap-stop $? "snapshot status $sst, VM status $st: $(cat $T/s.out $T/A2.err)"
ram_alloc=$(du -k $T/s1/ram | cut -f1)
[ "$ram_alloc" -lt 4096 ] && [ "$(stat -c %s $T/s1/ram)" = $((64 << 20)) ]
check snap-ram-sparse $? "RAM file: ${ram_alloc} KiB allocated of $(stat -c %s $T/s1/ram)"

# restored NAME: the restored count goes on from C (the saved line may have
# been cut short: its rest comes first), no second start, time and the AP
# continue.
restored() {
	local name=$1 f t0 t1 a0 a1
	if ! wait_count "$name" $((C + 3)) 30; then
		fail "$name" "no count after restore: $(tail -3 $T/$name.out) $(cat $T/$name.err)"
		return 1
	fi
	f=$(first_count "$name")
	t0=$(field A2 "$C" t)
	t1=$(field "$name" $((C + 2)) t)
	a0=$(field A2 "$C" ap)
	a1=$(field "$name" $((C + 3)) ap)
	if grep -q "count start" $T/$name.out || [ "$f" -gt $((C + 2)) ] ||
	   [ "$f" -le $((C - 1)) ]; then
		fail "$name" "restarted or skipped: saved at $C, first $f"
		return 1
	fi
	[ "$t1" -ge "$t0" ] && [ "$a1" -gt "$a0" ]
	check "$name" $? "time $t0 -> $t1 ms, AP work $a0 -> $a1"
}

start R1 --restore $T/s1
restored R1
r1_first=$(first_count R1)
stop_pid=$pid
kill -TERM $stop_pid; wait_gone $stop_pid 10
start R2 --restore=$T/s1
restored R2
[ "$(first_count R2)" = "$r1_first" ]
check snap-restore-same "$?" "first counts $r1_first and $(first_count R2)"

# ---- a snapshot of a running VM: it runs on ----
$LKVM snapshot --name R2 $T/s2 >$T/s.out 2>&1
st=$?
c=$(last_count R2)
wait_count R2 $((c + 2)) 20 && [ $st = 0 ] && [ -f $T/s2/state ]
check snap-runs-on $? "status $st: $(cat $T/s.out); count $(last_count R2)"

# ---- an assigned device (the test VMM's simulated nvme, migratable):
# its MSI-X vector still interrupts the restored guest ----
TVMM=${TVMM:-${B:-build/x86_64}/lkvm-vfio-test}
SIM=(--sim nvme:0000:01:00.0 --sim-doorbell 0000:01:00.0:0:1000
     --sim-migratable 0000:01:00.0)
# vcounts NAME: "count irqs" of each whole line of the guest's output
vcounts() {
	whole_lines "$T/$1.out" |
		sed -n 's/^GUEST vfio_count \([0-9]*\) irqs=\([0-9]*\)$/\1 \2/p'
}
$TVMM "${SIM[@]}" run --raw -k $G/vfio_count.bin -m 64 --vfio 01:00.0 \
	--name V </dev/null >$T/V.out 2>$T/V.err &
vpid=$!
for _ in $(seq 200); do [ "$(vcounts V | wc -l)" -ge 3 ] && break; sleep 0.1; done
$LKVM snapshot --stop --name V $T/sv >$T/s.out 2>&1
sst=$?
wait_gone $vpid 10
vlast=$(vcounts V | tail -1)
$TVMM "${SIM[@]}" run --restore $T/sv --name V2 </dev/null >$T/V2.out 2>$T/V2.err &
vpid=$!
for _ in $(seq 200); do [ "$(vcounts V2 | wc -l)" -ge 3 ] && break; sleep 0.1; done
kill -TERM $vpid; wait_gone $vpid 10
# every line after the restore got its interrupt: irqs == count, going on
# from the saved count
vfirst=$(vcounts V2 | head -1)
[ $sst = 0 ] && [ -n "$vlast" ] && [ "$(vcounts V2 | wc -l)" -ge 3 ] &&
	# the next line, or the one after when the snapshot cut a line short
	# (its tail is printed by the restored VM, not a whole line)
	[ "${vfirst%% *}" -ge $(( ${vlast%% *} + 1 )) ] &&
	[ "${vfirst%% *}" -le $(( ${vlast%% *} + 2 )) ] &&
	vcounts V2 | awk '$1 != $2 { bad = 1 } END { exit bad }'
check snap-vfio-msix $? "snapshot $sst, saved at '$vlast', restored: $(vcounts V2 | head -3 | tr '\n' ' '); counts without their irqs: $(vcounts V2 | awk '$1 != $2' | head -3 | tr '\n' ' ') $(tail -3 $T/V2.err)"
$TVMM --sim nvme:0000:01:00.0 --sim-doorbell 0000:01:00.0:0:1000 run --raw \
	-k $G/vfio_count.bin -m 64 --vfio 01:00.0 --name V3 </dev/null \
	>$T/V3.out 2>$T/V3.err &
vpid=$!
for _ in $(seq 200); do [ "$(vcounts V3 | wc -l)" -ge 1 ] && break; sleep 0.1; done
bad=$(no_cloexec $vpid)
[ -z "$bad" ] && ls -l /proc/$vpid/fd | grep -q vfio
check fds-cloexec-vfio $? "fds without O_CLOEXEC: $bad; $(ls -l /proc/$vpid/fd | tail -n +2 | awk '{ print $9 $10 $11 }' | tr '\n' ' ')"
# `lkvm stat --vfio` reads the host's counts through the held
# /proc/interrupts fd (pread on the control thread) under the default
# filter: the VM answers and runs on.
$LKVM stat --vfio --name V3 >$T/vs.out 2>&1
vst=$?
sleep 0.5
[ $vst = 0 ] && grep -q "0000:01:00.0" $T/vs.out && kill -0 $vpid 2>/dev/null &&
	! grep -q seccomp $T/V3.err
check stat-vfio-confined $? "stat status $vst: $(head -c 300 $T/vs.out); $(grep seccomp $T/V3.err)"
$LKVM snapshot --name V3 $T/sv3 >$T/s.out 2>&1
sst=$?
c=$(vcounts V3 | tail -1)
for _ in $(seq 100); do [ "$(vcounts V3 | tail -1)" != "$c" ] && break; sleep 0.1; done
[ $sst = 1 ] && grep -q "does not support VFIO migration" $T/s.out &&
	[ ! -e $T/sv3 ] && [ "$(vcounts V3 | tail -1)" != "$c" ]
check snap-vfio-refused $? "status $sst: $(cat $T/s.out); count $c -> $(vcounts V3 | tail -1)"
kill -TERM $vpid; wait_gone $vpid 10

# A pause that times out (a vCPU busy 5 s in a device write, longer than the
# 2 s a vCPU may take to park: the pause is sent as a write begins) is
# withdrawn and the guest goes on: the late vCPU once found the pause gone,
# kept immediate_exit and spun outside the guest for ever.
loops() { sed -n 's/^GUEST cfgloop \([0-9]*\)$/\1/p' "$T/V4.out" | tail -1; }
slow() { grep -c '^sim: a slow write begins$' "$T/V4.err"; }
$TVMM "${SIM[@]}" --sim-slow-write 5000 run --raw -k $G/cfgloop.bin -m 64 \
	--vfio 01:00.0 --name V4 </dev/null >$T/V4.out 2>$T/V4.err &
vpid=$!
for _ in $(seq 300); do [ -n "$(loops)" ] && break; sleep 0.1; done
# the guest's own pace (its line, the loop around) varies under nested TCG:
# pause once the test VMM says the next write began, not after a guess
n=$(slow)
for _ in $(seq 300); do [ "$(slow)" -gt "$n" ] && break; sleep 0.02; done
$LKVM pause --name V4 >$T/p.out 2>&1
pst=$?
c=$(loops)
for _ in $(seq 250); do
	[ "$(loops)" -ge $((c + 2)) ] 2>/dev/null && break
	sleep 0.1
done
[ "$pst" = 1 ] && grep -q "did not stop within" $T/p.out && [ "$(loops)" -ge $((c + 2)) ]
check snap-pause-timeout $? "pause status $pst: $(cat $T/p.out); loop $c -> $(loops)"
kill -TERM $vpid; wait_gone $vpid 10

# ---- devices added and removed at run time (issue 15): a snapshot
# records them as the command line would (an added one behind its port,
# a removed one gone); the restored VM has the device behind its port (the
# guest takes the removal), or not (adding it again works, the guest sees
# it and powers off after its second removal) ----
HSIM=(--sim nvme:0000:01:00.0 --sim-migratable 0000:01:00.0)
# hwait NAME REGEX [N]: until $T/NAME.out has N (1) lines matching (20 s)
hwait() {
	local i
	for i in $(seq 200); do
		[ "$(grep -Ec -- "$2" "$T/$1.out")" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
$TVMM "${HSIM[@]}" run --raw -k $G/hotplug.bin -m 64 --hotplug-slots 1 \
	--seccomp=off --name H </dev/null >$T/H.out 2>$T/H.err &
vpid=$!
hwait H '^GUEST hotplug ready'
$LKVM vfio add --name H --vm-opens 01:00.0 >$T/h.out 2>&1
ast=$?
hwait H '^GUEST hotplug added '
$LKVM snapshot --stop --name H $T/sh1 >$T/s.out 2>&1
sst=$?
wait_gone $vpid 10
[ $ast = 0 ] && [ $sst = 0 ] && grep -aq '^arg=01:00.0,port=0$' $T/sh1/state
check snap-hotplug-added-recorded $? "add $ast: $(cat $T/h.out); snapshot $sst: $(cat $T/s.out); $(grep -a '^arg=' $T/sh1/state 2>/dev/null | tr '\n' ' ')"
$TVMM "${HSIM[@]}" run --restore $T/sh1 --name H2 </dev/null >$T/H2.out \
	2>$T/H2.err &
vpid=$!
for _ in $(seq 100); do [ -S $T/run/lkvm/H2.sock ] && break; sleep 0.1; done
$LKVM vfio remove --name H2 --timeout 10 01:00.0 >$T/h.out 2>&1
rst=$?
hwait H2 '^GUEST hotplug gone \(slot was off\)$'
gst=$?
[ $rst = 0 ] && grep -q 'removed (the guest powered its slot off)' $T/h.out &&
	[ $gst = 0 ]
check snap-hotplug-restored-present $? "remove $rst: $(cat $T/h.out); guest: $(tail -2 $T/H2.out | tr '\n' ' '); $(tail -2 $T/H2.err)"
$LKVM snapshot --stop --name H2 $T/sh2 >$T/s.out 2>&1
sst=$?
wait_gone $vpid 10
[ $sst = 0 ] && ! grep -aq -e '^arg=--vfio' -e 'port=0$' $T/sh2/state
check snap-hotplug-removed-recorded $? "snapshot $sst: $(cat $T/s.out); $(grep -a '^arg=' $T/sh2/state 2>/dev/null | tr '\n' ' ')"
$TVMM "${HSIM[@]}" run --restore $T/sh2 --name H3 </dev/null >$T/H3.out \
	2>$T/H3.err &
vpid=$!
for _ in $(seq 100); do [ -S $T/run/lkvm/H3.sock ] && break; sleep 0.1; done
$LKVM vfio remove --name H3 01:00.0 >$T/h.out 2>&1
rst=$?
grep -q 'is not assigned to this VM' $T/h.out
nst=$?
$LKVM vfio add --name H3 --vm-opens 01:00.0 >$T/h2.out 2>&1
ast=$?
hwait H3 '^GUEST hotplug added '
$LKVM vfio remove --name H3 --timeout 10 01:00.0 >>$T/h2.out 2>&1
wait_gone $vpid 10
vst=$st
[ $rst = 1 ] && [ $nst = 0 ] && [ $ast = 0 ] && [ $vst = 0 ] &&
	grep -q 'added behind root port 0' $T/h2.out &&
	grep -q '^GUEST hotplug OK$' $T/H3.out
check snap-hotplug-restored-absent $? "remove $rst: $(cat $T/h.out); add $ast: $(cat $T/h2.out); exit $vst; guest: $(tail -3 $T/H3.out | tr '\n' ' '); $(tail -2 $T/H3.err)"
# A disk added at run time likewise: recorded as --disk IMAGE,port=0, the
# restored VM has it behind port 0 (its removal by port is the guest's)
# and a snapshot after that removal no longer names it.
truncate -s 1M $T/hd.img
$LKVM run --raw -k $G/hotplug.bin -m 64 --hotplug-slots 1 --name HD \
	</dev/null >$T/HD.out 2>$T/HD.err &
vpid=$!
hwait HD '^GUEST hotplug ready'
$LKVM disk add --name HD $T/hd.img >$T/h.out 2>&1
ast=$?
hwait HD '^GUEST hotplug added 1af4:1042'
$LKVM snapshot --stop --name HD $T/shd >$T/s.out 2>&1
sst=$?
wait_gone $vpid 10
[ $ast = 0 ] && [ $sst = 0 ] && grep -aq "^arg=$T/hd.img,port=0\$" $T/shd/state
check snap-hotplug-disk-recorded $? "add $ast: $(cat $T/h.out); snapshot $sst: $(cat $T/s.out); $(grep -a '^arg=' $T/shd/state 2>/dev/null | tr '\n' ' ')"
$LKVM run --restore $T/shd --name HD2 </dev/null >$T/HD2.out 2>$T/HD2.err &
vpid=$!
for _ in $(seq 100); do [ -S $T/run/lkvm/HD2.sock ] && break; sleep 0.1; done
$LKVM disk remove --name HD2 --timeout 10 port0 >$T/h.out 2>&1
rst=$?
hwait HD2 '^GUEST hotplug gone'
gst=$?
$LKVM snapshot --stop --name HD2 $T/shd2 >$T/s.out 2>&1
sst=$?
wait_gone $vpid 10
[ $rst = 0 ] && [ $gst = 0 ] && [ $sst = 0 ] && ! grep -aq "hd.img" $T/shd2/state
check snap-hotplug-disk-restored $? "remove $rst: $(cat $T/h.out); guest $gst: $(tail -2 $T/HD2.out | tr '\n' ' '); snapshot $sst: $(cat $T/s.out); $(grep -a '^arg=' $T/shd2/state 2>/dev/null | tr '\n' ' '); $(tail -2 $T/HD2.err)"

# ---- bad input: the VM keeps running, nothing is left behind ----
mkdir $T/exists
$LKVM snapshot --name R2 $T/exists >$T/e.out 2>&1
st=$?
[ $st = 1 ] && grep -q "exists" $T/e.out && [ -z "$(ls -A $T/exists)" ]
check snap-dir-exists $? "status $st: $(cat $T/e.out)"
$LKVM snapshot --name R2 $T/nodir/sub >$T/e.out 2>&1
st=$?
[ $st = 1 ] && grep -q "cannot create" $T/e.out && [ ! -e $T/nodir ]
check snap-dir-uncreatable $? "status $st: $(cat $T/e.out)"
mkdir $T/full
if mount -t tmpfs -o size=64k tmpfs $T/full 2>/dev/null; then
	$LKVM snapshot --name R2 $T/full/s >$T/e.out 2>&1
	st=$?
	c=$(last_count R2)
	[ $st = 1 ] && grep -q "No space left" $T/e.out &&
		[ -z "$(ls -A $T/full)" ] && wait_count R2 $((c + 2)) 20
	check snap-disk-full $? "status $st: $(cat $T/e.out); left: $(ls -A $T/full)"
	umount $T/full
else
	echo "skip snap-disk-full: cannot mount a tmpfs"
fi
$LKVM snapshot --name nosuch $T/s3 >$T/e.out 2>&1
st=$?
[ $st = 1 ] && [ ! -e $T/s3 ]
check snap-no-vm $? "status $st: $(cat $T/e.out)"
$LKVM snapshot --name R2 >$T/e.out 2>&1
check snap-usage "$([ $? = 2 ] && echo 0 || echo 1)" "$(cat $T/e.out)"
kill -TERM $pid; wait_gone $pid 10

# bad_restore NAME STATUS MESSAGE ARGS...: refused with STATUS and MESSAGE,
# nothing started (no count, no control socket left).
bad_restore() {
	local name=$1 want=$2 msg=$3
	shift 3
	timeout 20 $LKVM run "$@" --name "$name" </dev/null >$T/$name.out 2>$T/$name.err
	st=$?
	[ $st = "$want" ] && grep -q -- "$msg" $T/$name.err &&
		! grep -q "GUEST" $T/$name.out && [ ! -e $XDG_RUNTIME_DIR/lkvm/$name.sock ]
	check "$name" $? "status $st (want $want): $(cat $T/$name.err)"
}

# patch DIR KEY VALUE: rewrites a manifest entry (and the section's CRC).
patch() {
	python3 - "$1/state" "$2" "$3" <<'PY'
import struct, sys, zlib
path, key, val = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
b = bytearray(open(path, "rb").read())
off = 16
ln = struct.unpack_from("<Q", b, off + 32)[0]
text = bytes(b[off + 48:off + 48 + ln])
lines = [k + b"=" + val if k == key else k + b"=" + v
         for k, v in (l.split(b"=", 1) for l in text.splitlines())]
new = b"\n".join(lines) + b"\n"
struct.pack_into("<QI", b, off + 32, len(new), zlib.crc32(new))
b[off + 48:off + 48 + ln] = new
open(path, "wb").write(b)
PY
}
cp -r $T/s1 $T/trunc
truncate -s $(( $(stat -c %s $T/s1/state) - 7 )) $T/trunc/state
bad_restore snap-bad-truncated 1 "truncated" --restore $T/trunc
cp -r $T/s1 $T/corrupt
printf 'X' | dd of=$T/corrupt/state bs=1 seek=$(( $(stat -c %s $T/s1/state) / 2 )) conv=notrunc 2>/dev/null
bad_restore snap-bad-corrupt 1 "fails its CRC" --restore $T/corrupt
cp -r $T/s1 $T/arch
patch $T/arch arch arm64
bad_restore snap-bad-arch 1 "architecture: snapshot arm64, this host x86_64" --restore $T/arch
cp -r $T/s1 $T/fmt
patch $T/fmt format 2
bad_restore snap-bad-format 1 "format: snapshot 2, this lkvm 1" --restore $T/fmt
cp -r $T/s1 $T/noram
rm $T/noram/ram
bad_restore snap-bad-no-ram 1 "noram/ram" --restore $T/noram
bad_restore snap-bad-option 2 "'-m' cannot be given with --restore" --restore $T/s1 -m 128
bad_restore snap-bad-more-devices 2 "the snapshot has 0 devices" --restore $T/s1 --disk /dev/null
bad_restore snap-bad-nodir 1 "nosuch/state" --restore $T/nosuch
summary snapshot
