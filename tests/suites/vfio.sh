#!/usr/bin/env bash
# needs: /dev/kvm
# Suite "vfio": `lkvm run --vfio` end to end on /dev/kvm with the simulated
# VFIO kernel (test VMM $B/lkvm-vfio-test): MSI-X/INTx delivery, traps,
# relocation, teardown; then bad --vfio input through the test VMM and lkvm.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

B=${B:-build/x86_64}
LKVM=${LKVM:-./lkvm}
TVMM=${TVMM:-$B/lkvm-vfio-test}
ASAN_TVMM=${ASAN_TVMM:-$B/lkvm-vfio-test-asan}
VMM=$TVMM
GDIR=tests/guests/build
TMO=${GUEST_TIMEOUT:-20}
OUT=$(mktemp)
ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"' EXIT
NVME=0000:01:00.0
DB="--sim-doorbell $NVME:0:1000"

if [ "$(uname -m)" != x86_64 ] || [ "${ARCH:-x86_64}" != x86_64 ]; then
	echo "vfio: x86_64 guests, nothing to run on $(uname -m)"
	summary vfio
	exit
fi
if [ ! -x "$TVMM" ]; then
	make -s -f Makefile -f tests/kvm/kvm.mk B="$B" "$TVMM" >"$OUT" 2>&1 ||
		cat "$OUT"
fi
if [ ! -x "$TVMM" ]; then
	fail test-vmm "$TVMM not built (make -f Makefile -f tests/kvm/kvm.mk $TVMM)"
	summary vfio
	exit
fi
if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	fail kvm-device "/dev/kvm is missing or not accessible"
	summary vfio
	exit
fi
if ! make -s -C tests/guests >"$OUT" 2>&1; then
	cat "$OUT"
	fail guests-build "make -C tests/guests failed"
	summary vfio
	exit
fi

# run [SIM-OPTS...] -- GUEST [RUN-ARGS...]: sets $st, fills $OUT and $ERR.
run() {
	local sim=()
	while [ "$1" != -- ]; do sim+=("$1"); shift; done
	shift
	local g=$1; shift
	timeout -k 5 "$TMO" "$VMM" "${sim[@]}" run --raw -k "$GDIR/$g.bin" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
	st=$?
}

show() {
	echo "---- $1: exit $st, stdout:"
	sed -e 's/^/| /' "$OUT" | tail -n 30
	echo "---- stderr:"
	sed -e 's/^/| /' "$ERR" | tail -n 30
}

# expect NAME WANT(0|nonzero) [out:REGEX|err:REGEX]...
expect() {
	local name=$1 want=$2 why= re f
	shift 2
	if [ "$st" = 124 ] || [ "$st" = 137 ]; then
		why="timed out after ${TMO}s"
	elif [ "$want" = 0 ] && [ "$st" != 0 ]; then
		why="exit status $st, want 0"
	elif [ "$want" = nonzero ] && { [ "$st" = 0 ] || [ "$st" -ge 124 ]; }; then
		why="exit status $st, want an error status"
	elif [ "$want" != 0 ] && [ "$want" != nonzero ] && [ "$st" != "$want" ]; then
		why="exit status $st, want $want"
	fi
	for re in "$@"; do
		[ -n "$why" ] && break
		f=$OUT
		case $re in err:*) f=$ERR ;; esac
		grep -Eq -- "${re#*:}" "$f" || why="no '${re#*:}' on ${re%%:*}"
	done
	if [ -z "$why" ] && grep -Eq "Sanitizer|runtime error:" "$ERR"; then
		why="sanitizer report"
	fi
	if [ -z "$why" ] && grep -q 'teardown LEAKED' "$ERR"; then
		why="$(grep -m1 'teardown LEAKED' "$ERR")"
	fi
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
		show "$name"
	fi
}

CLEAN='err:vfio-sim: teardown clean'
GOK=(out:'^GUEST vfio msix live irqs=1$' out:'^GUEST vfio msix masked irqs=1 pba=1$'
     out:'^GUEST vfio msix unmasked irqs=2 pba=0$' out:'^GUEST vfio msix funcmask irqs=3$'
     out:'^GUEST vfio intx irqs=4$' out:'^GUEST vfio scratch 5a5aa5a5 12345678$'
     out:'^GUEST vfio moved bar0=c0800000 scratch=12345678 old=ffffffff$'
     out:'^GUEST vfio OK$' "$CLEAN")

