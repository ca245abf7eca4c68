/* The power key on arm64: a PL061 (arm64/pl061.c) at ARM64_GPIO on SPI
 * ARM64_GPIO_SPI whose pin PL061_KEY_PIN is a gpio-keys KEY_POWER in the
 * device tree. `lkvm stop` presses it; it is released once the guest has
 * read it pressed (gpio-keys reads the pin after each edge). Snapshots
 * keep its registers (section "arm64-power-key"). */
#include <errno.h>
#include <string.h>
#include "arm64/arch.h"
#include "arm64/pl061.h"
#include "kvm/snapshot.h"
#include "kvm/state.h"

extern struct state_desc pl061_state_desc;

/* The SPI follows the model's interrupt output; called with the lock. */
static void update_line(struct power_key *k)
{
	bool level = pl061_irq(&k->g);

	if (level == k->line)
		return;
	k->line = level;
	vm_irq_line(k->vm, ARM64_GPIO_SPI, level);
}

static void power_key_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct power_key *k = opaque;
	bool seen;

	pthread_mutex_lock(&k->lock);
	if (wr) {
		pl061_write(&k->g, off, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = pl061_read(&k->g, off);
		seen = off < PL061_DATA_END &&
		       (data[0] & 1u << PL061_KEY_PIN);
		if (k->pressed && seen) {
			k->pressed = false;
			pl061_set_input(&k->g, PL061_KEY_PIN, false);
		}
	}
	update_line(k);
	pthread_mutex_unlock(&k->lock);
}

int arch_power_button(struct vm *vm)
{
	struct power_key *k = &arm64_vm(vm)->key;

	if (!k->vm)
		return -ENOTSUP;
	pthread_mutex_lock(&k->lock);
	k->pressed = true;
	pl061_set_input(&k->g, PL061_KEY_PIN, true);
	update_line(k);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int arm64_power_key_init(struct vm *vm)
{
	struct power_key *k = &arm64_vm(vm)->key;

	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	if (iobus_register(&vm->mmio, ARM64_GPIO, ARM64_GPIO_SIZE,
			   power_key_io, k)) {
		pr_err("power key: GPIO range at 0x%llx taken",
		       (unsigned long long)ARM64_GPIO);
		pthread_mutex_destroy(&k->lock);
		return -1;
	}
	k->vm = vm;
	return 0;
}

void arm64_power_key_exit(struct vm *vm)
{
	struct power_key *k = &arm64_vm(vm)->key;

	if (!k->vm)
		return;
	iobus_unregister(&vm->mmio, ARM64_GPIO);
	pthread_mutex_destroy(&k->lock);
	k->vm = NULL;
}

LKVM_INIT(INIT_DEVICE, arm64_power_key_init, arm64_power_key_exit)

/* ---- snapshots: the PL061 registers and whether the key is down ---- */

static int power_key_save(struct vm *vm, struct sbuf *b, char *err,
			  size_t errlen)
{
	struct power_key *k = &arm64_vm(vm)->key;
	size_t h;

	if (!k->vm)
		return 0;
	h = snap_sec_begin(b, "arm64-power-key", 0, 1);
	pthread_mutex_lock(&k->lock);
	sb_state(b, &pl061_state_desc, &k->g);
	sb_u8(b, k->pressed);
	pthread_mutex_unlock(&k->lock);
	snap_sec_end(b, h);
	return 0;
}

static int power_key_load(struct vm *vm, const struct snap_sec *sec,
			  char *err, size_t errlen)
{
	struct power_key *k = &arm64_vm(vm)->key;
	struct sreader r;
	char why[160];
	int ret = -1;

	if (!k->vm)
		return set_err(err, errlen, "arm64-power-key: this VM has none");
	sr_init(&r, sec->data, sec->len);
	pthread_mutex_lock(&k->lock);
	if (sr_state(&r, &pl061_state_desc, &k->g, why, sizeof(why))) {
		set_err(err, errlen, "arm64-power-key: %s", why);
		goto out;
	}
	k->pressed = sr_u8(&r);
	if (!sr_done(&r)) {
		set_err(err, errlen, "arm64-power-key: the record has the "
			"wrong length");
		goto out;
	}
	k->line = !pl061_irq(&k->g);	/* drive the SPI as the model says */
	update_line(k);
	ret = 0;
out:
	pthread_mutex_unlock(&k->lock);
	return ret;
}

SNAP_OWNER(power_key_snap_owner, .type = "arm64-power-key",
	   .order = SNAP_ORDER_DEVICE, .version = 1, .save = power_key_save,
	   .load = power_key_load)
