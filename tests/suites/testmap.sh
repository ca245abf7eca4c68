#!/usr/bin/env bash
# Test suite "testmap": tests/README.md maps every product .c file (main.c,
# kvm/ pci/ virtio/ vfio/ x86/ arm64/) to its tests. Fails when a product file
# has no row (or two), a row names a product file that does not exist, or a
# cell names a unit test, fuzz target, suite, guest or lab scenario that does
# not exist; every unit test must be in the map, and a mirrored unit test
# (tests/unit/<dir>/test_<file>.c) in its file's row. Runs without KVM.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib.sh

# resolve COLUMN NAME: the file a map cell's name stands for
resolve() {
	case $1 in
	unit) echo "tests/unit/$2" ;;
	fuzz) echo "tests/fuzz/$2.c" ;;
	suite) echo "tests/suites/$2.sh" ;;
	guest) echo "tests/guests/$2.c" ;;
	lab) case $2 in
		arm64:*) echo "tests/lab-arm64/scenarios/${2#arm64:}.sh" ;;
		*) echo "tests/lab/scenarios/$2.sh" ;;
		esac ;;
	esac
}

# map_errors README: one line per problem with the map in README
map_errors() {
	local readme=$1 rows src n cols cell name col i unit
	local -a names=(product unit fuzz suite guest lab)
	rows=$(grep -E '^\| `[A-Za-z0-9_/.-]+\.c` \|' "$readme")
	for src in $(find main.c kvm pci virtio vfio x86 arm64 -name '*.c' | sort); do
		n=$(grep -cF "| \`$src\` |" <<<"$rows")
		[ "$n" = 1 ] || echo "$src: $n rows in the map (want 1)"
	done
	while IFS= read -r line; do
		IFS='|' read -r -a cols <<<"$line"
		src=$(tr -d ' `' <<<"${cols[1]}")
		[ -f "$src" ] || echo "$src: in the map but no such product file"
		[ "${#cols[@]}" = 7 ] || { echo "$src: ${#cols[@]} cells, want 6"; continue; }
		for i in 2 3 4 5 6; do
			col=${names[$((i - 1))]}
			cell=$(sed -e 's/^ *//' -e 's/ *$//' <<<"${cols[$i]}")
			[ "$cell" = none ] && continue
			if ! grep -qE '^`[^`]+`(, `[^`]+`)*$' <<<"$cell"; then
				echo "$src: $col cell '$cell' is neither none nor \`name\`, \`name\`"
				continue
			fi
			for name in $(tr -d '`,' <<<"$cell"); do
				[ -f "$(resolve "$col" "$name")" ] ||
					echo "$src: $col '$name' does not exist ($(resolve "$col" "$name"))"
			done
		done
		unit=$(tr -d ' `' <<<"${cols[2]}")
		if [ -f "tests/unit/$(dirname "$src")/test_$(basename "$src")" ]; then
			grep -qE "(^|,)$(dirname "$src")/test_$(basename "$src")(,|$)" <<<"$unit" ||
				echo "$src: its unit test $(dirname "$src")/test_$(basename "$src") is not in its row"
		fi
	done <<<"$rows"
	for t in $(cd tests/unit && find . -name 'test_*.c' | sed 's|^\./||' | sort); do
		awk -F'|' '{ print $3 }' <<<"$rows" | tr -d ' `' | tr ',' '\n' | grep -qxF "$t" ||
			echo "tests/unit/$t: a unit test missing from the map"
	done
}

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

errs=$(map_errors tests/README.md)
check map-complete "$([ -z "$errs" ]; echo $?)" "$(tr '\n' ';' <<<"$errs")"

# The check itself must fail on a broken map: a row dropped, a test renamed.
grep -vF '| `kvm/term.c` |' tests/README.md >"$T/drop.md"
errs=$(map_errors "$T/drop.md")
grep -q '^kvm/term.c: 0 rows' <<<"$errs"
check map-detects-missing-file $? "dropping kvm/term.c's row went unnoticed: $errs"
sed -e 's|`kvm/test_uart.c`|`kvm/test_nosuch.c`|' -e 's|`fuzz_msix`|`fuzz_nosuch`|' \
	tests/README.md >"$T/bad.md"
errs=$(map_errors "$T/bad.md")
grep -q "unit 'kvm/test_nosuch.c' does not exist" <<<"$errs" &&
	grep -q "fuzz 'fuzz_nosuch' does not exist" <<<"$errs" &&
	grep -q 'tests/unit/kvm/test_uart.c: a unit test missing' <<<"$errs"
check map-detects-missing-test $? "a renamed test went unnoticed: $errs"

summary testmap
