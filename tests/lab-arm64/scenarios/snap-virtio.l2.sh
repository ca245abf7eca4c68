# L2 side of arm64 lab scenario "snap-virtio" (sourced by l2/init): writes "BEFORE-<lab.token>"
# to sector 0 of /dev/vda, puts 10.0.2.15/24 on eth0 and pings L1, then counts to lab.count
# every 0.5 s ("L2-SNAPV count N up=UPTIME", each count written and synced to sector 16) while
# L1 snapshots and restores it. Then: sector 0 read back with the page cache dropped,
# "AFTER-<token>" written to sector 8 and read back, L1 pinged again. Prints "L2-SNAPV <check>
# ok ..." or "L2-CHECK-FAIL snapv-<check> ...", then "L2-SNAPV done".
l2_modules
tok=$(param lab.token)
n=$(param lab.count)
i=0
while { [ ! -b /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up ||
	echo "L2-CHECK-FAIL snapv-setup: no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
# snapv_sector N: the first line of sector N, read from the disk, not the page cache.
snapv_sector() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	dd if=/dev/vda bs=512 skip="$1" count=1 2>/dev/null | head -n 1
}
# snapv_ping TRIES: pings L1 until it answers (its tap may still be coming up).
snapv_ping() {
	_i=0
	while ! ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1 && [ $_i -lt "$1" ]; do
		_i=$((_i + 1))
	done
	ping -c 2 -W 3 10.0.2.1 2>&1 | grep 'packets transmitted'
}
printf 'BEFORE-%s\n' "$tok" | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null
[ "$(snapv_sector 0)" = "BEFORE-$tok" ] || echo "L2-CHECK-FAIL snapv-setup: sector 0 not written"
out=$(snapv_ping 30)
case $out in
*" 0% packet loss"*) echo "L2-SNAPV net-before ok $out" ;;
*) echo "L2-CHECK-FAIL snapv-net-before: ping 10.0.2.1: $out" ;;
esac
i=0
while [ $i -lt "${n:-24}" ]; do
	i=$((i + 1))
	echo "L2-SNAPV count $i up=$(cut -d' ' -f1 /proc/uptime)"
	printf '%s\n' $i | dd of=/dev/vda bs=512 seek=16 count=1 conv=sync 2>/dev/null
	sync
	sleep 0.5
done
got=$(snapv_sector 0)
if [ "$got" = "BEFORE-$tok" ]; then
	echo "L2-SNAPV disk-read ok sector 0: $got"
else
	echo "L2-CHECK-FAIL snapv-disk-read: sector 0 holds '$got', want BEFORE-$tok"
fi
printf 'AFTER-%s\n' "$tok" | dd of=/dev/vda bs=512 seek=8 count=1 conv=sync 2>/dev/null
got=$(snapv_sector 8)
if [ "$got" = "AFTER-$tok" ]; then
	echo "L2-SNAPV disk-write ok sector 8: $got"
else
	echo "L2-CHECK-FAIL snapv-disk-write: sector 8 holds '$got', want AFTER-$tok"
fi
out=$(snapv_ping 30)
case $out in
*" 0% packet loss"*) echo "L2-SNAPV net ok $out" ;;
*) echo "L2-CHECK-FAIL snapv-net: ping 10.0.2.1 after the restore: $out" ;;
esac
echo "L2-SNAPV done count=$i"
