#!/usr/bin/env bash
# vfio-host: `lkvm vfio list|bind|unbind` on this host's real PCI devices,
# read-only: list names every device with the ids sysfs gives, usage errors
# exit 2, a bind/unbind that cannot apply exits 1 and touches nothing.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work/rt
mkdir -p "$XDG_RUNTIME_DIR"

$LKVM vfio list >"$work/list" 2>"$work/err"
check list-exit $? "exit $? ($(cat "$work/err"))"
missing=
n=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	n=$((n + 1))
	want="$(basename "$d") $(sed 's/^0x//' "$d/vendor"):$(sed 's/^0x//' "$d/device") class $(sed 's/^0x//' "$d/class")"
	grep -q "^$want " "$work/list" || missing="$missing $want;"
done
check list-every-device "$([ -z "$missing" ] && echo 0 || echo 1)" "not listed:$missing"
check list-verdicts "$([ "$(grep -c '^  assignable: ' "$work/list")" = "$n" ] && echo 0 || echo 1)" \
	"$n devices, $(grep -c '^  assignable: ' "$work/list") verdicts"

$LKVM vfio >/dev/null 2>"$work/err"
st=$?
check usage-exit "$([ $st = 2 ] && grep -q 'usage: lkvm vfio list' "$work/err" && echo 0 || echo 1)" "exit $st"
$LKVM vfio --help >"$work/out" 2>&1
st=$?
check help "$([ $st = 0 ] && grep -q 'lkvm vfio unbind' "$work/out" && echo 0 || echo 1)" "exit $st"

$LKVM vfio bind 0000:ff:1f.7 2>"$work/err"
st=$?
check bind-missing "$([ $st = 1 ] && grep -q '0000:ff:1f.7: no such PCI device' "$work/err" && echo 0 || echo 1)" \
	"exit $st: $(cat "$work/err")"

# a device not on vfio-pci: unbind refuses and nothing changes
dev=
for d in /sys/bus/pci/devices/*; do
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	[ "$drv" != vfio-pci ] && dev=$(basename "$d") && break
done
if [ -n "$dev" ]; then
	before=$(readlink "/sys/bus/pci/devices/$dev/driver")
	$LKVM vfio unbind "$dev" 2>"$work/err"
	st=$?
	check unbind-refused "$([ $st = 1 ] && grep -q "$dev: not bound to vfio-pci" "$work/err" &&
		[ "$(readlink "/sys/bus/pci/devices/$dev/driver")" = "$before" ] && echo 0 || echo 1)" \
		"exit $st: $(cat "$work/err")"
fi
# `lkvm vfio add|remove`: the client checks the device on the host before any
# VM is asked; usage errors exit 2; with no VM running, remove says so.
$LKVM vfio add 0000:ff:1f.7 2>"$work/err"
st=$?
check add-missing "$([ $st = 1 ] && grep -q 'lkvm vfio add: vfio 0000:ff:1f.7: no such PCI device' "$work/err" && echo 0 || echo 1)" \
	"exit $st: $(cat "$work/err")"
$LKVM vfio add 2>"$work/err"
st=$?
check add-usage "$([ $st = 2 ] && grep -q 'usage: lkvm vfio add' "$work/err" && echo 0 || echo 1)" "exit $st"
$LKVM vfio add 01:00 2>"$work/err"
st=$?
check add-bad-device "$([ $st = 1 ] && grep -q "invalid PCI address" "$work/err" && echo 0 || echo 1)" \
	"exit $st: $(cat "$work/err")"
$LKVM vfio remove --timeout 0 01:00.0 2>"$work/err"
st=$?
check remove-usage "$([ $st = 2 ] && echo 0 || echo 1)" "exit $st: $(cat "$work/err")"
$LKVM vfio remove 01:00.0 2>"$work/err"
st=$?
check remove-no-vm "$([ $st = 1 ] && grep -q 'no running VM' "$work/err" && echo 0 || echo 1)" \
	"exit $st: $(cat "$work/err")"
check nothing-left "$([ -z "$(ls -A "$XDG_RUNTIME_DIR")" ] || [ -z "$(ls -A "$XDG_RUNTIME_DIR/lkvm" 2>/dev/null)" ] && echo 0 || echo 1)" \
	"$(ls -R "$XDG_RUNTIME_DIR")"
summary vfio-host
