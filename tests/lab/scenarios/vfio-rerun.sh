# Lab scenario "vfio-rerun" (sourced in L1 with l1/lib.sh): two L2 boots with the nvme
# assigned, the second started as soon as the first lkvm exits: the device must come back
# reset and reusable (group, container, DMA maps all released). Results: vfio-rerun-first,
# vfio-rerun.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
md5=$(lab_param lab.nvme_md5)
if vfio_l2 vfio-rerun-first 1b36 0010 vfio-nvme "lab.md5=$md5"; then
	l2_check vfio-rerun-first
	if vfio_l2 vfio-rerun 1b36 0010 vfio-nvme "lab.md5=$md5"; then
		l2_check vfio-rerun
	fi
fi
