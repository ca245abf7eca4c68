/* ELF vmlinux boot through the PVH entry (docs of Xen's PVH ABI): finds the
 * XEN_ELFNOTE_PHYS32_ENTRY note and the PT_LOAD segments of an ELF64 kernel
 * and checks where they land; builds the hvm_start_info page. Pure. */
#include <elf.h>
#include <stddef.h>
#include <string.h>
#include "x86/pvh.h"

#define NOTE_ALIGN(x)	ALIGN_UP((u64)(x), 4)

static int truncated(size_t len, u64 need, char *err, size_t errlen)
{
	return set_err(err, errlen, "ELF kernel is truncated: %zu bytes, its "
		       "headers say %llu; copy the whole vmlinux", len,
		       (unsigned long long)need);
}

/* Looks for the PVH entry in one PT_NOTE segment; 1 when found. */
static int note_entry(const u8 *p, u64 size, u64 *entry)
{
	u64 off = 0, name, desc;
	Elf64_Nhdr n;

	while (off + sizeof(n) <= size) {
		memcpy(&n, p + off, sizeof(n));
		name = off + sizeof(n);
		desc = name + NOTE_ALIGN(n.n_namesz);
		off = desc + NOTE_ALIGN(n.n_descsz);
		if (off > size)
			return 0;
		if (n.n_type != PVH_ELFNOTE_ENTRY || n.n_namesz != 4 ||
		    memcmp(p + name, "Xen", 4))
			continue;
		if (n.n_descsz == 4 || n.n_descsz == 8) {
			*entry = 0;
			memcpy(entry, p + desc, n.n_descsz);
			return 1;
		}
	}
	return 0;
}

static int find_entry(const u8 *img, size_t len, const Elf64_Phdr *ph,
		      int n, struct pvh_kernel *k, char *err, size_t errlen)
{
	u64 entry;
	int i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		if (ph[i].p_offset > len || ph[i].p_filesz > len - ph[i].p_offset)
			return truncated(len, ph[i].p_offset + ph[i].p_filesz,
					 err, errlen);
		if (!note_entry(img + ph[i].p_offset, ph[i].p_filesz, &entry))
			continue;
		if (entry >= SZ_4G)
			return set_err(err, errlen, "PVH entry 0x%llx is above "
				       "4 GiB; it must be a 32-bit physical "
				       "address", (unsigned long long)entry);
		k->entry = entry;
		return 0;
	}
	return set_err(err, errlen, "ELF kernel without a PVH entry note "
		       "(XEN_ELFNOTE_PHYS32_ENTRY); boot its bzImage instead "
		       "or build with CONFIG_PVH=y");
}

static int check_place(const struct pvh_segment *s, int i,
		       const struct x86_mem_layout *l, char *err, size_t errlen)
{
	u64 end = s->paddr + s->memsz;

	if (s->paddr < X86_HIGH_KERNEL)
		return set_err(err, errlen, "segment %d at 0x%llx is below "
			       "1 MiB, where lkvm keeps its boot data; link "
			       "the kernel at 1 MiB or above", i,
			       (unsigned long long)s->paddr);
	if (end < s->paddr || end > X86_HOLE_START)
		return set_err(err, errlen, "segment %d at 0x%llx (%llu bytes) "
			       "reaches into the MMIO hole at 0x%llx; the "
			       "kernel must load below it", i,
			       (unsigned long long)s->paddr,
			       (unsigned long long)s->memsz,
			       (unsigned long long)X86_HOLE_START);
	if (end > l->low_size)
		return set_err(err, errlen, "segment %d ends at 0x%llx, beyond "
			       "the guest's %llu MiB of RAM; raise -m to at "
			       "least %llu", i, (unsigned long long)end,
			       (unsigned long long)(l->ram_size / SZ_1M),
			       (unsigned long long)((end + SZ_1M - 1) / SZ_1M));
	return 0;
}