# 4 KiB pages: registers below the table are mapped, table/PBA trapped.
run --sim nvme:$NVME $DB -- vfio_msix --vfio 01:00.0 --debug
expect msix-4k 0 "${GOK[@]}" 'err:MAP +0x0-0x2000' \
	'err:vector 0: 4 from the device, 2 latched, 2 injected' 'err:resets=2 ' \
	'err:INTx: irqfd \+ resamplefd on GSI [0-9]+, 4 from the device' \
	'err:BAR0: trapped table [1-9][0-9]*, pba [1-9][0-9]*, forwarded 0,'

# A 16 KiB host page without relocation: the registers sharing the page
# with the table are forwarded (the doorbell and scratch go through traps).
run --sim nvme:$NVME $DB --sim-page 16384 -- vfio_msix \
	--vfio 01:00.0,msix-relocation=off --debug
expect msix-16k-forward 0 "${GOK[@]}" 'err:TRAP forward +0x0-0x2000' \
	'err:0x2000 bytes of registers share a 16 KiB host page with the MSI-X table or PBA and trap: msix-relocation=off \(auto would map them\)' \
	'err:BAR0: trapped table [1-9][0-9]*, pba [1-9][0-9]*, forwarded [1-9]'

# The same page with msix-relocation=auto: MSI-X moves to a new BAR2 and
# all of BAR0 maps.
run --sim nvme:$NVME $DB --sim-page 16384 -- vfio_msix --vfio 01:00.0 --debug
expect msix-16k-relocated 0 "${GOK[@]}" 'err:MSI-X relocated' \
	'out:table=bar2\+0 pba=bar2\+4000' 'err:BAR0: +MAP +0x0-0x4000' \
	'err:BAR0: trapped table 0, pba 0, forwarded 0'

# MSI with per-vector masking (an I350-like function with the mask bit).
run --sim i350:0000:02:00.0 --sim-msi-mask 0000:02:00.0 \
	--sim-doorbell 0000:02:00.0:0:1000 -- vfio_msi --vfio 02:00.0 --debug
expect msi-masking 0 'out:^GUEST vfio_msi live irqs=1$' \
	'out:^GUEST vfio_msi masked irqs=1 pending=1$' \
	'out:^GUEST vfio_msi unmasked irqs=2 pending=0$' 'out:^GUEST vfio_msi OK$' \
	'err:MSI: 1 vectors, 2 from the device, 1 latched while masked, 1 injected' \
	"$CLEAN"

# Other layouts: e1000e (I/O BAR, ROM, MSI) and two devices in two groups.
run --sim e1000e:0000:02:00.0 -- pci --vfio 02:00.0
expect e1000e-boot 0 'out:^GUEST pci 00:01.0 8086:10d3 class 020000$' \
	'out:^GUEST pci OK' "$CLEAN"
run --sim nvme:$NVME --sim e1000e:0000:02:00.0 --sim i350:0000:03:00.0 \
	--sim sas:0000:04:00.0 -- pci --vfio 01:00.0 --vfio 02:00.0 \
	--vfio 03:00.0 --vfio 04:00.0
expect four-devices 0 'out:^GUEST pci scan found=5$' \
	'out:1b36:0010' 'out:8086:10d3' 'out:8086:1521' 'out:1000:0097' \
	'out:^GUEST pci OK' "$CLEAN" 'err:0000:04:00.0 resets=0'

# Expansion ROM and FLR (e1000e): the device's ROM through the ROM BAR (256
# KiB, signature 0xaa55), read-only; romfile= replaces it (3000 bytes: a 4
# KiB BAR) with the same dword sum as the file; with --sim-flr the guest's
# Initiate FLR is emulated: one more VFIO_DEVICE_RESET (open, FLR, exit),
# command and ROM BAR back to 0, the bit never reaching the device.
# The ROM is read once into a read-only memslot: the guest's 64 Ki reads of
# it do not trap (each one was forwarded to the device region), its write
# does and is dropped.
run --sim e1000e:0000:02:00.0 -- vfio_rom --vfio 02:00.0 --debug
expect rom-device 0 'out:^GUEST vfio_rom size=40000 sig=aa55 ' \
	'out:^GUEST vfio_rom no flr$' 'out:^GUEST vfio_rom OK$' "$CLEAN" \
	'err:0000:02:00.0 resets=2 ' \
	'err:ROM0: trapped table 0, pba 0, forwarded 0, pad 0'
ROM=$(mktemp)
{ printf '\x55\xaa'; head -c 2998 /dev/urandom; } >"$ROM"
sum=$(od -An -tu4 -v "$ROM" |
	awk '{ for (i = 1; i <= NF; i++) s += $i } END { printf "%08x", s % 4294967296 }')
