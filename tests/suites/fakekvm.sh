#!/usr/bin/env bash
# Test suite "fakekvm": lkvm's whole run path (options, control socket, init
# levels, vCPU threads, seccomp, exit) on any x86_64 host, KVM or not, against
# tests/bench/fakekvm.c's stand-in (build/<arch>/lkvm-fakekvm): power-off, a
# stop signal, SMP; and the default build links no dynamic loader (static-pie).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh
B=${B:-build/x86_64}
FK=$B/lkvm-fakekvm
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_RUNTIME_DIR=$T/run

if [ "$(uname -m)" != x86_64 ]; then
	echo "fakekvm: x86_64 only (its stand-in answers as an x86 KVM)"
	summary fakekvm
	exit 0
fi
if ! make -s "$FK" >"$T/make.log" 2>&1; then
	fail fakekvm-build "make $FK: $(tail -5 "$T/make.log")"
	summary fakekvm
	exit 1
fi
# mov dx, 0x604; mov ax, 0x3400; out dx, ax (ACPI S5); hlt
printf '\xba\x04\x06\xb8\x00\x34\xef\xf4' >"$T/off.bin"

left() { ls "$T/run/lkvm" 2>/dev/null | tr '\n' ' '; }

timeout -k 5 20 "$FK" run --raw -k "$T/off.bin" -m 64 --debug </dev/null >"$T/out" 2>"$T/err"
st=$?
[ "$st" = 0 ] && grep -q "guest powered off" "$T/err" &&
	grep -qE "vcpu0: first exit [0-9.]+ ms" "$T/err" &&
	grep -qE "init x86_boot_init at [0-9.]+ ms" "$T/err" && [ -z "$(left)" ]
check fakekvm-poweroff $? "exit $st (wanted 0); left: $(left); stderr: $(tail -5 "$T/err")"

timeout -k 5 20 "$FK" run --raw -k "$T/off.bin" -m 64 -c 4 </dev/null >"$T/out" 2>"$T/err"
st=$?
[ "$st" = 0 ] && [ -z "$(left)" ]
check fakekvm-smp-poweroff $? "exit $st (wanted 0); left: $(left); stderr: $(tail -5 "$T/err")"

# halted_sigterm ARGS...: a guest that never exits (KVM_RUN waits) runs
# until its control socket is there, then gets SIGTERM; sets $st.
halted_sigterm() {
	FAKEKVM_GUEST=halt "$FK" run --raw -k "$T/off.bin" -m 64 "$@" </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 50); do
		[ -n "$(ls "$T/run/lkvm/"*.sock 2>/dev/null)" ] && break
		sleep 0.1
	done
	kill -TERM $pid
	wait_gone $pid 5
}

# SIGTERM stops a running guest with 143.
halted_sigterm
[ "$st" = 143 ] && grep -q "got signal 15" "$T/err" && [ -z "$(left)" ]
check fakekvm-sigterm $? "exit $st (wanted 143); left: $(left); stderr: $(tail -5 "$T/err")"

# vcpus_start returns once every vCPU thread has its seccomp filter on: the
# main thread's and the control thread's filters, installed next, would
# hold the vCPUs' up (the kernel installs one filter at a time). The stand-in
# reports, at each pthread_create, the other threads and how many of them
# are confined; the control thread's comes after the 4 vCPUs'.
FAKEKVM_CHECK_CONFINED=1 halted_sigterm -c 4
last=$(grep "^fakekvm: a thread is created" "$T/err" | tail -1)
[ "$st" = 143 ] && [ "$last" = "fakekvm: a thread is created beside 4 others, 4 of them confined" ]
check fakekvm-vcpus-confined-first $? "exit $st (wanted 143); last thread creation: '$last' (wanted 4 others, 4 confined)"

# Stopped while it sets the VM up (FAKEKVM_SLOW_MS: the RAM slot takes 1.5 s,
# an init level): 128+signal, "during start-up", nothing left behind. A
# start-up from regular files runs no watcher thread (the signal is seen
# between init levels); one that may block (-k a FIFO) does, and is
# interrupted at once.
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
startup_stop() {
	local name=$1 want_threads=$2
	shift 2
	rm -rf "$T/run"
	FAKEKVM_SLOW_MS=1500 "$FK" run --raw -m 64 "$@" </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 0.5
	th=$(threads_of $pid)
	kill -TERM $pid
	wait_gone $pid 5
	[ "$st" = 143 ] && grep -q "got signal 15 during start-up" "$T/err" &&
		[ -z "$(left)" ] && [ "$th" = "$want_threads" ]
	check "$name" $? "exit $st (wanted 143); threads while starting: $th (wanted $want_threads); left: $(left); stderr: $(tail -3 "$T/err")"
}
startup_stop fakekvm-startup-stop-quiet 1 -k "$T/off.bin"
rm -f "$T/fifo"; mkfifo "$T/fifo"
startup_stop fakekvm-startup-stop-fifo 2 -k "$T/fifo"

# The product binary: static-pie (no PT_INTERP), so no dynamic loader or
# shared-library pages at start-up.
if [ -x ./lkvm ] && command -v readelf >/dev/null; then
	readelf -lW ./lkvm >"$T/ph" 2>&1
	! grep -q INTERP "$T/ph" && grep -q "DYN" "$T/ph"
	check lkvm-static-pie $? "$(grep -E 'INTERP|Type:' "$T/ph")"
else
	fail lkvm-static-pie "./lkvm or readelf missing (make; apt-get install binutils)"
fi
summary fakekvm
