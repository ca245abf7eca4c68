# Host-side helpers shared by the nested-lab scripts (fetch, initramfs build, run):
# paths and defaults, messages, timing and the deps.txt check/install.
# Source it from bash; it defines functions and variables only.
# shellcheck shell=bash disable=SC2034

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_LIB=$(cd "$LAB_DIR/../lab-lib" && pwd)	# shared by tests/lab-arm64
LAB_ROOT=$(cd "$LAB_DIR/../.." && pwd)
LAB_CACHE=${LKVM_LAB_CACHE:-/var/cache/lkvm-lab}
LAB_OUT=${LKVM_LAB_OUT:-$LAB_ROOT/build/lab}
# The kernel build-initramfs.sh uses (fetch.sh's lab.env; lab-mtty.env from fetch-mtty.sh).
LAB_ENV=${LKVM_LAB_ENV:-$LAB_CACHE/lab.env}
# Modules loaded in L1, in any order (dependencies are resolved from the .ko files).
# Scenarios add theirs in scenarios/NAME.l1modules (e.g. vfio-pci, tun).
LAB_L1_MODULES=${LKVM_LAB_L1_MODULES:-irqbypass ccp kvm kvm-amd $(cat "$LAB_DIR"/scenarios/*.l1modules 2>/dev/null | tr '\n' ' ')}

lab_msg() { echo "lab: $*" >&2; }
lab_die() { echo "lab: error: $*" >&2; exit 1; }

# Microseconds since the epoch, from bash's EPOCHREALTIME.
lab_now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }
# lab_secs START_US [END_US]: elapsed seconds with two decimals.
lab_secs() {
	local end=${2:-$(lab_now_us)}
	local d=$(( (end - $1) / 10000 ))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

# lab_deps: print packages of deps.txt that are not installed; install them when
# root (unless LKVM_LAB_NO_INSTALL=1). Fails if something is still missing.
lab_deps() {
	local pkgs missing=() p
	pkgs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LAB_DIR/deps.txt")
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	lab_msg "missing packages (tests/lab/deps.txt): ${missing[*]}"
	if [ "$(id -u)" != 0 ] || [ "${LKVM_LAB_NO_INSTALL:-0}" = 1 ]; then
		lab_die "install them: apt-get install ${missing[*]}"
	fi
	lab_msg "installing: apt-get install -y ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends "${missing[@]}" >&2; } ||
		lab_die "apt-get install ${missing[*]} failed"
}
