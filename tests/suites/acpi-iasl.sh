#!/usr/bin/env bash
# acpi-iasl: independent check of x86/acpi.c with ACPICA's iasl (Debian
# package acpica-tools): every table lkvm builds must disassemble cleanly,
# the DSDT must recompile to the same AML, the MADT must list N LAPICs.
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

fadt_has() {
	grep -qE "$2" "$1/FACP.dsl"
}

for n in 1 2 8 255; do
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
