#!/usr/bin/env bash
# needs: /dev/kvm
# Live migration (kvm/migrate.c, kvm/incoming.c, kvm/migcmd.c): the count
# guest moves over a unix socket and goes on counting from where it was,
# its disk's lock handed over (then held by the destination);
# the pattern guest (rewrites 16 MiB without pause) moves over TCP on
# 127.0.0.1 with every page checking, its dirty log re-armed by
# KVM_CLEAR_DIRTY_LOG (Linux 5.6+); a destination killed mid-stream
# leaves the source running and `migrate` failing with the reason; a
# source killed mid-stream leaves the destination exiting 1 with nothing
# started; a destination expecting another RAM size, or with another
# device where the source has its assigned one, refuses at the handshake;
# the test VMM's simulated migratable nvme moves with its MSI-X
# interrupts (its header through PRE_COPY while the VM runs, the rest at
# the stop), then onward from a container that tracks DMA dirty pages
# (VFIO_IOMMU_DIRTY_PAGES: RAM not all resent); a device without VFIO
# migration is refused up front by name; one added at run time (lkvm vfio
# add) moves too, behind its port.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
TVMM=${TVMM:-${B:-build/x86_64}/lkvm-vfio-test}
G=tests/guests/build
T=$(mktemp -d)
export XDG_RUNTIME_DIR=$T/run
cleanup() {
	local p
	for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# start NAME VMM ARGS...: VMM run ARGS in the background as VM NAME
# (pid in $pid), output in $T/NAME.out, .err.
start() {
	local name=$1 vmm=$2
	shift 2
	$vmm run "$@" --name "$name" </dev/null >"$T/$name.out" \
		2>"$T/$name.err" &
	pid=$!
}
counts() { sed -n 's/^GUEST count \([0-9]*\) t=.*ap=[0-9]*$/\1/p' "$T/$1.out"; }
last_count() { counts "$1" | tail -1; }
passes() { sed -n 's/^GUEST pattern pass=\([0-9]*\) bad=0$/\1/p' "$T/$1.out"; }
# wait_for SECS CMD...: until CMD succeeds (0), or 1.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for i in $(seq $n); do "$@" && return 0; sleep 0.1; done
	return 1
}
count_ge() { [ "$(last_count "$1")" -ge "$2" ] 2>/dev/null; }
lines_ge() { [ "$($2 "$1" | wc -l)" -ge "$3" ]; }
waiting() { grep -q "waiting for an incoming VM" "$T/$1.err"; }
alive() { kill -0 "$1" 2>/dev/null; }
# note: the time so far and what migrate printed last (its summary).
note() { echo "     t=${SECONDS}s: $(tail -1 $T/m.out)"; }

# ---- the count guest over a unix socket ----
# with a disk: the destination opens the image the source holds locked and
# takes the lock when the source lets go
dd if=/dev/zero of=$T/disk.img bs=1M count=1 2>/dev/null
start A "$LKVM" --raw -k $G/count.bin -m 64 -c 2 -d $T/disk.img
apid=$pid
if ! wait_for 30 count_ge A 3; then
	fail mig-boot "the count guest did not count: $(cat $T/A.out $T/A.err)"
	summary migrate
	exit 1
fi
start B "$LKVM" --incoming unix:$T/m.sock
bpid=$pid
wait_for 10 waiting B
$LKVM migrate --name A unix:$T/m.sock >$T/m.out 2>&1
mst=$?
wait_gone $apid 10
ast=$st
c=$(last_count A)
wait_for 20 count_ge B $((c + 3))
bst=$?
first=$(counts B | head -1)
[ $mst = 0 ] && [ "$ast" = 0 ] && [ $bst = 0 ] && [ -n "$first" ] &&
	[ "$first" -ge "$c" ] && [ "$first" -le $((c + 2)) ] &&
	grep -q "^migrate: pass 1: " $T/m.out &&
	grep -q "^migrate: done in [0-9]* ms, downtime [0-9]* ms" $T/m.out &&
	[ ! -e $T/m.sock ]
