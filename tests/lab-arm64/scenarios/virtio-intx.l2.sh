# L2 side of lab scenario "virtio-intx" (sourced by l2/init): loads the virtio modules, reads
# /dev/vda against lab.md5 and checks that virtio's interrupts are GICv3 INTx lines (no
# MSI-X, no ITS). Prints "L2-VIRTIO <check> ok ..." or "L2-CHECK-FAIL <check> ...".
l2_modules
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
want=$(param lab.md5)
got=$(md5sum < /dev/vda | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "L2-VIRTIO blk-read ok md5 of /dev/vda = L1's ($got) with INTx"
else
	echo "L2-CHECK-FAIL blk-read: md5 of /dev/vda '$got', wanted '$want'"
fi
grep -E 'virtio|ITS' /proc/interrupts | sed 's/  */ /g'
lines=$(grep virtio /proc/interrupts)
cnt=$(echo "$lines" | awk '/virtio/ { s += $2 } END { print s + 0 }')
if echo "$lines" | grep -q 'GICv3' && ! echo "$lines" | grep -qE 'MSI|virtio[0-9]+-' && [ "$cnt" -gt 0 ]; then
	echo "L2-VIRTIO intx ok virtio on GICv3 INTx: $(echo "$lines" | sed 's/  */ /g' | tr '\n' ';') count=$cnt"
else
	echo "L2-CHECK-FAIL intx: wanted INTx on GICv3 only, got: $(echo "$lines" | sed 's/  */ /g' | tr '\n' ';') count=$cnt"
fi
