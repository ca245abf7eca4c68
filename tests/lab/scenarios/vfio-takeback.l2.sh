# L2 part of scenario vfio-takeback: idle until L1 takes the device back (lkvm then stops
# the VM); powering off after 100 s means the request never arrived.
echo "L2-IDLE"
sleep 100
