/* libFuzzer target for the kernel-file parsers: x86/bzimage.c (identify,
 * initrd placement, zero page), x86/pvh.c (ELF vmlinux) and arm64/image.c (Image header, placement)
 * on arbitrary bytes as the kernel file, with the checks boot.c relies on. */
#include <sanitizer/asan_interface.h>
#include "fuzz.h"
#include "arm64/image.h"
#include "arm64/layout.h"
#include "x86/pvh.h"

/* fuzz-sources: x86/bzimage.c x86/pvh.c x86/layout.c arm64/image.c kvm/util.c
 * fuzz-runs: 1000000
 * fuzz-max-len: 8192 */

/* Input: [RAM MiB u16][initrd bytes u32][cmdline length u16][page u8]
 * [pad u8][the kernel file...], followed by pad x 4 KiB of zeros (files
 * bigger than the fuzzer's inputs). */
struct boot_in {
	u64 ram;
	u64 initrd;
	u32 cmdline_len;
	u64 page;
};

static void check_e820(const struct boot_params *bp)
{
	u64 end = 0;
	int i;

	FUZZ_ASSERT(bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE);
	for (i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		FUZZ_ASSERT(e->size && e->addr >= end);
		end = e->addr + e->size;
	}
}

static void x86_zero_page(const u8 *img, size_t len,
			  const struct bzimage_info *info,
			  const struct x86_mem_layout *l,
			  const struct boot_in *b)
{
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .cmdline_len = b->cmdline_len,
				   .rsdp_addr = X86_ACPI_BASE };
	struct boot_params *bp = malloc(sizeof(*bp));
	char err[256] = "";
	int r;

	FUZZ_ASSERT(bp);
	if (b->initrd) {
		a.initrd_addr = 0x1000000;
		a.initrd_size = b->initrd;
	}
	r = x86_boot_params_build(bp, img, len, info, l, &a, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -1);
	if (r) {
		FUZZ_ASSERT(err[0]);
		FUZZ_ASSERT(b->cmdline_len > info->cmdline_size);
	} else {
		FUZZ_ASSERT(b->cmdline_len <= info->cmdline_size);
		FUZZ_ASSERT(bp->hdr.type_of_loader == 0xff);
		FUZZ_ASSERT(bp->hdr.cmd_line_ptr == X86_CMDLINE);
		check_e820(bp);
	}
	free(bp);
}

/* What x86/boot.c does with a bzImage, minus guest RAM. */
static void x86_bz(const u8 *img, size_t len, const struct bzimage_info *info,
		   const struct boot_in *b)
{
	struct x86_mem_layout l;
	u64 kernel_end, addr = ~0ULL;
	char err[256] = "";

	FUZZ_ASSERT(info->setup_size >= 1024 && info->setup_size < len);
	FUZZ_ASSERT((u64)info->setup_size + info->kernel_size == len);
	FUZZ_ASSERT(info->version >= 0x0206 && info->cmdline_size);
	x86_mem_layout(b->ram, &l);
	FUZZ_ASSERT(l.low_size + l.high_size == b->ram);
	kernel_end = X86_HIGH_KERNEL + MAX(info->init_size, info->kernel_size);
	if (kernel_end > l.low_size)
		return;		/* boot.c: "raise -m" */
	if (!x86_initrd_place(info, &l, kernel_end, b->initrd, &addr, err,
			      sizeof(err)) && b->initrd) {
		FUZZ_ASSERT(addr % 4096 == 0 && addr >= kernel_end);
		FUZZ_ASSERT(addr + b->initrd <= l.low_size);
		FUZZ_ASSERT(addr + b->initrd - 1 <= info->initrd_addr_max);
	}
	if (b->cmdline_len < X86_CMDLINE_MAX)
		x86_zero_page(img, len, info, &l, b);
}

/* What x86/boot.c does with an ELF vmlinux, minus guest RAM: every
 * segment it would copy lies in the file and in low RAM above 1 MiB. */
static void x86_elf(const u8 *img, size_t len, const struct boot_in *b)
{
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .initrd_size = b->initrd };
	struct pvh_boot_page p;
	struct x86_mem_layout l;
	struct pvh_kernel k;
	char err[256] = "";
	int i;

	x86_mem_layout(b->ram, &l);
	if (pvh_elf_parse(img, len, &l, &k, err, sizeof(err))) {
		FUZZ_ASSERT(err[0]);
		return;
	}
	FUZZ_ASSERT(k.nseg > 0 && k.nseg <= PVH_MAX_SEGS && k.end <= l.low_size);
	for (i = 0; i < k.nseg; i++) {
		FUZZ_ASSERT(k.seg[i].offset + k.seg[i].filesz <= len);
		FUZZ_ASSERT(k.seg[i].paddr >= X86_HIGH_KERNEL &&
			    k.seg[i].paddr + k.seg[i].memsz <= k.end);
	}
	pvh_start_info_build(&p, X86_PVH_INFO, &l, &a);
	FUZZ_ASSERT(p.si.memmap_entries <= PVH_MEMMAP_MAX &&
		    p.si.nr_modules == !!b->initrd);
}

