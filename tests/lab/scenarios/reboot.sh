# Lab scenario "reboot" (sourced in L1 with l1/lib.sh): L2 boots with 1 vCPU and
# runs `reboot -f`; lkvm must treat the guest reset as the end of the VM and exit 0.
l2_run reboot 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 1 \
	-p "$L2_APPEND lab.scenario=reboot lab.cpus=1 lab.end=reboot"
l2_check reboot "L2-END reboot"
