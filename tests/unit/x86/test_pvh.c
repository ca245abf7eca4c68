/* Unit tests for x86/pvh.c: ELF vmlinux parsing (PVH note, PT_LOAD
 * placement, truncation, overlap, RAM and MMIO hole limits) on synthetic
 * ELF files, and the hvm_start_info page checked byte for byte. */
#include <elf.h>
#include "../unit.h"
#include "x86/pvh.h"

#define ENTRY		0x100010ULL
#define NOTE_OFF	0x200
#define DATA_OFF	0x1000

struct fake_elf {
	u8 b[0x2000];
	int nph;
};

static void put(u8 *p, u64 v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = i < 8 ? v >> (8 * i) : 0;
}

static Elf64_Phdr *phdr(struct fake_elf *e, int i)
{
	return (Elf64_Phdr *)(e->b + sizeof(Elf64_Ehdr)) + i;
}

static void add_ph(struct fake_elf *e, u32 type, u64 off, u64 paddr,
		   u64 filesz, u64 memsz)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)e->b;

	*phdr(e, e->nph++) = (Elf64_Phdr){ .p_type = type, .p_offset = off,
		.p_vaddr = 0xffffffff80000000ULL + paddr, .p_paddr = paddr,
		.p_filesz = filesz, .p_memsz = memsz };
	eh->e_phnum = e->nph;
}

/* Writes a note at off; returns the offset after it. */
static size_t add_note(struct fake_elf *e, size_t off, const char *name,
		       u32 type, u64 desc, u32 descsz)
{
	u32 namesz = strlen(name) + 1;

	put(e->b + off, namesz, 4);
	put(e->b + off + 4, descsz, 4);
	put(e->b + off + 8, type, 4);
	memcpy(e->b + off + 12, name, namesz);
	off += 12 + ((namesz + 3) & ~3u);
	put(e->b + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

/* A vmlinux: a GNU build-id note then the PVH note (8-byte entry), text
 * at 1 MiB with bss after it, data at 2 MiB. */
static void make_elf(struct fake_elf *e, u32 desc_size)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)e->b;
	size_t end;

	memset(e, 0, sizeof(*e));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	end = add_note(e, NOTE_OFF, "GNU", 3, 0x1234, 20);
	end = add_note(e, end, "Xen", PVH_ELFNOTE_ENTRY, ENTRY, desc_size);
	add_ph(e, PT_LOAD, DATA_OFF, 0x100000, 0x100, 0x3000);
	add_ph(e, PT_NOTE, NOTE_OFF, 0, end - NOTE_OFF, end - NOTE_OFF);
	add_ph(e, PT_LOAD, DATA_OFF + 0x100, 0x200000, 0x80, 0x80);
	memset(e->b + DATA_OFF, 0x90, 0x180);
}

static int parse(struct fake_elf *e, size_t len, u64 ram, struct pvh_kernel *k,
		 char *err, size_t errlen)
{
	struct x86_mem_layout l;

	x86_mem_layout(ram, &l);
	return pvh_elf_parse(e->b, len, &l, k, err, errlen);
}

