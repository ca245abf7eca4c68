#!/usr/bin/env bash
# needs: /dev/kvm
# Suite "guests": boots the tiny test guests of tests/guests/ under ./lkvm
# on /dev/kvm and checks their serial markers, exit status and diagnostics.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

LKVM=${LKVM:-./lkvm}
ASAN_LKVM=${ASAN_LKVM:-${B:-build/x86_64}/lkvm-asan}
VMM=$LKVM
GDIR=tests/guests/build
TMO=${GUEST_TIMEOUT:-20}
OUT=$(mktemp)
ERR=$(mktemp)
INITRD=$(mktemp)
trap 'rm -f "$OUT" "$ERR" "$INITRD"' EXIT

if [ "$(uname -m)" != x86_64 ] || [ "${ARCH:-x86_64}" != x86_64 ]; then
	echo "guests: x86_64 guests, nothing to run on $(uname -m)"
	summary guests
	exit
fi

# CI has /dev/kvm: its absence is a failure, not a skip.
if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	fail kvm-device "/dev/kvm is missing or not accessible"
	summary guests
	exit
fi
if [ ! -x "$LKVM" ]; then
	fail lkvm-binary "$LKVM not built (run make)"
	summary guests
	exit
fi
if ! make -s -C tests/guests >"$OUT" 2>&1; then
	cat "$OUT"
	fail guests-build "make -C tests/guests failed"
	summary guests
	exit
fi

# run GUEST ARGS...: boots build/GUEST.bin; sets $st, fills $OUT and $ERR.
run() {
	local g=$1; shift
	timeout -k 5 "$TMO" "$VMM" run --raw -k "$GDIR/$g.bin" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
	st=$?
}

# run_pvh GUEST ARGS...: boots build/GUEST.vmlinux (ELF) through its PVH entry.
run_pvh() {
	local g=$1; shift
	timeout -k 5 "$TMO" "$VMM" run -k "$GDIR/$g.vmlinux" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
	st=$?
}

# show NAME: what the guest printed, for a failure report.
show() {
	echo "---- $1: exit $st, stdout:"
	sed -e 's/^/| /' "$OUT" | tail -n 40
	echo "---- stderr:"
	sed -e 's/^/| /' "$ERR" | tail -n 40
}

# expect NAME WANT-STATUS(0|nonzero) REGEX...: every REGEX must match stdout.
expect() {
	local name=$1 want=$2 why=
	shift 2
	if [ "$st" = 124 ] || [ "$st" = 137 ]; then
		why="timed out after ${TMO}s"
	elif [ "$want" = 0 ] && [ "$st" != 0 ]; then
		why="exit status $st, want 0"
	elif [ "$want" = nonzero ] && [ "$st" = 0 ]; then
		why="exit status 0, want non-zero"
	fi
	for re in "$@"; do
		[ -n "$why" ] && break
		grep -Eq -- "$re" "$OUT" || why="no '$re' on stdout"
	done
	if [ -z "$why" ] && grep -q "GUEST exception" "$OUT"; then
		why="unexpected exception in the guest"
	fi
	if [ -z "$why" ] && grep -Eq "Sanitizer|runtime error:" "$ERR"; then
		why="sanitizer report from lkvm"
	fi
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
		show "$name"
	fi
}

run hello
expect hello 0 '^GUEST hello OK'

run hello -m 64
expect hello-64m 0 '^GUEST hello OK'

run poweroff
expect poweroff 0 '^GUEST poweroff: writing PM1a_CNT'
grep -q "did not stop" "$OUT" && fail poweroff-clean "guest ran on"

# --debug-exit: status (0x21 << 1) | 1 at once; without it port 0x501 is inert
run debugexit --debug-exit
if [ "$st" = 67 ] && grep -q '^GUEST debugexit: writing' "$OUT" &&
   ! grep -q 'still running' "$OUT"; then
	pass debug-exit
else
	fail debug-exit "exit status $st, want 67"
	show debug-exit
fi
run debugexit
expect debug-exit-inert 0 '^GUEST debugexit: still running'

run reboot
expect reboot 0 '^GUEST reboot: writing 0x06'

run kbdreset
expect kbdreset 0 '^GUEST kbdreset: writing 0xfe'

run triple
expect triple nonzero '^GUEST triple: faulting now'
if [ "$st" != 0 ] && [ "$st" != 124 ]; then
	grep -q 'RIP=' "$ERR"
	check triple-regs $? "no register dump (RIP=) on stderr"
	grep -qi 'triple fault' "$ERR"
	check triple-reason $? "stderr does not name the triple fault"
fi

run irq
expect irq 0 '^GUEST irq ud=1' '^GUEST irq de=1' '^GUEST irq ipi=1' \
	'^GUEST irq timer=1' '^GUEST irq OK'

for c in 1 2 4; do
	run smp -c "$c"
	expect "smp-c$c" 0 "^GUEST smp cpus=$c up=$c\$" '^GUEST smp OK'
	[ "$st" = 0 ] || continue
	n=$(grep -c '^GUEST smp ap apic=' "$OUT")
	[ "$n" = $((c - 1)) ]
	check "smp-c$c-aps" $? "$n APs reported, want $((c - 1))"
done

# Power-off from an AP while every other vCPU spins: lkvm must kick them.
run spinoff -c 4
expect spinoff-c4 0 '^GUEST spinoff cpus=4 up=4$' \
	'^GUEST spinoff: apic 3 powers off'

