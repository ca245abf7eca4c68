/* libFuzzer target for vfio/irqstat.c: irqstat_parse() on arbitrary
 * /proc/interrupts text, device names, IRQ indexes and vector counts.
 * Input: [index u8][nr u16][bdf length u8][bdf][text...]. */
#include <linux/vfio.h>
#include "fuzz.h"
#include "vfio/irqstat.h"

/* fuzz-sources: vfio/irqstat.c kvm/util.c
 * fuzz-runs: 500000
 * fuzz-max-len: 4096 */

static u32 count_lines(const char *t)
{
	u32 n = *t != 0;

	for (; *t; t++)
		if (*t == '\n' && t[1])
			n++;
	return n;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct fin in = { data, len };
	u32 index = fin_u8(&in), nr = fin_u16(&in) % 4097, i;
	size_t blen = fin_u8(&in) % 32;
	char bdf[32 + 1];
	char *text;
	u64 *counts;
	int ret;

	fin_bytes(&in, bdf, blen);
	bdf[blen] = 0;
	text = malloc(in.n + 1);	/* exact size: ASan sees any overread */
	counts = malloc(nr * sizeof(*counts) + 1);
	FUZZ_ASSERT(text && counts);
	memcpy(text, in.p, in.n);
	text[in.n] = 0;
	if (index > 3)
		index = index << 24 | index;	/* absurd indexes too */
	ret = irqstat_parse(text, bdf, index, counts, nr);
	FUZZ_ASSERT(ret >= -1);
	FUZZ_ASSERT(ret == -1 || (u32)ret <= count_lines(text));
	for (i = 0; ret <= 0 && i < nr; i++)
		FUZZ_ASSERT(counts[i] == 0);
	free(counts);
	free(text);
	return 0;
}

static void seed(const char *name, u8 index, u16 nr, const char *bdf,
		 const char *text)
{
	struct fseed s = { .n = 0 };

	fs_u8(&s, index);
	fs_u16(&s, nr);
	fs_u8(&s, (u8)strlen(bdf));
	fs_bytes(&s, bdf, strlen(bdf));
	fs_bytes(&s, text, strlen(text));
	fuzz_seed(name, &s);
}

static const char proc_interrupts[] =
	"           CPU0       CPU1       \n"
	"  0:         35          0   IO-APIC   2-edge      timer\n"
	" 24:          0          0   PCI-MSI 512000-edge      ahci[0000:00:1f.2]\n"
	" 40:        120         17  PCI-MSIX-0000:01:00.0    0-edge      vfio-msix[0](0000:01:00.0)\n"
	" 41:       4242          0  PCI-MSIX-0000:01:00.0    1-edge      vfio-msix[1](0000:01:00.0)\n"
	" 42:          1          2  PCI-MSI-0000:02:00.0    0-edge      vfio-msi[0](0000:02:00.0)\n"
	" 43:          9          9   IO-APIC  16-fasteoi   vfio-intx(0000:03:00.0)\n"
	"NMI:          0          0   Non-maskable interrupts\n"
	"ERR:          0\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!fuzz_seeding())
		return 0;
	seed("msix", VFIO_PCI_MSIX_IRQ_INDEX, 65, "0000:01:00.0",
	     proc_interrupts);
	seed("msi", VFIO_PCI_MSI_IRQ_INDEX, 1, "0000:02:00.0", proc_interrupts);
	seed("intx", VFIO_PCI_INTX_IRQ_INDEX, 1, "0000:03:00.0",
	     proc_interrupts);
	seed("noheader", VFIO_PCI_MSIX_IRQ_INDEX, 4, "0000:01:00.0",
	     " 40: 1 vfio-msix[0](0000:01:00.0)\n");
	exit(0);
}
