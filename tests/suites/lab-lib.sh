#!/usr/bin/env bash
# Test suite "lab-lib": the labs' L2 runner (tests/lab-lib/l1.sh l2_run) against a fake lkvm
# on this host: a run that stalls before L2-BOOT-OK is diagnosed and run once more; a stall
# after it, or in a --restore run, is left to the run's time limit; exit statuses pass
# through; nothing is left running; qemu-monitor sends a scenario's monitor command and
# returns the answer. Runs without KVM.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh

t=$(mktemp -d /tmp/lkvm-lablib.XXXXXX)
trap 'rm -rf "$t"' EXIT

# A fake lkvm: `debug` prints a register line; a run's first invocation follows $t/mode
# (stall: one line, then silence; late: L2-BOOT-OK, then silence; exit3: status 3), every
# later one boots and exits 0.
cat > "$t/lkvm" <<EOF
#!/bin/sh
[ "\$1" = debug ] && { echo "vcpu0 rip=0xffffffff81000000"; exit 0; }
n=\$(cat "$t/count" 2>/dev/null || echo 0); echo \$((n + 1)) > "$t/count"
[ "\$n" = 0 ] || { echo "L2-BOOT-OK scenario=x"; exit 0; }
case \$(cat "$t/mode") in
stall) echo "Run /init as init process"; exec "$t/sleep" 300 ;;
late) echo "L2-BOOT-OK scenario=x"; exec "$t/sleep" 300 ;;
exit3) echo "lkvm: error: something"; exit 3 ;;
panic) echo "L2-BOOT-OK scenario=x"; echo "Kernel panic - not syncing: Attempted to kill init!"
	echo "lkvm: debug: guest reset"; exit 0 ;;
esac
EOF
chmod +x "$t/lkvm"
# its sleep runs as $t/sleep, so what is left is found by $t alone (never a
# `sleep 300` of somebody else's on the machine)
ln -s "$(command -v sleep)" "$t/sleep"

# run MODE NAME TIMEOUT ARGS...: l2_run in a fresh shell (stall limit 3 s) into $t/out.
run() {
	echo "$1" > "$t/mode"; rm -f "$t/count"
	local name=$2 tmo=$3
	shift 3
	sh -c "LKVM=$t/lkvm; . tests/lab-lib/l1.sh; L2_STALL=3
		l2_run $name $tmo $* > $t/out 2>&1
		echo \"rc=\$L2_RC\" >> $t/out; cp \$L2_LOG $t/log" 2>/dev/null
}

left() { pgrep -f "$t/(lkvm|sleep)" >/dev/null; }

run stall lablib-a 30 run -k x --name lablib-a
grep -q "^LAB-STALL lablib-a: L2 printed nothing for 3s" "$t/out" &&
	[ "$(cat "$t/count")" = 2 ] && grep -q "^rc=0$" "$t/out" && grep -q L2-BOOT-OK "$t/log"
check stall-retried $? "want LAB-STALL, a second run and rc 0: $(tr '\n' ' ' < "$t/out")"
grep -q "LAB-DIAG\|debug" "$t/out"
check stall-diag-off-stdout $((! $?)) "diagnosis belongs on the console, not the scenario's output"

run late lablib-b 8 run -k x --name lablib-b
! grep -q LAB-STALL "$t/out" && [ "$(cat "$t/count")" = 1 ] && grep -q "^rc=137$" "$t/out"
check stall-after-boot-ok $? "want no retry and rc 137 at the limit: $(tr '\n' ' ' < "$t/out")"

run stall lablib-c 8 run --restore /x --name lablib-c
! grep -q LAB-STALL "$t/out" && [ "$(cat "$t/count")" = 1 ] && grep -q "^rc=137$" "$t/out"
check stall-not-restore $? "a restore prints nothing new at first: $(tr '\n' ' ' < "$t/out")"

