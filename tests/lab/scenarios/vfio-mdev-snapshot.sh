# Lab scenario "vfio-mdev-snapshot" (sourced in L1 with l1/lib.sh; its own L1: Debian 6.12 +
# mtty.ko, vfio-mdev-snapshot.l1kernel): two mtty-1 mdevs A and B. L2 with A writes 0xc3 to
# the UART scratch register (BAR0 + 7) and counts, reading it back each second; L1 takes
# `lkvm snapshot --stop DIR` (the device data leaves A through VFIO migration: STOP_COPY) and
# restores with `lkvm run --restore DIR --vfio <B>` (RESUMING on B): L2 goes on counting from
# where it was and reads 0xc3 from B, which only the migration data can have put there.
# Results: vfio-mdev-snapshot-save (snapshot exit 0, the first lkvm exit 0),
# vfio-mdev-snapshot-count (the count goes on, not from 1), vfio-mdev-snapshot-scratch (every
# read gave c3, from A then from B), vfio-mdev-snapshot (restored L2 done, lkvm exit 0),
# vfio-mdev-snapshot-other (a restore onto an mtty-2 mdev C is refused naming the first
# fingerprint field that differs, nothing started). Backends: A goes through iommufd (iommu=auto,
# L1 has /dev/iommu and cdevs), B through the legacy container (iommu=legacy), so the device data
# crosses backends; vfio-mdev-snapshot-iommufd: while the first VM runs, `lkvm stat --vfio` says
# iommufd and its /proc/PID/fd holds /dev/iommu and /dev/vfio/devices/vfioN, not /dev/vfio/vfio;
# vfio-mdev-snapshot-legacy: the restored VM's exit statistics say legacy.
SNAP_A=83b8f4f2-509f-382f-3c1e-e6bfe0fa2001
SNAP_B=83b8f4f2-509f-382f-3c1e-e6bfe0fa2002
SNAP_C=83b8f4f2-509f-382f-3c1e-e6bfe0fa2003
SNAP_DIR=/tmp/snap-mdev
SNAP_TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types
snap_rm() {
	for _u in $SNAP_A $SNAP_B $SNAP_C; do
		[ -e /sys/bus/mdev/devices/$_u ] && echo 1 > /sys/bus/mdev/devices/$_u/remove
	done
}
# snap_count LOG first|last: the first or last L2-SNAP-COUNT number in LOG
snap_count() {
	grep -o 'L2-SNAP-COUNT [0-9]*' "$1" | sed -n "$([ "$2" = first ] && echo 1p || echo \$p)" | cut -d' ' -f2
}
if ! echo $SNAP_A > $SNAP_TYPES/mtty-1/create || ! echo $SNAP_B > $SNAP_TYPES/mtty-1/create; then
	lab_result vfio-mdev-snapshot FAIL "cannot create two mtty-1 mdevs: $(ls $SNAP_TYPES 2>&1 | tr '\n' ' ')"
	snap_rm