run --sim e1000e:0000:02:00.0 --sim-flr 0000:02:00.0 -- vfio_rom \
	--vfio "02:00.0,romfile=$ROM" --debug
expect rom-file-flr 0 "out:^GUEST vfio_rom size=1000 sig=aa55 sum=$sum\$" \
	'out:^GUEST vfio_rom flr cmd=0000 rom=00000000 flr-bit=0$' \
	'out:^GUEST vfio_rom OK$' 'err:resets: 1 guest FLRs, 0 bus resets' \
	'err:0000:02:00.0 resets=3 ' "$CLEAN"
run --sim e1000e:0000:02:00.0 -- hello --vfio 02:00.0,romfile=/nonexistent.rom
expect romfile-missing nonzero \
	'err:vfio 0000:02:00.0: romfile=/nonexistent.rom: No such file' "$CLEAN"
rm -f "$ROM"

# A function without a reset of its own (no FLR, no PM reset) gets the bus
# reset once every device is open and again at exit (one reset for both
# functions each time, never one per function), when every function
# the reset affects is this VM's: both assigned (legacy: their groups' fds;
# iommufd: bound to this VM's iommufd). With one of them only, no reset,
# and lkvm says which function is not the VM's.
HR=(--sim sas:0000:05:00.0 --sim sas:0000:05:00.1
    --sim-reset-bus 0000:05:00.0:5 --sim-reset-bus 0000:05:00.1:5)
run "${HR[@]}" -- pci --vfio 05:00.0
expect hot-reset-not-owned 0 'out:^GUEST pci OK' "$CLEAN" \
	'err:vfio 0000:05:00.0: the device has no reset \(FLR or PM\) and no bus reset: 0000:05:00.1, which the reset also affects, is in IOMMU group 11, not assigned to this VM' \
	'err:0000:05:00.0 resets=0 .* hot_resets=0$'
run "${HR[@]}" -- pci --vfio 05:00.0 --vfio 05:00.1
expect hot-reset 0 'out:^GUEST pci OK' "$CLEAN" \
	'err:0000:05:00.0 resets=0 .* hot_resets=2$' \
	'err:0000:05:00.1 resets=0 .* hot_resets=2$'
! grep -q 'no bus reset' "$ERR"
check hot-reset-silent $? "$(grep 'no bus reset' "$ERR")"
run --sim-iommufd 1 "${HR[@]}" -- pci --vfio 05:00.0
expect hot-reset-cdev-not-owned 0 'out:^GUEST pci OK' "$CLEAN" \
	"err:no bus reset: 0000:05:00.1, which the reset also affects, is not bound to this VM's iommufd" \
	'err:0000:05:00.0 resets=0 .* hot_resets=0$'
run --sim-iommufd 1 "${HR[@]}" -- pci --vfio 05:00.0 --vfio 05:00.1
expect hot-reset-cdev 0 'out:^GUEST pci OK' "$CLEAN" \
	'err:0000:05:00.0 resets=0 .* hot_resets=2$'

# The iommufd backend (/dev/iommu and device cdevs, iommu=auto): the nvme
# through its cdev and one IOAS, guest RAM mapped into it and torn down in
# reverse; then the same VM shape with a second device kept on the legacy
# container (iommu=legacy): both backends side by side, one IOAS.
run --sim-iommufd 1 --sim nvme:$NVME $DB -- vfio_msix --vfio 01:00.0 --debug
expect iommufd-msix 0 "${GOK[@]}" \
	'err:1b36:0010 at guest 00:01.0, iommufd \(/dev/vfio/devices/vfio0, IOAS 1\)' \
	'err:  backend: iommufd \(/dev/vfio/devices/vfio0, IOAS 1\)' \
	'err:iommufd: ioas allocs=1 destroys=1 maps=[1-9][0-9]* ' 'err:map calls 0,' \
	'err:iommufd calls: open-iommu alloc:1 open:vfio0 bind:vfio0 attach:vfio0 map.* unmap detach:vfio0 close:vfio0 destroy:1 close-iommu$'
run --sim-iommufd 1 --sim nvme:$NVME --sim e1000e:0000:02:00.0 \
	--sim i350:0000:03:00.0 -- pci --vfio 01:00.0 --vfio 02:00.0,iommu=legacy \
	--vfio 03:00.0,iommu=iommufd --debug
