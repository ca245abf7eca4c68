# Lab scenario "smp4" (sourced in L1 with l1/lib.sh): boots L2 with 4 vCPUs
# (L1 itself has one) and 512 MiB; L2 checks nproc == 4, then `poweroff -f`.
l2_run smp4 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 4 \
	-p "$L2_APPEND lab.scenario=smp4 lab.cpus=4 lab.mem_mb=512 lab.end=poweroff"
l2_check smp4
