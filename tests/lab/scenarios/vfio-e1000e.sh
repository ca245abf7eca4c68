# Lab scenario "vfio-e1000e" (sourced in L1 with l1/lib.sh): binds QEMU's e1000e (8086:10d3:
# memory BARs 0, 1, 3 with MSI-X in BAR3, an I/O BAR2 and a ROM) to vfio-pci and boots L2
# with it; L2 (vfio-e1000e.l2.sh) loads e1000e, brings eth0 up and checks the carrier and
# MSI-X interrupts counting, and reads its expansion ROM through lkvm's ROM BAR: the md5
# must be L1's read of the real ROM (sysfs rom). Results: vfio-e1000e-link,
# vfio-e1000e-msix, vfio-e1000e-rom, vfio-e1000e.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
rom_md5() {
	_r=/sys/bus/pci/devices/$1/rom
	echo 1 > "$_r" && md5sum < "$_r" | cut -d' ' -f1
	echo 0 > "$_r"
}
_nic=$(vfio_find 8086 10d3) && _rom=$(rom_md5 "$_nic")
if vfio_l2 vfio-e1000e 8086 10d3 vfio-e1000e "lab.rom_md5=${_rom:-none}"; then
	vfio_sub vfio-e1000e-link e1000e-link
	vfio_sub vfio-e1000e-msix e1000e-irq
	vfio_sub vfio-e1000e-rom e1000e-rom
	echo "LAB: lkvm counters: $(vfio_counters)"
	l2_check vfio-e1000e
fi
