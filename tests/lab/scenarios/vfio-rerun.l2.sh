# L2 side of scenario vfio-rerun (sourced by l2/init): the nvme checks, then the e1000e
# checks, in one guest that has both devices assigned; then both are removed and rescanned
# (Linux reassigns their BARs) and the nvme read and the e1000e link are checked again.
. /lab/l2/vfio-nvme.sh
. /lab/l2/vfio-e1000e.sh
# bars: "BDF:start-start-..." of every function's memory BARs, one line.
bars() {
	for _f in /sys/bus/pci/devices/*; do
		printf '%s:%s ' "${_f##*/}" "$(awk '$3 != "0x0000000000000000" { printf "%s-", $1 }' "$_f/resource")"
	done
}
before=$(bars)
for _f in /sys/bus/pci/devices/*; do
	case $(cat "$_f/class") in 0x010802|0x020000) echo 1 > "$_f/remove" ;; esac
done
echo 1 > /sys/bus/pci/rescan
after=$(bars)
echo "L2: BARs before $before"
echo "L2: BARs after  $after"
nvme_wait
# between BENCH-SYNC marks: L1 reads lkvm's trap counters (lkvm stat --vfio) around it
echo "BENCH-SYNC rescan-start"
sleep 2
_got=$(head -c 4194304 /dev/nvme0n1 2>/dev/null | md5sum | cut -d' ' -f1)
echo "BENCH-SYNC rescan-end"
sleep 2
if [ "$_got" = "$(param lab.md5)" ]; then
	echo "L2-VFIO rescan-read ok md5=$_got"
else
	echo "L2-CHECK-FAIL rescan-read: md5 of /dev/nvme0n1 '$_got' after the rescan"
fi
eth0_up
if [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ]; then
	echo "L2-VFIO rescan-link ok carrier=1 moved=$([ "$before" = "$after" ] && echo no || echo yes)"
else
	echo "L2-CHECK-FAIL rescan-link: no carrier on eth0 after the rescan"
fi
