# L2 side of scenario vfio-port (sourced by l2/init): the nvme checks of vfio-nvme with the
# nvme behind a hotplug root port, then nvme_port_checks (tests/lab-lib/l2.sh): topology,
# pciehp slot power off and on.
. /lab/l2/vfio-nvme.sh
nvme_port_checks
