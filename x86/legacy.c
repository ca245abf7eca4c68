/* The PC platform ports Linux touches at boot and shutdown: CMOS/RTC at
 * 0x70, the i8042 reset line at 0x64, ACPI PM1, the 0xcf9 reset register
 * (reached through x86/pci.c), the POST/delay ports (cheap no-ops) and,
 * with --debug-exit, QEMU's isa-debug-exit port 0x501. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "kvm/state.h"
#include "x86/arch.h"

STATE_DESC(legacy_state_desc, "x86-legacy", struct legacy, 1,
	   STATE_FIELD(struct legacy, cmos, 1),
	   STATE_FIELD(struct legacy, pm1_en, 1),
	   STATE_FIELD(struct legacy, pm1_cnt, 1))

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define I8042_RESET	0xfe
#define PM1_SCI_EN	0x0001
#define PM1_PWRBTN	0x0100	/* PM1 status and enable: power button */
#define PM1_SLP_TYP(v)	(((v) >> 10) & 7)
#define PM1_SLP_EN	0x2000
#define RESET_RST_CPU	0x04

static void cmos_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct legacy *l = opaque;
	struct tm tm;

	cmos_utc(time(NULL), &tm);
	pthread_mutex_lock(&l->lock);
	if (off == 0 && wr)
		cmos_write_index(&l->cmos, data[0]);
	else if (off == 0)
		data[0] = 0xff;
	else if (wr)
		cmos_write_data(&l->cmos, data[0]);
	else
		data[0] = cmos_read(&l->cmos, &tm);
	pthread_mutex_unlock(&l->lock);
}

static void i8042_data_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	if (!wr)
		memset(data, 0, len);
}

/* Command port: status reads "nothing to read, ready"; 0xfe pulses reset. */
static void i8042_cmd_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct legacy *l = opaque;

	if (!wr) {
		memset(data, 0, len);
		return;
	}
	if (data[0] == I8042_RESET) {
		pr_debug("guest reset through the i8042");
		vm_request_exit(l->vm, VM_REBOOT);
	}
}

static void pm_cnt_write(struct legacy *l, u16 v)
{
	l->pm1_cnt = (v & ~PM1_SLP_EN) | PM1_SCI_EN;
	if (!(v & PM1_SLP_EN))
		return;
	if (PM1_SLP_TYP(v) == X86_S5_SLP_TYP) {
		pr_debug("guest powered off (ACPI S5)");
		vm_request_exit(l->vm, VM_POWEROFF);
		return;
	}
	pr_debug("guest asked for sleep state type %u; not supported",
		 PM1_SLP_TYP(v));
}

/* The SCI follows the power button's status, enable and SCI_EN; called
 * with the lock held. */
static void update_sci(struct legacy *l)
{
	bool level = (l->pm1_sts & l->pm1_en & PM1_PWRBTN) &&
		     (l->pm1_cnt & PM1_SCI_EN);

	if (level == l->sci)
		return;
	l->sci = level;
	vm_irq_line(l->vm, X86_SCI_IRQ, level);
}

int arch_power_button(struct vm *vm)
{
	struct legacy *l = &x86_vm(vm)->legacy;

	pthread_mutex_lock(&l->lock);
	l->pm1_sts |= PM1_PWRBTN;
	update_sci(l);
	pthread_mutex_unlock(&l->lock);
	return 0;
}

/* 0x600: PM1 status (2, write 1 to clear) + enable (2); 0x604: PM1
 * control (2). */
static void pm_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct legacy *l = opaque;
	u8 regs[6];
	u32 i;

	pthread_mutex_lock(&l->lock);
	memset(regs, 0, sizeof(regs));
	memcpy(&regs[0], &l->pm1_sts, 2);
	memcpy(&regs[2], &l->pm1_en, 2);
	memcpy(&regs[4], &l->pm1_cnt, 2);
	for (i = 0; i < len && off + i < sizeof(regs); i++) {
		if (wr)
			regs[off + i] = data[i];
		else
			data[i] = regs[off + i];
	}
	if (wr) {
		if (off < 2)	/* status bits written as 1 are cleared */
			l->pm1_sts &= ~(regs[0] | (regs[1] << 8)) |
				      (off ? 0x00ff : 0) |
				      (off + len < 2 ? 0xff00 : 0);
		memcpy(&l->pm1_en, &regs[2], 2);
		if (off + len > 4)
			pm_cnt_write(l, regs[4] | (regs[5] << 8));
		update_sci(l);
	}
	pthread_mutex_unlock(&l->lock);
}

void x86_reset_port_io(struct vm *vm, u8 *data, bool is_write)
{
	if (!is_write) {
		data[0] = 0;
		return;
	}
	if (data[0] & RESET_RST_CPU) {
		pr_debug("guest reset through port 0xcf9");
		vm_request_exit(vm, VM_REBOOT);
	}
}

static void sink_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	if (!wr)
		memset(data, 0xff, len);
}

static int legacy_init(struct vm *vm)
{
	struct legacy *l = &x86_vm(vm)->legacy;
	int r = 0;

	pthread_mutex_init(&l->lock, NULL);
	l->vm = vm;
	l->pm1_cnt = PM1_SCI_EN;
	cmos_reset(&l->cmos);
	r |= iobus_register(&vm->pio, 0x70, 2, cmos_io, l);
	r |= iobus_register(&vm->pio, I8042_DATA, 1, i8042_data_io, l);
	r |= iobus_register(&vm->pio, I8042_CMD, 1, i8042_cmd_io, l);
	r |= iobus_register(&vm->pio, X86_PORT_PM1A_EVT, 6, pm_io, l);
	/* X86_PORT_RESET (0xcf9) is inside the conf1 address dword: x86/pci.c
	 * owns the range and forwards byte accesses to x86_reset_port_io(). */
	r |= iobus_register(&vm->pio, 0x80, 1, sink_io, l);	/* POST */
	r |= iobus_register(&vm->pio, 0xed, 1, sink_io, l);	/* io delay */
	if (vm->cfg->debug_exit)	/* 4 bytes: outb, outw and outl */
		r |= iobus_register(&vm->pio, X86_PORT_DEBUG_EXIT, 4,
				    vm_debug_exit_io, vm);
	return r ? -1 : 0;
}

LKVM_INIT(INIT_DEVICE, legacy_init, NULL)
