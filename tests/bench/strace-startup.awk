# `strace -f -ttt -T` of one lkvm run -> "SYSCALLS KVM_IOCTLS KVM_MS": the system calls
# of all threads before the first KVM_RUN, how many of them were KVM ioctls, and the
# milliseconds those ioctls and that first KVM_RUN (to the guest's first exit) spent in
# the kernel. A call split by another thread's (<unfinished ...> ... <... NAME resumed>)
# counts once, its time from the resumed line. Used by tests/bench/startup.sh.
function dur(l) { return match(l, /<[0-9.]+>$/) ? substr(l, RSTART + 1, RLENGTH - 2) : 0 }
/ \+\+\+ | --- / { next }
/<\.\.\. [a-z0-9_]+ resumed>/ {
	if (pend[$1]) { ms += dur($0) * 1000; pend[$1] = 0; if ($1 == runpid) exit }
	next
}
runpid != "" { next }
/ ioctl\([0-9]+, KVM_/ {
	if ($0 ~ /KVM_RUN[, ]/) runpid = $1
	else { n++; nkvm++ }
	if ($0 ~ /<unfinished \.\.\.>$/) { pend[$1] = 1; next }
	ms += dur($0) * 1000
	if (runpid != "") exit
	next
}
{ n++ }
END { printf "%d %d %.3f\n", n, nkvm, ms }
