# Host-side (bash) helpers both labs use to build their initramfs images: Debian kernel
# modules with their dependencies in load order, and newc cpio archives. Source from bash;
# defines functions only.
# shellcheck shell=bash

# lab_ko_cat FILE: the module's ELF bytes, decompressing .ko.xz/.zst/.gz as needed.
lab_ko_cat() {
	case $1 in
	*.ko.xz) xz -dc "$1" ;;
	*.ko.zst) zstd -qdc "$1" ;;
	*.ko.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# The modules an L2 needs for its root on 9p (l2.sh's l2_root_9p), dependencies added.
LAB_9PROOT_MODULES="9p 9pnet_virtio virtio_pci"

# lab_add_modules [-k] MODDIR DESTDIR NAME...: copies NAME and its dependencies (the .ko's
# depends= modinfo string) from MODDIR/kernel as DESTDIR/<name>.ko (names with _) and prints
# them in load order on one line. A module that MODDIR/modules.builtin lists is skipped. One
# that is nowhere is an error (message on stderr, status 1), or with -k a note and skipped
# (e.g. vfio_virqfd, folded into vfio in 6.12).
lab_add_modules() {
	local keep=0 moddir dest f b n
	[ "$1" = -k ] && { keep=1; shift; }
	moddir=$1 dest=$2
	shift 2
	local -A ko=() seen=()
	local list=() missing=()
	while IFS= read -r f; do
		b=${f##*/}; b=${b%%.ko*}; ko[${b//-/_}]=$f
	done < <(find "$moddir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
	_lab_visit() {
		local n=${1//-/_} f deps d
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		f=${ko[$n]:-}
		if [ -z "$f" ]; then
			grep -qE "/($n|$1)\.ko" "$moddir/modules.builtin" 2>/dev/null || missing+=("$1")
			return 0
		fi
		lab_ko_cat "$f" > "$dest/$n.ko"
		deps=$(tr '\0' '\n' < "$dest/$n.ko" | sed -n 's/^depends=//p' | head -n 1)
		for d in ${deps//,/ }; do _lab_visit "$d"; done
		list+=("$n")
	}
	mkdir -p "$dest"
	for n in "$@"; do _lab_visit "$n"; done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "lab: module(s) ${missing[*]} not in ${moddir} (nor built in)" >&2
		[ $keep = 1 ] || return 1
	fi
	echo "${list[*]}"
}

# lab_mkcpio DIR OUT [GZIP-LEVEL]: DIR as a gzip'ed newc archive, files owned by root.
lab_mkcpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip "-${3:-6}" > "$2"
}
