# Lab scenario "smp4" (sourced in L1 with l1/lib.sh): boots L2 with 4 vCPUs
# (L1 itself has one) and 512 MiB; L2 checks nproc == 4, then waits for its
# power button (lab.end=button: Linux's ACPI button driver, evdev), which L1
# presses with `lkvm stop`: L2 powers off, lkvm exits 0 and `lkvm stop` says
# "powered off (power button)" (result smp4-stop).
l2_stopper smp4 smp4
l2_run smp4 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 4 --name smp4 \
	-p "$L2_APPEND lab.scenario=smp4 lab.cpus=4 lab.mem_mb=512 lab.end=button"
l2_check smp4
l2_stop_result smp4-stop smp4
