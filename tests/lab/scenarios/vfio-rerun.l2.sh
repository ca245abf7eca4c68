# L2 side of scenario vfio-rerun (sourced by l2/init): the nvme checks, then the e1000e
# checks, in one guest that has both devices assigned.
. /lab/l2/vfio-nvme.sh
. /lab/l2/vfio-e1000e.sh