check mig-unix-count $? "migrate $mst, source $ast, source at $c, destination from '$first' to $(last_count B): $(cat $T/m.out) $(tail -3 $T/B.err)"
note
# the destination took the image's lock: another VM is refused it
out=$($LKVM run --raw -k $G/hello.bin -m 64 -d $T/disk.img 2>&1 </dev/null)
st=$?
[ $st = 1 ] && grep -q "disk image '$T/disk.img' is in use by another process" <<<"$out"
check mig-disk-lock $? "a third VM on the disk: status $st: $out"
kill -TERM $bpid; wait_gone $bpid 10

# ---- the pattern guest over TCP ----
port=$((20000 + $$ % 20000))
start P "$LKVM" --raw -k $G/pattern.bin -m 64
ppid=$pid
wait_for 30 lines_ge P passes 2
start Q "$LKVM" --incoming tcp:127.0.0.1:$port
qpid=$pid
wait_for 10 waiting Q
$LKVM migrate --name P --max-downtime 100 tcp:127.0.0.1:$port >$T/m.out 2>&1
mst=$?
wait_gone $ppid 10
pst=$st
n=$(passes P | tail -1)
wait_for 20 lines_ge Q passes 2
[ $mst = 0 ] && [ "$pst" = 0 ] && [ "$(passes Q | wc -l)" -ge 2 ] &&
	[ "$(passes Q | head -1)" -gt "${n:-0}" ] &&
	! grep -q "BAD" $T/P.out $T/Q.out &&
	grep -q "^migrate: dirty log: KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG" $T/m.out
check mig-tcp-pattern $? "migrate $mst, source $pst at pass $n; destination: $(grep GUEST $T/Q.out | head -3 | tr '\n' ' ') $(cat $T/m.out) $(tail -3 $T/Q.err)"
note
kill -TERM $qpid; wait_gone $qpid 10

# ---- the destination dies mid-stream: the source runs on ----
start P2 "$LKVM" --raw -k $G/pattern.bin -m 64
ppid=$pid
wait_for 30 lines_ge P2 passes 1
start Q2 "$LKVM" --incoming unix:$T/k.sock
qpid=$pid
wait_for 10 waiting Q2
# 8 Mbit/s: the 16 MiB the guest writes take 16 s; it dies after 1.5
$LKVM migrate --name P2 --bandwidth 8 unix:$T/k.sock >$T/m.out 2>&1 &
mpid=$!
sleep 1.5
kill -9 $qpid
wait_gone $mpid 20
mst=$st
n=$(passes P2 | tail -1)
wait_for 20 lines_ge P2 passes $(( $(passes P2 | wc -l) + 2 ))
[ "$mst" = 1 ] && grep -q "the VM runs on here" $T/m.out && alive $ppid &&
	[ "$(passes P2 | tail -1)" -gt "${n:-0}" ] && ! grep -q BAD $T/P2.out
check mig-dest-killed $? "migrate $mst: $(cat $T/m.out); source alive: $(alive $ppid && echo yes), pass $n -> $(passes P2 | tail -1)"
note

# ---- a destination expecting 128 MiB refuses the 64 MiB VM ----
start Q3 "$LKVM" --incoming unix:$T/r.sock -m 128
qpid=$pid
wait_for 10 waiting Q3
$LKVM migrate --name P2 unix:$T/r.sock >$T/m.out 2>&1
mst=$?
wait_gone $qpid 10
qst=$st
n=$(passes P2 | tail -1)
wait_for 20 lines_ge P2 passes $(( $(passes P2 | wc -l) + 1 ))
[ $mst = 1 ] && [ "$qst" = 1 ] &&
	grep -q "refused the VM: RAM size: the source's VM has 64 MiB, this destination expects 128 MiB" $T/m.out &&
	grep -q "refused" $T/Q3.err && ! grep -q "^migrate: pass" $T/m.out &&
	alive $ppid && [ "$(passes P2 | tail -1)" -gt "${n:-0}" ] && [ ! -e $T/r.sock ]
check mig-ram-mismatch $? "migrate $mst: $(cat $T/m.out); destination $qst: $(cat $T/Q3.err)"
note

