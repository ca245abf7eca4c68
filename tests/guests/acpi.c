/* Test guest "acpi": checks the RSDP, XSDT, MADT, FADT and DSDT checksums,
 * the FADT's PM1a_CNT/reset register and the DSDT's _S5 against the ports
 * the guests use, and prints the MADT's CPU count (the suite compares -c). */
#include "guest.h"

#define FADT_PM1A_CNT_BLK	64
#define FADT_RESET_REG		116	/* generic address structure */
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140

static int check_table(const struct acpi_header *t, const char *sig)
{
	if (!t) {
		printf("GUEST acpi: %s missing\n", sig);
		return 0;
	}
	if (memcmp(t->signature, sig, 4)) {
		printf("GUEST acpi: %s has signature %c%c%c%c\n", sig,
		       t->signature[0], t->signature[1], t->signature[2],
		       t->signature[3]);
		return 0;
	}
	if (!acpi_checksum_ok(t, t->length)) {
		printf("GUEST acpi: %s at %p length %u bad checksum\n", sig,
		       (void *)t, t->length);
		return 0;
	}
	printf("GUEST acpi: %s at %p length %u rev %u ok\n", sig, (void *)t,
	       t->length, t->revision);
	return 1;
}

/* SLP_TYP for S5 from the DSDT's "Name (_S5, Package () { a, b, ... })". */
static int dsdt_s5(const struct acpi_header *dsdt)
{
	const u8 *p = (const u8 *)dsdt, *end = p + dsdt->length;

	for (p += sizeof(*dsdt); p + 8 <= end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)	/* PackageOp */
			continue;
		p += 5;
		p += 1 + (*p >> 6);	/* PkgLength: lead byte + 0..3 */
		p++;			/* NumElements */
		if (p >= end)
			return -1;
		if (*p == 0x0a)		/* BytePrefix */
			return p + 1 < end ? p[1] : -1;
		if (*p == 0x00 || *p == 0x01)	/* ZeroOp, OneOp */
			return *p;
		return -1;
	}
	return -1;
}

static int check_fadt(const struct acpi_header *fadt)
{
	const u8 *f = (const u8 *)fadt;
	u32 pm1a_cnt;
	u64 reset_addr;
	int ok = 1;

	if (fadt->length < FADT_RESET_VALUE + 1) {
		printf("GUEST acpi: FACP too short: %u\n", fadt->length);
		return 0;
	}
	memcpy(&pm1a_cnt, f + FADT_PM1A_CNT_BLK, 4);
	memcpy(&reset_addr, f + FADT_RESET_REG + 4, 8);
	printf("GUEST acpi: pm1a_cnt=%x reset=%u:%lx value=%x\n", pm1a_cnt,
	       f[FADT_RESET_REG], reset_addr, f[FADT_RESET_VALUE]);
	if (pm1a_cnt != 0x604) {
		printf("GUEST acpi: PM1a_CNT_BLK is not 0x604\n");
		ok = 0;
	}
	/* Address space 1: system I/O. */
	if (f[FADT_RESET_REG] != 1 || reset_addr != 0xcf9 ||
	    f[FADT_RESET_VALUE] != 0x06) {
		printf("GUEST acpi: reset register is not I/O 0xcf9 <- 0x06\n");
		ok = 0;
	}
	return ok;
}

void guest_main(void)
{
	const struct acpi_rsdp *r = acpi_find_rsdp();
	const struct acpi_header *fadt;
	int ok = 1, n;
	u64 dsdt = 0;

	if (!r) {
		printf("GUEST acpi FAIL: no RSDP\n");
		poweroff();
	}
	printf("GUEST acpi: RSDP at %p rev %u xsdt %lx\n", (void *)r,
	       r->revision, r->xsdt);
	if (r->revision < 2 || !r->xsdt || r->length < 36 ||
	    !acpi_checksum_ok(r, r->length)) {
		printf("GUEST acpi: RSDP extended part bad\n");
		ok = 0;
	}
	if (r->xsdt)
		ok &= check_table((const void *)r->xsdt, "XSDT");
	ok &= check_table(acpi_find_table("APIC"), "APIC");
	fadt = acpi_find_table("FACP");
	ok &= check_table(fadt, "FACP");
	if (fadt) {
		ok &= check_fadt(fadt);
		if (fadt->length >= FADT_X_DSDT + 8)
			memcpy(&dsdt, (const u8 *)fadt + FADT_X_DSDT, 8);
		if (!dsdt && fadt->length >= 44)
			dsdt = *(const u32 *)((const u8 *)fadt + 40);
	}
	if (check_table((const void *)dsdt, "DSDT")) {
		int s5 = dsdt_s5((const void *)dsdt);

		printf("GUEST acpi: _S5 SLP_TYP=%d\n", s5);
		ok &= s5 == 5;
	} else {
		ok = 0;
	}

	n = acpi_madt_cpus(NULL, 0);
	printf("GUEST acpi lapics=%d\n", n);
	printf("GUEST acpi %s\n", ok && n > 0 ? "OK" : "FAIL");
	poweroff();
}
