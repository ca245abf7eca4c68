# L1 checks shared by both labs' VFIO scenarios, sourced after l1.sh and bench.sh: the MSI-X
# layout L2 saw against the real device's (relocated or left alone), lkvm's trapped accesses
# to one BAR during an L2 phase, the host's interrupt counts against L2's, and a LAB-BENCH
# line of a phase's rate and trap counts.
# shellcheck shell=sh

# vfio_layout_check RESULT BDF same|moved: compares L2's "L2-VFIO nvme-layout ok ..." line
# (in $L2_LOG) with BDF's real MSI-X capability in L1. same: identical BIRs, offsets and
# vector count. moved: table and PBA in one other BAR, big enough for them, same vector count.
vfio_layout_check() {
	_real=$(pci_msix_layout "/sys/bus/pci/devices/$2")
	_seen=$(grep -m 1 'L2-VFIO nvme-layout ok' "$L2_LOG" | sed 's/.*nvme-layout ok *//')
	_detail="real: $_real; L2: ${_seen:-none}"
	if [ -z "$_seen" ] || [ "$_real" = none ]; then
		lab_result "$1" FAIL "no MSI-X layout to compare; $_detail"
		return
	fi
	_why=
	[ "$(pci_kv "$_seen" vectors)" = "$(pci_kv "$_real" vectors)" ] || _why="vector count differs"
	if [ "$3" = same ]; then
		for _k in bir table pba_bir pba bar_size; do
			[ "$(pci_kv "$_seen" $_k)" = "$(pci_kv "$_real" $_k)" ] || _why="$_why $_k differs"
		done
	else
		_b=$(pci_kv "$_seen" bir)
		_end=$(( $(pci_kv "$_seen" pba) + ($(pci_kv "$_seen" vectors) + 63) / 64 * 8 ))
		[ "$_b" != "$(pci_kv "$_real" bir)" ] || _why="$_why table still in BAR$_b"
		[ "$(pci_kv "$_seen" pba_bir)" = "$_b" ] || _why="$_why PBA not in the table's BAR"
		[ "$(( $(pci_kv "$_seen" bar_size) ))" -ge "$_end" ] ||
			_why="$_why BAR$_b smaller than the PBA's end 0x$(printf %x $_end)"
	fi
	if [ -z "$_why" ]; then
		lab_result "$1" PASS "MSI-X $3: $_detail"
	else
		lab_result "$1" FAIL "MSI-X should be $3 but${_why}; $_detail"
	fi
}

# vfio_trap_check RESULT NAME BAR zero|some [PHASE]: lkvm's forwarded register traps on BAR
# of VM NAME during PHASE (default read4m; sampled by bench_sampler_start NAME): PASS when
# there were none (zero) or some (some).
vfio_trap_check() {
	_ph=${5:-read4m}
	_f=$(bench_delta "$2" "$_ph" "b$3_fwd")
	_d="BAR$3 forwarded-register traps during $_ph: $_f (all BARs: table $(bench_delta "$2" "$_ph" table), pba $(bench_delta "$2" "$_ph" pba), forwarded $(bench_delta "$2" "$_ph" fwd))"
	case $4:$_f in
	*:\?|*:) lab_result "$1" FAIL "no lkvm stat samples around $_ph; samples: $(tr '\n' ';' < "/tmp/bench-$2.samples" | cut -c1-200)" ;;
	zero:0|some:[1-9]*) lab_result "$1" PASS "$_d" ;;
	*) lab_result "$1" FAIL "expected $4; $_d" ;;
	esac
}

