#!/usr/bin/env bash
# The arm64 nested lab: a static arm64 lkvm inside an L1 Linux on qemu-system-aarch64 (TCG,
# -M virt,virtualization=on,gic-version=3) boots L2 Linux (Debian's arm64 6.1 Image) through the
# scenarios in tests/lab-arm64/scenarios, once per L1 kernel: "4k" (Debian 6.1, 4 KiB pages)
# and "16k" (Debian 6.12 arm64-16k; its results are prefixed "16k-"), one L1 boot each.
#   usage: tests/lab-arm64/run.sh [-v] [--kernels 4k,16k] [SCENARIO...]
#   default scenarios: boot virtio virtio-intx snap-virtio, plus vfio-nvme, vfio-virtio and vfio-port
#   (LKVM_LAB_ARM64_VFIO=0 leaves them out)
# Writes $LKVM_LAB_ARM64_OUT (build/lab-arm64)/results.txt ("NAME PASS|FAIL DETAIL"),
# timings.txt (host wall times per L1, scenario and L2 run) and l1-<tag>-console.log (stamped).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
LAB=$ROOT/tests/lab-arm64
LIB=$ROOT/tests/lab-lib		# shell helpers shared with tests/lab
OUT=${LKVM_LAB_ARM64_OUT:-$ROOT/build/lab-arm64}
CACHE=${LKVM_LAB_ARM64_CACHE:-/var/cache/lkvm-lab-arm64}
msg() { echo "lab-arm64: $*" >&2; }
die() { echo "lab-arm64: error: $*" >&2; exit 1; }
now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }
secs() { local d=$(( (${2:-$(now_us)} - $1) / 10000 )); printf '%d.%02d' $((d / 100)) $((d % 100)); }

verbose=0
kernels=${LKVM_LAB_ARM64_KERNELS:-4k,16k}
scen=()
while [ $# -gt 0 ]; do
	case $1 in
	-v|--verbose) verbose=1; shift ;;
	--kernels) kernels=$2; shift 2 ;;
	-h|--help) sed -n '2,10p' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) scen+=("$1"); shift ;;
	esac
done
if [ ${#scen[@]} = 0 ]; then
	scen=(boot virtio virtio-intx snap-virtio)
	[ "${LKVM_LAB_ARM64_VFIO:-1}" = 1 ] && scen+=(vfio-nvme vfio-virtio vfio-port)
fi
for s in "${scen[@]}"; do
	[ -f "$LAB/scenarios/$s.sh" ] || die "no scenario '$s' (tests/lab-arm64/scenarios/$s.sh)"
done
case ",$kernels," in *,16k,*) export LKVM_LAB_ARM64_16K=${LKVM_LAB_ARM64_16K:-1} ;; *) export LKVM_LAB_ARM64_16K=0 ;; esac

command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing: apt-get install qemu-system-arm"
mkdir -p "$OUT"
results=$OUT/results.txt
rm -f "$results" "$OUT/timings.txt"
T0=$(now_us)
timing() { printf '%-50s %8ss\n' "$1" "$2" | tee -a "$OUT/timings.txt" >&2; }
hostfail() { echo "$1 FAIL $2" >> "$results"; msg "$1 FAIL $2"; }

t=$(now_us)
tests/lab-arm64/fetch.sh || { hostfail lab-fetch "tests/lab-arm64/fetch.sh failed"; exit 1; }
. "$CACHE/lab.env"
timing "fetch kernels+busybox" "$(secs "$t")"

t=$(now_us)
lkvm=${LKVM_LAB_ARM64_LKVM:-}
if [ -z "$lkvm" ]; then
	lkvm=$OUT/lkvm
	msg "building the static arm64 lkvm"
	make -j"$(nproc)" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- B="$OUT/obj" LDFLAGS=-static \
		OUT="$lkvm" "$lkvm" > "$OUT/build.log" 2>&1 ||
		{ hostfail lkvm-build "build failed: $(tail -n 5 "$OUT/build.log" | tr '\n' ' ')"; exit 1; }
	timing "build static arm64 lkvm" "$(secs "$t")"
fi

# bench-io (tests/bench/bench-io.c), static for arm64: L2's reader in the vfio-nvme phases.
if ! aarch64-linux-gnu-gcc -O2 -static -Wall -o "$OUT/bench-io" tests/bench/bench-io.c 2> "$OUT/bench-io.log"; then
	msg "note: bench-io did not build ($(head -c 200 "$OUT/bench-io.log")): L2 reads with dd"
	rm -f "$OUT/bench-io"
fi

# vsock-echo (tests/lab-lib/vsock-echo.c), static for arm64: both levels' AF_VSOCK helper.
aarch64-linux-gnu-gcc -O2 -static -Wall -o "$OUT/vsock-echo" "$LIB/vsock-echo.c" 2> "$OUT/vsock-echo.log" ||
	{ hostfail vsock-echo-build "$(head -c 200 "$OUT/vsock-echo.log")"; exit 1; }

