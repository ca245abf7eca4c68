#!/usr/bin/env bash
# Fetches the lab's Debian kernel (linux-image-6.1.0-*-amd64) and busybox-static .debs
# with `apt-get download` (nothing is installed) into the cache dir, extracts them once,
# extracts the ELF vmlinux from the bzImage's xz payload once (the PVH boot scenarios), and
# writes $LKVM_LAB_CACHE/lab.env (KVER, VMLINUZ, VMLINUX, MODDIR, BUSYBOX) for the other scripts.
set -eu
. "$(dirname "$0")/common.sh"

mkdir -p "$LAB_CACHE"
cd "$LAB_CACHE"
APT_OPTS=(-o APT::Sandbox::User=root -q)

# The versioned kernel package behind linux-image-amd64 (signed flavour: it carries
# vmlinuz and the .ko files). LKVM_LAB_KERNEL_PKG overrides.
resolve_kernel() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

kpkg=${LKVM_LAB_KERNEL_PKG:-}
updated=0
if [ -z "$kpkg" ]; then
	kpkg=$(resolve_kernel)
	if [ -z "$kpkg" ]; then
		lab_msg "apt-cache does not know linux-image-amd64; running apt-get update"
		if apt-get update -q >&2; then updated=1; fi
		kpkg=$(resolve_kernel)
	fi
	if [ -z "$kpkg" ]; then
		# Offline fallback: the newest kernel .deb already in the cache.
		kpkg=$(ls linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -n 1 | sed 's/_.*//')
		[ -n "$kpkg" ] || lab_die "cannot resolve the kernel package (apt-cache depends linux-image-amd64)"
	fi
fi

# download PKG: apt-get download into the cache unless a .deb of PKG is there already.
download() {
	local pkg=$1 f
	f=$(ls "${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$f" ]; then echo "$f"; return; fi
	lab_msg "downloading $pkg"
	if ! apt-get download "${APT_OPTS[@]}" "$pkg" >&2; then
		[ $updated = 1 ] && lab_die "apt-get download $pkg failed"
		lab_msg "apt-get download $pkg failed; apt-get update and retry"
		apt-get update -q >&2 && updated=1
		apt-get download "${APT_OPTS[@]}" "$pkg" >&2 || lab_die "apt-get download $pkg failed"
	fi
	f=$(ls "${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$f" ] || lab_die "no .deb for $pkg after download"
	echo "$f"
}

# extract DEB DIR: dpkg-deb -x once; a stamp marks a complete extraction.
extract() {
	local deb=$1 dir=$2
	[ -e "$dir/.extracted" ] && [ "$(cat "$dir/.extracted")" = "$deb" ] && return 0
	lab_msg "extracting $deb"
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	echo "$deb" > "$dir/.extracted"
}

if ! kdeb=$(download "$kpkg" 2>/dev/null); then
	# Stale package lists can name a kernel ABI the mirror no longer has: refresh, resolve again.
	if [ $updated = 0 ]; then
		lab_msg "apt-get download $kpkg failed; apt-get update and resolve again"
		apt-get update -q >&2 || true
		updated=1
		[ -n "${LKVM_LAB_KERNEL_PKG:-}" ] || kpkg=$(resolve_kernel)
	fi
	kdeb=$(download "$kpkg")
fi
bdeb=$(download busybox-static)
extract "$kdeb" "$LAB_CACHE/$kpkg"
extract "$bdeb" "$LAB_CACHE/busybox-static"

kroot=$LAB_CACHE/$kpkg
vmlinuz=$(ls "$kroot"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || lab_die "$kdeb has no boot/vmlinuz-* (wrong flavour? try LKVM_LAB_KERNEL_PKG)"
kver=${vmlinuz##*/vmlinuz-}
moddir=$kroot/lib/modules/$kver
[ -d "$moddir/kernel" ] || lab_die "$kdeb has no lib/modules/$kver/kernel"
# The bzImage's payload is the xz-compressed vmlinux (and its relocations after it).
vmlinux=$kroot/vmlinux
if [ ! -s "$vmlinux" ]; then
	lab_msg "extracting $vmlinux from the xz payload of $vmlinuz"
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || lab_die "$vmlinuz has no xz payload (FD 37 7A 58 5A 00)"
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream > "$vmlinux.tmp" ||
		lab_die "xz -dc of $vmlinuz's payload failed"
	[ "$(head -c 4 "$vmlinux.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		lab_die "$vmlinuz's xz payload is not an ELF vmlinux"
	mv "$vmlinux.tmp" "$vmlinux"
fi
busybox=$LAB_CACHE/busybox-static/bin/busybox
[ -x "$busybox" ] || lab_die "busybox-static has no bin/busybox"

cat > "$LAB_CACHE/lab.env" <<EOT
KPKG=$kpkg
KVER=$kver
VMLINUZ=$vmlinuz
VMLINUX=$vmlinux
MODDIR=$moddir
BUSYBOX=$busybox
EOT
lab_msg "kernel $kpkg ($kver), busybox $bdeb; cache $LAB_CACHE"