# vfio_bench_line LABEL NAME PHASE: "LAB-BENCH LABEL PHASE ..." with L2's rate for PHASE
# (its BENCH-L2 line), block requests, lkvm's traps (all BARs, and BAR0's forwarded ones),
# the device's interrupts (host count), traps per request and bench_figs' CPU and exits.
vfio_bench_line() {
	_l2=$(bench_l2 "$3")
	_req=$(bench_kv "$_l2" requests)
	_tr=$(awk -v a="$(bench_delta "$2" "$3" table)" -v b="$(bench_delta "$2" "$3" pba)" \
		-v c="$(bench_delta "$2" "$3" fwd)" 'BEGIN {
		if (a == "?" || b == "?" || c == "?") print "?"; else print a + b + c }')
	echo "LAB-BENCH $1 $3 l2_MBps=$(bench_kv "$_l2" MBps) l2_iops=$(bench_kv "$_l2" iops)" \
		"bytes=$(bench_kv "$_l2" bytes) requests=$_req traps=$_tr" \
		"trap_table=$(bench_delta "$2" "$3" table) trap_pba=$(bench_delta "$2" "$3" pba)" \
		"trap_fwd=$(bench_delta "$2" "$3" fwd) bar0_fwd=$(bench_delta "$2" "$3" b0_fwd)" \
		"dev_irqs=$(bench_delta "$2" "$3" devirq)" \
		"traps_per_req=$(bench_div $_tr "$_req" %.2f) $(bench_figs "$2" "$3" "$_req")"
}

# vfio_irq_check RESULT MSI-X|INTx: the device's interrupts as the host kernel counted them
# (lkvm's --debug report at exit: "MSI-X: N vectors, M from the device" or "INTx: ..., M
# from the device") against what L2 counted ("L2-VFIO nvme-irq ok ... interrupts=N"): PASS
# when L2 counted some and the host at least as many (the rest came after L2 looked).
vfio_irq_check() {
	_host=$(grep -m 1 "^ *$2: .* from the device" "$L2_LOG" |
		sed -n 's/.*[ ,]\([0-9?][0-9]*\) from the device.*/\1/p')
	_l2=$(grep -m 1 'L2-VFIO nvme-irq ok' "$L2_LOG" | sed -n 's/.*interrupts=\([0-9]*\).*/\1/p')
	_d="$2 interrupts counted by the host: ${_host:-none}, by L2: ${_l2:-none}"
	case $_host in
	''|*[!0-9]*) lab_result "$1" FAIL "no host count in lkvm's report; $_d" ;;
	*)
		if [ -n "$_l2" ] && [ "$_l2" -gt 0 ] && [ "$_host" -ge "$_l2" ]; then
			lab_result "$1" PASS "$_d"
		else
			lab_result "$1" FAIL "$_d"
		fi ;;
	esac
}

