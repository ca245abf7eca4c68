#!/usr/bin/env bash
# acpi-iasl: independent check of x86/acpi.c with ACPICA's iasl (Debian
# package acpica-tools): every table lkvm builds must disassemble cleanly,
# the DSDT must recompile to the same AML and hold the PCI root bridge
# with its _CRS and _PRT, the MADT must list N LAPICs.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh

if ! command -v iasl >/dev/null 2>&1; then
	echo "skip: iasl not installed (apt-get install acpica-tools)"
	summary acpi-iasl
	exit
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CC=${CC:-cc}

if ! $CC -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Iinclude \
	-D_GNU_SOURCE -o "$work/acpi-dump" tests/tools/acpi-dump.c x86/acpi.c \
	>"$work/cc.log" 2>&1; then
	fail build-acpi-dump "$(cat "$work/cc.log")"
	summary acpi-iasl
	exit
fi
pass build-acpi-dump

# Problems iasl reports in its log or as comments in the disassembly.
IASL_BAD='error|warning|incorrect|invalid|\*\*\*\*|terminates'

disasm_ok() {
	local dir=$1 t=$2
	(cd "$dir" && iasl -d "$t.dat" >"$t.log" 2>&1) || return 1
	[ -s "$dir/$t.dsl" ] || return 1
	! grep -qiE "$IASL_BAD" "$dir/$t.log" "$dir/$t.dsl"
}

# The disassembled DSDT must compile back to the very same AML body.
dsdt_roundtrip() {
	local dir=$1
	mkdir -p "$dir/rt" && cp "$dir/DSDT.dsl" "$dir/rt/" &&
		(cd "$dir/rt" && iasl DSDT.dsl >compile.log 2>&1) &&
		cmp -s <(tail -c +37 "$dir/rt/DSDT.aml") <(tail -c +37 "$dir/DSDT.dat")
}

# \_SB.PCI0: PNP0A08/PNP0A03, bus 0 only, the conf1 ports, I/O around them,
# both memory windows, and a _PRT of 32 slots x 4 pins on GSIs 16-23 with
# slot s pin p -> 16 + (s + p) % 8 (acpi-dump's configuration).
pci_root_ok() {
	local d=$1/DSDT.dsl n
	grep -q 'Device (PCI0)' "$d"
	check "dsdt-pci0-$n_cpus" $? "no Device (PCI0)"
	grep -q 'Name (_HID, EisaId ("PNP0A08")' "$d" &&
		grep -q 'Name (_CID, EisaId ("PNP0A03")' "$d" &&
		grep -q 'Name (_SEG, Zero)' "$d" && grep -q 'Name (_BBN, Zero)' "$d" &&
		grep -q 'Name (_UID, Zero)' "$d"
	check "dsdt-pci0-ids-$n_cpus" $? "PCI0 _HID/_CID/_SEG/_BBN/_UID not as built"
	grep -A4 'WordBusNumber' "$d" | grep -q '0x0000,  *// Range Maximum'
	check "dsdt-pci0-bus-range-$n_cpus" $? "bus range is not 0-0"
	grep -A3 'WordIO' "$d" | grep -q '0x0CF7,  *// Range Maximum' &&
		grep -A3 'WordIO' "$d" | grep -q '0x0D00,  *// Range Minimum'
	check "dsdt-pci0-io-$n_cpus" $? "I/O ranges 0-0xcf7 and 0xd00-0xffff missing"
	grep -A4 'DWordMemory' "$d" | grep -q '0xDFFFFFFF,  *// Range Maximum'
	check "dsdt-pci0-mem32-$n_cpus" $? "32-bit window 0xc0000000-0xdfffffff missing"
	grep -A4 'QWordMemory' "$d" | grep -q '0x0000000140000000, // Range Minimum'
	check "dsdt-pci0-mem64-$n_cpus" $? "64-bit window missing"
	n=$(awk '/Name \(_PRT/,/^            }\)/' "$d" | grep -c 'Package (0x04)')
	[ "$n" = 128 ]
	check "dsdt-prt-entries-$n_cpus" $? "_PRT has $n entries, want 128"
	awk '/Name \(_PRT/,/^            }\)/' "$d" | tr -d ' ,\n' |
		grep -q 'Package(0x04){0x0003FFFF0x02Zero0x15}'
	check "dsdt-prt-swizzle-$n_cpus" $? "slot 3 INTC is not GSI 21"
}

fadt_has() {
	grep -qE "$2" "$1/FACP.dsl"
}

for n in 1 2 8 255; do
	n_cpus=cpus$n
	dir=$work/cpus-$n
	mkdir -p "$dir"
	if ! "$work/acpi-dump" "$dir" "$n" >"$dir/dump.log" 2>&1; then
		fail "dump-$n" "$(cat "$dir/dump.log")"
		continue
	fi
	# This iasl cannot disassemble a bare RSDP; the unit tests check it.
	for t in XSDT FACP FACS DSDT APIC MCFG; do
		disasm_ok "$dir" "$t"
		check "iasl-d-$t-cpus$n" $? "$(grep -hiE "$IASL_BAD" \
			"$dir/$t.log" "$dir/$t.dsl" 2>/dev/null | head -3)"
	done
	grep -q '_S5' "$dir/DSDT.dsl"
	check "dsdt-has-_S5-cpus$n" $? "no _S5 in the DSDT disassembly"
	pci_root_ok "$dir"
	dsdt_roundtrip "$dir"
	check "dsdt-roundtrip-cpus$n" $? "iasl does not recompile the DSDT to the same AML"
	got=$(grep -c '\[Processor Local APIC\]' "$dir/APIC.dsl")
	[ "$got" = "$n" ]
	check "madt-lapics-cpus$n" $? "expected $n Processor Local APIC entries, got $got"
	got=$(grep -c '\[Interrupt Source Override\]' "$dir/APIC.dsl")
	[ "$got" = 1 ]
	check "madt-overrides-cpus$n" $? "expected 1 interrupt source override (SCI), got $got"
	grep -q '\[I/O APIC\]' "$dir/APIC.dsl"
	check "madt-ioapic-cpus$n" $? "no I/O APIC entry"
	grep -qi 'Base Address : 00000000E0000000' "$dir/MCFG.dsl"
	check "mcfg-base-cpus$n" $? "MCFG does not show base 0xE0000000"
	fadt_has "$dir" 'Reset Register Supported \(V2\) : 1' &&
		fadt_has "$dir" '8042 Present on ports 60/64 \(V2\) : 0' &&
		fadt_has "$dir" 'Legacy Devices Supported \(V2\) : 1' &&
		fadt_has "$dir" 'Value to cause reset : 06'
	check "fadt-flags-cpus$n" $? "FADT reset/boot-arch flags are not as built"
done

summary acpi-iasl
