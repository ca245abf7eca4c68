#!/usr/bin/env bash
# `make demo`: VFIO passthrough end to end in the nested lab. L1 (QEMU/TCG with a vIOMMU,
# an nvme and an e1000e) binds the devices to vfio-pci and lkvm assigns them to L2, which
# reads the nvme and brings the e1000e link up; prints the interesting lines as they come.
#   usage: tests/lab/demo.sh [SCENARIO...]   (default: vfio-nvme vfio-e1000e)
set -u
cd "$(dirname "$0")/../.." || exit 1
scen=("$@")
[ ${#scen[@]} = 0 ] && scen=(vfio-nvme vfio-e1000e)

echo "demo: booting the lab L1 with scenarios ${scen[*]} (a few minutes under TCG)"
tests/lab/run.sh -v "${scen[@]}" 2>&1 |
	grep --line-buffered -E 'LAB-RESULT|LAB-CMD|LAB: [0-9a-f]{4}:|lkvm counters|lkvm exited|L2\| (L2-VFIO|L2-CHECK|L2-BOOT-OK|lkvm: vfio|.*nvme0n1|.*e1000e.*Link|.*(nvme|eth0)[a-z0-9-]*$)|^lab: time|^  '
rc=${PIPESTATUS[0]}
echo "demo: $([ "$rc" = 0 ] && echo 'all passed' || echo "failures (exit $rc)");" \
	"full console log in ${LKVM_LAB_OUT:-build/lab}/l1-console.log"
exit "$rc"