# ---- the source dies mid-stream: the destination discards, exits 1 ----
start Q4 "$LKVM" --incoming unix:$T/s.sock
qpid=$pid
wait_for 10 waiting Q4
$LKVM migrate --name P2 --bandwidth 8 unix:$T/s.sock >$T/m.out 2>&1 &
mpid=$!
sleep 1.5
kill -9 $ppid
wait_gone $qpid 10
qst=$st
wait_gone $mpid 10
[ "$qst" = 1 ] && grep -q "the VM was discarded, nothing was started" $T/Q4.err &&
	[ ! -e $T/run/lkvm/Q4.sock ] && [ ! -e $T/s.sock ] && [ ! -s $T/Q4.out ]
check mig-source-killed $? "destination $qst: $(cat $T/Q4.err); $(ls $T/run/lkvm)"

# ---- the simulated migratable nvme: MSI-X goes on at the destination ----
SIM=(--sim nvme:0000:01:00.0 --sim-doorbell 0000:01:00.0:0:1000
     --sim-precopy 0000:01:00.0)
# vcounts NAME: "count irqs" of each whole line of the guest's output
vcounts() {
	whole_lines "$T/$1.out" |
		sed -n 's/^GUEST vfio_count \([0-9]*\) irqs=\([0-9]*\)$/\1 \2/p'
}
$TVMM "${SIM[@]}" run --raw -k $G/vfio_count.bin -m 64 --vfio 01:00.0 \
	--name V </dev/null >$T/V.out 2>$T/V.err &
vpid=$!
wait_for 20 lines_ge V vcounts 3
# a destination whose 01:00.0 is an e1000e refuses at the handshake
$TVMM --sim e1000e:0000:01:00.0 --sim-migratable 0000:01:00.0 run \
	--incoming unix:$T/e.sock --name E </dev/null >$T/E.out 2>$T/E.err &
epid=$!
wait_for 10 waiting E
$LKVM migrate --name V unix:$T/e.sock >$T/m.out 2>&1
mst=$?
wait_gone $epid 10
est=$st
c=$(vcounts V | wc -l)
wait_for 20 lines_ge V vcounts $((c + 1))
[ $mst = 1 ] && [ "$est" = 1 ] && grep -q "refused the VM: PCI .*1b36:0010.*8086:" $T/m.out &&
	! grep -q "^migrate: pass" $T/m.out && [ "$(vcounts V | wc -l)" -gt "$c" ]
check mig-vfio-mismatch $? "migrate $mst: $(cat $T/m.out); destination $est: $(tail -3 $T/E.err)"
note
# vmove FROM PID TO [SIM-OPTS...]: starts TO (--incoming, the SIM device
# plus SIM-OPTS; pid in tpid), migrates FROM (pid PID) there; sets mst,
# sst (FROM's status), vlast, vfirst. 0 when both ended well and TO's
# count goes on from FROM's, every interrupt with it.
vmove() {
	local from=$1 fpid=$2 to=$3
	shift 3
	$TVMM "${SIM[@]}" "$@" run --incoming unix:$T/$to.sock --name $to \
		</dev/null >$T/$to.out 2>$T/$to.err &
	tpid=$!
	wait_for 10 waiting $to
	$LKVM migrate --name $from unix:$T/$to.sock >$T/m.out 2>&1
	mst=$?
	wait_gone $fpid 10
	sst=$st
	vlast=$(vcounts $from | tail -1)
	wait_for 20 lines_ge $to vcounts 3
	vfirst=$(vcounts $to | head -1)
	[ $mst = 0 ] && [ "$sst" = 0 ] && [ -n "$vlast" ] && [ -n "$vfirst" ] &&
		[ "${vfirst%% *}" -ge $(( ${vlast%% *} + 1 )) ] &&
		[ "${vfirst%% *}" -le $(( ${vlast%% *} + 2 )) ] &&
		vcounts $to | awk '$1 != $2 { bad = 1 } END { exit bad }'
}
vmove V $vpid W --sim-dirty 1 &&
	grep -q "no DMA dirty tracking for the 1 assigned device (01:00.0)" $T/m.out &&
	grep -q "^migrate: pass 1: 16 bytes of device data sent while the VM runs (PRE_COPY)$" $T/m.out
