# L2 side of scenario vfio-snapshot-refused: waits for the nvme, says it is idle (L1 then
# asks for a snapshot, which must be refused), and 20 s later reads the nvme against lab.md5:
# the VM and its device went on as if nothing happened.
bench_l2_setup
nvme_wait
echo "L2-SNAPREF-IDLE"
sleep 20
nvme_read_check
echo "L2-SNAPREF-DONE"