expect iommufd-and-legacy 0 'out:^GUEST pci scan found=4$' 'out:^GUEST pci OK' \
	'err:  backend: legacy \(group 11, /dev/vfio/vfio type1v2\)' \
	'err:  backend: iommufd \(/dev/vfio/devices/vfio2, IOAS 1\)' \
	'err:iommufd: ioas allocs=1 destroys=1 ' 'err:map calls [1-9]' "$CLEAN"
run --sim nvme:$NVME -- hello --vfio 01:00.0,iommu=iommufd
expect iommufd-missing nonzero 'err:vfio 0000:01:00.0: iommu=iommufd: the device has no VFIO cdev' \
	'err:use iommu=legacy' "$CLEAN"

# A mediated device (mtty-like): named by UUID and by sysfs path; its
# 255-byte config region, I/O BAR and INTx without an unmask eventfd.
MDEV=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
run --sim mtty:$MDEV --sim-doorbell $MDEV:0:0 -- vfio_mdev --vfio $MDEV
expect mdev 0 'out:^GUEST vfio_mdev bar0=[0-9a-f]+ class=070002 cfg.fc.=00' \
	'out:^GUEST vfio_mdev scratch=5a$' 'out:^GUEST vfio_mdev intx irqs=4$' \
	'out:^GUEST vfio_mdev OK$' "$CLEAN" "err:$MDEV resets=2 "
run --sim mtty:$MDEV -- pci --vfio /sys/bus/mdev/devices/$MDEV
expect mdev-path 0 'out:^GUEST pci 00:01.0 4348:3253 class 070002$' \
	'out:^GUEST pci OK' "$CLEAN"
run --sim mtty:$MDEV -- hello --vfio ${MDEV%1}2
expect mdev-missing nonzero "err:vfio ${MDEV%1}2: no such mediated device" \
	'err:mdev_supported_types/<type>/create' "$CLEAN"

# SIGTERM while the guest spins: everything released, status 128+15.
timeout -k 5 120 "$VMM" --sim nvme:$NVME run --raw -k "$GDIR/spin.bin" \
	--vfio 01:00.0 </dev/null >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 200); do
	grep -q "GUEST spin running" "$OUT" && break
	sleep 0.1
done
kill -TERM $pid
wait $pid
st=$?
expect sigterm 143 "$CLEAN" 'err:resets=2 '

# The host asks for the device back (VFIO request interrupt, as on an unbind
# from vfio-pci): without hotplug the VM stops with status 1 saying why,
# within 5 s, the device reset and released (so the unbind completes).
t0=$(date +%s)
run --sim nvme:$NVME --sim-request $NVME:1500 -- spin --vfio 01:00.0 --debug
t1=$(date +%s)
expect host-request 1 'err:request interrupt fired' \
	'err:vfio 0000:01:00.0: the host asks for the device back' \
	'err:host requests \(VFIO request interrupt\): 1' \
	'err:0000:01:00.0 resets=2 .* fds_open=0 ' "$CLEAN"
check host-request-bounded "$([ $((t1 - t0)) -le 7 ] && echo 0 || echo 1)" \
	"lkvm took $((t1 - t0)) s to stop after the request (1.5 s in)"
# The device reports an uncorrectable error (VFIO error interrupt, AER):
# on-error=stop (the default) stops the VM with status 1 naming it.
run --sim nvme:$NVME --sim-error $NVME:1500 -- spin --vfio 01:00.0
expect aer-stop 1 'err:error interrupt fired' \
	'err:vfio 0000:01:00.0: the device reports an uncorrectable error \(AER\): stopping the VM' \
	"$CLEAN"

