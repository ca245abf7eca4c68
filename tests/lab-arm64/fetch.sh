#!/usr/bin/env bash
# Fetches the arm64 lab's Debian packages with a private APT configuration (APT::Architecture
# "arm64", own sources, state and cache dirs: the host's APT state is untouched): the 4 KiB-page
# 6.1 kernel (linux-image-6.1.0-*-arm64), the newest 16 KiB-page kernel
# (linux-image-6.12.*-arm64-16k from bookworm-security or -backports; skipped with
# LKVM_LAB_ARM64_16K=0) and busybox-static; extracts each once into $LKVM_LAB_ARM64_CACHE and
# writes lab.env there (KPKG KVER IMAGE MODDIR, K16PKG K16VER IMAGE16 MODDIR16, BUSYBOX).
set -eu
CACHE=${LKVM_LAB_ARM64_CACHE:-/var/cache/lkvm-lab-arm64}
WANT16=${LKVM_LAB_ARM64_16K:-1}
msg() { echo "lab-arm64: $*" >&2; }
die() { echo "lab-arm64: error: $*" >&2; exit 1; }

mkdir -p "$CACHE/apt/state/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/debs" \
	"$CACHE/apt/sources.list.d"
touch "$CACHE/apt/state/status"
# Our own sources: bookworm (+updates, +security) and bookworm-backports.
cat > "$CACHE/apt/sources.list.new" <<EOT
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
EOT
sources_changed=0
cmp -s "$CACHE/apt/sources.list.new" "$CACHE/apt/sources.list" 2>/dev/null || sources_changed=1
mv "$CACHE/apt/sources.list.new" "$CACHE/apt/sources.list"
cat > "$CACHE/apt/apt.conf" <<EOT
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Dir::Etc::sourcelist "$CACHE/apt/sources.list";
Dir::Etc::sourceparts "$CACHE/apt/sources.list.d";
Dir::State "$CACHE/apt/state";
Dir::State::status "$CACHE/apt/state/status";
Dir::Cache "$CACHE/apt/cache";
APT::Sandbox::User "root";
EOT
export APT_CONFIG=$CACHE/apt/apt.conf
updated=0
update() {
	[ $updated = 1 ] && return 0
	updated=1
	msg "updating the private arm64 package lists"
	apt-get update -q >&2 || msg "apt-get update failed (offline?): using what is cached"
}
[ $sources_changed = 0 ] || update

resolve_kernel() {
	apt-cache depends linux-image-arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-arm64\)$/\1/p' | head -n 1
}
# Newest linux-image-6.12.N+{deb12,bpo}-arm64-16k of any suite in the lists.
resolve_16k() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+[a-z0-9]+-arm64-16k$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1
}
# cached PATTERN: newest package name among the cached .debs matching PATTERN
cached() { ls "$CACHE"/debs/$1_*_arm64.deb 2>/dev/null | sort -V | tail -n 1 | sed 's,.*/,,; s/_.*//'; }

kpkg=${LKVM_LAB_ARM64_KERNEL_PKG:-}
if [ -z "$kpkg" ]; then
	kpkg=$(resolve_kernel)
	[ -n "$kpkg" ] || { update; kpkg=$(resolve_kernel); }
	[ -n "$kpkg" ] || kpkg=$(cached 'linux-image-6.1.0-*-arm64')
	[ -n "$kpkg" ] || die "cannot resolve linux-image-arm64"
fi
k16pkg=
if [ "$WANT16" != 0 ]; then
	k16pkg=${LKVM_LAB_ARM64_16K_PKG:-}
	if [ -z "$k16pkg" ]; then
		k16pkg=$(resolve_16k)
		[ -n "$k16pkg" ] || { update; k16pkg=$(resolve_16k); }
		[ -n "$k16pkg" ] || k16pkg=$(cached 'linux-image-6.12.*-arm64-16k')
		[ -n "$k16pkg" ] || die "no linux-image-6.12.*-arm64-16k in bookworm(-security,-backports); LKVM_LAB_ARM64_16K=0 skips the 16K L1"
	fi
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
kver=${image##*/vmlinuz-}
{
	echo "KPKG=$kpkg"
	echo "KVER=$kver"
	echo "IMAGE=$image"
	echo "MODDIR=$CACHE/$kpkg/lib/modules/$kver"
	echo "BUSYBOX=$CACHE/busybox-static/bin/busybox"
} > "$CACHE/lab.env.new"
if [ -n "$k16pkg" ]; then
	k16deb=$(download "$k16pkg")
	extract "$k16deb" "$CACHE/$k16pkg"
	image16=$(ls "$CACHE/$k16pkg"/boot/vmlinuz-* | head -n 1)
	[ -n "$image16" ] || die "${k16deb##*/} has no boot/vmlinuz-*"
	k16ver=${image16##*/vmlinuz-}
	{
		echo "K16PKG=$k16pkg"
		echo "K16VER=$k16ver"
		echo "IMAGE16=$image16"
		echo "MODDIR16=$CACHE/$k16pkg/lib/modules/$k16ver"
	} >> "$CACHE/lab.env.new"
fi
mv "$CACHE/lab.env.new" "$CACHE/lab.env"
msg "kernels $kpkg${k16pkg:+ and $k16pkg}, busybox ${bdeb##*/}; cache $CACHE"
