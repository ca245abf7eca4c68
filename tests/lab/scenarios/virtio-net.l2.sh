# L2 side of lab scenario "virtio-net" (sourced by l2/init): loads the modules
# in /lab/modules.order (virtio_net and its failover deps among them), puts
# 10.0.2.15/24 on eth0, pings L1 (10.0.2.1), downloads L1's blob and checks its
# md5 (lab.md5), then serves a blob of its own over httpd until L1 has fetched
# it. Prints "L2-VIRTIO-NET <check> ok ..." or "L2-CHECK-FAIL net-<check> ...".
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" || echo "L2-CHECK-FAIL insmod $m"
done
up() { cut -d' ' -f1 /proc/uptime; }
secs() { awk "BEGIN { printf \"%.2f\", $(up) - $1 }"; }
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
ip link set lo up
if ! ip addr add 10.0.2.15/24 dev eth0 || ! ip link set eth0 up; then
	echo "L2-CHECK-FAIL net-setup: no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
fi
echo "L2-VIRTIO-NET eth0 mac=$(cat /sys/class/net/eth0/address 2>/dev/null)" \
	"features=$(cat /sys/class/net/eth0/device/features 2>/dev/null)"
# The first ping may wait for L1 to address its tap and for ARP.
i=0
while ! ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1 && [ $i -lt 20 ]; do
	i=$((i + 1))
done
if out=$(ping -c 3 -W 3 10.0.2.1 2>&1); then
	echo "L2-VIRTIO-NET ping ok $(echo "$out" | grep 'packets transmitted')"
else
	echo "L2-CHECK-FAIL net-ping: ping 10.0.2.1: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
fi
want=$(param lab.md5)
t0=$(up)
got=$(wget -q -O - http://10.0.2.1:8080/blob | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "L2-VIRTIO-NET download ok in $(secs "$t0")s"
else
	echo "L2-CHECK-FAIL net-download: md5 '$got', wanted '$want'"
fi
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/up bs=1M count=4 2>/dev/null
echo "L2-VIRTIO-NET upmd5=$(md5sum < /tmp/www/up | cut -d' ' -f1)"
httpd -p 8080 -h /tmp/www
echo "L2-VIRTIO-NET serving"
i=0
while ! wget -q -O /dev/null http://10.0.2.1:8080/done 2>/dev/null && [ $i -lt 240 ]; do
	sleep 0.5; i=$((i + 1))
done
[ $i -lt 240 ] || echo "L2-CHECK-FAIL net-done: L1 never fetched the blob"
grep -E 'virtio[0-9]+-(input|output)' /proc/interrupts | sed 's/  */ /g'
cat /proc/net/dev | grep eth0
