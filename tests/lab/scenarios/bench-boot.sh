# Lab benchmark "bench-boot" (sourced in L1 with l1/lib.sh; run only when named, e.g. by
# tests/bench/lab.sh): 3 alternating L2 boots from the bzImage and from its ELF vmlinux
# (PVH entry), same initrd, 256 MiB, 1 vCPU and command line, each an l2_run named
# bench-boot-KIND-N that ends (lab.end=reboot) once in userspace; with a static kvmtool in
# the overlay (/lab/bench/kvmtool, tests/bench/lab.sh's KVMTOOL=) each round also boots the
# bzImage under kvmtool (KIND kvmtool). tests/bench/boot-times.sh times them from the host's
# console stamps. PASS when every boot reached userspace and its VMM exited 0.
# The boots end with a reset, not poweroff: kvmtool's x86 guests have no ACPI (it passes
# noacpi), so `poweroff -f` would leave its vCPU halted; both VMMs exit 0 on the reset.
_fail=
_kinds="bzimage vmlinux"
_kvmtool=/lab/bench/kvmtool
[ -x $_kvmtool ] && _kinds="$_kinds kvmtool"
for _i in 1 2 3; do
	for _kind in $_kinds; do
		_n=bench-boot-$_kind-$_i
		_p="$L2_APPEND lab.scenario=$_n lab.end=reboot"
		case $_kind in
		vmlinux)
			l2_run "$_n" 120 run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 -p "$_p" ;;
		kvmtool)
			# kvmtool keeps its control socket under $HOME/.lkvm; no network device.
			mkdir -p /tmp/kvmtool-home/.lkvm
			_lkvm=$LKVM; LKVM=$_kvmtool
			_home=${HOME-}; _hset=${HOME+1}; export HOME=/tmp/kvmtool-home
			l2_run "$_n" 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
				--console serial --network mode=none -p "$_p"
			LKVM=$_lkvm; HOME=$_home
			[ -n "$_hset" ] || unset HOME ;;
		*)
			l2_run "$_n" 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 -p "$_p" ;;
		esac
		if [ "$L2_RC" != 0 ] || ! grep -q L2-BOOT-OK "$L2_LOG"; then
			_fail="$_fail $_kind-$_i(rc=$L2_RC)"
		fi
	done
done
if [ -z "$_fail" ]; then
	lab_result bench-boot PASS "3 boots each: $_kinds"
else
	lab_result bench-boot FAIL "failed:$_fail"
fi
