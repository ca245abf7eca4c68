/* Unit tests for vfio/irqstat.c: per-vector counts of an assigned device
 * from /proc/interrupts texts as x86 and arm64 hosts print them (several
 * CPUs, hwirq numbers, shared lines), and reading the seam's file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "unit.h"
#include "vfio/irqstat.h"
#include "vfio/seam.h"

static const char x86_text[] =
"            CPU0       CPU1       \n"
"   0:         44          0   IO-APIC   2-edge      timer\n"
"  11:          5          1   IO-APIC  11-fasteoi   uhci_hcd:usb1, vfio-intx(0000:03:00.0)\n"
"  24:          0         12  PCI-MSIX-0000:01:00.0    0-edge      vfio-msix[0](0000:01:00.0)\n"
"  25:          3          4  PCI-MSIX-0000:01:00.0    1-edge      vfio-msix[1](0000:01:00.0)\n"
"  26:          7          0  PCI-MSIX-0000:02:00.0    1-edge      vfio-msix[1](0000:02:00.0)\n"
"  27:        100          0  IR-PCI-MSI 2097152-edge      nvme0q0\n"
"  28:          9          9  PCI-MSI 1048576-edge      vfio-msi[0](0000:01:00.0)\n"
"  29:         64          1  PCI-MSIX-0000:01:00.0   64-edge      vfio-msix[64](0000:01:00.0)\n"
" NMI:          0          0   Non-maskable interrupts\n"
" ERR:          0\n";

static const char arm64_text[] =
"           CPU0       \n"
" 11:       1833     GICv3  27 Level     arch_timer\n"
" 45:          9   ITS-MSI 524288 Edge      vfio-msix[0](0000:00:01.0)\n"
" 46:         38   ITS-MSI 524289 Edge      vfio-msix[1](0000:00:01.0)\n"
"IPI0:         0       Rescheduling interrupts\n";

TEST(irqstat_x86_msix)
{
	u64 c[65];

	EXPECT_EQ(irqstat_parse(x86_text, "0000:01:00.0",
				VFIO_PCI_MSIX_IRQ_INDEX, c, 65), 3);
	EXPECT_EQ(c[0], 12);
	EXPECT_EQ(c[1], 7);		/* 3 + 4; 02:00.0's vector 1 is not ours */
	EXPECT_EQ(c[2], 0);
	EXPECT_EQ(c[64], 65);
	/* a vector beyond nr is left out, not written past the array */
	c[2] = 77;
	EXPECT_EQ(irqstat_parse(x86_text, "0000:01:00.0",
				VFIO_PCI_MSIX_IRQ_INDEX, c, 2), 2);
	EXPECT_EQ(c[2], 77);
}

TEST(irqstat_msi_and_intx)
{
	u64 c[4];

	/* "vfio-msi[" is not "vfio-msix[" and the other way round */
	EXPECT_EQ(irqstat_parse(x86_text, "0000:01:00.0",
				VFIO_PCI_MSI_IRQ_INDEX, c, 4), 1);
	EXPECT_EQ(c[0], 18);
	EXPECT_EQ(c[1], 0);
	/* INTx on a line shared with another handler */
	EXPECT_EQ(irqstat_parse(x86_text, "0000:03:00.0",
				VFIO_PCI_INTX_IRQ_INDEX, c, 1), 1);
	EXPECT_EQ(c[0], 6);
	EXPECT_EQ(irqstat_parse(x86_text, "0000:01:00.0",
				VFIO_PCI_INTX_IRQ_INDEX, c, 1), 0);
	EXPECT_EQ(c[0], 0);
}

TEST(irqstat_arm64_hwirq_not_counted)
{
	u64 c[2];

	/* one CPU: the ITS hwirq number after the chip is not a count */
	EXPECT_EQ(irqstat_parse(arm64_text, "0000:00:01.0",
				VFIO_PCI_MSIX_IRQ_INDEX, c, 2), 2);
	EXPECT_EQ(c[0], 9);
	EXPECT_EQ(c[1], 38);
}

TEST(irqstat_bdf_must_match_whole)
{
	u64 c[2];

	EXPECT_EQ(irqstat_parse(arm64_text, "0000:00:01.1",
				VFIO_PCI_MSIX_IRQ_INDEX, c, 2), 0);
	EXPECT_EQ(irqstat_parse(arm64_text, "0000:00:01",
				VFIO_PCI_MSIX_IRQ_INDEX, c, 2), 0);
	EXPECT_EQ(c[0] + c[1], 0);
}

TEST(irqstat_malformed)
{
	u64 c[2] = { 5, 5 };

	EXPECT_EQ(irqstat_parse("", "0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX,
				c, 2), -1);
	EXPECT_EQ(c[0], 0);
	EXPECT_EQ(irqstat_parse(" 45: 9 ITS-MSI vfio-msix[0](0000:00:01.0)\n",
				"0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX, c, 2),
		  -1);
	/* a count column missing: the line is skipped */
	EXPECT_EQ(irqstat_parse("   CPU0   CPU1\n 45: 9 vfio-msix[0](0000:00:01.0)\n"
				" 46: 1 2 x vfio-msix[1](0000:00:01.0)\n",
				"0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX, c, 2),
		  1);
	EXPECT_EQ(c[0], 0);
	EXPECT_EQ(c[1], 3);
	/* no vector number, or no closing bracket */
	EXPECT_EQ(irqstat_parse("   CPU0\n 45: 9 vfio-msix[](0000:00:01.0)\n"
				" 46: 9 vfio-msix[1(0000:00:01.0)\n"
				" 47: 9 vfio-msix[99999999999999999999](0000:00:01.0)\n",
				"0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX, c, 2),
		  0);
}

TEST(irqstat_read_file)
{
	char path[] = "/tmp/lkvm-irqstat-XXXXXX";
	struct vfio_seam_ops ops = { .name = "file", .interrupts = path };
	u64 c[2];
	FILE *f;
	int fd, sfd, i;

	fd = mkstemp(path);
	ASSERT(fd >= 0);
	f = fdopen(fd, "w");
	ASSERT(f);
	fputs(arm64_text, f);
	fclose(f);
	sfd = irqstat_open(&ops);
	ASSERT(sfd >= 0);
	EXPECT(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	/* the one fd reads the whole file each time (from offset 0) */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(irqstat_read(sfd, "0000:00:01.0",
				       VFIO_PCI_MSIX_IRQ_INDEX, c, 2), 2);
		EXPECT_EQ(c[1], 38);
	}
	/* past 4 MiB: unknown rather than a count from part of the file */
	f = fopen(path, "a");
	ASSERT(f);
	for (fd = 0; fd < 80000; fd++)	/* 80000 x 58 bytes */
		fputs(" 99:          1   ITS-MSI 1 Edge      eth0-rx-padding-line\n", f);
	fclose(f);
	EXPECT_EQ(irqstat_read(sfd, "0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX,
			       c, 2), -1);
	close(sfd);
	unlink(path);
	EXPECT_EQ(irqstat_open(&ops), -1);
	EXPECT_EQ(irqstat_read(-1, "0000:00:01.0", VFIO_PCI_MSIX_IRQ_INDEX,
			       c, 2), -1);
	ops.interrupts = NULL;
	EXPECT_EQ(irqstat_open(&ops), -1);
}