run exit3 lablib-d 30 run -k x --name lablib-d
[ "$(cat "$t/count")" = 1 ] && grep -q "^rc=3$" "$t/out"
check exit-status $? "want rc=3 once: $(tr '\n' ' ' < "$t/out")"

# A guest that panics after L2-BOOT-OK (panic=-1: it resets, lkvm exits 0) before its check:
# the check's FAIL line carries the panic, not only "printed neither".
run panic lablib-e 30 run -k x --name lablib-e
sh -c "LKVM=$t/lkvm; LAB_PREFIX=; . tests/lab-lib/l1.sh; L2_LOG=$t/log; L2_RC=0
	l2_sub lablib-e-read nvme-read L2-VFIO" > "$t/sub" 2>&1
grep -q "^LAB-RESULT lablib-e-read FAIL .*L2 ended without L2-END, last lines: .*Kernel panic - not syncing" "$t/sub" &&
	! grep -q "guest reset" "$t/sub"
check ended-early-reason $? "want the panic in the FAIL line: $(cat "$t/sub")"
sh -c "LKVM=$t/lkvm; LAB_PREFIX=; . tests/lab-lib/l1.sh; L2_LOG=$t/log; L2_RC=0; L2_SECS=1
	l2_check lablib-e-vm" > "$t/vm" 2>&1
grep -q "^LAB-RESULT lablib-e-vm FAIL L2 Kernel panic - not syncing: Attempted to kill init" "$t/vm"
check panic-after-boot-fails $? "L2-BOOT-OK, a panic, exit 0: want FAIL: $(cat "$t/vm")"

# qemu-monitor (run.sh's answer to a scenario's LAB-MONITOR line) against a fake human
# monitor that echoes the command as QEMU does and answers late: the command arrives whole
# and alone (no empty command before it, whose prompt would cut the answer short), the answer
# comes back as one LAB-MONITOR-REPLY line without the echo and the prompts.
python3 - "$t/mon.sock" > "$t/mon.got" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept()
c.settimeout(1)
c.sendall(b"QEMU 7.2 monitor - type 'help'\r\n")
time.sleep(0.3)				# the prompt comes apart, as it may
c.sendall(b"(qemu) ")
buf = b""
while b"\n" not in buf:
    buf += c.recv(4096)
line = buf.split(b"\n")[0]
time.sleep(0.3)				# the answer comes late
c.sendall(b"\x1b[K" + line + b"\r\nOK id: lab_vnet root bus: 0000:00\r\n(qemu) ")
try:					# anything more is the client's too
    while True:
        d = c.recv(4096)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
print(repr(buf.decode()))
EOF
mon=$!
for _ in $(seq 50); do [ -S "$t/mon.sock" ] && break; sleep 0.1; done
out=$(tests/lab-lib/qemu-monitor "$t/mon.sock" pcie_aer_inject_error lab_vnet POISON_TLP)
wait $mon
[ "$out" = "LAB-MONITOR-REPLY pcie_aer_inject_error lab_vnet POISON_TLP: OK id: lab_vnet root bus: 0000:00" ] &&
	[ "$(cat "$t/mon.got")" = "'pcie_aer_inject_error lab_vnet POISON_TLP\\n'" ]
check monitor-command $? "answer '$out', the monitor got '$(cat "$t/mon.got")'"
out=$(tests/lab-lib/qemu-monitor "$t/none.sock" info status)
[ $? = 1 ] && [ "${out#LAB-MONITOR-REPLY no monitor at $t/none.sock}" != "$out" ]
check monitor-missing $? "want status 1 and 'no monitor at': $out"

sleep 1
! left
check nothing-left $? "still running: $(pgrep -af "$t/(lkvm|sleep)" | tr '\n' ' ')"
pkill -f "$t/(lkvm|sleep)" 2>/dev/null
rm -f /tmp/l2-lablib-*.log /tmp/l2-lablib-*.pid /tmp/l2-lablib-*.diag /tmp/l2-lablib-*.stalled
summary lab-lib
