# Lab scenario "boot" (sourced in L1 with l1/lib.sh): boots L2 with 2 vCPUs and
# 512 MiB; L2 checks nproc == 2 and a plausible MemTotal, then `poweroff -f`.
# PASS when L2-BOOT-OK appears, no check failed and lkvm exits 0. Without quiet: the kernel's
# whole boot log goes through the UART here.
l2_run boot 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 2 \
	-p "$L2_APPEND_VERBOSE lab.scenario=boot lab.cpus=2 lab.mem_mb=512 lab.end=poweroff"
l2_check boot
