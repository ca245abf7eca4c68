# L2 side of lab scenario "snap-virtio" (and mig-virtio; sourced by l2/init): loads the
# modules in /lab/modules.order, then tests/lab-lib/l2.sh's snapv_l2: counts to 60, three pings.
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" || echo "L2-CHECK-FAIL insmod $m"
done
snapv_l2 60 3 0
