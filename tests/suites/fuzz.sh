#!/usr/bin/env bash
# Test suite "fuzz": builds every libFuzzer target tests/fuzz/fuzz_*.c with
# clang (ASan/UBSan) into build/fuzz and runs it deterministically (-seed=1,
# a fixed number of runs) from the seeds the target writes itself; a crash
# or broken invariant fails with its reproducer. Each target names its
# sources, runs and input size in its "fuzz-sources/-runs/-max-len" lines.
# FUZZ_RUNS_SCALE=N (may be fractional) multiplies the runs for longer fuzzing.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh

B=${LKVM_FUZZ_B:-build/fuzz}
CLANG=${FUZZ_CC:-clang}
SCALE=${FUZZ_RUNS_SCALE:-1}
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
-Iinclude -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Wno-unused-parameter"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if ! command -v "$CLANG" >/dev/null 2>&1; then
	fail fuzz-tools "$CLANG not found (apt-get install clang libclang-rt-dev)"
	summary fuzz
	exit 1
fi
# clang alone links no -fsanitize=fuzzer: its runtimes are a Recommends
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
	>"$T/probe.c"
# shellcheck disable=SC2086 # word-split flags
if ! "$CLANG" $FLAGS -o "$T/probe" "$T/probe.c" >"$T/probe.log" 2>&1; then
	fail fuzz-tools "$CLANG cannot build a libFuzzer target (apt-get install clang libclang-rt-dev): $(tail -n 3 "$T/probe.log")"
	summary fuzz
	exit 1
fi
if ! awk -v s="$SCALE" 'BEGIN { exit !(s + 0 > 0) }'; then
	fail fuzz-scale "FUZZ_RUNS_SCALE='$SCALE' is not a positive number"
	summary fuzz
	exit 1
fi
mkdir -p "$B/crashes"
# Pointer values reach libFuzzer's comparison tables: with no address-space
# randomization and a fixed environment (stack addresses), the same runs
# take the same path every time.
RUN=(env -i PATH=/usr/local/bin:/usr/bin:/bin UBSAN_OPTIONS=print_stacktrace=1)
if setarch "$(uname -m)" -R true 2>/dev/null; then
	RUN+=(setarch "$(uname -m)" -R)
else
	echo "note: setarch -R unavailable: runs may differ between invocations"
fi

# meta FILE KEY: the value of the target's "fuzz-KEY:" line
meta() {
	sed -n "s/^.*fuzz-$2: *//p" "$1" | head -n 1
}

# build NAME SRC: compiles the target with the product sources it names;
# warnings in the harness itself fail it
build() {
	local name=$1 src=$2 log=$T/$1.build srcs
	srcs=$(meta "$src" sources)
	if [ -z "$srcs" ]; then
		fail "$name" "$src has no 'fuzz-sources:' line"; return 1
	fi
	# shellcheck disable=SC2086 # word-split flags and source lists
	if ! "$CLANG" $FLAGS -o "$B/$name" "$src" $srcs >"$log" 2>&1; then
		fail "$name" "build failed: $(tail -n 20 "$log")"
		return 1
	fi
	if grep -q '^tests/fuzz/.*warning' "$log"; then
		fail "$name" "warnings: $(grep '^tests/fuzz/.*warning' "$log" | head -n 5)"
		return 1
	fi
}

# run NAME SRC: seeds, then -runs inputs from -seed=1; fails on a crash.
# The binary runs as ./NAME in a scratch directory so that no path of this
# checkout lands on its stack either; a reproducer goes to $B/crashes.
run() {
	local name=$1 src=$2 dir=$T/$1 log runs maxlen t0 secs st out art
	log=$dir/log
	runs=$(awk -v r="$(meta "$src" runs)" -v s="$SCALE" \
		'BEGIN { n = int(r * s); print (n > 0 ? n : 1) }')
	maxlen=$(meta "$src" max-len)
	mkdir -p "$dir/corpus"
	cp "$B/$name" "$dir/$name"
	if ! (cd "$dir" && LKVM_FUZZ_SEEDS=corpus "./$name") >"$log" 2>&1 ||
	   [ -z "$(ls "$dir/corpus")" ]; then
		fail "$name" "writing its seeds failed: $(tail -n 10 "$log")"
		return
	fi
	t0=$(date +%s)
	(cd "$dir" && "${RUN[@]}" "./$name" -seed=1 -runs="$runs" \
		-max_len="${maxlen:-4096}" -reload=0 -timeout=20 \
		-print_final_stats=1 -artifact_prefix=art- corpus >log 2>&1)
	st=$?
	secs=$(($(date +%s) - t0))
	if [ "$st" = 0 ] && grep -q "^Done $runs runs" "$log"; then
		out=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 |
			grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')
		pass "$name ($runs runs in ${secs}s, $out)"
		return
	fi
	out=none
	for art in "$dir"/art-*; do
		[ -e "$art" ] || continue
		out=$B/crashes/$name-$(basename "$art" | sed 's/^art-//')
		cp "$art" "$out"
	done
	fail "$name" "exit $st after ${secs}s; reproducer: $out (rerun: $B/$name $out)
$(grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" | tail -n 30)"
}

n=0
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	n=$((n + 1))
	name=$(basename "$src" .c)
	build "$name" "$src" && run "$name" "$src"
done
[ $n -gt 0 ] || fail fuzz-targets "no tests/fuzz/fuzz_*.c"
summary fuzz