check mig-vfio $? "migrate $mst, source $sst at '$vlast'; destination: $(vcounts W | head -3 | tr '\n' ' ') $(cat $T/m.out) $(tail -3 $T/W.err)"
note
# on W the type1 container tracks DMA: onward to X without resending all RAM
vmove W $tpid X &&
	grep -q "^migrate: DMA dirty tracking: VFIO_IOMMU_DIRTY_PAGES on the type1 container of the 1 assigned device$" $T/m.out &&
	! grep -q "all guest RAM is sent again" $T/m.out
check mig-vfio-dirty $? "migrate $mst, source $sst at '$vlast'; destination: $(vcounts X | head -3 | tr '\n' ' ') $(cat $T/m.out) $(tail -3 $T/X.err)"
note
kill -TERM $tpid; wait_gone $tpid 10

# ---- a device without VFIO migration: refused up front, runs on ----
$TVMM --sim nvme:0000:01:00.0 --sim-doorbell 0000:01:00.0:0:1000 run --raw \
	-k $G/vfio_count.bin -m 64 --vfio 01:00.0 --name V3 </dev/null \
	>$T/V3.out 2>$T/V3.err &
vpid=$!
wait_for 20 lines_ge V3 vcounts 1
start D "$LKVM" --incoming unix:$T/d.sock
dpid=$pid
wait_for 10 waiting D
$LKVM migrate --name V3 unix:$T/d.sock >$T/m.out 2>&1
mst=$?
wait_gone $dpid 10
dst=$st
c=$(vcounts V3 | wc -l)
wait_for 20 lines_ge V3 vcounts $((c + 1))
[ $mst = 1 ] && grep -q "0000:01:00.0.*does not support VFIO migration" $T/m.out &&
	! grep -q "^migrate: pass" $T/m.out && [ "$dst" = 1 ] &&
	[ "$(vcounts V3 | wc -l)" -gt "$c" ] && [ ! -e $T/d.sock ]
check mig-vfio-refused $? "migrate $mst: $(cat $T/m.out); destination $dst: $(cat $T/D.err)"
note
kill -TERM $vpid; wait_gone $vpid 10

# ---- a device added at run time (lkvm vfio add) moves with the VM: the
# destination builds it behind its port (the guest takes its removal
# there, then an add and a second removal, and powers off) ----
HSIM=(--sim nvme:0000:01:00.0 --sim-migratable 0000:01:00.0)
hgrep() { grep -Eq -- "$2" "$T/$1.out"; }
$TVMM "${HSIM[@]}" run --raw -k $G/hotplug.bin -m 64 --hotplug-slots 1 \
	--seccomp=off --name H </dev/null >$T/H.out 2>$T/H.err &
vpid=$!
wait_for 20 hgrep H '^GUEST hotplug ready'
$LKVM vfio add --name H --vm-opens 01:00.0 >$T/h.out 2>&1
ast=$?
wait_for 20 hgrep H '^GUEST hotplug added '
$TVMM "${HSIM[@]}" run --incoming unix:$T/hd.sock --name HD </dev/null \
	>$T/HD.out 2>$T/HD.err &
tpid=$!
wait_for 10 waiting HD
$LKVM migrate --name H unix:$T/hd.sock >$T/m.out 2>&1
mst=$?
wait_gone $vpid 10
$LKVM vfio remove --name HD --timeout 10 01:00.0 >$T/h2.out 2>&1
rst=$?
wait_for 20 hgrep HD '^GUEST hotplug gone \(slot was off\)$'
gst=$?
$LKVM vfio add --name HD --vm-opens 01:00.0 >>$T/h2.out 2>&1
wait_for 20 hgrep HD '^GUEST hotplug added '
$LKVM vfio remove --name HD --timeout 10 01:00.0 >>$T/h2.out 2>&1
wait_gone $tpid 10
[ $ast = 0 ] && [ $mst = 0 ] && [ $rst = 0 ] && [ $gst = 0 ] &&
	[ "$st" = 0 ] && hgrep HD '^GUEST hotplug OK$'
check mig-hotplug-added $? "add $ast: $(cat $T/h.out); migrate $mst: $(tail -2 $T/m.out); destination: remove $rst $(cat $T/h2.out); exit $st; guest: $(tail -3 $T/HD.out | tr '\n' ' '); $(tail -2 $T/HD.err)"
note

summary migrate
