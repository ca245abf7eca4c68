/* Entry stub of every test guest, first bytes of the image at 0x10000:
 * real mode -> protected mode -> long mode, page tables (BSP only),
 * per-CPU stacks, then guest_main() on the BSP or ap_main(id) on APs. */
#include "guest.h"

#define CR0_PE		0x00000001
#define CR0_MP		0x00000002
#define CR0_EM		0x00000004
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define CR4_OSFXSR	0x00000200
#define CR4_OSXMMEXCPT	0x00000400
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define PTE_P_W		0x003
#define PDE_2M		0x083		/* present, writable, 2 MiB */

	.section .entry, "ax"
	.code16
	.globl _start
_start:
	/*
	 * The BSP arrives with CS=DS=ES=SS=0x1000, an AP (SIPI vector 0x10)
	 * with CS=0x1000 and the other segments 0: address data via CS.
	 */
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	/* %esi = initial APIC id, kept in a register through all modes. */
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	shr	$24, %ebx
	mov	%ebx, %esi

	lgdtl	gdt_desc - _start
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$SEL_CODE32, $start32

	.code32
	.globl	start32		/* pvh_entry.S joins here */
start32:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	test	%esi, %esi
	jnz	enter_long		/* APs reuse the BSP's tables */

	/* BSP: clear .bss (never done by an AP: it may hold shared state). */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb

	/* Identity map of 0..8 GiB with 2 MiB pages. */
	mov	$GUEST_PT_BASE, %edi
	mov	$(GUEST_PT_PAGES * 1024), %ecx
	rep stosl
	movl	$(GUEST_PT_BASE + 0x1000 + PTE_P_W), GUEST_PT_BASE

	mov	$(GUEST_PT_BASE + 0x1000), %edi	/* PDPT */
	mov	$(GUEST_PT_BASE + 0x2000 + PTE_P_W), %eax
	mov	$GUEST_PT_PDS, %ecx
1:	mov	%eax, (%edi)
	add	$0x1000, %eax
	add	$8, %edi
	loop	1b

	mov	$(GUEST_PT_BASE + 0x2000), %edi	/* the PDs */
	xor	%ebx, %ebx			/* 2 MiB page number */
2:	mov	%ebx, %eax
	shl	$21, %eax
	or	$PDE_2M, %eax
	mov	%eax, (%edi)
	mov	%ebx, %eax
	shr	$11, %eax			/* bits 63:32 */
	mov	%eax, 4(%edi)
	add	$8, %edi
	inc	%ebx
	cmp	$(GUEST_PT_PDS * 512), %ebx
	jb	2b

enter_long:
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$GUEST_PT_BASE, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$(CR0_PG | CR0_MP), %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE64, $start64

	.code64
start64:
	mov	$SEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	/* Stack of APIC id n: [BASE + n * SIZE, BASE + (n + 1) * SIZE). */
	mov	%esi, %eax
	and	$(GUEST_MAX_CPUS - 1), %eax
	inc	%eax
	shl	$14, %eax
	add	$GUEST_STACK_BASE, %eax
	mov	%rax, %rsp
	xor	%ebp, %ebp
	mov	%esi, %ebx		/* callee-saved across idt_load */
	test	%ebx, %ebx
	jnz	1f

	call	idt_init
	call	guest_main
	call	poweroff		/* does not return */

1:	call	idt_load
	mov	%ebx, %edi
	call	ap_main
2:	cli
	hlt
	jmp	2b

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* SEL_CODE32: 32-bit, flat */
	.quad	0x00cf92000000ffff	/* SEL_DATA: data, flat */
	.quad	0x00af9a000000ffff	/* SEL_CODE64: 64-bit code */
gdt_end:
	.globl	gdt_desc
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

#if GUEST_STACK_SIZE != (1 << 14)
#error "start64 computes the stack with shl $14"
#endif

	.section .note.GNU-stack, "", @progbits
