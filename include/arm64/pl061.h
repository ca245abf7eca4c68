/* The PL061 GPIO controller model of arm64/pl061.c (register file, pin
 * levels, edge and level interrupt detection) and the power key built on
 * it in arm64/power_key.c: `lkvm stop` presses a gpio-keys KEY_POWER. */
#ifndef LKVM_ARM64_PL061_H
#define LKVM_ARM64_PL061_H

#include <pthread.h>
#include "lkvm/util.h"

#define PL061_DATA_END	0x400	/* 0x000-0x3fc: data, address bits 9:2 mask */
#define PL061_DIR	0x400
#define PL061_IS	0x404	/* interrupt sense: 1 level, 0 edge */
#define PL061_IBE	0x408	/* both edges */
#define PL061_IEV	0x40c	/* event: 1 rising edge / high level */
#define PL061_IE	0x410	/* interrupt mask: 1 enabled */
#define PL061_RIS	0x414	/* raw interrupt status */
#define PL061_MIS	0x418	/* masked interrupt status */
#define PL061_IC	0x41c	/* interrupt clear (edge pins), write 1 */
#define PL061_AFSEL	0x420
#define PL061_ID	0xfe0	/* PeriphID0-3, PCellID0-3 (4-byte strides) */

/* The power key: pin PL061_KEY_PIN, active high, Linux's KEY_POWER. */
#define PL061_KEY_PIN	3
#define PL061_KEY_CODE	116

struct pl061 {
	u8 data, dir, is, ibe, iev, ie, ris, afsel;
	u8 in;			/* levels driven into the input pins */
};

/* A register's value (a byte register: higher bytes read 0). */
u8 pl061_read(const struct pl061 *g, u64 off);
/* A guest write of a register's low byte. */
void pl061_write(struct pl061 *g, u64 off, u8 v);
/* Drives input pin (0-7) to level, latching an edge as the pin says. */
void pl061_set_input(struct pl061 *g, int pin, bool level);
/* The interrupt line: any masked interrupt status. */
bool pl061_irq(const struct pl061 *g);

/* The device in a VM (arm64/power_key.c). */
struct power_key {
	struct pl061 g;
	pthread_mutex_t lock;
	struct vm *vm;
	bool line;		/* the SPI's level last set */
	bool pressed;		/* released when the guest reads it pressed */
};

struct vm;
/* The INIT_DEVICE init and exit of the power key (arch_power_button()
 * presses it); init: 0 or -1. */
int arm64_power_key_init(struct vm *vm);
void arm64_power_key_exit(struct vm *vm);

#endif
