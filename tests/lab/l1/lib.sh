# The x86 lab's L1 settings, sourced inside L1 (busybox sh) before each
# tests/lab/scenarios/NAME.sh: lkvm and the L2 kernel, initramfs and command line; the helpers
# (results, l2_run/l2_check, PCI config readers) are tests/lab-lib's l1.sh and pci.sh.
# shellcheck shell=sh disable=SC2034
LKVM=/bin/lkvm
L2_KERNEL=/l2/vmlinuz
L2_VMLINUX=/l2/vmlinux	# the same kernel as an ELF, booted through its PVH entry
L2_INITRD=/l2/initrd.gz
# Base L2 command line; scenarios add lab.scenario=NAME and their expectations. quiet: every
# byte of a boot log is a UART exit, and nested boots took ~1.5x as long with it (21-31 s against
# 14-21 s); scenario boot keeps the whole log (L2_APPEND_VERBOSE). Panics still print.
L2_APPEND_VERBOSE="console=ttyS0 panic=-1 nokaslr"
L2_APPEND="$L2_APPEND_VERBOSE quiet"
# An L2 silent for this long before L2-BOOT-OK has stalled (l2_run diagnoses, runs it again).
L2_STALL=60
. /lab/lib/l1.sh
. /lab/lib/pci.sh
