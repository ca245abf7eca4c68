# lkvm build: one binary from C (gnu11), libc and the Linux UAPI headers only.
# Sources are found by directory; a new file in a subsystem needs no Makefile edit.

ARCH ?= $(shell uname -m | sed -e 's/aarch64/arm64/')
ifeq ($(ARCH),x86)
override ARCH := x86_64
endif
ifeq ($(ARCH),x86_64)
ARCH_DIR := x86
else ifeq ($(ARCH),arm64)
ARCH_DIR := arm64
else
$(error unsupported ARCH=$(ARCH): use x86_64 or arm64)
endif

CC := $(CROSS_COMPILE)gcc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ALL_CFLAGS := -std=gnu11 $(WARN) -Iinclude -D_GNU_SOURCE -pthread $(CFLAGS)
# static-pie: no dynamic loader or shared libc pages at start-up (1.4 MiB
# resident beyond guest RAM instead of 2.3), still position-independent for
# ASLR; `make LDFLAGS=` links dynamically.
LDFLAGS ?= -static-pie
LIBS := -pthread
OUT ?= lkvm

B := build/$(ARCH)
GENERIC_SRCS := $(wildcard kvm/*.c pci/*.c virtio/*.c vfio/*.c)
ARCH_SRCS := $(wildcard $(ARCH_DIR)/*.c)
LIB_SRCS := $(GENERIC_SRCS) $(ARCH_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(B)/asan/%.o)
# Unit tests mirror the tree (tests/unit/<dir>/test_<file>.c); the other
# architecture's folder is left out. tests/sim holds simulations they share.
OTHER_ARCH_DIR := $(if $(filter x86,$(ARCH_DIR)),arm64,x86)
UNIT_SRCS := $(filter-out tests/unit/$(OTHER_ARCH_DIR)/%,$(shell find tests/unit -name '*.c')) \
	$(wildcard tests/sim/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(B)/%.o)
UNIT_ASAN_OBJS := $(UNIT_SRCS:%.c=$(B)/asan/%.o)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all check unit guests lab bench demo clean
all: $(OUT)

$(OUT): $(B)/main.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# lkvm with tests/bench/fakekvm.c standing in for /dev/kvm (bench and cli
# suite): lkvm's own start-up, at native speed, on a host without KVM.
FAKEKVM_WRAP := -Wl,--wrap=open,--wrap=openat,--wrap=ioctl,--wrap=close \
	-Wl,--wrap=pthread_create
$(B)/lkvm-fakekvm: $(B)/main.o $(LIB_OBJS) $(B)/tests/bench/fakekvm.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(FAKEKVM_WRAP) -o $@ $^ $(LIBS)

$(B)/liblkvm.a: $(LIB_OBJS)
	@rm -f $@
	$(CROSS_COMPILE)ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -MMD -MP -c -o $@ $<

# Test sources include "unit.h" and "sim/..." from any depth.
$(B)/tests/%.o $(B)/asan/tests/%.o: ALL_CFLAGS += -Itests -Itests/unit

$(B)/unit-tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(B)/unit-tests-asan: $(UNIT_ASAN_OBJS) $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

$(B)/lkvm-asan: $(B)/asan/main.o $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

unit: $(B)/unit-tests $(B)/unit-tests-asan

guests:
	$(MAKE) -C tests/guests

# Every test: unit tests (plain and ASan/UBSan), tiny guests on /dev/kvm, the nested lab.
check: $(OUT) unit $(B)/lkvm-asan guests
	@B=$(B) ARCH=$(ARCH) tests/check.sh

bench: $(OUT) guests
	@tests/bench/run.sh

# Boots Linux in the nested lab with QEMU's nvme passed through by lkvm.
demo:
	@tests/lab/demo.sh

clean:
	rm -rf build lkvm
	$(MAKE) -C tests/guests clean

# The VFIO test VMM (simulated VFIO kernel) drives x86 tiny guests.
ifeq ($(ARCH_DIR),x86)
include tests/kvm/kvm.mk
endif

-include $(shell find build -name '*.d' 2>/dev/null)
