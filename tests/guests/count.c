/* Test guest "count": counts on the serial port, one line per 10 ticks of
 * the LAPIC timer (vector 0x40, periodic), with the TSC-based time and the
 * work of every AP (each spins on its own counter), so that the snapshot
 * tests see pause stop the count, and a restored VM go on from where it was
 * saved: its timer, interrupts, TSC and APs included. The start line has
 * the RTC's seconds (the VMM reads the host clock for them). */
#include "guest.h"

#define TIMER_VECTOR	0x40
#define APIC_LVT_TIMER	0x320
#define APIC_TMICT	0x380
#define APIC_TDCR	0x3e0
#define LVT_PERIODIC	(1 << 17)
#define TICK_COUNT	10000000	/* bus clock ticks: ~10 ms on KVM */
#define TICKS_PER_LINE	10
#define MAX_APS		8

static volatile int up = 1;
static volatile u64 ticks;
static volatile u64 ap_work[MAX_APS];

static void on_timer(struct intr_frame *f)
{
	ticks++;
	lapic_eoi();
}

void ap_main(int apic_id)
{
	volatile u64 *w = &ap_work[apic_id % MAX_APS];

	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		(*w)++;
		cpu_relax();
	}
}

/* RTC seconds register (BCD by default). */
static int rtc_seconds(void)
{
	u8 v;

	outb(0x70, 0x00);
	v = inb(0x71);
	return (v >> 4) * 10 + (v & 15);
}

static u64 ap_total(void)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < MAX_APS; i++)
		sum += ap_work[i];
	return sum;
}

void guest_main(void)
{
	int cpus = smp_boot_aps(&up, 2000);
	u64 n = 0, next = TICKS_PER_LINE;

	printf("GUEST count start cpus=%d up=%d rtc=%d\n", cpus, up,
	       rtc_seconds());
	idt_set_handler(TIMER_VECTOR, on_timer);
	lapic_enable();
	lapic_write(APIC_TDCR, 0xb);	/* divide by 1 */
	lapic_write(APIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
	lapic_write(APIC_TMICT, TICK_COUNT);
	for (;;) {
		asm volatile("sti; hlt; cli");
		if (ticks < next)
			continue;
		next = ticks + TICKS_PER_LINE;
		printf("GUEST count %d t=%d ap=%d\n", (int)++n,
		       (int)(time_us() / 1000), (int)(ap_total() >> 10));
	}
}