# ---- initramfs pieces ----
. "$LIB/host.sh"		# lab_add_modules, lab_mkcpio
mkcpio() { lab_mkcpio "$1" "$2" 1; }
skel() {
	rm -rf "$1"
	mkdir -p "$1"/{bin,proc,sys,dev,tmp,lab}
	cp "$BUSYBOX" "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
	install -m 755 "$2" "$1/init"
}

t=$(now_us)
# L2 (shared by both L1s): busybox, l2/init, the scenarios' L2 fragments and, from the 6.1
# package, each scenario's modules (scenarios/NAME.l2modules) with /lab/modules.NAME in load order.
r=$OUT/l2root
skel "$r" "$LAB/l2/init"
mkdir -p "$r/lab/l2" "$r/lab/lib" "$r/lab/bench"
cp "$LIB/l2.sh" "$LIB/pci.sh" "$LIB/vsock.sh" "$r/lab/lib/"
install -m 755 "$OUT/vsock-echo" "$r/bin/vsock-echo"
[ -x "$OUT/bench-io" ] && cp "$OUT/bench-io" "$r/lab/bench/"
for s in "${scen[@]}"; do
	[ -f "$LAB/scenarios/$s.l2.sh" ] && cp "$LAB/scenarios/$s.l2.sh" "$r/lab/l2/$s.sh"
	if [ -f "$LAB/scenarios/$s.l2modules" ]; then
		# shellcheck disable=SC2046
		m=$(lab_add_modules -k "$MODDIR" "$r/lib/modules/lab" $(cat "$LAB/scenarios/$s.l2modules")) || exit 1
		printf '%s\n' $m > "$r/lab/modules.$s"
		msg "L2 modules for $s: $m"
	fi
done
# shellcheck disable=SC2086
m=$(lab_add_modules -k "$MODDIR" "$r/lib/modules/lab" $LAB_9PROOT_MODULES) || exit 1
printf '%s\n' $m > "$r/lab/modules.9proot"
mkcpio "$r" "$OUT/l2.cpio.gz"