static void x86_kernel(const u8 *img, size_t len, const struct boot_in *b)
{
	struct bzimage_info info;
	char err[256] = "";
	int kind;

	kind = x86_kernel_identify(img, len, true, NULL, err, sizeof(err));
	FUZZ_ASSERT(kind == (len && len <= X86_FLAT_MAX ? X86_KERNEL_FLAT :
			     -1));
	kind = x86_kernel_identify(img, len, false, &info, err, sizeof(err));
	FUZZ_ASSERT(kind ==
		    x86_kernel_identify(img, len, false, NULL, NULL, 0));
	if (kind < 0) {
		FUZZ_ASSERT(kind == -1 && err[0]);
		return;
	}
	if (kind == X86_KERNEL_ELF)
		return x86_elf(img, len, b);
	FUZZ_ASSERT(kind == X86_KERNEL_BZIMAGE);
	x86_bz(img, len, &info, b);
}

/* What arm64/boot.c does with an Image, minus guest RAM. */
static void arm64_kernel(const u8 *img, size_t len, const struct boot_in *b)
{
	u64 ram_end = ARM64_RAM_BASE + b->ram;
	struct arm64_boot_layout l;
	struct arm64_image im;
	char err[256] = "";

	if (arm64_image_parse(img, len, &im, err, sizeof(err))) {
		FUZZ_ASSERT(err[0]);
		return;
	}
	FUZZ_ASSERT(im.text_offset < ARM64_KERNEL_ALIGN &&
		    im.text_offset % 4096 == 0);
	FUZZ_ASSERT(im.image_size >= len && im.image_size <= 1ULL << 32);
	FUZZ_ASSERT(!im.page_size || im.page_size == 4096 ||
		    im.page_size == 16384 || im.page_size == 65536);
	if (arm64_boot_place(ARM64_RAM_BASE, b->ram, &im, b->initrd, b->page,
			     &l, err, sizeof(err))) {
		FUZZ_ASSERT(err[0]);
		return;
	}
	FUZZ_ASSERT(l.kernel == ALIGN_UP(ARM64_RAM_BASE, ARM64_KERNEL_ALIGN) +
		    im.text_offset);
	FUZZ_ASSERT(l.kernel_end == l.kernel + im.image_size);
	FUZZ_ASSERT(l.kernel + len <= ram_end);	/* the file is copied */
	FUZZ_ASSERT(l.dtb % ARM64_KERNEL_ALIGN == 0 && l.dtb >= l.kernel_end);
	FUZZ_ASSERT(l.dtb + ARM64_DTB_MAX <= ram_end);
	if (!b->initrd) {
		FUZZ_ASSERT(!l.initrd && !l.initrd_end);
		return;
	}
	FUZZ_ASSERT(l.initrd % b->page == 0 && l.initrd >= l.kernel_end);
	FUZZ_ASSERT(l.initrd_end == l.initrd + b->initrd &&
		    l.initrd_end <= l.dtb);
}

/*
 * The kernel file: input then zero padding, in one reused all-zero buffer
 * (no fresh megabyte per input), placed to end on an 8-byte boundary with
 * every byte after it poisoned, so ASan sees any overread exactly.
 */
static u8 *file_buf;
static size_t file_cap;

static u8 *file_get(const u8 *p, size_t n, size_t pad)
{
	size_t end = ALIGN_UP(n + pad, 8);

	if (end + 8 > file_cap) {
		free(file_buf);
		file_cap = MAX(end + 8, (size_t)(1 << 20) + 65536);
		file_buf = calloc(1, file_cap);
		FUZZ_ASSERT(file_buf);
	}
	memcpy(file_buf + end - n - pad, p, n);
	ASAN_POISON_MEMORY_REGION(file_buf + end, file_cap - end);
	return file_buf + end - n - pad;
}

