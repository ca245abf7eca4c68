/* ACPI table access for the test guests: RSDP search, XSDT/RSDT walk,
 * checksums and the MADT's processor list. */
#include "guest.h"

int acpi_checksum_ok(const void *p, u32 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const struct acpi_rsdp *scan_rsdp(u64 start, u64 end)
{
	u64 a;

	for (a = start; a + 20 <= end; a += 16) {
		const struct acpi_rsdp *r = (const void *)a;

		if (!memcmp(r->signature, "RSD PTR ", 8) &&
		    acpi_checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

const struct acpi_rsdp *acpi_find_rsdp(void)
{
	u64 ebda = (u64)*(volatile u16 *)0x40e << 4;
	const struct acpi_rsdp *r = NULL;

	/* First KiB of the EBDA if the BDA names one, then the BIOS area. */
	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_rsdp(ebda, ebda + 1024);
	if (!r)
		r = scan_rsdp(0xe0000, 0x100000);
	return r;
}

const struct acpi_header *acpi_find_table(const char *sig)
{
	const struct acpi_rsdp *r = acpi_find_rsdp();
	const struct acpi_header *root;
	int i, n, wide;

	if (!r)
		return NULL;
	wide = r->revision >= 2 && r->xsdt;
	root = wide ? (const void *)r->xsdt : (const void *)(u64)r->rsdt;
	if (!root || root->length < sizeof(*root))
		return NULL;
	n = (root->length - sizeof(*root)) / (wide ? 8 : 4);
	for (i = 0; i < n; i++) {
		const u8 *ents = (const u8 *)(root + 1);
		const struct acpi_header *t;
		u64 a;

		if (wide)
			memcpy(&a, ents + 8 * i, 8);
		else
			a = *(const u32 *)(ents + 4 * i);
		t = (const void *)a;
		if (t && !memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}

int acpi_madt_cpus(int *ids, int max)
{
	const struct acpi_header *m = acpi_find_table("APIC");
	const u8 *p, *end;
	int n = 0;

	if (!m)
		return -1;
	p = (const u8 *)m + sizeof(*m) + 8;	/* LAPIC address, flags */
	end = (const u8 *)m + m->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		u32 flags, id = ~0u;

		if (p[0] == 0 && p[1] >= 8) {	/* processor LAPIC */
			memcpy(&flags, p + 4, 4);
			id = p[3];
		} else if (p[0] == 9 && p[1] >= 16) {	/* x2APIC */
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		}
		if (id != ~0u && (flags & 1)) {
			if (n < max)
				ids[n] = id;
			n++;
		}
		p += p[1];
	}
	return n;
}
