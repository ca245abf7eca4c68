# Lab scenario "boot-vmlinux" (sourced in L1 with l1/lib.sh): "boot" with the ELF vmlinux
# extracted from the same bzImage, entered at its PVH entry point: 2 vCPUs, 512 MiB, L2
# checks nproc and MemTotal (the memory map from hvm_start_info), then `poweroff -f`.
l2_run boot-vmlinux 120 run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 512 -c 2 \
	-p "$L2_APPEND lab.scenario=boot-vmlinux lab.cpus=2 lab.mem_mb=512 lab.end=poweroff"
l2_check boot-vmlinux
