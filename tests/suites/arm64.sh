#!/usr/bin/env bash
# Test suite "arm64": cross-builds lkvm for ARM64 (dynamic and static, both
# warning-free), runs the arm64 unit tests (plain and ASan/UBSan) under
# qemu-aarch64-static, checks
# the generated device trees with dtc and the static binary's CLI errors.
# Needs gcc-aarch64-linux-gnu, qemu-user-static and device-tree-compiler.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh

CROSS=${CROSS_COMPILE:-aarch64-linux-gnu-}
B=${LKVM_ARM64_B:-build/arm64-cross}
QEMU=${QEMU_AARCH64:-qemu-aarch64-static}
export QEMU_LD_PREFIX=${QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

missing=
command -v "${CROSS}gcc" >/dev/null || missing="$missing gcc-aarch64-linux-gnu"
command -v "$QEMU" >/dev/null || missing="$missing qemu-user-static"
command -v dtc >/dev/null || missing="$missing device-tree-compiler"
if [ -n "$missing" ]; then
	fail arm64-tools "missing packages:$missing (apt-get install$missing)"
	summary arm64
	exit 1
fi

mk() { make -j"$(nproc)" ARCH=arm64 CROSS_COMPILE="$CROSS" "$@"; }

# build NAME B OUT [LDFLAGS]: builds lkvm and unit-tests, no warnings allowed
build() {
	local name=$1 b=$2 out=$3 ld=${4:-} log=$T/$1.log
	if ! mk B="$b" OUT="$out" LDFLAGS="$ld" "$out" "$b/unit-tests" >"$log" 2>&1; then
		fail "$name" "build failed: $(tail -n 20 "$log")"; return 1
	fi
	if grep -q 'warning' "$log"; then
		fail "$name" "warnings: $(grep 'warning' "$log" | head -n 5)"; return 1
	fi
	pass "$name"
}

build arm64-build "$B" "$B/lkvm" && dyn=1 || dyn=0
build arm64-build-static "$B-static" "$B-static/lkvm" -static && st=1 || st=0
if [ $st = 1 ]; then
	file "$B-static/lkvm" | grep -q 'ARM aarch64.*statically linked'
	check arm64-static-binary $? "$(file "$B-static/lkvm")"
fi

if [ $dyn = 1 ]; then
	out=$(LKVM_DTB_DIR=$T "$QEMU" "$B/unit-tests" 2>&1)
	rc=$?
	line=$(grep -E '^unit: [0-9]+ passed' <<<"$out")
	if [ $rc = 0 ] && [ -n "$line" ]; then
		pass "arm64-unit ($line)"
	else
		fail arm64-unit "$(grep -E '^FAIL|^unit:' <<<"$out" | head -n 20)"
	fi
	# ASan/UBSan build; LeakSanitizer cannot run under qemu-user
	if mk B="$B" OUT="$B/lkvm" "$B/unit-tests-asan" >"$T/asan.log" 2>&1; then
		out=$(ASAN_OPTIONS=detect_leaks=0 "$QEMU" "$B/unit-tests-asan" 2>&1)
		rc=$?
		line=$(grep -E '^unit: [0-9]+ passed' <<<"$out")
		if [ $rc = 0 ] && [ -n "$line" ]; then
			pass "arm64-unit-asan ($line)"
		else
			fail arm64-unit-asan "$(grep -E '^FAIL|^unit:|ERROR|runtime error' <<<"$out" | head -n 20)"
		fi
	else
		fail arm64-unit-asan "build failed: $(tail -n 20 "$T/asan.log")"
	fi
	# every generated DTB decompiles without a dtc warning
	n=0
	for f in "$T"/*.dtb; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		w=$(dtc -I dtb -O dts -o "$T/x.dts" "$f" 2>&1)
		if [ -z "$w" ] && grep -q 'intc@8000000' "$T/x.dts"; then
			pass "arm64-dtb-$(basename "$f" .dtb)"
		else
			fail "arm64-dtb-$(basename "$f" .dtb)" "dtc: $w"
		fi
	done
	[ $n -gt 0 ] || fail arm64-dtb "the unit tests wrote no DTB to LKVM_DTB_DIR"
fi

if [ $st = 1 ]; then
	L=$B-static/lkvm
	# cli NAME WANT-STATUS PATTERN ARGS...
	cli() {
		local name=$1 want=$2 pat=$3 out rc
		shift 3
		out=$(LKVM_KVM_DEVICE=${KDEV:-/dev/kvm} timeout 20 "$QEMU" "$L" "$@" </dev/null 2>&1)
		rc=$?
		if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$out"; then
			pass "$name"
		else
			fail "$name" "exit $rc (wanted $want): $out"
		fi
	}
	cli arm64-cli-version 0 'lkvm version' version
	cli arm64-cli-help 0 'dump-dtb <file>' run --help
	cli arm64-cli-bad-irqchip 2 "unknown --irqchip 'gicv9'; valid: auto, gicv3-its" \
		run --irqchip=gicv9 -k x
	KDEV=$T/nonexistent cli arm64-cli-no-kvm 1 'does not exist' run -k x
fi
summary arm64