# ---- hotplug: `lkvm vfio add|remove` on a running VM (issue 15) ----
HPX=$(mktemp -d)
trap 'rm -f "$OUT" "$ERR"; rm -rf "$HPX"' EXIT
# hp ARGS...: `lkvm vfio ARGS` against the VMs of $HPX; $hst, $hout
hp() {
	hout=$(XDG_RUNTIME_DIR=$HPX timeout 40 "$LKVM" vfio "$@" 2>&1)
	hst=$?
}
# hp_expect NAME STATUS REGEX: the last hp's status and output
hp_expect() {
	if [ "$hst" = "$2" ] && grep -Eq -- "$3" <<<"$hout"; then
		pass "$1"
	else
		fail "$1" "lkvm vfio: status $hst (want $2), output: $hout"
	fi
}
# wait_n REGEX N: until $OUT has N lines matching (10 s at most)
wait_n() {
	local i
	for i in $(seq 100); do
		[ "$(grep -Ec -- "$1" "$OUT")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# The tiny guest drives the first root port as pciehp does (polling its
# Slot Status): add, orderly remove (attention button, the guest powers
# the slot off), add again, --force (a surprise removal); the guest then
# powers off and every simulated VFIO fd must be closed (teardown clean).
XDG_RUNTIME_DIR=$HPX timeout -k 5 90 "$VMM" --sim nvme:$NVME run --raw \
	-k "$GDIR/hotplug.bin" --hotplug-slots 2 --name hp --seccomp=off \
	</dev/null >"$OUT" 2>"$ERR" &
pid=$!
wait_n 'GUEST hotplug ready port 00:1e.0 bus 1' 1 ||
	fail hotplug-ready "the guest did not report its root port"
# a subscriber collects the VM's events until the socket closes
python3 - "$HPX/lkvm/hp.sock" "$HPX/events" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "subscribe"}\n')
s.settimeout(60)
with open(sys.argv[2], "wb") as f:
	while True:
		d = s.recv(4096)
		if not d:
			break
		f.write(d)
		f.flush()
PY
# subscribed (its answer came) before the first add: python starts slowly
for _ in $(seq 200); do
	grep -q '"cmd": "subscribe"' "$HPX/events" 2>/dev/null && break
	sleep 0.1
done
hp add --name hp --vm-opens 01:00.0
hp_expect hotplug-add 0 '^0000:01:00.0 added behind root port 0'
wait_n '^GUEST hotplug added [0-9a-f]+:[0-9a-f]+ class 10802$' 1
check hotplug-guest-sees-it $? "the guest did not see the device: $(tail -3 "$OUT")"
hp add --name hp --vm-opens 01:00.0
hp_expect hotplug-add-twice 1 'lkvm vfio add: 0000:01:00.0 is already assigned to this VM'
hp remove --name hp 02:00.0
hp_expect hotplug-remove-unknown 1 '0000:02:00.0 is not assigned to this VM'
hp remove --name hp 01:00.0
hp_expect hotplug-remove 0 '^01:00.0 removed \(the guest powered its slot off\)'
wait_n '^GUEST hotplug gone \(slot was off\)$' 1
check hotplug-guest-ejects $? "the guest did not see the removal: $(tail -3 "$OUT")"
hp add --name hp --vm-opens 0000:01:00.0,port=1
hp_expect hotplug-add-port 0 'added behind root port 1'
# the guest leaves port 1's slot off: no wait
hp remove --name hp --timeout 1 01:00.0
hp_expect hotplug-remove-slot-off 0 'removed \(its slot was off\)'
hp add --name hp --vm-opens 0000:01:00.0
hp_expect hotplug-add-again 0 'added behind root port 0'
wait_n '^GUEST hotplug added ' 2
# a paused guest cannot answer the button: bounded, the device stays
XDG_RUNTIME_DIR=$HPX "$LKVM" pause --name hp >/dev/null 2>&1
hp remove --name hp --timeout 1 01:00.0
hp_expect hotplug-remove-bounded 1 'did not power off root port 0.s slot within 1000 ms.*--force'
XDG_RUNTIME_DIR=$HPX "$LKVM" resume --name hp >/dev/null 2>&1
python3 - "$HPX/events" <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if '"event"' in l]
want = [("device-added", "0000:01:00.0"), ("device-removed", "0000:01:00.0"),
	("device-added", "0000:01:00.0"), ("device-removed", "0000:01:00.0"),
	("device-added", "0000:01:00.0")]
dev = [(e["event"], e.get("detail")) for e in got if e["event"].startswith("device-")]
sys.exit(0 if dev == want and all(e["vm"] == "hp" for e in got) else 1)
PY
check hotplug-events $? "events: $(tr '\n' ' ' < "$HPX/events")"
kill -TERM $pid
wait $pid
st=$?
expect hotplug-other-port 143 'err:vfio 0000:01:00.0: added behind root port 0' \
	'err:vfio 0000:01:00.0: removed from root port 0 \(ejected\)' \
	'err:vfio 0000:01:00.0: added behind root port 1' \
	'err:removed from root port 1 \(slot-off\)' "$CLEAN"
# the guest watches port 0 only: add there again, then a surprise removal
XDG_RUNTIME_DIR=$HPX timeout -k 5 90 "$VMM" --sim nvme:$NVME run --raw \
	-k "$GDIR/hotplug.bin" --hotplug-slots 1 --name hp --seccomp=off \
	</dev/null >"$OUT" 2>"$ERR" &
