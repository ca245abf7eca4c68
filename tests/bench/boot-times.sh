#!/usr/bin/env bash
# `make bench`: the L2 boot table of the lab's bench-boot scenario from its stamped L1 console
# log: per kernel (bzImage, ELF vmlinux through PVH), host seconds from each boot's
# LAB-L2-BEGIN to L2's L2-BOOT-OK (userspace) and to LAB-L2-END (lkvm exited), medians of
# the runs, and vmlinux/bzImage ratios; when the log has kvmtool's boots (tests/bench/lab.sh
# with KVMTOOL=), its bzImage times and lkvm's ratios to them.
#   usage: tests/bench/boot-times.sh L1-CONSOLE-LOG
set -eu
log=$1
stamp() { grep -a -m 1 -E "^\[ *[0-9.]+\] $1" "$log" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A up ex
for kind in bzimage vmlinux kvmtool; do
	u=() e=()
	for i in 1 2 3; do
		n=bench-boot-$kind-$i
		b=$(stamp "LAB-L2-BEGIN $n([^0-9]|$)")
		m=$(stamp "L2\\| L2-BOOT-OK scenario=$n ")
		x=$(stamp "LAB-L2-END $n rc=0 ")
		[ -n "$b" ] || continue
		[ -n "$m" ] && u+=("$(awk "BEGIN { print $m - $b }")")
		[ -n "$x" ] && e+=("$(awk "BEGIN { print $x - $b }")")
	done
	up[$kind]=$(printf '%s\n' "${u[@]}" | grep . | median)
	ex[$kind]=$(printf '%s\n' "${e[@]}" | grep . | median)
done
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk "BEGIN { printf \"%.2f\", $1 / $2 }" || echo -; }
echo
echo "L2 boot (bench-boot: 256 MiB, 1 vCPU, same initrd and command line; host s, median of 3)"
printf '%-22s %10s %10s\n' kernel userspace exit
printf '%-22s %10s %10s\n' "lkvm bzImage" "${up[bzimage]:--}" "${ex[bzimage]:--}"
printf '%-22s %10s %10s\n' "lkvm vmlinux (PVH)" "${up[vmlinux]:--}" "${ex[vmlinux]:--}"
printf '%-22s %10s %10s\n' "vmlinux / bzImage" "$(ratio "${up[vmlinux]}" "${up[bzimage]}")" \
	"$(ratio "${ex[vmlinux]}" "${ex[bzimage]}")"
[ -n "${up[kvmtool]}${ex[kvmtool]}" ] || exit 0
printf '%-22s %10s %10s\n' "kvmtool bzImage" "${up[kvmtool]:--}" "${ex[kvmtool]:--}"
printf '%-22s %10s %10s %s\n' "lkvm vmlinux / kvmtool" "$(ratio "${up[vmlinux]}" "${up[kvmtool]}")" \
	"$(ratio "${ex[vmlinux]}" "${ex[kvmtool]}")" "(target: exit <= 0.6)"
printf '%-22s %10s %10s %s\n' "lkvm bzImage / kvmtool" "$(ratio "${up[bzimage]}" "${up[kvmtool]}")" \
	"$(ratio "${ex[bzimage]}" "${ex[kvmtool]}")" "(target: exit <= 0.9)"
