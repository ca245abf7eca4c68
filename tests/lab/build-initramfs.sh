#!/usr/bin/env bash
# Builds the nested lab's initramfs images (cpio newc, gzip) under $LKVM_LAB_OUT:
# l2-initrd.gz (busybox, l2/init, scenario L2 fragments, optional L2 modules) and
# l1-initrd.gz (busybox, l1/init + lib, L1 modules in dependency order, lkvm, scenarios, L2 kernel+initrd).
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

[ -f "$LAB_CACHE/lab.env" ] || lab_die "$LAB_CACHE/lab.env missing: run tests/lab/fetch.sh first"
. "$LAB_CACHE/lab.env"
mkdir -p "$LAB_OUT"
work=$LAB_OUT/initramfs
rm -rf "$work"
mkdir -p "$work/l1" "$work/l2"

# Index of the kernel's modules: normalized name (- -> _) -> path.
declare -A KO
while IFS= read -r f; do
	b=${f##*/}; b=${b%%.ko*}
	KO[${b//-/_}]=$f
done < <(find "$MODDIR/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
[ ${#KO[@]} -gt 0 ] || lab_die "no modules under $MODDIR/kernel"

# ko_cat FILE: the module's ELF bytes, decompressing as needed.
ko_cat() {
	case $1 in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -qdc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# add_modules DESTDIR ORDERFILE NAME...: copies NAME and its dependencies (from the
# depends= modinfo string) as DESTDIR/<name>.ko, listing them in load order in ORDERFILE.
add_modules() {
	local dest=$1 order=$2; shift 2
	declare -A seen=()
	local list=()
	visit() {
		local n=${1//-/_} f deps d
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		f=${KO[$n]:-}
		if [ -z "$f" ]; then
			grep -qE "/${n}\.ko$|/${1}\.ko$" "$MODDIR/modules.builtin" 2>/dev/null && return 0
			lab_die "module '$1' not found in $MODDIR (nor built in)"
		fi
		ko_cat "$f" > "$dest/$n.ko"
		deps=$(tr '\0' '\n' < "$dest/$n.ko" | sed -n 's/^depends=//p' | head -n 1)
		for d in ${deps//,/ }; do visit "$d"; done
		list+=("$n")
	}
	mkdir -p "$dest"
	for m in "$@"; do visit "$m"; done
	printf '%s\n' "${list[@]}" > "$order"
	echo "${list[*]}"
}

install_busybox() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp "$BUSYBOX" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
}

mkcpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$2"; }

# --- L2 ---
r=$work/l2
install_busybox "$r"
install -m 755 "$LAB_DIR/l2/init" "$r/init"
mkdir -p "$r/lab/l2" "$r/lab/lib"
cp "$LAB_LIB/l2.sh" "$LAB_LIB/pci.sh" "$r/lab/lib/"
for f in "$LAB_DIR"/scenarios/*.l2.sh; do
	[ -e "$f" ] || continue
	b=${f##*/}; cp "$f" "$r/lab/l2/${b%.l2.sh}.sh"
done
: > "$r/lab/modules.order"
if [ -n "$L2_MODULES" ]; then
	# shellcheck disable=SC2086
	lab_msg "L2 modules: $(add_modules "$r/lib/modules/lab" "$r/lab/modules.order" $L2_MODULES)"
fi
mkcpio "$r" "$LAB_OUT/l2-initrd.gz"

# --- L1 ---
r=$work/l1
install_busybox "$r"
install -m 755 "$LAB_DIR/l1/init" "$r/init"
mkdir -p "$r/lab/scenarios" "$r/l2"
cp "$LAB_DIR/l1/lib.sh" "$r/lab/lib.sh"
mkdir -p "$r/lab/lib"
cp "$LAB_LIB/l1.sh" "$LAB_LIB/pci.sh" "$LAB_LIB/bench.sh" "$LAB_LIB/vfio.sh" "$r/lab/lib/"
for f in "$LAB_DIR"/scenarios/*.sh; do
	case $f in *.l2.sh) continue ;; esac
	cp "$f" "$r/lab/scenarios/"
done
# shellcheck disable=SC2086
lab_msg "L1 modules (load order): $(add_modules "$r/lib/modules/lab" "$r/lab/modules.order" $LAB_L1_MODULES)"
if [ "$lkvm" = none ]; then
	lab_msg "no lkvm in the L1 initramfs (--lkvm none): scenarios will fail"
else
	[ -x "$lkvm" ] || lab_die "lkvm binary '$lkvm' missing (build: make OUT=build/lab/lkvm.static B=build/static LDFLAGS=-static)"
	if command -v readelf >/dev/null && readelf -l "$lkvm" 2>/dev/null | grep -q 'program interpreter'; then
		lab_die "$lkvm is dynamically linked; L1 has no libc: build it with LDFLAGS=-static"
	fi
	install -m 755 "$lkvm" "$r/bin/lkvm"
fi
cp "$VMLINUZ" "$r/l2/vmlinuz"
cp "$LAB_OUT/l2-initrd.gz" "$r/l2/initrd.gz"
if [ -n "$L1_OVERLAY" ]; then
	lab_msg "overlaying $L1_OVERLAY onto the L1 root"
	cp -a "$L1_OVERLAY/." "$r/"
fi
mkcpio "$r" "$LAB_OUT/l1-initrd.gz"
cp "$VMLINUZ" "$LAB_OUT/vmlinuz"
lab_msg "built $LAB_OUT/l1-initrd.gz ($(du -k "$LAB_OUT/l1-initrd.gz" | cut -f1) KiB), l2-initrd.gz ($(du -k "$LAB_OUT/l2-initrd.gz" | cut -f1) KiB)"