pid=$!
wait_n 'GUEST hotplug ready' 1
for round in 1 2; do
	hp add --name hp --vm-opens 01:00.0
	hp_expect hotplug-add-$round 0 'added behind root port 0'
	wait_n '^GUEST hotplug added ' $round
	hp remove --name hp --force 01:00.0
	hp_expect hotplug-force-$round 0 'removed \(surprise removal: --force\)'
done
wait $pid
st=$?
expect hotplug-surprise 0 'out:^GUEST hotplug gone \(surprise removal\)$' \
	'out:^GUEST hotplug OK$' 'err:removed from root port 0 \(surprise\)' \
	"$CLEAN"
# The host asks for a device behind a root port back (VFIO request
# interrupt, as on an unbind from vfio-pci): the guest is asked to eject it
# (attention button), powers the slot off, and lkvm releases the device
# while the (confined) VM runs on; the port's MSIs reach the guest, the
# last one sent by the confined main thread.
XDG_RUNTIME_DIR=$HPX timeout -k 5 60 "$VMM" --sim nvme:$NVME \
	--sim-request $NVME:1500 run --raw -k "$GDIR/hotplug.bin" \
	--hotplug-slots 1 --vfio 01:00.0,port=0 --name ej </dev/null \
	>"$OUT" 2>"$ERR" &
pid=$!
# the whole irqs line, printed after the removal's (a stop at the removal's
# line cut it short under nested TCG)
wait_n '^GUEST hotplug irqs [0-9]+$' 1
kill -TERM $pid
wait $pid
st=$?
expect host-request-eject 143 'err:request interrupt fired' \
	'err:the host asks for the device back: the guest is asked to eject it' \
	'out:^GUEST hotplug added ' 'out:^GUEST hotplug powered off$' \
	'out:^GUEST hotplug gone \(slot was off\)$' 'out:^GUEST hotplug irqs [1-9]' \
	'err:vfio 0000:01:00.0: the guest ejected it: released to the host' \
	"$CLEAN"
# A confined VM opens no device: --vm-opens is refused, the VM runs on;
# a VM without root ports has nowhere to put one.
XDG_RUNTIME_DIR=$HPX timeout -k 5 60 "$VMM" --sim nvme:$NVME run --raw \
	-k "$GDIR/spin.bin" --hotplug-slots 1 --name conf </dev/null \
	>"$OUT" 2>"$ERR" &
pid=$!
XDG_RUNTIME_DIR=$HPX timeout -k 5 60 "$VMM" --sim nvme:$NVME run --raw \
	-k "$GDIR/spin.bin" --name flat </dev/null >/dev/null 2>&1 &
pid2=$!
wait_n 'GUEST spin running' 1
hp add --name conf --vm-opens 01:00.0
hp_expect hotplug-confined 1 'the VM is confined \(seccomp\) and opens no device'
sleep 0.5
hp add --name flat --vm-opens 01:00.0
hp_expect hotplug-no-ports 1 'no hotplug root ports: run it with --hotplug-slots N'
hp add --name conf 0000:07:00.0
hp_expect hotplug-client-checks 1 'vfio 0000:07:00.0: no such PCI device'
hp add --name conf
hp_expect hotplug-usage 2 'give one device'
kill -TERM $pid $pid2
wait $pid
st=$?
wait $pid2
expect hotplug-refusals 143 'out:GUEST spin running' "$CLEAN"

# ---- disks: `lkvm disk add|remove` on a running, confined VM (issue 15) ----
# dk ARGS...: `lkvm disk ARGS` against the VMs of $HPX; $hst, $hout
dk() {
	hout=$(XDG_RUNTIME_DIR=$HPX timeout 40 "$LKVM" disk "$@" 2>&1)
	hst=$?
}
# confined PID: every thread has a seccomp filter (Seccomp: 2)
confined() {
	local f n=0
	for f in /proc/$1/task/*/status; do
		grep -q '^Seccomp:[[:space:]]*2' "$f" || return 1
		n=$((n + 1))
	done
	[ $n -gt 1 ]
}
# holds PID FILE: the process has FILE open
holds() {
	ls -l /proc/$1/fd 2>/dev/null | grep -qF -- " -> $2"
}
IMG=$HPX/disk.img
truncate -s 1M "$IMG"
truncate -s 1M "$HPX/other.img"
# The tiny guest powers port 0's slot on and off as pciehp does; the
# image is opened by `lkvm disk add`, locked and served by a spare I/O
# thread made (and confined) at start; after two removals it powers off.
XDG_RUNTIME_DIR=$HPX timeout -k 5 90 "$LKVM" run --raw \
	-k "$GDIR/hotplug.bin" --hotplug-slots 2 --name dk </dev/null \
	>"$OUT" 2>"$ERR" &
pid=$!
XDG_RUNTIME_DIR=$HPX timeout -k 5 90 "$LKVM" run --raw \
	-k "$GDIR/spin.bin" --name dkflat </dev/null >/dev/null 2>&1 &
pid2=$!
wait_n 'GUEST hotplug ready' 1
lpid=$(pgrep -P $pid | head -1)	# lkvm, under timeout
spares=$(grep -l '^virtio-spare$' /proc/$lpid/task/*/comm 2>/dev/null | wc -l)
check disk-spare-threads "$([ "$spares" = 2 ] && echo 0 || echo 1)" \
	"spare I/O threads: $spares, want 2 (one per hotplug slot)"
