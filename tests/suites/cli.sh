#!/usr/bin/env bash
# needs: /dev/kvm
# Command-line behaviour and bad input of `lkvm`: every error names the
# problem, exits with the documented status (2: command-line syntax, 1: an
# error at start-up; never a signal or a hang), nothing runs and nothing is
# left behind. Uses /dev/kvm where the check happens after the VM is
# created (kernel and initrd loading), and the tiny guests (--raw).
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
G=tests/guests/build
# control sockets go to $T/run/lkvm, where no socket may be left behind
export XDG_RUNTIME_DIR=$T/run

# run NAME EXPECTED-STATUS PATTERN -- ARGS: the exit status must be exactly
# EXPECTED-STATUS (a signal or the 20 s timeout never is), stdout+stderr
# must contain PATTERN (grep -E), and no control socket may be left.
run() {
	local name=$1 want=$2 pat=$3
	shift 4
	local out st left
	out=$(timeout -k 5 20 "$@" </dev/null 2>&1)
	st=$?
	left=$(cd "$T/run/lkvm" 2>/dev/null && ls -- *.sock 2>/dev/null)
	rm -f "$T"/run/lkvm/*.sock
	if [ "$st" != "$want" ]; then
		case $st in
		124 | 137) st="timed out" ;;
		*) [ "$st" -gt 128 ] && st="killed by signal $((st - 128))" || st="exit $st" ;;
		esac
		fail "$name" "$st, wanted exit $want; output: $out"; return
	fi
	if ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name" "output lacks /$pat/: $out"; return
	fi
	if [ -n "$left" ]; then
		fail "$name" "control socket left behind: $left"; return
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
run run-help-raw 0 '--raw .*flat binary' -- $LKVM run --help
run no-command 2 'usage' -- $LKVM
run unknown-command 2 "unknown command 'frob'.*valid commands" -- $LKVM frob
run unknown-option 2 "unknown option '--frob'.*valid options" -- $LKVM run -k x --frob
run missing-value 2 "needs a value" -- $LKVM run -k
run no-kernel 2 "no kernel given" -- $LKVM run -m 64
run kvmtool-loglevel 2 "unknown --loglevel 'loud'; valid: error, warning, info, debug" -- \
	$LKVM run -k x --nodefaults --nocompat --loglevel loud
run run-help-kvmtool 0 'nodefaults and --nocompat' -- $LKVM run --help
run mem-zero 2 "invalid --mem '0'" -- $LKVM run -k x -m 0
run mem-garbage 2 "invalid --mem" -- $LKVM run -k x -m lots
# numbers are digits (and -m's M/G): no space, no sign
run mem-space-minus 2 "invalid --mem ' -1'" -- $LKVM run -k x -m " -1"
run mem-plus 2 "invalid --mem '\\+64'" -- $LKVM run -k x -m +64
run mem-trailing-space 2 "invalid --mem '64 '" -- $LKVM run -k x -m "64 "
run cpus-zero 2 "invalid --cpus '0'" -- $LKVM run -k x -c 0
run cpus-space 2 "invalid --cpus ' 2'" -- $LKVM run -k x -c " 2"
run cpus-plus 2 "invalid --cpus '\\+2'" -- $LKVM run -k x -c +2
run cpus-trailing-space 2 "invalid --cpus '2 '" -- $LKVM run -k x -c "2 "
run console-unknown 2 "unknown console type 'vga'.*valid: serial, virtio" -- $LKVM run -k x --console vga
if [ "$(uname -m)" = x86_64 ]; then
	run irqchip-x86 2 "--irqchip is arm64 only" -- $LKVM run -k x --irqchip gicv3
	run irqchip-auto-x86 2 "--irqchip is arm64 only" -- $LKVM run -k x --irqchip=auto
	run dump-dtb-x86 2 "--dump-dtb is arm64 only" -- $LKVM run -k x --dump-dtb "$T/dtb"
	[ ! -e "$T/dtb" ]
	check dump-dtb-x86-no-file $? "$T/dtb was written"
fi
run no-dev-kvm 1 "/nonexistent/kvm does not exist: load KVM" -- \
	env LKVM_KVM_DEVICE=/nonexistent/kvm $LKVM run -k x
# /dev/kvm only root can open (0600 root:root): joining group 'root' is not
# the fix; giving the kvm group access is.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	K=$(mktemp -d)
	chmod 755 "$K"
	: >"$K/kvm"
	chmod 600 "$K/kvm"
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	if "${NOBODY[@]}" test -x "$LKVM"; then
		run kvm-root-only 1 "$K/kvm: it is mode 0600 root:root; give the kvm group access \\(chgrp kvm $K/kvm; chmod 660 $K/kvm" -- \
			"${NOBODY[@]}" env LKVM_KVM_DEVICE="$K/kvm" XDG_RUNTIME_DIR="$K" $LKVM run -k x
		grep -q "'root' group" <<<"$(LKVM_KVM_DEVICE="$K/kvm" XDG_RUNTIME_DIR="$K" \
			"${NOBODY[@]}" $LKVM run -k x 2>&1)"
		[ $? != 0 ]
		check kvm-root-only-not-group-root $? "still says to join group 'root'"
	fi
	rm -rf "$K"
fi
run mem-too-large 1 "more than this host has" -- $LKVM run -k x -m 1000000000
run cpus-too-many 1 "above the limit of [0-9]+ vCPUs" -- $LKVM run -k x -c 100000
run kernel-missing 1 "cannot read kernel '$T/nope'" -- $LKVM run -k "$T/nope"
run kernel-is-dir 1 "cannot read kernel '$T'.*directory" -- $LKVM run -k "$T"
run kernel-elf 1 "kernel '/bin/true': ELF kernel without a PVH entry note .*CONFIG_PVH=y" -- $LKVM run -k /bin/true
: >"$T/empty"
run kernel-empty 1 "kernel '$T/empty' is empty" -- $LKVM run -k "$T/empty"
run kernel-empty-pipe 1 "kernel '/dev/fd/[0-9]+' is empty" -- $LKVM run -k <(true)
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/big"
run kernel-not-flat 1 "kernel '$T/big'" -- $LKVM run -k "$T/big"
run kernel-raw-too-large 1 "too large for a --raw flat binary" -- $LKVM run --raw -k "$T/big"
printf '\x1f\x8b\x08\x00' >"$T/gz"; head -c 100 /dev/zero >>"$T/gz"
run kernel-gzip 1 "compressed" -- $LKVM run -k "$T/gz"
# A small file of no known format is not run as code unless --raw says so.
printf '\xfa\xf4' >"$T/small"; head -c 100 /dev/zero >>"$T/small"
run kernel-unrecognised 1 "kernel '$T/small': kernel is not a bzImage .*pass --raw to boot a flat binary" -- \
	$LKVM run -k "$T/small"
# Pipes and process substitution are read to their end.
if [ -f "$G/hello.bin" ]; then
	run kernel-pipe-raw 0 "GUEST hello OK" -- $LKVM run --raw -k <(cat "$G/hello.bin") -m 64
	run kernel-raw 0 "GUEST hello OK" -- $LKVM run --raw -k "$G/hello.bin" -m 64
else
	fail kernel-pipe-raw "$G/hello.bin missing (make -C tests/guests)"
fi
# An ELF vmlinux cut short, or needing more RAM than the guest has.
if [ -f "$G/pvh_hello.vmlinux" ]; then
	head -c 2000 "$G/pvh_hello.vmlinux" >"$T/vmlinux"
	run vmlinux-truncated 1 "kernel '$T/vmlinux': ELF kernel is truncated: 2000 bytes.*copy the whole vmlinux" -- \
		$LKVM run -k "$T/vmlinux" -m 64
	run vmlinux-pipe 0 "GUEST pvh cmdline=<$(x86_cmdline_head)>" -- $LKVM run -k <(cat "$G/pvh_hello.vmlinux") -m 64
else
	fail vmlinux-truncated "$G/pvh_hello.vmlinux missing (make -C tests/guests)"
fi
make_bzimage "$T/bz"
# The fake kernel's 32-bit entry powers off: out 0x3400 to PM1a_CNT (0x604).
poke "$T/bz" $((5 * 512)) '\xba\x04\x06\x00\x00\x66\xb8\x00\x34\x66\xef\xf4'
head -c 8192 /dev/urandom >"$T/small-initrd"
run initrd-file 0 "initrd at 0x[0-9a-f]+, 8192 bytes" -- $LKVM run -k "$T/bz" -i "$T/small-initrd" -m 64 --debug
run initrd-pipe 0 "initrd at 0x[0-9a-f]+, 8192 bytes" -- \
	$LKVM run -k "$T/bz" -i <(cat "$T/small-initrd") -m 64 --debug
run initrd-empty-pipe 1 "initrd '/dev/fd/[0-9]+' is empty" -- $LKVM run -k "$T/bz" -i <(true) -m 64
# 31 MiB: read whole (less than RAM), but no room above the kernel
head -c $((31 * 1024 * 1024)) /dev/zero >"$T/initrd"
run initrd-too-large 1 "initrd '$T/initrd': initrd of 31744 KiB does not fit" -- \
	$LKVM run -k "$T/bz" -i "$T/initrd" -m 32
run initrd-pipe-too-large 1 "initrd '/dev/fd/[0-9]+': initrd of 31744 KiB does not fit" -- \
	$LKVM run -k "$T/bz" -i <(cat "$T/initrd") -m 32
# more than the guest's RAM: refused without reading it all (or forever)
run initrd-above-ram 1 "initrd '/dev/zero' is larger than the guest's 32 MiB of RAM: raise -m" -- \
	$LKVM run -k "$T/bz" -i /dev/zero -m 32
head -c $((33 * 1024 * 1024)) /dev/zero >"$T/initrd"
run initrd-file-above-ram 1 "initrd '$T/initrd' is larger than the guest's 32 MiB of RAM" -- \
	$LKVM run -k "$T/bz" -i "$T/initrd" -m 32
run initrd-missing 1 "cannot read initrd '$T/none'" -- $LKVM run -k "$T/bz" -i "$T/none" -m 64
run mem-too-small 1 "too small" -- $LKVM run -k "$T/bz" -m 4
summary cli
