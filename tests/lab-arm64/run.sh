#!/usr/bin/env bash
# The arm64 nested lab: a static arm64 lkvm inside an L1 Linux on
# qemu-system-aarch64 (TCG, -M virt,virtualization=on,gic-version=3) boots L2 Linux
# guests (Debian's arm64 6.1 Image) that print a marker and power off.
# Results: $LKVM_LAB_ARM64_OUT/results.txt, one "NAME PASS|FAIL DETAIL" line each.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${LKVM_LAB_ARM64_OUT:-$ROOT/build/lab-arm64}
CACHE=${LKVM_LAB_ARM64_CACHE:-/var/cache/lkvm-lab-arm64}
msg() { echo "lab-arm64: $*" >&2; }
die() { echo "lab-arm64: error: $*" >&2; exit 1; }
now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }

command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing: apt-get install qemu-system-arm"
mkdir -p "$OUT"
rm -f "$OUT/results.txt"
tests/lab-arm64/fetch.sh || die "fetch failed"
. "$CACHE/lab.env"

msg "building the static arm64 lkvm"
make -j"$(nproc)" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- B="$OUT/obj" LDFLAGS=-static \
	OUT="$OUT/lkvm" "$OUT/lkvm" > "$OUT/build.log" 2>&1 || die "build failed: $(tail -n 20 "$OUT/build.log")"

# cpio ROOT DEST: a newc archive of ROOT
mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$2"; }
# skel DIR INIT: busybox and /init in DIR
skel() {
	rm -rf "$1"
	mkdir -p "$1"/{bin,proc,sys,dev,tmp}
	cp "$BUSYBOX" "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
	cp "$2" "$1/init"
	chmod +x "$1/init"
}
skel "$OUT/l2root" tests/lab-arm64/l2/init
mkcpio "$OUT/l2root" "$OUT/l2.cpio"
skel "$OUT/l1root" tests/lab-arm64/l1/init
cp "$OUT/lkvm" "$OUT/l1root/lkvm"
cp "$IMAGE" "$OUT/l1root/Image"
cp "$OUT/l2.cpio" "$OUT/l1root/l2.cpio"
mkcpio "$OUT/l1root" "$OUT/l1.cpio"

msg "booting L1 ($KVER) under qemu-system-aarch64 (TCG)"
t0=$(now_us)
timeout "${LKVM_LAB_ARM64_TIMEOUT:-900}" qemu-system-aarch64 \
	-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on -smp 1 -m 2048 \
	-nographic -no-reboot -kernel "$IMAGE" -initrd "$OUT/l1.cpio" \
	-append "console=ttyAMA0 rdinit=/init panic=-1" < /dev/null 2>&1 |
	tee "$OUT/console.raw"
tr -d '\r' < "$OUT/console.raw" > "$OUT/console.log"
t1=$(now_us)
d=$(( (t1 - t0) / 10000 ))
echo "L1 run took $((d / 100)).$(printf %02d $((d % 100))) s host time" > "$OUT/host-time.txt"
msg "$(cat "$OUT/host-time.txt")"
grep '^LAB-RESULT ' "$OUT/console.log" | sed 's/^LAB-RESULT //' > "$OUT/results.txt"
grep -q '^L1: done' "$OUT/console.log" ||
	echo "l1-complete FAIL L1 did not finish its scenarios (hang or timeout)" >> "$OUT/results.txt"
[ -s "$OUT/results.txt" ] || { echo "l1 FAIL L1 printed no results" > "$OUT/results.txt"; exit 1; }
! grep -q ' FAIL' "$OUT/results.txt"
