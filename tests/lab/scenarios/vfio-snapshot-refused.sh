# Lab scenario "vfio-snapshot-refused" (sourced in L1 with l1/lib.sh): L2 runs with QEMU's
# nvme (vfio-pci: no VFIO migration) assigned; `lkvm snapshot` must refuse up front naming
# the device ("0000:..:..  (1b36:0010) does not support VFIO migration"), leave no directory,
# and the VM must go on: L2 reads the nvme after the refusal and powers off (lkvm exit 0).
# Results: vfio-snapshot-refused-msg, vfio-snapshot-refused-nodir, vfio-snapshot-refused-read,
# vfio-snapshot-refused.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
SNAP_DIR=/tmp/snap-refused
nv=$(vfio_find 1b36 0010) && vfio_bind "$nv" || nv=
if [ -z "$nv" ]; then
	lab_result vfio-snapshot-refused FAIL "nvme missing or not bindable"
else
	_t0=$(lab_uptime)
	l2_boot vfio-snapshot-refused 300 "lab.scenario=vfio-snapshot-refused lab.end=poweroff \
lab.md5=$(lab_param lab.nvme_md5)" -- -c 1 --name snapref --vfio "$nv" &
	for _i in $(seq 480); do
		grep -q L2-SNAPREF-IDLE /tmp/l2-vfio-snapshot-refused.log 2>/dev/null && break
		sleep 0.5
	done
	_out=$("$LKVM" snapshot --name snapref "$SNAP_DIR" 2>&1)
	_src=$?
	echo "LAB: lkvm snapshot: exit $_src: $_out"
	wait
	L2_LOG=/tmp/l2-vfio-snapshot-refused.log
	L2_RC=$(cat /tmp/l2.rc 2>/dev/null || echo 255)
	L2_SECS=$(lab_sub "$(lab_uptime)" "$_t0")
	case $_out in
	*"$nv (1b36:0010) does not support VFIO migration"*)
		[ "$_src" != 0 ] && lab_result vfio-snapshot-refused-msg PASS "exit $_src: $_out" ||
			lab_result vfio-snapshot-refused-msg FAIL "exit 0 with: $_out" ;;
	*) lab_result vfio-snapshot-refused-msg FAIL "exit $_src: '$_out'" ;;
	esac
	if [ -e "$SNAP_DIR" ]; then
		lab_result vfio-snapshot-refused-nodir FAIL "$SNAP_DIR left behind: $(ls "$SNAP_DIR" | tr '\n' ' ')"
	else
		lab_result vfio-snapshot-refused-nodir PASS "no $SNAP_DIR"
	fi
	l2_sub vfio-snapshot-refused-read nvme-read L2-VFIO
	l2_check vfio-snapshot-refused L2-SNAPREF-DONE
fi