dk add --name dk "$IMG"
hp_expect disk-add 0 "^disk $IMG added behind root port 0 \(virtio-blk0\)"
wait_n '^GUEST hotplug added 1af4:1042 class 18000$' 1
check disk-guest-sees-it $? "the guest did not see the disk: $(tail -3 "$OUT")"
confined $lpid
check disk-threads-confined $? "a thread of the VM has no seccomp filter"
holds $lpid "$IMG"
check disk-vm-holds-image $? "the VM has no fd of $IMG"
# locked against another VM, and refusals that change nothing
timeout 20 "$LKVM" run --raw -k "$GDIR/hello.bin" --disk "$IMG" \
	</dev/null >/dev/null 2>"$HPX/lockerr"
grep -q "disk image '$IMG' is in use by another process" "$HPX/lockerr"
check disk-locked $? "another VM got $IMG: $(cat "$HPX/lockerr")"
dk add --name dk "$IMG"
hp_expect disk-add-twice 1 "lkvm disk add: disk image '$IMG' is attached already"
dk add --name dk "$HPX/other.img,port=0"
hp_expect disk-port-taken 1 'lkvm disk add: root port 0 is taken'
dk add --name dk /dev/null
hp_expect disk-not-a-disk 1 "disk image '/dev/null' is a character device: a disk must be a regular file or a block device"
dk add --name dk "$HPX/none.img"
hp_expect disk-no-image 1 "cannot open disk image '$HPX/none.img' for reading and writing: No such file"
dk add --name dkflat "$HPX/other.img"
hp_expect disk-no-ports 1 'no hotplug root ports: run it with --hotplug-slots N'
dk add --name dk
hp_expect disk-usage 2 'give one disk'
dk remove --name dk "$HPX/other.img"
hp_expect disk-remove-unknown 1 "$HPX/other.img: no such disk in this VM"
holds $lpid "$HPX/other.img"
check disk-refusals-leave-nothing "$([ $? != 0 ] && echo 0 || echo 1)" \
	"the VM holds $HPX/other.img after refusing it"
# orderly removal: the guest powers the slot off; the image is released
dk remove --name dk "$IMG"
hp_expect disk-remove 0 "^disk $IMG removed \(the guest powered its slot off\); its image is flushed, unlocked and closed"
wait_n '^GUEST hotplug gone \(slot was off\)$' 1
check disk-guest-ejects $? "the guest did not see the removal: $(tail -3 "$OUT")"
holds $lpid "$IMG"
check disk-image-closed "$([ $? != 0 ] && echo 0 || echo 1)" \
	"the VM still holds $IMG"
timeout 20 "$LKVM" run --raw -k "$GDIR/hello.bin" --disk "$IMG" \
	</dev/null >/dev/null 2>"$HPX/lockerr"
check disk-lock-released $? "another VM could not use $IMG: $(cat "$HPX/lockerr")"
# again, read-only on port 0 by name, then a surprise removal by port
dk add --name dk "$IMG,ro,port=0"
hp_expect disk-add-ro 0 "^disk $IMG \(read-only\) added behind root port 0"
wait_n '^GUEST hotplug added 1af4:1042 ' 2
dk remove --name dk --force port0
hp_expect disk-remove-force 0 'removed \(surprise removal: --force\)'
wait $pid
st=$?
kill -TERM $pid2
wait $pid2
expect disk-hotplug 0 'out:^GUEST hotplug gone \(surprise removal\)$' \
	'out:^GUEST hotplug OK$' \
	"err:virtio-blk0: disk '$IMG' added behind root port 0" \
	"err:disk '$IMG': removed from root port 0 \\(ejected\\), released" \
	"err:disk '$IMG': removed from root port 0 \\(surprise\\), released"

