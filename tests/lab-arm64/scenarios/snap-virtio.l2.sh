# L2 side of arm64 lab scenario "snap-virtio" (sourced by l2/init): tests/lab-lib/l2.sh's
# snapv_l2, counting to lab.count (24 by default) with uptimes, two pings.
l2_modules
snapv_l2 "$(param lab.count | grep . || echo 24)" 2 1
