# `strace -f -ttt -T` of one lkvm run -> "SYSCALLS KVM_IOCTLS KVM_MS": the system calls
# of all threads before the first KVM_RUN, how many of them were KVM ioctls, and the
# milliseconds those ioctls and that first KVM_RUN (to the guest's first exit) spent in
# the kernel. A call split by another thread's (<unfinished ...> ... <... NAME resumed>)
# counts once, its time from the resumed line. Used by tests/bench/startup.sh.
# With -v names=1: "COUNT NAME" per system call (KVM ioctls by request) instead.
function tally(l,  s) {
	s = l; sub(/^[0-9]+ +([0-9.]+ +)?/, "", s); sub(/\(.*/, "", s)
	if (s == "ioctl" && match(l, /KVM_[A-Z0-9_]+/)) s = substr(l, RSTART, RLENGTH)
	cnt[s]++
}
function dur(l) { return match(l, /<[0-9.]+>$/) ? substr(l, RSTART + 1, RLENGTH - 2) : 0 }
/ \+\+\+ | --- / { next }
/<\.\.\. [a-z0-9_]+ resumed>/ {
	if (pend[$1]) { ms += dur($0) * 1000; pend[$1] = 0; if ($1 == runpid) exit }
	next
}
runpid != "" { next }
/ ioctl\([0-9]+, KVM_/ {
	if ($0 ~ /KVM_RUN[, ]/) runpid = $1
	else { n++; nkvm++; tally($0) }
	if ($0 ~ /<unfinished \.\.\.>$/) { pend[$1] = 1; next }
	ms += dur($0) * 1000
	if (runpid != "") exit
	next
}
{ n++; tally($0) }
END {
	if (!names) { printf "%d %d %.3f\n", n, nkvm, ms; exit }
	for (s in cnt) print cnt[s], s
}
