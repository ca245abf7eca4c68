# Lab scenario "vfio-mdev-migrate" (sourced in L1 with l1/lib.sh; its own L1: Debian 6.12 +
# mtty.ko, vfio-mdev-migrate.l1kernel): live migration of an L2 with an mtty mdev between two
# lkvm processes in L1. The source runs L2 with mdev A in a type1 container (iommu=legacy);
# L2 writes 0xc3 to the UART scratch register and counts through mtty's TX->RX loop
# (vfio-mdev-migrate.l2.sh). At count 3 a destination `lkvm run --incoming unix:SOCK --vfio
# <B>` (iommufd) waits and `lkvm migrate` moves the running VM there (RAM pre-copy with the
# container's DMA dirty tracking, the device data out of A by VFIO PRE_COPY and STOP_COPY,
# into B by RESUMING). Results: vfio-mdev-migrate-dirty (VFIO_IOMMU_DIRTY_PAGES tracked A's
# DMA: RAM was not all sent again at the stop), vfio-mdev-migrate-send (migrate and the source
# exit 0; migrate's summary: total time, downtime, bytes, passes), vfio-mdev-migrate-precopy
# (6.12's mtty offers PRE_COPY: migrate sent device data while the VM ran), vfio-mdev-migrate-count
# (the console count goes on at the destination from where it stopped at the source),
# vfio-mdev-migrate-loop (L2 read back exactly 1,2,...,N through the device: no byte lost or
# repeated across the move), vfio-mdev-migrate-scratch (c3 in every read, from A then B),
# vfio-mdev-migrate (the destination's L2 finished, its lkvm exit 0).
MIG_A=83b8f4f2-509f-382f-3c1e-e6bfe0fa2101
MIG_B=83b8f4f2-509f-382f-3c1e-e6bfe0fa2102
MIG_SOCK=/tmp/mig-mdev.sock
MIG_TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types
MIG_SRC=/tmp/l2-vfio-mdev-migrate.log
MIG_DST=/tmp/l2-vfio-mdev-migrate-dst.log
mig_rm() {
	for _u in $MIG_A $MIG_B; do
		[ -e /sys/bus/mdev/devices/$_u ] && echo 1 > /sys/bus/mdev/devices/$_u/remove
	done
}
# mig_counts LOG: the counts of LOG's whole L2-MIG-COUNT lines (a line the move cut is not one)
mig_counts() { sed -n 's/.*L2-MIG-COUNT \([0-9]*\) rx=[0-9]* scr=[0-9a-f]*$/\1/p' "$1"; }
# mig_wait FILE PATTERN TENTHS: until FILE has PATTERN, at most TENTHS tenths of a second
mig_wait() {
	for _ in $(seq "$3"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
if ! echo $MIG_A > $MIG_TYPES/mtty-1/create || ! echo $MIG_B > $MIG_TYPES/mtty-1/create; then
	lab_result vfio-mdev-migrate FAIL "cannot create two mtty-1 mdevs: $(ls $MIG_TYPES 2>&1 | tr '\n' ' ')"
	mig_rm
else
	rm -f /tmp/mig-src.rc /tmp/mig.out "$MIG_SOCK"
	( l2_boot vfio-mdev-migrate 120 "lab.scenario=vfio-mdev-migrate lab.end=poweroff" -- \
		-c 1 --name migsrc --vfio /sys/bus/mdev/devices/$MIG_A,iommu=legacy
	  echo "$L2_RC" > /tmp/mig-src.rc ) &
	_msrc=$!
	if mig_wait "$MIG_SRC" 'L2-MIG-COUNT 3 ' 900; then
		# the migrate command once the destination waits; the destination in the foreground
		( mig_wait "$MIG_DST" 'waiting for an incoming VM' 300
		  "$LKVM" migrate --name migsrc "unix:$MIG_SOCK" > /tmp/mig.out 2>&1
		  echo "status $?" >> /tmp/mig.out ) &
		_mcmd=$!
		l2_run vfio-mdev-migrate-dst 120 run --incoming "unix:$MIG_SOCK" --name migdst \
			--vfio /sys/bus/mdev/devices/$MIG_B
		wait $_mcmd
	else
		lab_result vfio-mdev-migrate-send FAIL "L2 did not count to 3 on the source: $(grep -v '^ *$' "$MIG_SRC" | tail -n 3 | tr '\n' ' ' | cut -c1-240)"
	fi
	wait $_msrc
	_rc=$(cat /tmp/mig-src.rc 2>/dev/null || echo 255)
	echo "LAB: lkvm migrate: $(tr '\n' ';' < /tmp/mig.out 2>/dev/null | cut -c1-600)"
	_sum=$(grep -m 1 '^migrate: done in ' /tmp/mig.out 2>/dev/null)
	if grep -q '^status 0$' /tmp/mig.out 2>/dev/null && [ "$_rc" = 0 ] && [ -n "$_sum" ]; then
		lab_result vfio-mdev-migrate-send PASS "${_sum#migrate: }; source lkvm exit 0"
	elif [ -f /tmp/mig.out ]; then
		lab_result vfio-mdev-migrate-send FAIL "migrate: $(tail -n 2 /tmp/mig.out | tr '\n' ' '); source lkvm exit $_rc"
	fi
	_dt=$(grep -m 1 -E 'DMA dirty tracking|no DMA dirty tracking' /tmp/mig.out 2>/dev/null)
	if grep -q '^migrate: DMA dirty tracking: VFIO_IOMMU_DIRTY_PAGES' /tmp/mig.out 2>/dev/null &&
		! grep -q 'all guest RAM is sent again' /tmp/mig.out; then
		lab_result vfio-mdev-migrate-dirty PASS "${_dt#migrate: }"
	else
		lab_result vfio-mdev-migrate-dirty FAIL "${_dt:-no word on DMA dirty tracking}"
	fi
	_pre=$(grep -m 1 'bytes of device data sent while the VM runs (PRE_COPY)' /tmp/mig.out 2>/dev/null)
	if [ -n "$_pre" ]; then
		lab_result vfio-mdev-migrate-precopy PASS "${_pre#migrate: }"
	else
		lab_result vfio-mdev-migrate-precopy FAIL "migrate sent no PRE_COPY data: $(grep -v '^migrate: pass' /tmp/mig.out 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
	fi
	_n1=$(mig_counts "$MIG_SRC" | tail -n 1)
	_n2=$(mig_counts "$MIG_DST" | head -n 1)
	_n3=$(mig_counts "$MIG_DST" | tail -n 1)
	if [ -n "$_n1" ] && [ -n "$_n2" ] && [ "$_n2" -gt "$_n1" ] && [ "$_n2" -le $((_n1 + 2)) ]; then
		lab_result vfio-mdev-migrate-count PASS "count $_n1 on the source, $_n2 to $_n3 on the destination"
	else
		lab_result vfio-mdev-migrate-count FAIL "count ${_n1:-none} on the source, ${_n2:-none} first on the destination"
	fi
	if [ -f "$MIG_DST" ]; then
		l2_sub vfio-mdev-migrate-loop loop L2-MIG
		l2_sub vfio-mdev-migrate-scratch scratch L2-MIG
		l2_check vfio-mdev-migrate L2-MIG-DONE
	fi
	mig_rm
fi
