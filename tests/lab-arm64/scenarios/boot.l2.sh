# L2 part of the arm64 "boot" scenario: with lab.debug_exit=V, finds lkvm's --debug-exit
# register in the device tree and writes V to it (lkvm must end at once with (V << 1) | 1).
_v=$(param lab.debug_exit)
if [ -n "$_v" ]; then
	_n=$(ls -d /proc/device-tree/debug-exit@* 2>/dev/null | head -n 1)
	if [ -z "$_n" ] || [ "$(tr -d '\000' < "$_n/compatible")" != lkvm,debug-exit ]; then
		echo "L2-CHECK-FAIL no lkvm,debug-exit node in the device tree"
	else
		echo "L2-DEBUG-EXIT writing $_v at 0x${_n##*@}"
		devmem "0x${_n##*@}" 8 "$_v"
		sleep 2
		echo "L2-CHECK-FAIL still running after the debug exit write"
	fi
fi
