/* PVH entry of the ELF test guests (pvh_*.c, linked by pvh.ld at 1 MiB):
 * the XEN_ELFNOTE_PHYS32_ENTRY note, and a 32-bit stub that keeps the
 * hvm_start_info address from %ebx and joins lib/entry.S in protected mode. */
#include "guest.h"

	.section .note.Xen, "a", @note
	.balign	4
	.long	4, 4, 18		/* "Xen", 4-byte desc, PHYS32_ENTRY */
	.asciz	"Xen"
	.long	pvh_start

	.data
	.globl	pvh_info
pvh_info:
	.long	0			/* .data: start32 clears only .bss */

	.text
	.code32
	.globl	pvh_start
pvh_start:
	cli
	cld
	mov	%ebx, pvh_info
	xor	%esi, %esi		/* the BSP: APIC id 0 */
	lgdt	gdt_desc
	ljmp	$SEL_CODE32, $start32

	.section .note.GNU-stack, "", @progbits