static void file_put(u8 *img, size_t n)
{
	ASAN_UNPOISON_MEMORY_REGION(file_buf, file_cap);
	memset(img, 0, n);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	static const u64 pages[4] = { 4096, 16384, 65536, 4096 };
	struct fin in = { data, len };
	struct boot_in b;
	size_t pad;
	u8 *img;

	b.ram = (u64)(fin_u16(&in) % 4096 + 1) * SZ_1M;
	b.initrd = fin_u32(&in);
	b.cmdline_len = fin_u16(&in) % (X86_CMDLINE_MAX + 16);
	b.page = pages[fin_u8(&in) % 4];
	pad = fin_u8(&in) * 4096;
	img = file_get(in.p, in.n, pad);
	x86_kernel(img, in.n + pad, &b);
	arm64_kernel(img, in.n + pad, &b);
	file_put(img, in.n);
	return 0;
}

/* ---- seeds ---- */

static void put(u8 *p, size_t off, u64 v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[off + i] = (u8)(v >> (8 * i));
}

static void seed(const char *name, u16 ram_mib, u32 initrd, u16 cmdline,
		 const u8 *k, size_t klen)
{
	struct fseed s = { .n = 0 };

	fs_u16(&s, ram_mib - 1);
	fs_u32(&s, initrd);
	fs_u16(&s, cmdline);
	fs_u8(&s, 0);			/* 4K pages */
	fs_u8(&s, 0);			/* no padding */
	fs_bytes(&s, k, klen);
	fuzz_seed(name, &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static u8 k[5 * 512 + 2048];

	if (!fuzz_seeding())
		return 0;
	/* bzImage, protocol 2.15, 4 setup sectors, header to 0x26c */
	memset(k, 0, sizeof(k));
	put(k, 0x1f1, 4, 1);			/* setup_sects */
	put(k, 0x1f4, 2048 / 16, 4);		/* syssize */
	put(k, 0x1fe, 0xaa55, 2);
	put(k, 0x200, 0x6aeb, 2);		/* jmp to 0x26c */
	memcpy(k + 0x202, "HdrS", 4);
	put(k, 0x206, 0x020f, 2);
	put(k, 0x211, 1, 1);			/* LOADED_HIGH */
	put(k, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	put(k, 0x230, 0x200000, 4);		/* kernel_alignment */
	put(k, 0x234, 1, 1);			/* relocatable */
	put(k, 0x238, 2047, 4);			/* cmdline_size */
	put(k, 0x248, 0x100, 4);		/* payload_offset */
	put(k, 0x24c, 0x400, 4);		/* payload_length */
	put(k, 0x260, 0x1000000, 4);		/* init_size */
	seed("bzimage", 256, 0x200000, 40, k, sizeof(k));
	/* raw real-mode binary */
	seed("flat", 16, 0, 0, (const u8 *)"\xfa\xf4\xeb\xfe", 4);
	/* arm64 Image: text_offset 0, 32 MiB, LE, 4K pages, anywhere */
	memset(k, 0, sizeof(k));
	put(k, 0, 0x14000000, 4);
	put(k, 16, 0x2000000, 8);
	put(k, 24, 0xa, 8);
	memcpy(k + 0x38, "ARM\x64", 4);
	seed("arm64-image", 512, 0x100000, 40, k, 4096);
	/* pre-3.17 arm64 Image: image_size 0 */
	put(k, 16, 0, 8);
	seed("arm64-old", 128, 0, 0, k, 1024);
	seed("gzip", 64, 0, 0, (const u8 *)"\x1f\x8b\x08\x00", 4);
	seed("elf", 64, 0, 0, (const u8 *)"\x7f" "ELF\x02\x01\x01", 7);
	/* PVH vmlinux: PT_NOTE with the Xen entry note, PT_LOAD at 1 MiB */
	memset(k, 0, sizeof(k));
	memcpy(k, "\x7f" "ELF\x02\x01\x01", 7);
	put(k, 18, 62, 2);			/* EM_X86_64 */
	put(k, 32, 64, 8);			/* e_phoff */
	put(k, 54, 56, 2);			/* e_phentsize */
	put(k, 56, 2, 2);			/* e_phnum */
	put(k, 64, 4, 4);			/* PT_NOTE at 0x100, 24 bytes */
	put(k, 72, 0x100, 8);
	put(k, 96, 24, 8);
	put(k, 120, 1, 4);			/* PT_LOAD 0x200 -> 1 MiB */
	put(k, 128, 0x200, 8);
	put(k, 144, 0x100000, 8);
	put(k, 152, 0x200, 8);
	put(k, 160, 0x3000, 8);
	put(k, 0x100, 4, 4);			/* "Xen", 8 bytes, type 18 */
	put(k, 0x104, 8, 4);
	put(k, 0x108, 18, 4);
	memcpy(k + 0x10c, "Xen", 4);
	put(k, 0x110, 0x100010, 8);
	seed("pvh-elf", 64, 0x1000, 20, k, 0x400);
	exit(0);
}
