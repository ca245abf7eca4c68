# L2 side of scenario vfio-aer (sourced by l2/init): vfio-busreset's link checks on the
# assigned virtio-net, then "L2-AER ready" (L1 has the error injected) and lab.aer_wait=
# seconds; "L2-AER survived" if the VM is still running then.
. /lab/l2/vfio-busreset.sh
echo "L2-AER ready"
sleep "$(param lab.aer_wait)"
echo "L2-AER survived $(param lab.aer_wait)s"
