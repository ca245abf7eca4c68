# Lab scenario "vfio-cdev" (sourced in L1 with l1/lib.sh; its own L1: Debian 6.12 with iommufd
# and VFIO device cdevs rebuilt, vfio-cdev.l1kernel): QEMU's nvme and e1000e, bound to vfio-pci,
# both assigned to one L2 with iommu=auto, which picks iommufd there; L2 (vfio-cdev.l2.sh) runs
# vfio-nvme's and vfio-e1000e's checks. Then the nvme alone with iommu=legacy (group and
# container). Results: vfio-cdev-nvme-read (md5), -nvme-msix, -e1000e-link, -e1000e-msix
# (the ROM md5 check of vfio-e1000e is left out: its 256 KiB of trapped reads take ~60 s here),
# -backend
# (lkvm's exit statistics: both devices iommufd on their /dev/vfio/devices/vfioN, one IOAS),
# -fds (while L2 runs, lkvm holds /dev/iommu and both cdevs, no /dev/vfio/vfio nor a group),
# vfio-cdev (L2 done, lkvm exit 0); vfio-cdev-legacy-read, -legacy-backend ("legacy (group N"),
# -legacy-fds (/dev/vfio/vfio and /dev/vfio/N, no /dev/iommu), vfio-cdev-legacy.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
. /lab/lib/vfio.sh
# cdev_backend RESULT WANT-ERE N: PASS when lkvm's exit statistics have N "backend:" lines
# and each matches WANT-ERE (grep -E).
cdev_backend() {
	_bl=$(grep '  backend: ' "$L2_LOG" | sed 's/.*backend: //')
	_bn=$(echo "$_bl" | grep -cE "$2")
	if [ -n "$_bl" ] && [ "$_bn" = "$3" ] && [ "$(echo "$_bl" | grep -cvE "$2")" = 0 ]; then
		lab_result "$1" PASS "$(echo "$_bl" | tr '\n' ';')"
	else
		lab_result "$1" FAIL "want $3 backend lines like '$2', lkvm printed: '$(echo "$_bl" | tr '\n' ';')'"
	fi
}
# cdev_fds RESULT FILE WANT-ERE BAD-ERE: PASS when FILE's fd list matches WANT-ERE and no
# word of it matches BAD-ERE.
cdev_fds() {
	_fl=$(cat "$2")
	if echo "$_fl" | grep -qE "$3" && ! echo "$_fl" | tr ' ' '\n' | grep -qE "$4"; then
		lab_result "$1" PASS "lkvm holds: $_fl"
	else
		lab_result "$1" FAIL "lkvm holds '${_fl:-nothing seen}'; want /$3/, none of /$4/; $(ls /dev/iommu /dev/vfio /dev/vfio/devices 2>&1 | tr '\n' ' ')"
	fi
}
_nvme=$(vfio_find 1b36 0010)
_nic=$(vfio_find 8086 10d3)
if [ -z "$_nvme" ] || [ -z "$_nic" ] || ! vfio_bind "$_nvme" || ! vfio_bind "$_nic"; then
	lab_result vfio-cdev FAIL "nvme '${_nvme:-missing}' or e1000e '${_nic:-missing}' not bindable to vfio-pci"
else
	vfio_fds_watch vfio-cdev L2-BOOT-OK /tmp/cdev-fds
	l2_run vfio-cdev 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name vfio-cdev \
		--vfio "$_nvme" --vfio "$_nic,iommu=auto" --debug \
		-p "$L2_APPEND lab.scenario=vfio-cdev lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)"
	vfio_sub vfio-cdev-nvme-read nvme-read
	vfio_sub vfio-cdev-nvme-msix nvme-irq
	vfio_sub vfio-cdev-e1000e-link e1000e-link
	vfio_sub vfio-cdev-e1000e-msix e1000e-irq
	cdev_backend vfio-cdev-backend '^iommufd \(/dev/vfio/devices/vfio[0-9]+, IOAS 1\)$' 2
	cdev_fds vfio-cdev-fds /tmp/cdev-fds '^/dev/iommu /dev/vfio/devices/vfio[0-9]+ /dev/vfio/devices/vfio[0-9]+ $' \
		'^/dev/vfio/(vfio|[0-9]+)$'
	echo "LAB: lkvm counters: $(vfio_counters)"
	l2_check vfio-cdev

	vfio_fds_watch vfio-cdev-legacy L2-BOOT-OK /tmp/cdev-legacy-fds
	l2_run vfio-cdev-legacy 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-cdev-legacy --vfio "$_nvme,iommu=legacy" --debug \
		-p "$L2_APPEND lab.scenario=vfio-nvme lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)"
	vfio_sub vfio-cdev-legacy-read nvme-read
	cdev_backend vfio-cdev-legacy-backend '^legacy \(group [0-9]+, /dev/vfio/vfio type1v2\)$' 1
	cdev_fds vfio-cdev-legacy-fds /tmp/cdev-legacy-fds '^/dev/vfio/[0-9]+ /dev/vfio/vfio $' \
		'^/dev/(iommu|vfio/devices/.*)$'
	l2_check vfio-cdev-legacy
fi
