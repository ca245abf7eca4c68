# The VFIO test VMM: every lkvm object but main.o, plus tests/kvm/*.c and the
# simulated VFIO kernel (tests/sim/vfio_sim.c, iommufd_sim.c, reset_sim.c). Included by the Makefile
# (or: make -f Makefile -f tests/kvm/kvm.mk $(B)/lkvm-vfio-test).
TESTVMM_SRCS := $(wildcard tests/kvm/*.c) tests/sim/vfio_sim.c tests/sim/iommufd_sim.c \
	tests/sim/reset_sim.c
TESTVMM_OBJS := $(TESTVMM_SRCS:%.c=$(B)/%.o)

$(B)/lkvm-vfio-test: $(TESTVMM_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

check: $(B)/lkvm-vfio-test

# The same under ASan/UBSan.
$(B)/lkvm-vfio-test-asan: $(TESTVMM_SRCS:%.c=$(B)/asan/%.o) $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

check: $(B)/lkvm-vfio-test-asan
