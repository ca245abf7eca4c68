/* x86 guest RAM layout: splits the configured RAM size around the 32-bit
 * PCI/firmware hole that starts at X86_HOLE_START (3 GiB); whatever does
 * not fit below it is placed from 4 GiB up. */
#include "x86/layout.h"

void x86_mem_layout(u64 ram_size, struct x86_mem_layout *l)
{
	l->ram_size = ram_size;
	l->low_size = MIN(ram_size, X86_HOLE_START);
	l->high_size = ram_size - l->low_size;
}