# ---- bad input: clear message naming the device, non-zero exit ----
run --sim nvme:$NVME -- hello --vfio 01:00
expect bad-bdf nonzero "err:--vfio '01:00': invalid PCI address"
run --sim nvme:$NVME -- hello --vfio 01:00.0,msix-relocation=bar9
expect bad-option nonzero "err:--vfio.*msix-relocation"
run --sim nvme:$NVME -- hello --vfio 05:00.0
expect no-device nonzero 'err:vfio 0000:05:00.0: no such PCI device' "$CLEAN"
run --sim nvme:$NVME -- hello --vfio 01:00.0 --vfio 0000:01:00.0
expect twice nonzero 'err:0000:01:00.0 given twice'
run --sim-other 0000:03:00.0:nvme -- hello --vfio 03:00.0
expect other-driver nonzero "err:vfio 0000:03:00.0: bound to driver 'nvme'" \
	'err:driver_override' "$CLEAN"
# failure after the first device is set up: it is reset and released
run --sim nvme:$NVME --sim-other 0000:03:00.0:nvme -- hello --vfio 01:00.0 \
	--vfio 03:00.0
expect unwind nonzero "err:vfio 0000:03:00.0: bound to driver 'nvme'" \
	"$CLEAN" 'err:0000:01:00.0 resets=2 set_irqs=[0-9]+ fds_open=0'

# lkvm itself against the real /sys
if [ -x "$LKVM" ]; then
	VMM=$LKVM
	run -- hello --vfio 1:2:3
	expect lkvm-bad-bdf nonzero "err:invalid PCI address"
	run -- hello --vfio ff:1f.7
	expect lkvm-no-device nonzero 'err:vfio 0000:ff:1f.7: no such PCI device'
	run -- hello --vfio 00:00.0 --vfio 0000:00:00.0
	expect lkvm-twice nonzero 'err:given twice'
	run -- hello --vfio ${MDEV%1}2
	expect lkvm-no-mdev nonzero 'err:no such mediated device'
	other=
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/driver" ] || continue
		drv=$(basename "$(readlink "$d/driver")")
		case $drv in vfio*) continue ;; esac
		other=$(basename "$d"); break
	done
	if [ -n "$other" ]; then
		run -- hello --vfio "$other"
		expect lkvm-other-driver nonzero \
			"err:vfio $other: bound to driver '$drv', not vfio-pci"
	fi
	VMM=$TVMM
fi

# Confinement (kvm/seccomp.c): a vCPU thread's forbidden syscall (the test
# VMM's device calls socket() on each write) is named and stops the VM with
# status 1; --seccomp=off lets it through; every thread of a running VM is
# filtered (Seccomp: 2).
run --sim nvme:$NVME $DB --sim-socket-on-write 1 -- vfio_msix --vfio 01:00.0
expect seccomp-trap 1 \
	'err:^lkvm: seccomp: vcpu thread made a forbidden syscall socket \(41\)$' \
	"$CLEAN"
run --sim nvme:$NVME $DB --sim-socket-on-write 1 -- vfio_msix --vfio 01:00.0 \
	--seccomp=off
expect seccomp-off 0 "${GOK[@]}"
! grep -q seccomp "$ERR"
check seccomp-off-silent $? "$(cat "$ERR")"
run --sim nvme:$NVME $DB -- vfio_msix --vfio 01:00.0 --seccomp=bogus
expect seccomp-bad-mode 2 "err:unknown --seccomp 'bogus'; valid: trap, kill, log, off"

# The main scenario again under ASan/UBSan when built.
if [ -x "$ASAN_TVMM" ]; then
	VMM=$ASAN_TVMM
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
	TMO=$((TMO * 3))
	run --sim nvme:$NVME $DB --sim-page 16384 -- vfio_msix \
		--vfio 01:00.0,msix-relocation=off
	expect asan-msix-16k-forward 0 "${GOK[@]}"
	run --sim nvme:$NVME $DB -- vfio_msix --vfio 01:00.0
	expect asan-msix-4k 0 "${GOK[@]}"
	run --sim nvme:$NVME --sim-other 0000:03:00.0:nvme -- hello \
		--vfio 01:00.0 --vfio 03:00.0
	expect asan-unwind nonzero "err:bound to driver 'nvme'" "$CLEAN"
fi

summary vfio
