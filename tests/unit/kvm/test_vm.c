/* Unit tests of kvm/vm.c's exit requests without KVM: the first request
 * wins and wakes the main loop once; the --debug-exit register keeps the
 * byte written for the exit status, and reads as all-ones; guest RAM is
 * mapped on a 2 MiB boundary. */
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fake_vm.h"
#include "unit.h"

TEST(vm_debug_exit_first_request_wins)
{
	struct lkvm_config cfg = { 0 };
	struct vm vm;
	u8 b[4] = { 0x21, 0x22, 0x23, 0x24 };
	u64 n = 0;

	fake_vm_init(&vm, &cfg, false);
	vm.exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT(vm.exit_efd >= 0);
	vm_debug_exit_io(&vm, 0, b, 4, false);
	EXPECT_EQ(b[0] & b[3], 0xff);
	EXPECT(!vm_stopping(&vm));
	b[0] = 0x21;
	vm_debug_exit_io(&vm, 0, b, 1, true);
	EXPECT_EQ(vm.exit_reason, VM_DEBUG_EXIT);
	EXPECT_EQ(vm.exit_value, 0x21);
	b[0] = 0x7f;	/* a later write or request changes nothing */
	vm_debug_exit_io(&vm, 0, b, 1, true);
	vm_request_exit(&vm, VM_POWEROFF);
	EXPECT_EQ(vm.exit_reason, VM_DEBUG_EXIT);
	EXPECT_EQ(vm.exit_value, 0x21);
	EXPECT_EQ(read(vm.exit_efd, &n, sizeof(n)), (ssize_t)sizeof(n));
	EXPECT_EQ(n, 1);
	close(vm.exit_efd);
	fake_vm_fini(&vm);
}

/* The bounds of the mapping (VMA) in /proc/self/maps holding addr. */
static int vma_of(unsigned long addr, unsigned long *lo, unsigned long *hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx", lo, hi) == 2 && *lo <= addr &&
			addr < *hi;
	fclose(f);
	return found;
}

/* Guest RAM starts on a 2 MiB boundary (a huge page per 2 MiB of guest
 * memory) whatever mmap returned, keeps its size, and its mapping is just
 * that: nothing of the 2 MiB reserved for the alignment stays mapped (the
 * huge-page advice keeps it from merging with its neighbours). */
TEST(vm_ram_is_2m_aligned_without_slack)
{
	static const u64 sizes[] = { 64 * SZ_1M, 3 * SZ_1M + 4096, 256 * SZ_1M };
	struct lkvm_config cfg = { 0 };
	unsigned long lo, hi;
	struct vm vm;
	unsigned int i;
	void *hole;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* a small mapping first shifts where the next one lands */
		hole = mmap(NULL, 4096 * (i + 1), PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT(hole != MAP_FAILED);
		fake_vm_init(&vm, &cfg, false);
		vm.ram_fd = -1;
		ASSERT_EQ(vm_alloc_ram(&vm, sizes[i]), 0);
		EXPECT_EQ((unsigned long)vm.ram % SZ_2M, 0);
		EXPECT_EQ(vm.ram_size, sizes[i]);
		vm.ram[0] = 1;
		vm.ram[sizes[i] - 1] = 2;
		ASSERT(vma_of((unsigned long)vm.ram, &lo, &hi));
		EXPECT_EQ(lo, (unsigned long)vm.ram);
		EXPECT_EQ(hi, (unsigned long)vm.ram + ALIGN_UP(sizes[i], 4096));
		munmap(vm.ram, vm.ram_size);
		vm.ram = NULL;
		munmap(hole, 4096 * (i + 1));
		fake_vm_fini(&vm);
	}
}
