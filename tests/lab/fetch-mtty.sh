#!/usr/bin/env bash
# The 6.12 L1 of scenarios that need a mediated device (scenarios/NAME.l1kernel says "mtty"):
# Debian's linux-image/headers/kbuild/source 6.12 .debs (apt-get download, cached like
# fetch.sh's), mtty.ko built once out of tree from samples/vfio-mdev/mtty.c into the cached
# module tree, and $LAB_CACHE/lab-mtty.env: lab.env's variables for that kernel, its L1
# modules (vfio-pci too, for the vfio-cdev/-busreset/-aer scenarios' QEMU devices), and L2 kept
# on lab.env's kernel (L2_VMLINUZ, L2_VMLINUX, and L2_MODDIR for the scenarios' L2 modules).
# Debian's 6.12 has CONFIG_IOMMUFD off: iommufd.ko and the vfio stack (vfio with device cdevs,
# vfio_iommu_type1, vfio-pci(-core), mdev, mtty) are rebuilt out of tree with it on, once
# (~35 s), into a module tree of their own (root-iommufd, the stock one untouched), which the
# L1 loads: /dev/iommu, /dev/vfio/devices/vfioN and the legacy /dev/vfio/vfio all exist.
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

imoddir=$top/root-iommufd/lib/modules/$kver
if [ ! -e "$imoddir/.built" ]; then
	lab_msg "building iommufd.ko and the vfio stack with VFIO cdevs against $kver"
	E=$top/iommufd-ext
	S=$top/iommufd-src/linux-source-6.12
	rm -rf "$E" "$top/iommufd-src" && mkdir -p "$top/iommufd-src"
	dpkg-deb --fsys-tarfile linux-source-6.12_*.deb |
		tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJ -C "$top/iommufd-src" linux-source-6.12/drivers/vfio \
			linux-source-6.12/drivers/iommu/iommufd linux-source-6.12/drivers/iommu/iommu-priv.h \
			linux-source-6.12/lib/interval_tree.c linux-source-6.12/samples/vfio-mdev/mtty.c
	mkdir -p "$E/drivers/vfio/pci" "$E/drivers/vfio/mdev" "$E/drivers/iommu/iommufd" \
		"$E/samples/vfio-mdev"
	cp "$S"/drivers/vfio/*.[ch] "$E/drivers/vfio/"
	cp "$S"/drivers/vfio/pci/vfio_pci*.[ch] "$E/drivers/vfio/pci/"
	cp "$S"/drivers/vfio/mdev/*.[ch] "$E/drivers/vfio/mdev/"
	cp "$S"/drivers/iommu/iommufd/*.[ch] "$E/drivers/iommu/iommufd/"
	cp "$S/drivers/iommu/iommu-priv.h" "$E/drivers/iommu/"
	cp "$S/samples/vfio-mdev/mtty.c" "$E/samples/vfio-mdev/"
	# the span iterator iommufd needs is not built into Debian's kernel: compile it in
	{ echo '#include <linux/interval_tree.h>'; echo '#include <linux/export.h>'
	  sed -n '/^#ifdef CONFIG_INTERVAL_TREE_SPAN_ITER/,/^#endif/p' "$S/lib/interval_tree.c" |
		sed '1d;$d' | grep -v EXPORT_SYMBOL
	} > "$E/drivers/iommu/iommufd/span_iter.c"
	printf '%s\n' 'subdir-ccflags-y += -DCONFIG_IOMMUFD_MODULE=1 -DCONFIG_VFIO_DEVICE_CDEV=1 -DCONFIG_INTERVAL_TREE_SPAN_ITER=1' \
		'obj-m += drivers/vfio/ drivers/iommu/iommufd/ samples/vfio-mdev/' > "$E/Kbuild"
	printf '%s\n' 'obj-m += vfio.o' \
		'vfio-y := vfio_main.o device_cdev.o group.o iommufd.o container.o virqfd.o' \
		'obj-m += vfio_iommu_type1.o' 'obj-m += pci/ mdev/' > "$E/drivers/vfio/Kbuild"
	printf '%s\n' 'vfio-pci-core-y := vfio_pci_core.o vfio_pci_intrs.o vfio_pci_rdwr.o vfio_pci_config.o' \
		'obj-m += vfio-pci-core.o' 'vfio-pci-y := vfio_pci.o vfio_pci_igd.o' 'obj-m += vfio-pci.o' \
		> "$E/drivers/vfio/pci/Kbuild"
	printf '%s\n' 'mdev-y := mdev_core.o mdev_sysfs.o mdev_driver.o' 'obj-m += mdev.o' \
		> "$E/drivers/vfio/mdev/Kbuild"
	printf '%s\n' 'iommufd-y := device.o fault.o hw_pagetable.o io_pagetable.o ioas.o main.o pages.o vfio_compat.o span_iter.o' \
		'obj-m += iommufd.o' > "$E/drivers/iommu/iommufd/Kbuild"
	echo 'obj-m += mtty.o' > "$E/samples/vfio-mdev/Kbuild"
	rm -f "$E"/drivers/vfio/Makefile "$E"/drivers/vfio/*/Makefile "$E"/drivers/iommu/iommufd/Makefile
	make -s -C "$kroot/usr/src/linux-headers-$kver" M="$E" CC=gcc-12 -j2 \
		CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 ||
		lab_die "building the iommufd vfio stack failed"
	# the stock tree without its vfio modules and mtty, plus the rebuilt ones
	rm -rf "$top/root-iommufd" && mkdir -p "${imoddir%/*}"
	cp -al "$moddir" "$imoddir"
	rm -rf "$imoddir/kernel/drivers/vfio" "$imoddir/kernel/samples"
	mkdir -p "$imoddir/kernel/iommufd-stack"
	find "$E" -name '*.ko' -exec cp {} "$imoddir/kernel/iommufd-stack/" \;
	rm -rf "$E" "$top/iommufd-src"
	touch "$imoddir/.built"
fi

cat > "$LAB_CACHE/lab-mtty.env" <<EOT
KPKG=linux-image-$kver
KVER=$kver
VMLINUZ=$kroot/boot/vmlinuz-$kver
MODDIR=$imoddir
BUSYBOX=$BUSYBOX
L1_MODULES="irqbypass ccp kvm kvm-amd iommufd vfio vfio_iommu_type1 vfio-pci mdev mtty"
L2_MODDIR=$MODDIR
L2_VMLINUZ=$VMLINUZ
L2_VMLINUX=$VMLINUX
EOT
lab_msg "mtty L1: kernel $kver, iommufd + vfio cdevs, mtty.ko $(tr '\0' '\n' < "$imoddir/kernel/iommufd-stack/mtty.ko" | sed -n 's/^vermagic=//p'); cache $top"
