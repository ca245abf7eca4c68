# Lab scenario "vfio-e1000e-vmlinux" (sourced in L1 with l1/lib.sh): vfio-e1000e with L2
# booted from the ELF vmlinux through its PVH entry: QEMU's e1000e assigned, L2 brings eth0
# up and counts MSI-X interrupts. Results: vfio-e1000e-vmlinux-link, -msix, and the boot.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
_kernel=$L2_KERNEL
L2_KERNEL=$L2_VMLINUX
if vfio_l2 vfio-e1000e-vmlinux 8086 10d3 vfio-e1000e; then
	vfio_sub vfio-e1000e-vmlinux-link e1000e-link
	vfio_sub vfio-e1000e-vmlinux-msix e1000e-irq
	l2_check vfio-e1000e-vmlinux
fi
L2_KERNEL=$_kernel