static int add_segment(const Elf64_Phdr *ph, size_t len,
		       const struct x86_mem_layout *l, struct pvh_kernel *k,
		       char *err, size_t errlen)
{
	struct pvh_segment *s = &k->seg[k->nseg];
	int i, n = k->nseg;

	if (n == PVH_MAX_SEGS)
		return set_err(err, errlen, "ELF kernel has more than %d "
			       "loadable segments", PVH_MAX_SEGS);
	*s = (struct pvh_segment){ ph->p_paddr, ph->p_offset, ph->p_filesz,
				   ph->p_memsz };
	if (s->filesz > s->memsz)
		return set_err(err, errlen, "segment %d has more file bytes "
			       "than memory bytes: corrupt vmlinux", n);
	if (s->offset > len || s->filesz > len - s->offset)
		return truncated(len, s->offset + s->filesz, err, errlen);
	if (check_place(s, n, l, err, errlen))
		return -1;
	for (i = 0; i < n; i++)
		if (s->paddr < k->seg[i].paddr + k->seg[i].memsz &&
		    k->seg[i].paddr < s->paddr + s->memsz)
			return set_err(err, errlen, "segments %d and %d overlap "
				       "(at 0x%llx and 0x%llx): corrupt "
				       "vmlinux", i, n,
				       (unsigned long long)k->seg[i].paddr,
				       (unsigned long long)s->paddr);
	k->end = MAX(k->end, s->paddr + s->memsz);
	k->nseg++;
	return 0;
}

static bool entry_loaded(const struct pvh_kernel *k)
{
	int i;

	for (i = 0; i < k->nseg; i++)
		if (k->entry >= k->seg[i].paddr &&
		    k->entry < k->seg[i].paddr + k->seg[i].filesz)
			return true;
	return false;
}

static int load_segments(size_t len, const Elf64_Phdr *ph, int n,
			 const struct x86_mem_layout *l, struct pvh_kernel *k,
			 char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz &&
		    add_segment(&ph[i], len, l, k, err, errlen))
			return -1;
	if (!entry_loaded(k))
		return set_err(err, errlen, "PVH entry 0x%x is not in any "
			       "loaded segment: corrupt vmlinux", k->entry);
	return 0;
}

int pvh_elf_parse(const void *img, size_t len, const struct x86_mem_layout *l,
		  struct pvh_kernel *k, char *err, size_t errlen)
{
	Elf64_Phdr ph[64];
	Elf64_Ehdr eh;
	size_t phlen;

	memset(k, 0, sizeof(*k));
	if (len < sizeof(eh))
		return truncated(len, sizeof(eh), err, errlen);
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
		return set_err(err, errlen, "ELF kernel is not a 64-bit x86_64 "
			       "vmlinux; pass an x86_64 vmlinux or bzImage");
	if (eh.e_phentsize != sizeof(ph[0]) || !eh.e_phnum ||
	    eh.e_phnum > ARRAY_SIZE(ph))
		return set_err(err, errlen, "ELF kernel has %u program headers "
			       "of %u bytes; a vmlinux has 1 to %zu of %zu",
			       eh.e_phnum, eh.e_phentsize, ARRAY_SIZE(ph),
			       sizeof(ph[0]));
	phlen = eh.e_phnum * sizeof(ph[0]);
	if (eh.e_phoff > len || phlen > len - eh.e_phoff)
		return truncated(len, eh.e_phoff + phlen, err, errlen);
	memcpy(ph, (const u8 *)img + eh.e_phoff, phlen);
	if (find_entry(img, len, ph, eh.e_phnum, k, err, errlen))
		return -1;
	return load_segments(len, ph, eh.e_phnum, l, k, err, errlen);
}

void pvh_start_info_build(struct pvh_boot_page *p, u64 base,
			  const struct x86_mem_layout *l,
			  const struct x86_boot_args *a)
{
	struct boot_e820_entry e820[PVH_MEMMAP_MAX];
	int i, n = x86_e820_build(l, e820, PVH_MEMMAP_MAX);

	memset(p, 0, sizeof(*p));
	p->si.magic = PVH_START_MAGIC;
	p->si.version = 1;
	p->si.cmdline_paddr = a->cmdline_addr;
	p->si.rsdp_paddr = a->rsdp_addr;
	if (a->initrd_size) {
		p->si.nr_modules = 1;
		p->si.modlist_paddr = base + offsetof(struct pvh_boot_page, mod);
		p->mod.paddr = a->initrd_addr;
		p->mod.size = a->initrd_size;
	}
	p->si.memmap_paddr = base + offsetof(struct pvh_boot_page, map);
	p->si.memmap_entries = n;
	for (i = 0; i < n; i++) {
		p->map[i].addr = e820[i].addr;
		p->map[i].size = e820[i].size;
		p->map[i].type = e820[i].type;
	}
}