static void expect_refused(struct fake_elf *e, size_t len, u64 ram,
			   const char *what, const char *fix)
{
	struct pvh_kernel k;
	char err[256] = "";

	EXPECT_EQ(parse(e, len, ram, &k, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, what);
	EXPECT_CONTAINS(err, fix);
}

TEST(pvh_parses_good_vmlinux)
{
	static struct fake_elf e;
	struct pvh_kernel k;

	make_elf(&e, 8);
	ASSERT_EQ(parse(&e, sizeof(e.b), 64 * SZ_1M, &k, NULL, 0), 0);
	EXPECT_EQ(k.entry, ENTRY);
	ASSERT_EQ(k.nseg, 2);
	EXPECT_EQ(k.seg[0].paddr, 0x100000);
	EXPECT_EQ(k.seg[0].offset, DATA_OFF);
	EXPECT_EQ(k.seg[0].filesz, 0x100);
	EXPECT_EQ(k.seg[0].memsz, 0x3000);
	EXPECT_EQ(k.seg[1].paddr, 0x200000);
	EXPECT_EQ(k.seg[1].offset, DATA_OFF + 0x100);
	EXPECT_EQ(k.end, 0x200080);
}

TEST(pvh_accepts_4_byte_entry_note)
{
	static struct fake_elf e;
	struct pvh_kernel k;

	make_elf(&e, 4);
	ASSERT_EQ(parse(&e, sizeof(e.b), 64 * SZ_1M, &k, NULL, 0), 0);
	EXPECT_EQ(k.entry, ENTRY);
}

TEST(pvh_refuses_elf_without_note)
{
	static struct fake_elf e;

	make_elf(&e, 8);
	phdr(&e, 1)->p_filesz = 12 + 4 + 20;	/* only the GNU note */
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M,
		       "ELF kernel without a PVH entry note "
		       "(XEN_ELFNOTE_PHYS32_ENTRY)", "build with CONFIG_PVH=y");
	phdr(&e, 1)->p_type = PT_NULL;		/* no PT_NOTE at all */
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "without a PVH entry note",
		       "boot its bzImage instead");
}

TEST(pvh_refuses_note_with_odd_entry)
{
	static struct fake_elf e;

	make_elf(&e, 8);
	put(e.b + NOTE_OFF + 36 + 16, 0x100000000ULL, 8);	/* Xen desc */
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "above 4 GiB", "32-bit");
	make_elf(&e, 8);
	put(e.b + NOTE_OFF + 36 + 16, 0x300000, 8);
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "not in any loaded segment",
		       "corrupt");
}

TEST(pvh_refuses_truncated_files)
{
	static struct fake_elf e;

	make_elf(&e, 8);
	expect_refused(&e, 40, 64 * SZ_1M, "truncated: 40 bytes", "whole vmlinux");
	expect_refused(&e, 100, 64 * SZ_1M, "headers say 232", "whole vmlinux");
	expect_refused(&e, NOTE_OFF + 10, 64 * SZ_1M, "truncated", "vmlinux");
	expect_refused(&e, DATA_OFF + 0x120, 64 * SZ_1M, "headers say 4480",
		       "whole vmlinux");
}

TEST(pvh_refuses_foreign_elf)
{
	static struct fake_elf e;

	make_elf(&e, 8);
	e.b[EI_CLASS] = ELFCLASS32;
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "not a 64-bit x86_64",
		       "bzImage");
	make_elf(&e, 8);
	((Elf64_Ehdr *)e.b)->e_machine = EM_AARCH64;
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "not a 64-bit x86_64",
		       "bzImage");
	make_elf(&e, 8);
	((Elf64_Ehdr *)e.b)->e_phnum = 0;
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "0 program headers",
		       "1 to 64");
}

TEST(pvh_refuses_bad_segments)
{
	static struct fake_elf e;

	make_elf(&e, 8);
	phdr(&e, 2)->p_paddr = 0x102000;	/* inside segment 0's bss */
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "segments 0 and 1 overlap",
		       "corrupt");
	make_elf(&e, 8);
	phdr(&e, 0)->p_filesz = 0x4000;
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "more file bytes", "corrupt");
	make_elf(&e, 8);
	phdr(&e, 0)->p_paddr = 0x80000;
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "below 1 MiB", "link");
}

