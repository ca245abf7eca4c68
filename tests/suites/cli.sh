#!/usr/bin/env bash
# Command-line behaviour and bad input of `lkvm`: every error names the
# problem, exits non-zero, and nothing runs. Uses /dev/kvm where the check
# happens after the VM is created (kernel and initrd loading).
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# run NAME EXPECTED-STATUS PATTERN -- ARGS: status must match ("nz" = any
# non-zero) and stdout+stderr must contain PATTERN (grep -E).
run() {
	local name=$1 want=$2 pat=$3
	shift 4
	local out st
	out=$(timeout 20 "$@" </dev/null 2>&1)
	st=$?
	if [ "$want" = nz ] && [ "$st" = 0 ]; then
		fail "$name" "exit 0, wanted non-zero; output: $out"; return
	fi
	if [ "$want" != nz ] && [ "$st" != "$want" ]; then
		fail "$name" "exit $st, wanted $want; output: $out"; return
	fi
	if ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name" "output lacks /$pat/: $out"; return
	fi
	pass "$name"
}

poke() { printf "$3" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none; }

# A minimal, well-formed bzImage header around a payload of 4 KiB.
make_bzimage() {
	head -c $((5 * 512 + 4096)) /dev/zero >"$1"
	poke "$1" 0x1f1 '\x04'			# setup_sects
	poke "$1" 0x1fe '\x55\xaa'		# boot_flag
	poke "$1" 0x200 '\xeb\x6a'		# jump: header to 0x26c
	poke "$1" 0x202 'HdrS'
	poke "$1" 0x206 '\x0f\x02'		# protocol 2.15
	poke "$1" 0x211 '\x01'			# LOADED_HIGH
	poke "$1" 0x22c '\xff\xff\xff\x7f'	# initrd_addr_max
	poke "$1" 0x238 '\xff\x07\x00\x00'	# cmdline_size
	poke "$1" 0x260 '\x00\x00\x10\x00'	# init_size 1 MiB
}

run version 0 '^lkvm version [0-9]' -- $LKVM version
run help 0 'usage: lkvm <command>' -- $LKVM --help
run run-help 0 '--kernel' -- $LKVM run --help
run run-help-lists-all 0 'initrd.*|params|--cpus' -- $LKVM run --help
run no-command 2 'usage' -- $LKVM
run unknown-command 2 "unknown command 'frob'.*valid commands" -- $LKVM frob
run unknown-option 2 "unknown option '--frob'.*valid options" -- $LKVM run -k x --frob
run missing-value 2 "needs a value" -- $LKVM run -k
run no-kernel 2 "no kernel given" -- $LKVM run -m 64
run mem-zero 2 "invalid --mem '0'" -- $LKVM run -k x -m 0
run mem-garbage 2 "invalid --mem" -- $LKVM run -k x -m lots
run cpus-zero 2 "invalid --cpus '0'" -- $LKVM run -k x -c 0
run console-unknown 2 "unknown console type 'vga'.*valid: serial, virtio" -- $LKVM run -k x --console vga
run no-dev-kvm nz "/nonexistent/kvm does not exist: load KVM" -- \
	env LKVM_KVM_DEVICE=/nonexistent/kvm $LKVM run -k x
run mem-too-large nz "more than this host has" -- $LKVM run -k x -m 1000000000
run cpus-too-many nz "above the limit of [0-9]+ vCPUs" -- $LKVM run -k x -c 100000
run kernel-missing nz "cannot read kernel '$T/nope'" -- $LKVM run -k "$T/nope"
run kernel-is-dir nz "cannot read kernel '$T'.*directory" -- $LKVM run -k "$T"
run kernel-elf nz "ELF" -- $LKVM run -k /bin/true
: >"$T/empty"
run kernel-empty nz "empty" -- $LKVM run -k "$T/empty"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/big"
run kernel-not-flat nz "kernel '$T/big'" -- $LKVM run -k "$T/big"
printf '\x1f\x8b\x08\x00' >"$T/gz"; head -c 100 /dev/zero >>"$T/gz"
run kernel-gzip nz "compressed" -- $LKVM run -k "$T/gz"
make_bzimage "$T/bz"
head -c $((40 * 1024 * 1024)) /dev/zero >"$T/initrd"
run initrd-too-large nz "initrd '$T/initrd'.*" -- $LKVM run -k "$T/bz" -i "$T/initrd" -m 32
run initrd-missing nz "cannot read initrd '$T/none'" -- $LKVM run -k "$T/bz" -i "$T/none" -m 64
run mem-too-small nz "too small" -- $LKVM run -k "$T/bz" -m 4
summary cli