run cpuid -c 4
expect cpuid-c4 0 '^GUEST cpuid cpus=4 up=4 ids=0\.\.3 OK'
for i in 0 1 2 3; do
	grep -q "^GUEST cpuid cpu apic=$i " "$OUT" || {
		fail "cpuid-c4-id$i" "APIC id $i not reported"
		continue
	}
	pass "cpuid-c4-id$i"
done

run highmem -m 4608
expect highmem-4608m 0 '^GUEST highmem OK'

run acpi -c 3
expect acpi-c3 0 '^GUEST acpi lapics=3$' '^GUEST acpi OK'

run acpi -c 1
expect acpi-c1 0 '^GUEST acpi lapics=1$' '^GUEST acpi OK'

# PCI bus 0 through conf1 and ECAM (MCFG): the host bridge alone, then
# with the test device whose BARs are sized, used, moved and turned off.
run pci
expect pci 0 '^GUEST pci mcfg base=e0000000 buses=0-0$' \
	'^GUEST pci 00:00.0 8086:29c0 class 060000$' '^GUEST pci scan found=1$' \
	'^GUEST pci OK'

run pci --pci-testdev
expect pci-testdev 0 '^GUEST pci 00:01.0 1b36:0005 ' \
	'^GUEST pci sizes bar0=1000 bar1=100 bar2=100000$' \
	'^GUEST pci testdev bar0=c0000000 bar1=c001 bar2=100000000$' \
	'^GUEST pci testdev moved bar0=c0800000 bar1=d001 bar2=14000000c$' \
	'^GUEST pci OK'

# Two hotplug root ports in slots 30 and 31, buses 1 and 2 in the MCFG,
# empty; a Slot Control command sets Command Completed.
run pci --hotplug-slots 2
expect pci-ports 0 '^GUEST pci mcfg base=e0000000 buses=0-2$' \
	'^GUEST pci 00:1e.0 1b36:000c class 060400$' \
	'^GUEST pci 00:1f.0 1b36:000c class 060400$' '^GUEST pci scan found=3$' \
	'^GUEST pci port 00:1e.0 bus=1 sltcap=8005b empty cc=1$' \
	'^GUEST pci port 00:1f.0 bus=2 sltcap=10005b empty cc=1$' \
	'^GUEST pci OK'

run pci --pci-testdev -m 4608
expect pci-testdev-highmem 0 '^GUEST pci testdev bar0=c0000000 bar1=c001 bar2=180000000$' \
	'^GUEST pci OK'

# ELF vmlinux: 32-bit entry with %ebx at the hvm_start_info lkvm built.
CMDLINE_HEAD=$(x86_cmdline_head)
PVH_RE=('^GUEST pvh info=7000 magic=336ec578 version=1$'
	"^GUEST pvh cmdline=<$CMDLINE_HEAD pvh-test x=1>\$"
	'^GUEST pvh module 0 size=11 data=<pvh-initrd>$'
	'^GUEST pvh memmap 0-9fc00 type 1$' '^GUEST pvh memmap 9fc00-100000 type 2$'
	'^GUEST pvh memmap 100000-4000000 type 1$'
	'^GUEST pvh memmap e0000000-f0000000 type 2$' '^GUEST pvh rsdp=e0000 OK$')
run_pvh pvh_hello -m 64 -p "pvh-test x=1" -i <(printf 'pvh-initrd\0')
expect pvh-hello 0 "${PVH_RE[@]}"
# A regular file is read straight into guest RAM, a pipe (above) through a buffer.
printf 'pvh-initrd\0' >"$INITRD"
run_pvh pvh_hello -m 64 -p "pvh-test x=1" -i "$INITRD"
expect pvh-hello-initrd-file 0 "${PVH_RE[@]}"
run_pvh pvh_hello -m 64
expect pvh-hello-no-initrd 0 "^GUEST pvh cmdline=<$CMDLINE_HEAD>\$" '^GUEST pvh rsdp=e0000 OK$'
grep -q "GUEST pvh module" "$OUT"
check pvh-hello-no-module $((!$?)) "a module reported without -i"
run_pvh pvh_hello -m 4608
expect pvh-hello-highmem 0 '^GUEST pvh memmap 100000-c0000000 type 1$' \
	'^GUEST pvh memmap 100000000-160000000 type 1$'

# The same VMM paths under ASan/UBSan, when `make check` has built it.
if [ -x "$ASAN_LKVM" ]; then
	VMM=$ASAN_LKVM
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
	TMO=$((TMO * 3))
	run hello
	expect asan-hello 0 '^GUEST hello OK'
	run smp -c 4
	expect asan-smp-c4 0 '^GUEST smp cpus=4 up=4$' '^GUEST smp OK'
	run irq
	expect asan-irq 0 '^GUEST irq OK'
	run spinoff -c 4
	expect asan-spinoff-c4 0 '^GUEST spinoff: apic 3 powers off'
	run triple
	expect asan-triple nonzero '^GUEST triple: faulting now'
	run highmem -m 4608
	expect asan-highmem-4608m 0 '^GUEST highmem OK'
	run acpi -c 3
	expect asan-acpi-c3 0 '^GUEST acpi lapics=3$' '^GUEST acpi OK'
	run pci --pci-testdev
	expect asan-pci-testdev 0 '^GUEST pci OK'
	run_pvh pvh_hello -m 64 -p "pvh-test x=1" -i <(printf 'pvh-initrd\0')
	expect asan-pvh-hello 0 "${PVH_RE[@]}"
fi

summary guests
