/* Unit tests of the PL061 model (arm64/pl061.c) as Linux's gpio-pl061
 * drives it, and of the power key on it (arm64/power_key.c) on a fake VM:
 * the PrimeCell IDs, masked data, edge and level interrupts, clear, and
 * a press that gpio-keys sees once, then its release; its snapshot
 * section round trip. */
#include <errno.h>
#include "arm64/arch.h"
#include "arm64/pl061.h"
#include "kvm/config.h"
#include "kvm/snapshot.h"
#include "fake_vm.h"
#include "unit.h"

#define KEY	(1u << PL061_KEY_PIN)

TEST(pl061_primecell_id)
{
	static const u8 id[8] = { 0x61, 0x10, 0x04, 0x00,
				  0x0d, 0xf0, 0x05, 0xb1 };
	struct pl061 g = { 0 };
	int i;

	for (i = 0; i < 8; i++)
		EXPECT_EQ(pl061_read(&g, PL061_ID + 4 * i), id[i]);
	EXPECT_EQ(pl061_read(&g, PL061_ID + 1), 0);
	EXPECT_EQ(pl061_read(&g, 0x800), 0);
}

/* Data: the address bits 9:2 mask reads and writes; inputs ignore writes. */
TEST(pl061_data_mask_and_direction)
{
	struct pl061 g = { 0 };

	pl061_write(&g, PL061_DIR, 0x0f);		/* 0-3 out, 4-7 in */
	pl061_write(&g, 0xff << 2, 0xff);
	EXPECT_EQ(pl061_read(&g, 0xff << 2), 0x0f);	/* inputs low */
	pl061_write(&g, 0x01 << 2, 0x00);		/* only pin 0 */
	EXPECT_EQ(pl061_read(&g, 0xff << 2), 0x0e);
	EXPECT_EQ(pl061_read(&g, 0x02 << 2), 0x02);	/* masked read */
	pl061_set_input(&g, 5, true);
	EXPECT_EQ(pl061_read(&g, 0xf0 << 2), 0x20);
	pl061_set_input(&g, 2, false);			/* an output: stays */
	EXPECT_EQ(pl061_read(&g, 0x04 << 2), 0x04);
	pl061_set_input(&g, 8, true);			/* no such pin */
	EXPECT_EQ(pl061_read(&g, 0xff << 2), 0x2e);
	EXPECT_EQ(pl061_read(&g, PL061_DIR), 0x0f);
}

/* Both edges (gpio-keys' trigger): each change latches until cleared. */
TEST(pl061_edge_interrupts)
{
	struct pl061 g = { 0 };

	pl061_write(&g, PL061_IBE, KEY);
	pl061_set_input(&g, PL061_KEY_PIN, true);
	EXPECT_EQ(pl061_read(&g, PL061_RIS), KEY);
	EXPECT(!pl061_irq(&g));				/* masked */
	pl061_write(&g, PL061_IE, KEY);
	EXPECT(pl061_irq(&g) && pl061_read(&g, PL061_MIS) == KEY);
	pl061_write(&g, PL061_IC, KEY);
	EXPECT(!pl061_irq(&g) && !pl061_read(&g, PL061_RIS));
	pl061_set_input(&g, PL061_KEY_PIN, false);	/* falling */
	EXPECT(pl061_irq(&g));
	pl061_write(&g, PL061_IC, KEY);
	/* rising only (IEV 1, no IBE): a falling edge latches nothing */
	pl061_write(&g, PL061_IBE, 0);
	pl061_write(&g, PL061_IEV, KEY);
	pl061_set_input(&g, PL061_KEY_PIN, true);
	EXPECT(pl061_irq(&g));
	pl061_write(&g, PL061_IC, KEY);
	pl061_set_input(&g, PL061_KEY_PIN, false);
	EXPECT(!pl061_irq(&g));
	/* falling only (IEV 0) */
	pl061_write(&g, PL061_IEV, 0);
	pl061_set_input(&g, PL061_KEY_PIN, true);
	EXPECT(!pl061_irq(&g));
	pl061_set_input(&g, PL061_KEY_PIN, false);
	EXPECT(pl061_irq(&g));
}

/* Level pins follow the level; a clear does not drop them. */
TEST(pl061_level_interrupts)
{
	struct pl061 g = { 0 };

	pl061_write(&g, PL061_IE, 0x01);
	pl061_write(&g, PL061_IEV, 0x01);
	pl061_write(&g, PL061_IS, 0x01);		/* high level */
	EXPECT(!pl061_irq(&g));
	pl061_set_input(&g, 0, true);
	EXPECT(pl061_irq(&g));
	pl061_write(&g, PL061_IC, 0x01);
	EXPECT(pl061_irq(&g));
	pl061_set_input(&g, 0, false);
	EXPECT(!pl061_irq(&g));
	pl061_write(&g, PL061_IEV, 0x00);		/* low level */
	EXPECT(pl061_irq(&g));
}