else
	l2_boot vfio-mdev-snapshot 400 "lab.scenario=vfio-mdev-snapshot lab.end=poweroff" -- -c 1 \
		--name snapmdev --vfio /sys/bus/mdev/devices/$SNAP_A &
	for _i in $(seq 600); do
		grep -q 'L2-SNAP-COUNT 3 ' /tmp/l2-vfio-mdev-snapshot.log 2>/dev/null && break
		sleep 0.5
	done
	_st=$("$LKVM" stat --vfio --name snapmdev 2>&1 | grep -m 1 'backend: ' | sed 's/.*backend: //')
	_fds=
	for _p in /proc/[0-9]*; do
		[ "$(readlink "$_p/exe" 2>/dev/null)" = "$LKVM" ] &&
			tr '\0' ' ' < "$_p/cmdline" | grep -q 'name snapmdev' || continue
		_fds=$(for _f in "$_p"/fd/*; do readlink "$_f"; done 2>/dev/null | grep -E '^/dev/(iommu|vfio)' | sort | tr '\n' ' ')
	done
	case "$_st|$_fds" in
	"iommufd (/dev/vfio/devices/vfio"*"|/dev/iommu /dev/vfio/devices/vfio"[0-9]" ")
		lab_result vfio-mdev-snapshot-iommufd PASS "stat: $_st; fds: $_fds" ;;
	*)	lab_result vfio-mdev-snapshot-iommufd FAIL "stat: '${_st:-none}'; fds: '${_fds:-none}'" ;;
	esac
	_out=$("$LKVM" snapshot --name snapmdev --stop "$SNAP_DIR" 2>&1)
	_src=$?
	echo "LAB: lkvm snapshot --stop: exit $_src: $_out; $(ls -ls "$SNAP_DIR" 2>&1 | tr '\n' ' ')"
	wait
	_rc1=$(cat /tmp/l2.rc 2>/dev/null || echo 255)
	_n1=$(snap_count /tmp/l2-vfio-mdev-snapshot.log last)
	if [ "$_src" = 0 ] && [ "$_rc1" = 0 ] && [ -s "$SNAP_DIR/state" ]; then
		lab_result vfio-mdev-snapshot-save PASS "saved at count ${_n1:-?}; first lkvm exit 0"
	else
		lab_result vfio-mdev-snapshot-save FAIL "snapshot exit $_src ($_out), first lkvm exit $_rc1"
	fi
	l2_run vfio-mdev-snapshot-restore 150 run --restore "$SNAP_DIR" \
		--vfio /sys/bus/mdev/devices/$SNAP_B,iommu=legacy --debug
	_be=$(grep -m 1 '  backend: ' "$L2_LOG" | sed 's/.*backend: //')
	case $_be in
	"legacy (group "*) lab_result vfio-mdev-snapshot-legacy PASS "restored onto B: $_be" ;;
	*) lab_result vfio-mdev-snapshot-legacy FAIL "restored VM's backend '${_be:-none printed}'" ;;
	esac
	_n2=$(snap_count "$L2_LOG" first)
	if [ -n "$_n1" ] && [ -n "$_n2" ] && [ "$_n2" -ge "$_n1" ] && [ "$_n2" -le $((_n1 + 2)) ]; then
		lab_result vfio-mdev-snapshot-count PASS "count $_n1 before, $_n2 first after the restore"
	else
		lab_result vfio-mdev-snapshot-count FAIL "count ${_n1:-none} before, ${_n2:-none} after the restore"
	fi
	_bad=$(grep -o 'L2-SNAP-COUNT [0-9]* scr=[0-9a-f]*' /tmp/l2-vfio-mdev-snapshot.log "$L2_LOG" |
		grep -vc 'scr=c3$')
	if grep -q 'L2-SNAP-COUNT' "$L2_LOG" && [ "$_bad" = 0 ]; then
		lab_result vfio-mdev-snapshot-scratch PASS "c3 in every read, from A then from B"
	else
		lab_result vfio-mdev-snapshot-scratch FAIL "$_bad reads were not c3: $(grep -o 'scr=[0-9a-f]*' "$L2_LOG" | sort | uniq -c | tr '\n' ' ')"
	fi
	echo "LAB: lkvm: $(grep -E 'vfio|restore|snapshot' "$L2_LOG" | grep -v '^ *$' | tr '\n' ';' | cut -c1-400)"
	l2_check vfio-mdev-snapshot L2-SNAP-DONE
	# another kind of mdev: the compatibility check refuses it before touching it
	if echo $SNAP_C > $SNAP_TYPES/mtty-2/create; then
		l2_run vfio-mdev-snapshot-other 60 run --restore "$SNAP_DIR" \
			--vfio /sys/bus/mdev/devices/$SNAP_C
		_why=$(grep -m 1 "vfio $SNAP_C: .*: snapshot .*, this device " "$L2_LOG")
		if [ "$L2_RC" != 0 ] && [ -n "$_why" ] && grep -q 'nothing was started' "$L2_LOG"; then
			lab_result vfio-mdev-snapshot-other PASS "exit $L2_RC: ${_why#*lkvm: }"
		else
			lab_result vfio-mdev-snapshot-other FAIL "exit $L2_RC: $(tail -n 2 "$L2_LOG" | tr '\n' ' ')"
		fi
	else
		lab_result vfio-mdev-snapshot-other FAIL "no mtty-2 mdev"
	fi
	snap_rm
fi
