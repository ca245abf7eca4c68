/* The test guests' IDT: 256 interrupt gates to the isr.S stubs, shared by
 * all CPUs; per-vector C handlers, the default one reports and dies. */
#include "guest.h"

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type;
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
} __attribute__((packed));

extern char isr_stubs[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static intr_handler_t handlers[256];

void idt_dispatch(struct intr_frame *f);

void idt_dispatch(struct intr_frame *f)
{
	intr_handler_t h = f->vector < 256 ? handlers[f->vector] : NULL;
	u64 cr2;

	if (h) {
		h(f);
		return;
	}
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	printf("GUEST exception vector=%lu error=%lx rip=%lx rsp=%lx cr2=%lx "
	       "apic=%d\n", f->vector, f->error, f->rip, f->rsp, cr2,
	       cpuid_apic_id());
	/* Die loudly: lkvm exits non-zero on the triple fault. */
	triple_fault();
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) d = { sizeof(idt) - 1, (u64)idt };

	asm volatile("lidt %0" : : "m"(d));
}

void idt_init(void)
{
	int i;

	for (i = 0; i < 256; i++) {
		u64 a = (u64)(isr_stubs + 16 * i);

		idt[i].off_lo = a & 0xffff;
		idt[i].sel = SEL_CODE64;
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].off_mid = (a >> 16) & 0xffff;
		idt[i].off_hi = a >> 32;
		idt[i].reserved = 0;
	}
	idt_load();
}

void idt_set_handler(int vector, intr_handler_t h)
{
	if (vector >= 0 && vector < 256)
		handlers[vector] = h;
}