# l1_initramfs TAG MODDIR: the L1 root for one kernel: busybox, l1/init, lib.sh, vfio-bind,
# the scenarios, their L1 modules (scenarios/NAME.l1modules) from MODDIR, lkvm, L2 Image+initrd.
l1_initramfs() {
	local tag=$1 moddir=$2 r=$OUT/l1root-$1 s mods=()
	skel "$r" "$LAB/l1/init"
	mkdir -p "$r/lab/scenarios" "$r/l2" "$r/lab/lib"
	cp "$LAB/l1/lib.sh" "$r/lab/lib.sh"
	cp "$LIB"/*.sh "$r/lab/lib/"
	install -m 755 "$LIB/vfio-bind" "$r/bin/vfio-bind"
	install -m 755 "$OUT/vsock-echo" "$r/bin/vsock-echo"
	for s in "${scen[@]}"; do
		cp "$LAB/scenarios/$s.sh" "$r/lab/scenarios/"
		# shellcheck disable=SC2207
		[ -f "$LAB/scenarios/$s.l1modules" ] && mods+=($(cat "$LAB/scenarios/$s.l1modules"))
	done
	: > "$r/lab/modules.order"
	if [ ${#mods[@]} -gt 0 ]; then
		m=$(lab_add_modules -k "$moddir" "$r/lib/modules/lab" "${mods[@]}") || return 1
		printf '%s\n' $m > "$r/lab/modules.order"
		msg "L1 ($tag) modules: $m"
	fi
	install -m 755 "$lkvm" "$r/bin/lkvm"
	cp "$IMAGE" "$r/l2/Image"
	cp "$OUT/l2.cpio.gz" "$r/l2/initrd.gz"
	mkcpio "$r" "$OUT/l1-$tag.cpio.gz"
}

# stamp START_US LOG: prefix each line with host seconds since START_US into LOG; show LAB lines
# (all lines with -v) on stdout as they come.
stamp() {
	local start=$1 log=$2 line now d
	: > "$log"
	while IFS= read -r line || [ -n "$line" ]; do
		while [ "${line%$'\r'}" != "$line" ]; do line=${line%$'\r'}; done
		now=$(now_us); d=$(( (now - start) / 10000 ))
		line=$(printf '[%4d.%02d] %s' $((d / 100)) $((d % 100)) "$line")
		echo "$line" >> "$log"
		if [ $verbose = 1 ]; then echo "$line"; else case $line in *\]\ LAB-RESULT*) echo "$line" ;; esac; fi
	done
}
# stamp_of LOG PATTERN: host seconds of the first line matching PATTERN (an ERE after the stamp).
stamp_of() { grep -a -m 1 -E "^\[ *[0-9.]+\] $2" "$1" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'; }
minus() { awk "BEGIN { printf \"%.2f\", $1 - $2 }"; }

# run_l1 TAG IMAGE MODDIR PREFIX PAGESIZE: one L1 boot running all scenarios.
run_l1() {
	local tag=$1 image=$2 moddir=$3 prefix=$4 pagesize=$5 log=$OUT/l1-$1-console.log t qrc s b e up
	local qemu_machine="virt,virtualization=on,gic-version=3" qemu_extra=() l1_append=""
	local tmo=${LKVM_LAB_ARM64_TIMEOUT:-600}
	t=$(now_us)
	l1_initramfs "$tag" "$moddir" || { hostfail "${prefix}l1-initramfs" "building the $tag L1 initramfs failed"; return; }
	timing "$tag: build L1 initramfs" "$(secs "$t")"
	for s in "${scen[@]}"; do
		# shellcheck disable=SC1090
		if [ -f "$LAB/scenarios/$s.qemu" ]; then . "$LAB/scenarios/$s.qemu"; fi
	done
	unset LAB_VFIO_QEMU LAB_VFIO_VIRTIO_QEMU
	msg "booting L1 $tag ($(basename "$image")), scenarios ${scen[*]}; log $log"
	t=$(now_us)
	timeout -k 10 "$tmo" qemu-system-aarch64 -M "$qemu_machine" -cpu max,pauth-impdef=on -smp 1 -m 2048 \
		-nographic -no-reboot -kernel "$image" -initrd "$OUT/l1-$tag.cpio.gz" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 lab.run=$(IFS=,; echo "${scen[*]}") lab.prefix=$prefix lab.pagesize=$pagesize$l1_append" \
		"${qemu_extra[@]}" < /dev/null 2>&1 | stamp "$t" "$log"
	qrc=${PIPESTATUS[0]}
	timing "$tag: L1 run (qemu total)" "$(secs "$t")"
	up=$(stamp_of "$log" 'LAB-L1-UP')
	if [ -n "$up" ]; then timing "$tag: L1 boot to userspace" "$up"; else hostfail "${prefix}l1-boot" "L1 never reached userspace (qemu exit $qrc)"; fi
	for s in "${scen[@]}"; do
		b=$(stamp_of "$log" "LAB-BEGIN $prefix$s ")
		e=$(stamp_of "$log" "LAB-END $prefix$s ")
		[ -n "$b" ] && [ -n "$e" ] && timing "$tag: scenario $s" "$(minus "$e" "$b")"
	done
	# each L2 run: LAB-L2-BEGIN .. LAB-L2-END, and to L2 userspace (its first L2-BOOT-OK)
	awk '{ t = $0; sub(/\].*/, "", t); sub(/^\[ */, "", t); r = $0; sub(/^\[[^]]*\] /, "", r); split(r, w, " ") }
		w[1] == "LAB-L2-BEGIN" { n = w[2]; b[n] = t; up = 1; order[++k] = n }
		up && w[1] == "L2|" && w[2] == "L2-BOOT-OK" { u[n] = t; up = 0 }
		w[1] == "LAB-L2-END" { e[w[2]] = t; up = 0 }
		END { for (i = 1; i <= k; i++) { n = order[i]; printf "%s %s %s %s\n", n, b[n], (n in u) ? u[n] : "-", (n in e) ? e[n] : "-" } }' "$log" |
	while read -r n b u e; do
		[ "$e" != - ] && timing "$tag:   L2 run $n" "$(minus "$e" "$b")"
		[ "$u" != - ] && timing "$tag:   L2 run $n: to L2 userspace" "$(minus "$u" "$b")"
	done
	grep -a -E '^\[ *[0-9.]+\] LAB-RESULT ' "$log" | LC_ALL=C sed -E 's/^\[ *[0-9.]+\] LAB-RESULT //' |
		LC_ALL=C tr -c '[:print:]\n' '?' >> "$results"
	if [ -n "$up" ]; then
		for s in "${scen[@]}"; do
			grep -q "^$prefix$s" "$results" || hostfail "$prefix$s" "printed no LAB-RESULT (L1 hung, crashed or timed out?)"
		done
	fi
	grep -aq 'LAB-L1-DONE' "$log" || hostfail "${prefix}l1-complete" "L1 did not finish its scenarios (qemu exit $qrc, limit ${tmo}s)"
}

timing "prepare L2 initramfs" "$(secs "$t")"
case ",$kernels," in *,4k,*) run_l1 4k "$IMAGE" "$MODDIR" "" 4096 ;; esac
case ",$kernels," in *,16k,*) run_l1 16k "$IMAGE16" "$MODDIR16" 16k- 16384 ;; esac
timing "whole lab run" "$(secs "$T0")"
[ -s "$results" ] || { echo "l1 FAIL L1 printed no results" > "$results"; exit 1; }
echo "lab-arm64: $(grep -c ' PASS' "$results") PASS, $(grep -vc ' PASS' "$results") FAIL; $results, $OUT/timings.txt" >&2
! grep -qv '^[^ ]* PASS' "$results"
