# The arm64 lab's L1 settings, sourced inside L1 (busybox sh) by l1/init before each
# tests/lab-arm64/scenarios/NAME.sh: lkvm and the L2 Image, initramfs and command line; the
# helpers (results with lab.prefix=, l2_boot/l2_check/l2_sub, PCI readers) are tests/lab-lib's.
# shellcheck shell=sh disable=SC2034
LKVM=/bin/lkvm
L2_KERNEL=/l2/Image
L2_INITRD=/l2/initrd.gz
# Base L2 command line; scenarios add lab.scenario=NAME and their expectations.
# (lkvm adds console=ttyS0 itself unless --console virtio)
L2_APPEND="panic=-1 quiet"
. /lab/lib/l1.sh
. /lab/lib/pci.sh
