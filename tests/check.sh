#!/usr/bin/env bash
# `make check`: runs every suite (three of them in a second lane beside the
# x86 lab), prints each suite's "N passed, N failed" line, then the total.
# Exits non-zero if any suite failed or could not run.
set -u
cd "$(dirname "$0")/.."
B=${B:-build/x86_64}
total_p=0 total_f=0 rc=0 log=$(mktemp) reported=
trap 'rm -f "$log"' EXIT

run_suite() {
	local name=$1; shift
	local t0=$SECONDS
	echo "== $name"
	reported+="$name"$'\n'
	"$@" 2>&1 | tee "$log"
	local st=${PIPESTATUS[0]}
	echo "time: $name $((SECONDS - t0))s"
	local line
	line=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: suite printed no result line (exit $st)"
		total_f=$((total_f + 1)); rc=1; return
	fi
	local p f
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	total_p=$((total_p + p)); total_f=$((total_f + f))
	[ "$st" = 0 ] && [ "$f" = 0 ] || rc=1
}

run_suite unit "$B/unit-tests"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run_suite unit-asan "$B/unit-tests-asan"
# Suites that boot guests on /dev/kvm say so ("# needs: /dev/kvm"). On a host
# without a usable /dev/kvm they run in two 1-vCPU boots of the x86 lab's L1
# (tests/kvm-l1), which has one; LKVM_KVM_L1=always|never overrides.
kvm_usable() { [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
kvm_suites=$(grep -l '^# needs: /dev/kvm' tests/suites/*.sh | xargs -n1 basename | sed 's/\.sh$//')
l1_out=$B/kvm-l1
in_l1=
case ${LKVM_KVM_L1:-auto} in
always) in_l1=1 ;;
never) ;;
*) kvm_usable || [ "$(uname -m)" != x86_64 ] || in_l1=1 ;;
esac
if [ -n "$in_l1" ] && [ -n "$kvm_suites" ]; then
	echo "== kvm-l1: no usable /dev/kvm here; running" $kvm_suites "in the lab's L1"
	t0=$SECONDS
	tests/kvm-l1/run.sh "$l1_out" $kvm_suites
	echo "time: kvm-l1 $((SECONDS - t0))s; in L1: $(awk '/^KVM-L1-BEGIN/ { b[$2] = $3 }
		/^KVM-L1-END/ { printf "%s %ds ", $2, $4 - b[$2] }' "$l1_out"/l1-console*.log 2>/dev/null)"
fi
in_l1_suite() { [ -n "$in_l1" ] && grep -qx "$1" <<<"$kvm_suites"; }

# Beside the x86 lab (its L1 is one TCG thread, so a host core is free), one
# background lane runs these in turn; they are reported after the others.
# lab-mtty comes after lab-arm64: by then suite lab has built the static lkvm
# it reuses.
# LKVM_CHECK_SERIAL=1 runs everything in order.
# (The arm64 unit and fuzz suites run in the first lane: with them here this lane ran ~260 s
# longer than the first.)
bg_suites="lab-arm64 lab-mtty testmap"
[ "${LKVM_CHECK_SERIAL:-0}" = 1 ] && bg_suites=
bg_dir=$B/check-bg
rm -rf "$bg_dir"
mkdir -p "$bg_dir"
in_bg() { [[ " $bg_suites " == *" $1 "* ]]; }	# exact: "lab" is not "lab-arm64"
(
	for n in $bg_suites; do
		[ -e "tests/suites/$n.sh" ] || continue
		t0=$SECONDS
		bash "tests/suites/$n.sh" > "$bg_dir/$n.log" 2>&1
		echo $? > "$bg_dir/$n.rc"
		echo "$((SECONDS - t0))" > "$bg_dir/$n.secs"
	done
) &
bg_pid=$!
for s in tests/suites/*.sh; do
	[ -e "$s" ] || continue
	n=$(basename "$s" .sh)
	if in_bg "$n"; then
		continue
	elif in_l1_suite "$n"; then
		run_suite "$n" bash -c "cat '$l1_out/$n.log'; exit \$(cat '$l1_out/$n.rc')"
	else
		run_suite "$n" bash "$s"
	fi
done
wait "$bg_pid"
for n in $bg_suites; do
	[ -e "tests/suites/$n.sh" ] || continue
	run_suite "$n" bash -c "cat '$bg_dir/$n.log'; echo '($n took' \
		\$(cat '$bg_dir/$n.secs' 2>/dev/null)s beside the others')'; exit \$(cat '$bg_dir/$n.rc')"
done
# every suite reported once, whichever lane ran it
for s in tests/suites/*.sh; do
	n=$(basename "$s" .sh)
	grep -qx "$n" <<<"$reported" && continue
	echo "$n: never ran"
	total_f=$((total_f + 1)); rc=1
done
echo "check: $total_p passed, $total_f failed (${SECONDS}s)"
exit $rc
