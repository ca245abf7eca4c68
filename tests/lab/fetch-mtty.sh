#!/usr/bin/env bash
# The 6.12 L1 of scenarios that need a mediated device (scenarios/NAME.l1kernel says "mtty"):
# Debian's linux-image/headers/kbuild/source 6.12 .debs (apt-get download, cached like
# fetch.sh's), mtty.ko built once out of tree from samples/vfio-mdev/mtty.c into the cached
# module tree, and $LAB_CACHE/lab-mtty.env: lab.env's variables for that kernel, its L1
# modules, and L2 kept on lab.env's kernel (L2_VMLINUZ and L2_VMLINUX, no L2 modules).
set -eu
. "$(dirname "$0")/common.sh"
. "$LAB_CACHE/lab.env"	# BUSYBOX (fetch.sh runs first)

V=${LKVM_LAB_MTTY_KVER:-6.12.118+deb12}
PV=${LKVM_LAB_MTTY_PKGVER:-6.12.118-1~deb12u1}
top=$LAB_CACHE/mtty-$V
kroot=$top/root
kver=$V-amd64
moddir=$kroot/lib/modules/$kver
mtty=$moddir/kernel/samples/mtty.ko
mkdir -p "$top/debs"
cd "$top/debs"

for p in linux-image-$kver linux-headers-$kver linux-headers-$V-common linux-kbuild-$V \
	linux-source-6.12; do
	ls "${p}"_*.deb >/dev/null 2>&1 && continue
	lab_msg "downloading $p=$PV"
	apt-get download -o APT::Sandbox::User=root -q "$p=$PV" >&2 ||
		{ apt-get update -q >&2 && apt-get download -o APT::Sandbox::User=root -q "$p=$PV" >&2; } ||
		lab_die "apt-get download $p=$PV failed (set LKVM_LAB_MTTY_KVER/_PKGVER to a version apt has)"
done
if [ ! -e "$kroot/.extracted" ]; then
	lab_msg "extracting the $V image, headers and kbuild"
	rm -rf "$kroot"
	for d in linux-image-*.deb linux-headers-*.deb linux-kbuild-*.deb; do dpkg-deb -x "$d" "$kroot"; done
	# the headers' Makefile includes the common headers by an absolute /usr/src path
	sed -i "s#^include /usr/src/#include $kroot/usr/src/#" "$kroot/usr/src/linux-headers-$kver/Makefile"
	touch "$kroot/.extracted"
fi
if [ ! -e "$mtty" ]; then
	lab_msg "building mtty.ko (samples/vfio-mdev/mtty.c) against $kver"
	rm -rf "$top/mtty" && mkdir -p "$top/mtty"
	dpkg-deb --fsys-tarfile linux-source-6.12_*.deb |
		tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJO linux-source-6.12/samples/vfio-mdev/mtty.c > "$top/mtty/mtty.c"
	echo 'obj-m += mtty.o' > "$top/mtty/Kbuild"
	# no BTF for the module (it would need pahole): the kernel loads it all the same
	make -s -C "$kroot/usr/src/linux-headers-$kver" M="$top/mtty" CC=gcc-12 \
		CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 ||
		lab_die "building mtty.ko failed"
	mkdir -p "${mtty%/*}"
	cp "$top/mtty/mtty.ko" "$mtty"
fi

cat > "$LAB_CACHE/lab-mtty.env" <<EOT
KPKG=linux-image-$kver
KVER=$kver
VMLINUZ=$kroot/boot/vmlinuz-$kver
MODDIR=$moddir
BUSYBOX=$BUSYBOX
L1_MODULES="irqbypass ccp kvm kvm-amd vfio vfio_iommu_type1 mdev mtty"
L2_MODULES=
L2_VMLINUZ=$VMLINUZ
L2_VMLINUX=$VMLINUX
EOT
lab_msg "mtty L1: kernel $kver, mtty.ko $(tr '\0' '\n' < "$mtty" | sed -n 's/^vermagic=//p'); cache $top"
