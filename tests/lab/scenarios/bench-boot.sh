# Lab benchmark "bench-boot" (sourced in L1 with l1/lib.sh; run only when named, e.g. by
# tests/bench/lab.sh): 3 alternating L2 boots from the bzImage and from its ELF vmlinux
# (PVH entry), same initrd, 256 MiB, 1 vCPU and command line, each an l2_run named
# bench-boot-KIND-N that powers off once in userspace; tests/bench/boot-times.sh times them
# from the host's console stamps. PASS when every boot reached userspace and lkvm exited 0.
_fail=
for _i in 1 2 3; do
	for _kind in bzimage vmlinux; do
		_k=$L2_KERNEL
		[ $_kind = vmlinux ] && _k=$L2_VMLINUX
		l2_run bench-boot-$_kind-$_i 120 run -k "$_k" -i "$L2_INITRD" -m 256 -c 1 \
			-p "$L2_APPEND lab.scenario=bench-boot-$_kind-$_i lab.end=poweroff"
		if [ "$L2_RC" != 0 ] || ! grep -q L2-BOOT-OK "$L2_LOG"; then
			_fail="$_fail $_kind-$_i(rc=$L2_RC)"
		fi
	done
done
if [ -z "$_fail" ]; then
	lab_result bench-boot PASS "6 boots"
else
	lab_result bench-boot FAIL "failed:$_fail"
fi
