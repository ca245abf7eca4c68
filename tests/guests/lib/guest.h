/* Test-guest library interface: memory layout shared with the entry stub,
 * port and MMIO access, serial output, power control, LAPIC, IDT, ACPI and
 * PCI config space. */
#ifndef GUEST_H
#define GUEST_H

#define GUEST_LOAD		0x10000		/* lkvm loads the image */
#define GUEST_PT_BASE		0x200000	/* PML4, PDPT, 8 PDs */
#define GUEST_PT_PDS		8		/* 8 GiB, 2 MiB pages */
#define GUEST_PT_PAGES		(2 + GUEST_PT_PDS)
#define GUEST_STACK_BASE	0x300000	/* stack of APIC id n ends at */
#define GUEST_STACK_SIZE	0x4000		/* BASE + (n + 1) * SIZE */
#define GUEST_MAX_CPUS		256

#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18

#ifndef __ASSEMBLER__

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* Provided by each guest program. */
void guest_main(void);
void ap_main(int apic_id);	/* weak default: returns (AP halts) */

/* Port I/O and MMIO. */
static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u8 mmio_read8(u64 a) { return *(volatile u8 *)a; }
static inline u16 mmio_read16(u64 a) { return *(volatile u16 *)a; }
static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
static inline u64 mmio_read64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_write8(u64 a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_write16(u64 a, u16 v) { *(volatile u16 *)a = v; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void mmio_write64(u64 a, u64 v) { *(volatile u64 *)a = v; }

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* Initial APIC id of the running CPU: CPUID.1:EBX[31:24]. */
static inline int cpuid_apic_id(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

/* misc.c: string helpers the compiler may call, delays, power control. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void udelay(u64 us);
void mdelay(u64 ms);
u64 time_us(void);	/* microseconds since the first call, roughly */
/* Waits up to ms for *v (an interrupt count) to reach want; returns *v. */
int wait_count(volatile int *v, int want, u64 ms);
void poweroff(void) __attribute__((noreturn));
void reboot(void) __attribute__((noreturn));
void kbd_reset(void) __attribute__((noreturn));
void triple_fault(void) __attribute__((noreturn));

/* serial.c: COM1 output; printf knows %c %s %d %i %u %x %p %% with
 * optional '0', width and 'l'/'ll'/'z'.  Output lines are atomic across
 * CPUs as long as each printf() call writes whole lines. */
void serial_putc(char c);
void puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* lapic.c: xAPIC at 0xfee00000, IPIs, AP start-up. */
#define LAPIC_BASE	0xfee00000UL
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
void lapic_enable(void);
int lapic_id(void);
void lapic_eoi(void);
int lapic_send_ipi(int dest, u32 icr_low);	/* 0 on delivery, -1 stuck */
int lapic_send_init(int dest);
int lapic_send_sipi(int dest, u8 vector);
/*
 * Starts every other CPU listed in the MADT with INIT-SIPI-SIPI (vector
 * 0x10: the entry stub).  After each one it waits up to timeout_ms for
 * *up to grow.  Returns the number of CPUs in the MADT, or -1.
 */
int smp_boot_aps(volatile int *up, u64 timeout_ms);

/* idt.c: one shared IDT, a C handler per vector, default = report+die. */
struct intr_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
typedef void (*intr_handler_t)(struct intr_frame *f);
void idt_init(void);		/* BSP: fill and load */
void idt_load(void);		/* APs: load the shared IDT */
void idt_set_handler(int vector, intr_handler_t h);

/* acpi.c */
struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 ext_checksum;
	u8 reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __attribute__((packed));

int acpi_checksum_ok(const void *p, u32 len);
const struct acpi_rsdp *acpi_find_rsdp(void);
/* Table by signature via the XSDT (RSDT if no XSDT); NULL if absent. */
const struct acpi_header *acpi_find_table(const char *sig);
/* Enabled LAPIC/x2APIC ids of the MADT into ids[max]; returns the count. */
int acpi_madt_cpus(int *ids, int max);

/* pci.c: function 0 of bus 0 slot `slot` through conf1 (0xcf8/0xcfc). */
u32 pci_cfg_read32(int slot, int reg);
u16 pci_cfg_read16(int slot, int reg);
u8 pci_cfg_read8(int slot, int reg);
void pci_cfg_write32(int slot, int reg, u32 v);
void pci_cfg_write16(int slot, int reg, u16 v);
int pci_find_slot(u32 vendor_device);	/* id dword at 0; slot or -1 */
int pci_find_cap(int slot, u8 id);	/* capability offset, 0 if absent */
u64 pci_bar_addr(int slot, int bar);	/* memory BAR, 32- or 64-bit */
/* Writes val to the VFIO simulator's doorbell at reg and waits (up to 1 s)
 * until the simulator has taken it (the register reads 0 again), so that
 * two rings are never merged into one. Returns 0, or -1 on timeout. */
int sim_ring(u64 reg, u32 val);

#endif /* __ASSEMBLER__ */
#endif /* GUEST_H */