# vfio_fds NAME: the /dev/iommu and /dev/vfio/* files the running lkvm with --name NAME holds
# open (its /proc/PID/fd), sorted, one line; empty when no such lkvm runs.
vfio_fds() {
	for _p in /proc/[0-9]*; do
		[ "$(readlink "$_p/exe" 2>/dev/null)" = "$LKVM" ] &&
			tr '\0' ' ' < "$_p/cmdline" 2>/dev/null | grep -q -- "--name $1 " || continue
		for _f in "$_p"/fd/*; do readlink "$_f"; done 2>/dev/null |
			grep -E '^/dev/(iommu|vfio)' | sort | tr '\n' ' '
	done
}

# vfio_fds_watch NAME MARK OUT: in the background, once the L2 run NAME shows MARK
# (l2_await), vfio_fds NAME into OUT (empty if L2 never got there within 150 s).
vfio_fds_watch() {
	: > "$3"
	( l2_await "$1" "$2" && vfio_fds "$1" > "$3" ) < /dev/null > /dev/null 2>&1 &
}

# vfio_hp RESULT VM add|remove BDF: `lkvm vfio add|remove --name VM BDF` (remove waits 60 s
# at most for L2 to power the slot off): PASS with its output, FAIL with its status.
vfio_hp() {
	if [ "$3" = add ]; then
		_ho=$("$LKVM" vfio add --name "$2" "$4" 2>&1)
	else
		_ho=$("$LKVM" vfio remove --name "$2" --timeout 60 "$4" 2>&1)
	fi
	_hr=$?
	[ "$_hr" = 0 ] && lab_result "$1" PASS "$_ho" ||
		lab_result "$1" FAIL "lkvm vfio $3: exit $_hr: $_ho"
}

# vfio_hp_back RESULT VM BDF: after `lkvm vfio remove` of BDF, L1 unbinds it from vfio-pci
# at once (20 s at most: nothing holds it) while the VM runs on; then binds it again.
vfio_hp_back() {
	_t0=$(lab_uptime)
	timeout 20 sh -c "echo $3 > /sys/bus/pci/drivers/vfio-pci/unbind"
	_ur=$?
	_secs=$(lab_sub "$(lab_uptime)" "$_t0")
	_drv=$(basename "$(readlink "/sys/bus/pci/devices/$3/driver" 2>/dev/null)" 2>/dev/null)
	_live=$("$LKVM" list 2>/dev/null | grep -c -- "$2")
	if [ "$_ur" = 0 ] && [ -z "$_drv" ] && [ "$_live" -ge 1 ]; then
		lab_result "$1" PASS "unbind done in ${_secs}s, the VM runs on"
	else
		lab_result "$1" FAIL "unbind exit $_ur after ${_secs}s, driver '${_drv:-none}', VM listed $_live"
	fi
	vfio-bind "$3" > /dev/null 2>&1
}

# hp_locks INODE: lines of /proc/locks on the file with that inode
hp_locks() { grep -c ":$1 " /proc/locks; }
# disk_hp PREFIX VM: a disk (8 MiB of random bytes) added to the running L2 of VM and removed
# again (lkvm disk add|remove), L2's side being tests/lab-lib/l2.sh disk_hp_l2: PREFIX-add (added,
# its lock in /proc/locks), PREFIX-read (L2's md5 of /dev/vda is the image's), PREFIX-remove (L2
# powers the slot off, the lock is gone and no process holds the image).
disk_hp() {
	_img=/tmp/hp-disk.img
	dd if=/dev/urandom of=$_img bs=1M count=8 2>/dev/null
	_md5=$(md5sum < $_img | cut -d' ' -f1)
	_ino=$(set -- $(ls -i $_img); echo $1)
	if ! l2_await $2 L2-HP-DISK-WAIT; then
		lab_result $1-add FAIL "L2 never said L2-HP-DISK-WAIT"
		return
	fi
	_out=$("$LKVM" disk add --name $2 $_img 2>&1)
	_rc=$?
	_lk=$(hp_locks "$_ino")
	[ "$_rc" = 0 ] && [ "$_lk" -ge 1 ] && lab_result $1-add PASS "$_out; locked" ||
		lab_result $1-add FAIL "lkvm disk add: exit $_rc, $_lk locks: $_out"
	l2_await $2 L2-HP-DISK-READ-DONE
	if grep -q "L2-HP-DISK md5 $_md5" "/tmp/l2-$2.log"; then
		lab_result $1-read PASS "md5 $_md5 in L2"
	else
		lab_result $1-read FAIL "want md5 $_md5: $(grep -m1 -E 'L2-HP-DISK md5|hp-disk:' "/tmp/l2-$2.log")"
	fi
	_out=$("$LKVM" disk remove --name $2 --timeout 30 $_img 2>&1)
	_rc=$?
	_lk=$(hp_locks "$_ino")
	_fds=$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c hp-disk.img)
	[ "$_rc" = 0 ] && [ "$_lk" = 0 ] && [ "$_fds" = 0 ] &&
		lab_result $1-remove PASS "$_out; lock released" ||
		lab_result $1-remove FAIL "lkvm disk remove: exit $_rc, $_lk locks, $_fds fds: $_out"
	l2_await $2 hp-disk-gone
	rm -f $_img
}
