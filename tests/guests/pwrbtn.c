/* Test guest "pwrbtn": what a guest's ACPI does with the fixed power
 * button of `lkvm stop`: enables it in PM1_EN, waits for its status bit in
 * PM1_STS (polled: the tiny guest has no SCI handler), clears it (write 1)
 * and powers off through PM1a_CNT. NMIs (`lkvm debug --nmi`) are counted
 * and printed (tests/guests/spin.c is the guest that ignores both). */
#include "guest.h"

#define PM1_STS		0x600
#define PM1_EN		0x602
#define PWRBTN		0x0100

static volatile int nmis;

static void on_nmi(struct intr_frame *f)
{
	nmis++;
}

void guest_main(void)
{
	int seen = 0;

	idt_set_handler(2, on_nmi);
	outw(PM1_EN, PWRBTN);
	printf("GUEST pwrbtn armed sts=%x en=%x\n", inw(PM1_STS), inw(PM1_EN));
	while (!(inw(PM1_STS) & PWRBTN)) {
		if (nmis != seen) {
			seen = nmis;
			printf("GUEST pwrbtn nmi %d\n", seen);
		}
		asm volatile("pause");
	}
	outw(PM1_STS, PWRBTN);		/* write 1 to clear */
	printf("GUEST pwrbtn pressed, status now %x\n", inw(PM1_STS) & PWRBTN);
	poweroff();
}
