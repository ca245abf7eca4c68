/* Test guest "pvh_hello": an ELF booted through its PVH entry; prints what
 * the hvm_start_info at %ebx holds (command line, initrd module, memory
 * map, RSDP), then powers off. */
#include "guest.h"

struct start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist, cmdline, rsdp, memmap;
	u32 memmap_entries, reserved;
};

struct module { u64 paddr, size, cmdline, reserved; };
struct memmap { u64 addr, size; u32 type, reserved; };

extern u32 pvh_info;

void guest_main(void)
{
	const struct start_info *si = (const void *)(u64)pvh_info;
	const struct module *m = (const void *)si->modlist;
	const struct memmap *e = (const void *)si->memmap;
	u32 i;

	printf("GUEST pvh info=%x magic=%x version=%u\n", pvh_info, si->magic,
	       si->version);
	printf("GUEST pvh cmdline=<%s>\n", (const char *)si->cmdline);
	for (i = 0; i < si->nr_modules; i++)
		printf("GUEST pvh module %u size=%u data=<%s>\n", i,
		       (u32)m[i].size, (const char *)m[i].paddr);
	for (i = 0; i < si->memmap_entries; i++)
		printf("GUEST pvh memmap %lx-%lx type %u\n", e[i].addr,
		       e[i].addr + e[i].size, e[i].type);
	if (!memcmp((const void *)si->rsdp, "RSD PTR ", 8))
		printf("GUEST pvh rsdp=%x OK\n", (u32)si->rsdp);
	poweroff();
}
