#!/usr/bin/env bash
# Fetches Debian's arm64 6.1 kernel (linux-image-6.1.0-*-arm64: vmlinuz is a raw Image)
# and busybox-static:arm64 with a private APT configuration (APT::Architecture "arm64",
# own state and cache dirs: the host's APT state is untouched), extracts them once into
# $LKVM_LAB_ARM64_CACHE and writes lab.env there (KVER, IMAGE, BUSYBOX).
set -eu
CACHE=${LKVM_LAB_ARM64_CACHE:-/var/cache/lkvm-lab-arm64}
msg() { echo "lab-arm64: $*" >&2; }
die() { echo "lab-arm64: error: $*" >&2; exit 1; }

mkdir -p "$CACHE/apt/state/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/debs"
touch "$CACHE/apt/state/status"
cat > "$CACHE/apt/apt.conf" <<EOT
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Dir::State "$CACHE/apt/state";
Dir::State::status "$CACHE/apt/state/status";
Dir::Cache "$CACHE/apt/cache";
APT::Sandbox::User "root";
EOT
export APT_CONFIG=$CACHE/apt/apt.conf

resolve_kernel() {
	apt-cache depends linux-image-arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-arm64\)$/\1/p' | head -n 1
}
kpkg=${LKVM_LAB_ARM64_KERNEL_PKG:-}
if [ -z "$kpkg" ]; then
	kpkg=$(resolve_kernel)
	if [ -z "$kpkg" ]; then
		msg "updating the private arm64 package lists"
		apt-get update -q >&2 || true
		kpkg=$(resolve_kernel)
	fi
	[ -n "$kpkg" ] || kpkg=$(ls "$CACHE"/debs/linux-image-6.1.0-*-arm64_*.deb 2>/dev/null |
		sort -V | tail -n 1 | sed 's,.*/,,; s/_.*//')
	[ -n "$kpkg" ] || die "cannot resolve linux-image-arm64"
fi

download() {
	local pkg=$1 f
	f=$(ls "$CACHE/debs/${pkg}"_*_arm64.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$f" ]; then
		msg "downloading $pkg (arm64)"
		(cd "$CACHE/debs" && apt-get download -q "$pkg:arm64" >&2) || die "apt-get download $pkg failed"
		f=$(ls "$CACHE/debs/${pkg}"_*_arm64.deb | sort -V | tail -n 1)
	fi
	echo "$f"
}
extract() {
	local deb=$1 dir=$2
	[ -e "$dir/.extracted" ] && [ "$(cat "$dir/.extracted")" = "$deb" ] && return 0
	msg "extracting ${deb##*/}"
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$deb" "$dir"
	echo "$deb" > "$dir/.extracted"
}
kdeb=$(download "$kpkg")
bdeb=$(download busybox-static)
extract "$kdeb" "$CACHE/$kpkg"
extract "$bdeb" "$CACHE/busybox-static"
image=$(ls "$CACHE/$kpkg"/boot/vmlinuz-* | head -n 1)
[ -n "$image" ] || die "${kdeb##*/} has no boot/vmlinuz-*"
cat > "$CACHE/lab.env" <<EOT
KPKG=$kpkg
KVER=${image##*/vmlinuz-}
IMAGE=$image
BUSYBOX=$CACHE/busybox-static/bin/busybox
EOT
msg "kernel $kpkg, busybox ${bdeb##*/}; cache $CACHE"
