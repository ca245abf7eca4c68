# PCI config-space readers shared by both labs' L1 and L2 (busybox sh + awk): the MSI-X
# capability and capability counts as a device's driver sees them, from
# /sys/bus/pci/devices/BDF/config and resource.
# shellcheck shell=sh

# awk: config bytes (od -tx1 lines) into b[0..n), and le32(offset).
PCI_AWK_BYTES='
	function hx(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	{ for (i = 1; i <= NF; i++) b[n++] = hx($i) }
	function le32(o) { return b[o] + 256 * b[o + 1] + 65536 * b[o + 2] + 16777216 * b[o + 3] }
'

# pci_cap_count DEVDIR ID: how many capabilities with id ID (decimal) DEVDIR's list has.
pci_cap_count() {
	od -An -tx1 -v "$1/config" 2>/dev/null | awk -v id="$2" "$PCI_AWK_BYTES"'
	END {
		if (n < 64 || int(b[6] / 16) % 2 == 0) { print 0; exit }
		for (p = b[52]; k < 48 && p >= 64 && p < n; k++) {
			if (b[p] == id) c++
			p = b[p + 1] - b[p + 1] % 4
		}
		print c + 0
	}'
}

# pci_msix_layout DEVDIR: one line "bir=N table=0xOFF pba_bir=N pba=0xOFF vectors=N
# bar_size=0xS" for the MSI-X capability of DEVDIR (a /sys/bus/pci/devices/BDF directory;
# bar_size is the size of BAR <bir>), or "none" without one. Needs root (config past 64 bytes).
pci_msix_layout() {
	_l=$(od -An -tx1 -v "$1/config" 2>/dev/null | awk "$PCI_AWK_BYTES"'
	END {
		if (n < 64 || int(b[6] / 16) % 2 == 0) { print "none"; exit }
		p = b[52]
		for (k = 0; k < 48 && p >= 64 && p < n; k++) {
			if (b[p] == 17) {
				t = le32(p + 4); q = le32(p + 8)
				printf "bir=%d table=0x%x pba_bir=%d pba=0x%x vectors=%d\n", t % 8, t - t % 8,
					q % 8, q - q % 8, (b[p + 2] + 256 * b[p + 3]) % 2048 + 1
				exit
			}
			p = b[p + 1] - b[p + 1] % 4
		}
		print "none"
	}')
	case $_l in
	bir=*)
		_bir=${_l#bir=}; _bir=${_bir%% *}
		_res=$(sed -n "$((_bir + 1))p" "$1/resource" 2>/dev/null)
		set -- $_res
		if [ $# -ge 2 ] && [ "$(($2))" -gt "$(($1))" ]; then
			printf '%s bar_size=0x%x\n' "$_l" $(($2 - $1 + 1))
		else
			echo "$_l bar_size=0"
		fi ;;
	*) echo "${_l:-none}" ;;
	esac
}

# pci_kv LINE KEY: the value of KEY=value in a pci_msix_layout line.
pci_kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# pci_cap_off DEVDIR ID: the config offset (decimal) of DEVDIR's capability ID (decimal), or 0.
pci_cap_off() {
	od -An -tx1 -v "$1/config" 2>/dev/null | awk -v id="$2" "$PCI_AWK_BYTES"'
	END {
		if (n >= 64 && int(b[6] / 16) % 2 == 1)
			for (p = b[52]; k < 48 && p >= 64 && p < n; k++) {
				if (b[p] == id) { print p; exit }
				p = b[p + 1] - b[p + 1] % 4
			}
		print 0
	}'
}

# pci_cfg_or DEVDIR OFFSET BITS: sets BITS in config byte OFFSET (decimal) of DEVDIR
# (read-modify-write through sysfs; root).
pci_cfg_or() {
	_cv=$(od -An -tu1 -j "$2" -N 1 "$1/config" | tr -d ' ')
	printf "\\$(printf %o $((_cv | $3)))" | dd of="$1/config" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}
