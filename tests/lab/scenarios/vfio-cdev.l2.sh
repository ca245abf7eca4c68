# L2 side of scenario vfio-cdev (sourced by l2/init): the nvme and the e1000e, both through
# iommufd in L1: vfio-nvme's checks (md5 of 4 MiB, MSI-X) then vfio-e1000e's (link, MSI-X;
# no lab.rom_md5, so no ROM read).
. /lab/l2/vfio-nvme.sh
. /lab/l2/vfio-e1000e.sh
