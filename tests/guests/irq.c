/* Test guest "irq": exceptions through the IDT (#UD, #DE) return to the
 * program, and the in-kernel LAPIC delivers a self-IPI and a timer tick. */
#include "guest.h"

#define APIC_ICR_LO	0x300
#define APIC_LVT_TIMER	0x320
#define APIC_TIMER_INIT	0x380
#define APIC_TIMER_DIV	0x3e0
#define VEC_IPI		0x40
#define VEC_TIMER	0x41

static volatile int ud_hits, de_hits, ipi_hits, timer_hits;
static volatile u64 de_resume;

static void on_ud(struct intr_frame *f)
{
	ud_hits++;
	f->rip += 2;		/* skip the ud2 */
}

static void on_de(struct intr_frame *f)
{
	de_hits++;
	f->rip = de_resume;	/* a fault: rip is still at the div */
}

static void on_ipi(struct intr_frame *f)
{
	ipi_hits++;
	lapic_eoi();
}

static void on_timer(struct intr_frame *f)
{
	timer_hits++;
	lapic_eoi();
}

static int wait_for(volatile int *v, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (!*v && time_us() < end)
		cpu_relax();
	return *v;
}

void guest_main(void)
{
	int ok = 1;

	idt_set_handler(6, on_ud);
	idt_set_handler(0, on_de);
	idt_set_handler(VEC_IPI, on_ipi);
	idt_set_handler(VEC_TIMER, on_timer);

	asm volatile("ud2");
	printf("GUEST irq ud=%d\n", ud_hits);
	ok &= ud_hits == 1;
	/*
	 * Not int3 / int n: some hosts (KVM PVM) cannot emulate software
	 * interrupts; a divide error is a plain fault.
	 */
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %0\n\t"
		     "xor %%edx, %%edx\n\t"
		     "xor %%ecx, %%ecx\n\t"
		     "mov $1, %%eax\n\t"
		     "div %%ecx\n"
		     "1:"
		     : "=m"(de_resume) : : "rax", "rcx", "rdx", "memory");
	printf("GUEST irq de=%d\n", de_hits);
	ok &= de_hits == 1;

	lapic_enable();
	asm volatile("sti");
	/* Fixed delivery to the "self" shorthand. */
	lapic_write(APIC_ICR_LO, (1 << 18) | VEC_IPI);
	wait_for(&ipi_hits, 1000);
	printf("GUEST irq ipi=%d\n", ipi_hits);
	ok &= ipi_hits == 1;

	lapic_write(APIC_TIMER_DIV, 0xb);		/* divide by 1 */
	lapic_write(APIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
	lapic_write(APIC_TIMER_INIT, 1000000);
	wait_for(&timer_hits, 2000);
	printf("GUEST irq timer=%d\n", timer_hits);
	ok &= timer_hits == 1;
	asm volatile("cli");

	printf("GUEST irq %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
