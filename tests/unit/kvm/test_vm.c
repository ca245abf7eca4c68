/* Unit tests of kvm/vm.c's exit requests without KVM: the first request
 * wins and wakes the main loop once; the --debug-exit register keeps the
 * byte written for the exit status, and reads as all-ones. */
#include <sys/eventfd.h>
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
