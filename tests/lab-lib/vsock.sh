# virtio-vsock checks riding in both labs' "virtio" L2 boots (tests/lab-lib/vsock-echo.c):
# L2 echoes on port VSOCK_PORT; L1 sends 1 MiB to CID VSOCK_CID and checks the echo, then
# starts a second lkvm with the same CID (refused, naming it), then lets L2 go on.
# shellcheck shell=sh

VSOCK_CID=4242
VSOCK_PORT=5000
VSOCK_LKVM_ARGS="--vsock $VSOCK_CID"

# L2: vsock_l2_serve before the other checks, vsock_l2_wait after them (two connections:
# the 1 MiB echo, then L1's "done" once its second lkvm was refused; 120 s at most).
vsock_l2_serve() {
	vsock-echo serve $VSOCK_PORT 2 120 > /tmp/vsock.log 2>&1 &
	VSOCK_SRV=$!
}

vsock_l2_wait() {
	if wait "$VSOCK_SRV"; then
		echo "L2-VSOCK serve ok: two connections echoed"
	else
		echo "L2-CHECK-FAIL vsock-serve: $(tr '\n' ' ' < /tmp/vsock.log)"
	fi
}

# L1, before l2_run: the client side in the background.
vsock_l1_start() {
	rm -f /tmp/vsock-echo.rc /tmp/vsock-dup.rc
	( vsock-echo send $VSOCK_CID $VSOCK_PORT 1048576 240 > /tmp/vsock-echo.out 2>&1
	  echo $? > /tmp/vsock-echo.rc
	  timeout -s KILL 30 "$LKVM" run -k "$L2_KERNEL" -m 64 --vsock $VSOCK_CID \
		< /dev/null > /tmp/vsock-dup.out 2>&1
	  echo $? > /tmp/vsock-dup.rc
	  vsock-echo send $VSOCK_CID $VSOCK_PORT 0 20 > /dev/null 2>&1 ) &
	VSOCK_JOB=$!
}

# L1, after l2_run: virtio-vsock (1 MiB echoed intact) and virtio-vsock-cid-taken.
vsock_results() {
	wait "$VSOCK_JOB"
	_out=$(tr '\n' ' ' < /tmp/vsock-echo.out 2>/dev/null)
	if [ "$(cat /tmp/vsock-echo.rc 2>/dev/null)" = 0 ]; then
		lab_result virtio-vsock PASS "L1 -> CID $VSOCK_CID port $VSOCK_PORT: $_out"
	else
		lab_result virtio-vsock FAIL "L1 -> CID $VSOCK_CID: $_out"
	fi
	_out=$(grep -m 1 'vsock' /tmp/vsock-dup.out 2>/dev/null)
	_rc=$(cat /tmp/vsock-dup.rc 2>/dev/null)
	if [ "$_rc" = 1 ] && grep -q "CID $VSOCK_CID is taken" /tmp/vsock-dup.out; then
		lab_result virtio-vsock-cid-taken PASS "second lkvm exit 1: $_out"
	else
		lab_result virtio-vsock-cid-taken FAIL "second lkvm exit ${_rc:-none}: $(tail -n 2 /tmp/vsock-dup.out 2>/dev/null | tr '\n' ' ')"
	fi
}
