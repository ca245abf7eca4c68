/* Unit tests of the init levels (kvm/init.c): inits run in order; a failing
 * one, or a stop requested during start-up, unwinds exactly the inits that
 * succeeded, newest first, and runs nothing after it. The test's inits are
 * registered before lkvm's own (a constructor priority) at the first level,
 * and every test ends in them, so lkvm's inits never run here. */
#include <stdio.h>
#include "kvm/config.h"
#include "kvm/vm.h"
#include "fake_vm.h"
#include "unit.h"

static char trail[64];	/* "a+" init of a, "a-" exit of a */
static char fail_in, stop_in;

static void note(char who, char what)
{
	size_t n = strlen(trail);

	if (n + 3 < sizeof(trail))
		snprintf(trail + n, sizeof(trail) - n, "%c%c ", who, what);
}

static int run(struct vm *vm, char who)
{
	note(who, '+');
	if (who == stop_in)
		vm_request_exit(vm, VM_SIGNAL);
	return who == fail_in ? -1 : 0;
}

static int init_a(struct vm *vm) { return run(vm, 'a'); }
static int init_b(struct vm *vm) { return run(vm, 'b'); }
static int init_c(struct vm *vm) { return run(vm, 'c'); }
static void exit_a(struct vm *vm) { note('a', '-'); }
static void exit_b(struct vm *vm) { note('b', '-'); }
static void exit_c(struct vm *vm) { note('c', '-'); }
static void exit_n(struct vm *vm) { note('n', '-'); }

static struct lkvm_init t_inits[] = {
	{ .name = "test_a", .level = INIT_ARCH, .init = init_a, .exit = exit_a },
	{ .name = "test_n", .level = INIT_ARCH, .exit = exit_n },	/* no init */
	{ .name = "test_b", .level = INIT_ARCH, .init = init_b, .exit = exit_b },
	{ .name = "test_c", .level = INIT_ARCH, .init = init_c, .exit = exit_c },
};

__attribute__((constructor(101))) static void register_test_inits(void)
{
	size_t i;

	for (i = 0; i < sizeof(t_inits) / sizeof(t_inits[0]); i++)
		lkvm_init_register(&t_inits[i]);
}

static const char *init_all(char fail, char stop, int *ret)
{
	struct lkvm_config cfg = { 0 };
	struct vm vm;

	fake_vm_init(&vm, &cfg, false);
	trail[0] = 0;
	fail_in = fail;
	stop_in = stop;
	*ret = lkvm_init_all(&vm);
	lkvm_exit_all(&vm);	/* after the unwind: nothing left to undo */
	fake_vm_fini(&vm);
	return trail;
}

TEST(init_failure_unwinds_what_succeeded)
{
	int r = 0;

	EXPECT_STR(init_all('c', 0, &r), "a+ b+ c+ b- a- ");
	EXPECT_EQ(r, -1);
	EXPECT_STR(init_all('a', 0, &r), "a+ ");
	EXPECT_EQ(r, -1);
	EXPECT(!t_inits[0].done && !t_inits[2].done && !t_inits[3].done);
}

TEST(init_stop_during_startup_unwinds)
{
	int r = 0;

	EXPECT_STR(init_all('c', 'b', &r), "a+ b+ b- a- ");
	EXPECT_EQ(r, -1);
	/* a failing init that also asked to stop is not undone */
	EXPECT_STR(init_all('b', 'b', &r), "a+ b+ a- ");
	EXPECT_EQ(r, -1);
}