#ifdef __aarch64__
static u8 mmio_rd(struct vm *vm, u64 off)
{
	u8 b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	EXPECT(iobus_dispatch(&vm->mmio, ARM64_GPIO + off, b, 4, false));
	EXPECT(!b[1] && !b[2] && !b[3]);
	return b[0];
}

static void mmio_wr(struct vm *vm, u64 off, u8 v)
{
	EXPECT(iobus_dispatch(&vm->mmio, ARM64_GPIO + off, &v, 1, true));
}

/* As gpio-pl061 and gpio-keys do it: press, the ISR acks, the work reads
 * the pin pressed; it is then released (another edge) and reads low. */
TEST(power_key_press_then_release)
{
	struct lkvm_config cfg = { 0 };
	struct power_key *k;
	struct vm vm;

	fake_vm_init(&vm, &cfg, false);
	ASSERT(vm.arch);
	k = &arm64_vm(&vm)->key;
	EXPECT_EQ(arch_power_button(&vm), -ENOTSUP);	/* no device yet */
	ASSERT(!arm64_power_key_init(&vm));
	mmio_wr(&vm, PL061_IBE, KEY);
	mmio_wr(&vm, PL061_IE, KEY);
	EXPECT(!k->line);
	EXPECT_EQ(arch_power_button(&vm), 0);
	EXPECT(k->line && k->pressed);
	EXPECT_EQ(mmio_rd(&vm, PL061_MIS), KEY);
	mmio_wr(&vm, PL061_IC, KEY);
	EXPECT(!k->line && k->pressed);
	EXPECT_EQ(mmio_rd(&vm, PL061_RIS), 0);		/* not a data read */
	EXPECT(k->pressed);
	EXPECT_EQ(mmio_rd(&vm, KEY << 2), KEY);		/* pressed, seen */
	EXPECT(!k->pressed && k->line);			/* falling edge */
	mmio_wr(&vm, PL061_IC, KEY);
	EXPECT_EQ(mmio_rd(&vm, KEY << 2), 0);
	EXPECT(!k->line);
	arm64_power_key_exit(&vm);
	EXPECT(!iobus_dispatch(&vm.mmio, ARM64_GPIO, (u8[4]){ 0 }, 4, false));
	fake_vm_fini(&vm);
}

/* The registers and the key's state survive save and load; the SPI is
 * driven as the loaded model says; a short record is refused. */
TEST(power_key_snapshot_round_trip)
{
	const struct snap_owner *o = snap_owner_find("arm64-power-key");
	struct lkvm_config cfg = { 0 };
	struct power_key *ka, *kb;
	struct vm a, b;
	struct sreader r;
	struct snap_sec s;
	struct sbuf buf = { 0 };
	char err[128] = "";

	ASSERT(o);
	EXPECT_EQ(o->order, SNAP_ORDER_DEVICE);
	fake_vm_init(&a, &cfg, false);
	fake_vm_init(&b, &cfg, false);
	ASSERT(a.arch && b.arch);
	ASSERT(!arm64_power_key_init(&a) && !arm64_power_key_init(&b));
	ka = &arm64_vm(&a)->key;
	kb = &arm64_vm(&b)->key;
	mmio_wr(&a, PL061_IBE, KEY);
	mmio_wr(&a, PL061_IE, KEY);
	mmio_wr(&a, PL061_DIR, 0x01);
	mmio_wr(&a, 0x01 << 2, 0x01);
	EXPECT_EQ(arch_power_button(&a), 0);
	snap_begin(&buf);
	ASSERT_EQ(o->save(&a, &buf, err, sizeof(err)), 0);
	snap_end(&buf);
	ASSERT(!snap_open(&r, buf.p, buf.len, err, sizeof(err)));
	ASSERT_EQ(snap_next(&r, &s, err, sizeof(err)), 1);
	EXPECT_STR(s.type, "arm64-power-key");
	EXPECT_EQ(o->load(&b, &s, err, sizeof(err)), 0);
	EXPECT_STR(err, "");
	EXPECT(!memcmp(&ka->g, &kb->g, sizeof(ka->g)));
	EXPECT(kb->pressed && kb->line);
	EXPECT_EQ(mmio_rd(&b, 0xff << 2), KEY | 0x01);
	EXPECT(!kb->pressed);				/* released as in a */
	s.len--;
	EXPECT_EQ(o->load(&b, &s, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "arm64-power-key");
	sb_free(&buf);
	arm64_power_key_exit(&a);
	arm64_power_key_exit(&b);
	fake_vm_fini(&a);
	fake_vm_fini(&b);
}
#endif
