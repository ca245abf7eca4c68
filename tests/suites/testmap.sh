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

# map_errors README: one line per problem with the map in README (one python3 process: the
# shell loop it replaces spawned thousands of greps and took 75 s on a loaded CI machine)
map_errors() {
	python3 - "$1" <<'PYEOF'
import os, re, subprocess, sys
rows = [l.rstrip("\n") for l in open(sys.argv[1])
	if re.match(r"^\| `[A-Za-z0-9_/.-]+\.c` \|", l)]
srcs = subprocess.run(["find", "main.c", "kvm", "pci", "virtio", "vfio", "x86", "arm64",
	"-name", "*.c"], capture_output=True, text=True).stdout.split()
for src in sorted(srcs):
	n = sum(1 for r in rows if ("| `%s` |" % src) in r)
	if n != 1:
		print("%s: %d rows in the map (want 1)" % (src, n))
def resolve(col, name):
	if col == "unit": return "tests/unit/" + name
	if col == "fuzz": return "tests/fuzz/%s.c" % name
	if col == "suite": return "tests/suites/%s.sh" % name
	if col == "guest": return "tests/guests/%s.c" % name
	if name.startswith("arm64:"):
		return "tests/lab-arm64/scenarios/%s.sh" % name[6:]
	return "tests/lab/scenarios/%s.sh" % name
names = ["product", "unit", "fuzz", "suite", "guest", "lab"]
units = set()
for line in rows:
	cols = line.split("|")
	if cols and cols[-1] == "":
		cols = cols[:-1]
	src = cols[1].replace(" ", "").replace("`", "")
	if not os.path.isfile(src):
		print("%s: in the map but no such product file" % src)
	if len(cols) != 7:
		print("%s: %d cells, want 6" % (src, len(cols)))
		continue
	for i in range(2, 7):
		col = names[i - 1]
		cell = cols[i].strip()
		if cell == "none":
			continue
		if not re.match(r"^`[^`]+`(, `[^`]+`)*$", cell):
			print("%s: %s cell '%s' is neither none nor `name`, `name`" % (src, col, cell))
			continue
		for name in cell.replace("`", "").replace(",", " ").split():
			if not os.path.isfile(resolve(col, name)):
				print("%s: %s '%s' does not exist (%s)" % (src, col, name, resolve(col, name)))
	unit = cols[2].replace(" ", "").replace("`", "").split(",")
	units.update(unit)
	mirror = "%s/test_%s" % (os.path.dirname(src), os.path.basename(src))
	if os.path.isfile("tests/unit/" + mirror) and mirror not in unit:
		print("%s: its unit test %s is not in its row" % (src, mirror))
tests = subprocess.run(["find", ".", "-name", "test_*.c"], cwd="tests/unit",
	capture_output=True, text=True).stdout.split()
for t in sorted(x[2:] for x in tests):
	if t not in units:
		print("tests/unit/%s: a unit test missing from the map" % t)
PYEOF
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
