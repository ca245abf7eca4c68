# Lab scenario "boot" (sourced in L1 with l1/lib.sh): plain L2 boots under the static lkvm and
# its refusals. Results: boot-gicv3-its (earlycon, --dump-dtb), quiet, dump-dtb, smp4 (its L2
# ends on the power key that `lkvm stop` presses: stop), gicv3 (no ITS), gicv2-refused (the
# host's vGIC is v3-only), debug-exit (--debug-exit's register
# ends lkvm with (V << 1) | 1), bad-image (no arm64 Image magic).

# boot_one NAME EXPECT L2-PARAMS -- LKVM-ARGS...: PASS when L2-BOOT-OK matches EXPECT.
boot_one() {
	_bo=$1 _bw=$2
	shift 2
	l2_boot "$_bo" 120 "$@"
	if grep -q "L2-BOOT-OK.*$_bw" "$L2_LOG"; then
		l2_check "$_bo"
	else
		lab_result "$_bo" FAIL "lkvm exit $L2_RC, wanted /$_bw/: $(grep -m1 L2-BOOT-OK "$L2_LOG" || tail -n 3 "$L2_LOG" | tr '\n' ' ')"
	fi
}
L2_APPEND="panic=-1"
boot_one boot-gicv3-its 'cpus=1 .*its=yes' "earlycon lab.scenario=boot" -- --dump-dtb /tmp/l2.dtb
L2_APPEND="panic=-1 quiet"
# The 16K L1 runs what a host page size can change (the boot, SMP, the power key, the refusals),
# not the quiet boot, GICv3 without ITS and --debug-exit again (25 s of make check's second lane).
k16() { [ "$LAB_PREFIX" = 16k- ]; }
k16 || boot_one quiet 'cpus=1 .*its=yes' "lab.scenario=boot"
if [ -s /tmp/l2.dtb ] && grep -q pci-host-ecam-generic /tmp/l2.dtb; then
	lab_result dump-dtb PASS "$(wc -c < /tmp/l2.dtb) bytes"
else
	lab_result dump-dtb FAIL "no DTB written"
fi
# smp4 waits for its power key (lab.end=button): L1 presses it with `lkvm stop`, L2 powers off,
# lkvm exits 0 and `lkvm stop` says "powered off (power button)" (result stop).
l2_stopper smp4 smp4
boot_one smp4 'cpus=4 ' "lab.scenario=boot lab.cpus=4 lab.end=button" -- -c 4 --name smp4
l2_stop_result stop smp4
k16 || boot_one gicv3 'cpus=2 .*its=no' "lab.scenario=boot lab.cpus=2" -- -c 2 --irqchip=gicv3
out=$($LKVM run -k "$L2_KERNEL" --irqchip=gicv2 2>&1)
rc=$?
if [ $rc != 0 ] && echo "$out" | grep -q 'can provide: gicv3-its, gicv3'; then
	lab_result gicv2-refused PASS "$out"
else
	lab_result gicv2-refused FAIL "exit $rc: $out"
fi
{ head -c 56 "$L2_KERNEL"; printf XM64; tail -c +61 "$L2_KERNEL" | head -c 8192; } > /tmp/bad
# --debug-exit: L2 finds the register in its device tree (boot.l2.sh) and writes 0x21.
if ! k16; then
	l2_boot debug-exit 120 "lab.scenario=boot lab.debug_exit=0x21" -- --debug-exit
	_w=$(grep -m 1 -E 'L2-DEBUG-EXIT|L2-CHECK-FAIL' "$L2_LOG")
	case "$L2_RC:$_w" in
	67:*L2-DEBUG-EXIT*) lab_result debug-exit PASS "lkvm exit 67 after: ${_w#*L2-}" ;;
	*) lab_result debug-exit FAIL "lkvm exit $L2_RC (want 67): ${_w:-no L2 marker}" ;;
	esac
fi
out=$(timeout 20 $LKVM run -k /tmp/bad 2>&1)
if echo "$out" | grep -q 'not an arm64 Image: no "ARM\\x64" magic at offset 0x38'; then
	lab_result bad-image PASS "$out"
else
	lab_result bad-image FAIL "$out"
fi
rm -f /tmp/bad /tmp/l2.dtb