TEST(pvh_refuses_segment_beyond_ram_or_in_hole)
{
	static struct fake_elf e;
	struct pvh_kernel k;

	make_elf(&e, 8);
	phdr(&e, 2)->p_paddr = 0x3fffff0;	/* ends 0x70 past 64 MiB */
	expect_refused(&e, sizeof(e.b), 64 * SZ_1M, "ends at 0x4000070, beyond "
		       "the guest's 64 MiB", "raise -m to at least 65");
	EXPECT_EQ(parse(&e, sizeof(e.b), 65 * SZ_1M, &k, NULL, 0), 0);
	phdr(&e, 2)->p_paddr = X86_HOLE_START - 0x40;
	expect_refused(&e, sizeof(e.b), 8 * SZ_1G, "reaches into the MMIO hole "
		       "at 0xc0000000", "below it");
	phdr(&e, 2)->p_memsz = ~0ULL;		/* wraps around */
	expect_refused(&e, sizeof(e.b), 8 * SZ_1G, "MMIO hole", "below it");
}

static void put_map(u8 *p, int i, u64 addr, u64 size, u32 type)
{
	put(p + 88 + 24 * i, addr, 8);
	put(p + 96 + 24 * i, size, 8);
	put(p + 104 + 24 * i, type, 4);
}

/* PVH ABI offsets: start info 0-55, modlist entry 56-87, memmap from 88 */
TEST(pvh_start_info_bytes_with_initrd)
{
	struct x86_boot_args a = { .cmdline_addr = 0x20000, .cmdline_len = 9,
				   .initrd_addr = 0x3f00000,
				   .initrd_size = 0x12345, .rsdp_addr = 0xe0000 };
	struct pvh_boot_page p;
	struct x86_mem_layout l;
	u8 want[sizeof(p)] = { 0 };

	ASSERT_EQ(sizeof(p), 88 + 24 * PVH_MEMMAP_MAX);
	x86_mem_layout(SZ_4G + SZ_1G, &l);
	memset(&p, 0xaa, sizeof(p));
	pvh_start_info_build(&p, 0x7000, &l, &a);
	put(want, 0x336ec578, 4);
	put(want + 4, 1, 4);			/* version */
	put(want + 12, 1, 4);			/* nr_modules */
	put(want + 16, 0x7000 + 56, 8);		/* modlist_paddr */
	put(want + 24, 0x20000, 8);
	put(want + 32, 0xe0000, 8);
	put(want + 40, 0x7000 + 88, 8);		/* memmap_paddr */
	put(want + 48, 5, 4);
	put(want + 56, 0x3f00000, 8);
	put(want + 64, 0x12345, 8);
	put_map(want, 0, 0, 0x9fc00, 1);
	put_map(want, 1, 0x9fc00, 0x100000 - 0x9fc00, 2);
	put_map(want, 2, 0x100000, 0xc0000000 - 0x100000, 1);
	put_map(want, 3, 0xe0000000, 0x10000000, 2);
	put_map(want, 4, SZ_4G, 2 * SZ_1G, 1);
	EXPECT(!memcmp(&p, want, sizeof(p)));
}

TEST(pvh_start_info_bytes_without_initrd)
{
	struct x86_boot_args a = { .cmdline_addr = 0x20000, .rsdp_addr = 0xe0000 };
	struct pvh_boot_page p;
	struct x86_mem_layout l;
	u8 want[sizeof(p)] = { 0 };

	x86_mem_layout(64 * SZ_1M, &l);
	memset(&p, 0xaa, sizeof(p));
	pvh_start_info_build(&p, 0x7000, &l, &a);
	put(want, 0x336ec578, 4);
	put(want + 4, 1, 4);
	put(want + 24, 0x20000, 8);
	put(want + 32, 0xe0000, 8);
	put(want + 40, 0x7000 + 88, 8);
	put(want + 48, 4, 4);
	put_map(want, 0, 0, 0x9fc00, 1);
	put_map(want, 1, 0x9fc00, 0x100000 - 0x9fc00, 2);
	put_map(want, 2, 0x100000, 63 * SZ_1M, 1);
	put_map(want, 3, 0xe0000000, 0x10000000, 2);
	EXPECT(!memcmp(&p, want, sizeof(p)));
}
