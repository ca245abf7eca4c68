#!/usr/bin/env bash
# Builds the nested lab's initramfs images (cpio newc, gzip) under $LKVM_LAB_OUT:
# l2-initrd.gz (busybox, l2/init, scenario L2 fragments, optional L2 modules) and
# l1-initrd.gz (busybox, l1/init + lib, L1 modules in dependency order, lkvm, scenarios, L2 kernel
# as bzImage and ELF vmlinux, L2 initrd).
# usage: build-initramfs.sh [--lkvm FILE|none]   (needs fetch.sh to have run)
set -eu
. "$(dirname "$0")/common.sh"

lkvm=${LKVM_LAB_LKVM:-$LAB_OUT/lkvm.static}
while [ $# -gt 0 ]; do
	case $1 in
	--lkvm) lkvm=$2; shift 2 ;;
	*) lab_die "build-initramfs.sh: unknown argument '$1' (usage: build-initramfs.sh [--lkvm FILE|none])" ;;
	esac
done
# Modules for L2: LKVM_LAB_L2_MODULES, or the union of what the scenarios
# ask for in scenarios/NAME.l2modules (one line of module names each).
L2_MODULES=${LKVM_LAB_L2_MODULES:-$(cat "$LAB_DIR"/scenarios/*.l2modules 2>/dev/null | tr '\n' ' ')}
# Optional directory copied over the L1 root last (debugging tools, local experiments).
L1_OVERLAY=${LKVM_LAB_L1_OVERLAY:-}

[ -f "$LAB_ENV" ] || lab_die "$LAB_ENV missing: run tests/lab/fetch.sh (or fetch-mtty.sh) first"
# shellcheck disable=SC1090
. "$LAB_ENV"	# may set L1_MODULES, L2_MODULES, L2_VMLINUZ/X, L2_MODDIR (fetch-mtty.sh)
LAB_L1_MODULES=${L1_MODULES:-$LAB_L1_MODULES}
L2_MODDIR=${L2_MODDIR:-$MODDIR}	# L2's kernel's modules (L1 may boot another kernel)
mkdir -p "$LAB_OUT"
work=$LAB_OUT/initramfs
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2"

. "$LAB_LIB/host.sh"	# lab_add_modules, lab_mkcpio

install_busybox() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp "$BUSYBOX" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
}

# add_modules MODDIR DESTDIR ORDERFILE NAME...: lab_add_modules from that kernel's modules, the
# load order into ORDERFILE and on stdout; dies when a module is missing.
add_modules() {
	local mdir=$1 dest=$2 order=$3 list
	shift 3
	list=$(lab_add_modules "$mdir" "$dest" "$@") || lab_die "building $dest failed"
	printf '%s\n' $list > "$order"
	echo "$list"
}

# AF_VSOCK test helper for both levels (busybox has none): static, from the host's gcc.
vsock_echo=$LAB_OUT/vsock-echo
gcc -static -O2 -o "$vsock_echo" "$LAB_LIB/vsock-echo.c" ||
	lab_die "building $vsock_echo from $LAB_LIB/vsock-echo.c failed (needs gcc and a static libc)"

# --- L2 ---
r=$work/l2
install_busybox "$r"
install -m 755 "$vsock_echo" "$r/bin/vsock-echo"
install -m 755 "$LAB_DIR/l2/init" "$r/init"
mkdir -p "$r/lab/l2" "$r/lab/lib"
cp "$LAB_LIB/l2.sh" "$LAB_LIB/pci.sh" "$LAB_LIB/vsock.sh" "$r/lab/lib/"
for f in "$LAB_DIR"/scenarios/*.l2.sh; do
	[ -e "$f" ] || continue
	b=${f##*/}; cp "$f" "$r/lab/l2/${b%.l2.sh}.sh"
done
: > "$r/lab/modules.order"
if [ -n "$L2_MODULES" ]; then
	# shellcheck disable=SC2086
	m=$(add_modules "$L2_MODDIR" "$r/lib/modules/lab" "$r/lab/modules.order" $L2_MODULES) || exit 1
	lab_msg "L2 modules: $m"
fi
# shellcheck disable=SC2086
m=$(lab_add_modules "$L2_MODDIR" "$r/lib/modules/lab" $LAB_9PROOT_MODULES) || lab_die "building the L2 initramfs failed"
printf '%s\n' $m > "$r/lab/modules.9proot"
lab_mkcpio "$r" "$LAB_OUT/l2-initrd.gz"

# --- L1 ---
r=$work/l1
install_busybox "$r"
install -m 755 "$LAB_DIR/l1/init" "$r/init"
mkdir -p "$r/lab/scenarios" "$r/l2"
cp "$LAB_DIR/l1/lib.sh" "$r/lab/lib.sh"
mkdir -p "$r/lab/lib"
cp "$LAB_LIB"/*.sh "$r/lab/lib/"
install -m 755 "$LAB_LIB/vfio-bind" "$r/bin/vfio-bind"
install -m 755 "$vsock_echo" "$r/bin/vsock-echo"
for f in "$LAB_DIR"/scenarios/*.sh; do
	case $f in *.l2.sh) continue ;; esac
	cp "$f" "$r/lab/scenarios/"
done
# shellcheck disable=SC2086
m=$(add_modules "$MODDIR" "$r/lib/modules/lab" "$r/lab/modules.order" $LAB_L1_MODULES) || exit 1
lab_msg "L1 modules (load order): $m"
if [ "$lkvm" = none ]; then
	lab_msg "no lkvm in the L1 initramfs (--lkvm none): scenarios will fail"
else
	[ -x "$lkvm" ] || lab_die "lkvm binary '$lkvm' missing (build: make OUT=build/lab/lkvm.static B=build/static LDFLAGS=-static)"
	if command -v readelf >/dev/null && readelf -l "$lkvm" 2>/dev/null | grep -q 'program interpreter'; then
		lab_die "$lkvm is dynamically linked; L1 has no libc: build it with LDFLAGS=-static"
	fi
	install -m 755 "$lkvm" "$r/bin/lkvm"
fi
cp "${L2_VMLINUZ:-$VMLINUZ}" "$r/l2/vmlinuz"
cp "${L2_VMLINUX:-$VMLINUX}" "$r/l2/vmlinux"
cp "$LAB_OUT/l2-initrd.gz" "$r/l2/initrd.gz"
if [ -n "$L1_OVERLAY" ]; then
	lab_msg "overlaying $L1_OVERLAY onto the L1 root"
	cp -a "$L1_OVERLAY/." "$r/"
fi
lab_mkcpio "$r" "$LAB_OUT/l1-initrd.gz"
cp "$VMLINUZ" "$LAB_OUT/vmlinuz"
lab_msg "built $LAB_OUT/l1-initrd.gz ($(du -k "$LAB_OUT/l1-initrd.gz" | cut -f1) KiB), l2-initrd.gz ($(du -k "$LAB_OUT/l2-initrd.gz" | cut -f1) KiB)"
