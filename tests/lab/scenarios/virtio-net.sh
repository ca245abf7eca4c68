# Lab scenario "virtio-net" (sourced in L1 with l1/lib.sh): one L2 boot with
# -n mode=tap,tapif=lkvmnet0. L1 puts 10.0.2.1/24 on the tap (these addresses
# exist only between L1 and its L2) and serves a random 4 MiB blob with busybox
# httpd; L2 (virtio-net.l2.sh) takes 10.0.2.15/24, pings L1, downloads the blob
# (md5 checked in L2) and serves a blob of its own, which L1 downloads (md5
# checked here) after pinging L2. Needs tun in L1 (virtio-net.l1modules) and
# virtio_net in L2 (virtio-net.l2modules). Results: virtio-net-ping-l1 (L2 pings
# L1), virtio-net-ping-l2 (L1 pings L2), virtio-net-rx (L1->L2 bulk),
# virtio-net-tx (L2->L1 bulk), virtio-net-tap-gone, virtio-net.
D=/tmp/vnet
TAP=lkvmnet0
NLOG=/tmp/l2-virtio-net.log	# l2_run's $L2_LOG for this scenario
rm -rf $D
mkdir -p $D/www
dd if=/dev/urandom of=$D/www/blob bs=1M count=4 2>/dev/null
sum=$(md5sum < $D/www/blob | cut -d' ' -f1)
ip link set lo up
httpd -f -p 8080 -h $D/www &
hpid=$!

# wait_until TENTHS CMD...: runs CMD every 0.1 s until it succeeds.
wait_until() {
	_w=$1; shift
	while ! "$@" >/dev/null 2>&1; do
		_w=$((_w - 1)); [ $_w -gt 0 ] || return 1
		sleep 0.1
	done
}
# L1's half, in the background while lkvm runs: address the tap once lkvm
# made it; when L2 serves its blob, ping L2, fetch the blob, then tell L2
# (it polls for "done" on L1's httpd).
net_l1_side() {
	wait_until 1800 ip link show $TAP || { echo "no $TAP appeared"; return; }
	ip addr add 10.0.2.1/24 dev $TAP
	ip link set $TAP up
	ip addr show dev $TAP
	wait_until 2400 grep -q 'L2-VIRTIO-NET serving' $NLOG || { echo "L2 never served"; return; }
	ping -c 3 -W 3 10.0.2.15 > $D/ping.out 2>&1 && echo ok > $D/ping.res
	t0=$(lab_uptime)
	wget -q -O $D/up http://10.0.2.15:8080/up
	echo "fetched $(wc -c < $D/up) bytes in $(lab_sub "$(lab_uptime)" "$t0")s" > $D/up.time
	md5sum < $D/up | cut -d' ' -f1 > $D/up.md5
	: > $D/www/done
}
net_l1_side > $D/side.log 2>&1 &
spid=$!

l2_run virtio-net 240 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 1 \
	-n mode=tap,tapif=$TAP \
	-p "$L2_APPEND lab.scenario=virtio-net lab.md5=$sum lab.end=poweroff"
kill $hpid $spid 2>/dev/null
sed 's/^/LAB: l1-side: /' $D/side.log

net_sub() {
	if grep -q "L2-VIRTIO-NET $1 ok" "$L2_LOG"; then
		lab_result "virtio-net-$2" PASS "$3 $(grep -m 1 "L2-VIRTIO-NET $1 ok" "$L2_LOG" | sed 's/.* ok *//')"
	else
		lab_result "virtio-net-$2" FAIL "$(grep -m 1 "L2-CHECK-FAIL net-$1" "$L2_LOG" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')"
	fi
}
net_sub ping ping-l1 "L2 pinged 10.0.2.1 (L1's tap)"
net_sub download rx "L2 fetched 4 MiB from L1, md5 ok:"
if [ -f $D/ping.res ]; then
	lab_result virtio-net-ping-l2 PASS "L1 pinged 10.0.2.15: $(grep -m 1 'packets transmitted' $D/ping.out)"
else
	lab_result virtio-net-ping-l2 FAIL "L1 ping 10.0.2.15: $(tail -n 2 $D/ping.out 2>/dev/null | tr '\n' ' ')"
fi
want=$(sed -n 's/.*L2-VIRTIO-NET upmd5=\([0-9a-f]*\).*/\1/p' "$L2_LOG" | head -n 1)
got=$(cat $D/up.md5 2>/dev/null)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	lab_result virtio-net-tx PASS "L1 fetched L2's 4 MiB, md5 ok: $(cat $D/up.time)"
else
	lab_result virtio-net-tx FAIL "md5 of L2's blob in L1 '$got', L2 said '$want'"
fi
if ip link show $TAP >/dev/null 2>&1; then
	lab_result virtio-net-tap-gone FAIL "$TAP still exists after lkvm exited"
else
	lab_result virtio-net-tap-gone PASS "$TAP removed when lkvm exited"
fi
l2_check virtio-net
rm -rf $D
