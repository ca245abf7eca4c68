# /proc/PID/smaps -> "RSS FILE ANON" in KiB of every mapping but guest RAM
# (the mappings of at least ram_kib, -v ram_kib=N): lkvm's own resident memory.
function hex(s,    i, n) {
	n = 0
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}
/^[0-9a-f]+-[0-9a-f]+ / {
	split($1, r, "-")
	skip = (hex(r[2]) - hex(r[1])) / 1024 >= ram_kib
	file = $6 != "" && $6 !~ /^\[/
	next
}
/^Rss:/ && !skip { rss += $2; if (file) f += $2; else a += $2 }
END { print rss + 0, f + 0, a + 0 }
