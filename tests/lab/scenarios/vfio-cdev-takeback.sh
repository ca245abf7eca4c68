# Lab scenario "vfio-cdev-takeback" (sourced in L1 with l1/lib.sh; the 6.12 L1 of vfio-cdev):
# vfio-takeback over a VFIO cdev and iommufd (iommu=iommufd: the cdev or an error): L1
# unbinds the e1000e from vfio-pci while L2 runs; the request interrupt reaches lkvm through
# the cdev, lkvm stops the VM (status 1, saying why) and releases the device, and the unbind
# completes. Result: vfio-cdev-takeback.
TAKEBACK=vfio-cdev-takeback TAKEBACK_OPTS=,iommu=iommufd . /lab/scenarios/vfio-takeback.sh
