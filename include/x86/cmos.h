/* MC146818 RTC/CMOS model: index/data registers with the host's UTC time
 * encoded as the guest configured (BCD or binary). Pure, unit-tested. */
#ifndef LKVM_X86_CMOS_H
#define LKVM_X86_CMOS_H

#include <time.h>
#include "lkvm/util.h"

struct cmos {
	u8 index;
	u8 ram[128];
};

void cmos_utc(time_t t, struct tm *tm);
void cmos_reset(struct cmos *c);
u8 cmos_read(struct cmos *c, const struct tm *now);
void cmos_write_index(struct cmos *c, u8 val);
void cmos_write_data(struct cmos *c, u8 val);

#endif
