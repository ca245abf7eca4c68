# Lab scenario "vfio-nvme" (sourced in L1 with l1/lib.sh; runs unless LKVM_LAB_ARM64_VFIO=0):
# binds QEMU's nvme (1b36:0010) and e1000e (8086:10d3) behind L1's SMMUv3 to vfio-pci with
# /bin/vfio-bind, then boots L2 with --vfio <nvme BDF>; L2 (vfio-nvme.l2.sh) loads nvme, compares
# the md5 of 4 MiB of /dev/nvme0n1 with the image's (lab.nvme_md5) and checks nvme's MSI-X
# vectors through the ITS. Results: vfio-bind, vfio-nvme-read, vfio-nvme-msix, vfio-nvme.
b1=$(vfio-bind 1b36:0010 2>&1); r1=$?
b2=$(vfio-bind 8086:10d3 2>&1); r2=$?
echo "LAB: vfio-bind: $b1 / $b2"
echo "LAB: iommu groups: $(ls /sys/kernel/iommu_groups 2>/dev/null | tr '\n' ' ') /dev/vfio: $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
dmesg | grep -iE 'smmu|vfio' | tail -n 5 | sed 's/^/LAB:   /'
if [ $r1 = 0 ] && [ $r2 = 0 ]; then
	lab_result vfio-bind PASS "nvme $b1; e1000e $b2"
else
	lab_result vfio-bind FAIL "nvme(rc $r1): $b1; e1000e(rc $r2): $b2"
fi
if [ $r1 = 0 ]; then
	bdf=${b1%% *}
	l2_boot vfio-nvme 240 "lab.scenario=vfio-nvme lab.md5=$(lab_param lab.nvme_md5)" -- \
		--vfio "$bdf" --debug
	l2_sub vfio-nvme-read nvme-read L2-VFIO
	l2_sub vfio-nvme-msix nvme-irq L2-VFIO
	l2_check vfio-nvme
else
	lab_result vfio-nvme FAIL "nvme not bound to vfio-pci: $b1"
fi
