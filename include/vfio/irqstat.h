/* How often the host kernel saw an assigned device raise each interrupt:
 * vfio-pci's lines in /proc/interrupts ("vfio-msix[3](0000:01:00.0)"),
 * read only when asked (lkvm stat, --debug), never on the delivery path. */
#ifndef LKVM_VFIO_IRQSTAT_H
#define LKVM_VFIO_IRQSTAT_H

#include "lkvm/util.h"

struct vfio_seam_ops;

/*
 * Fills counts[0..nr) with the interrupts counted (summed over CPUs) for
 * the device bdf's vectors of VFIO IRQ index (MSI-X: "vfio-msix[N](bdf)",
 * MSI: "vfio-msi[N](bdf)", INTx: "vfio-intx(bdf)" into counts[0]) in text,
 * the contents of /proc/interrupts. Vectors without a line keep 0.
 * Returns the number of lines matched, or -1 when the CPU header is missing.
 */
int irqstat_parse(const char *text, const char *bdf, u32 index, u64 *counts,
		  u32 nr);

/* The file the seam names (/proc/interrupts) opened read-only, once per
 * device before the seccomp filters go on; -1 with errno. */
int irqstat_open(const struct vfio_seam_ops *ops);

/* The whole file behind fd (irqstat_open's), read from offset 0,
 * malloc'ed and NUL-terminated; NULL when fd is -1 or the file cannot be
 * read whole (or is over 4 MiB). */
char *irqstat_load(int fd);

/* irqstat_parse over irqstat_load(fd); -1 when the file cannot be read. */
int irqstat_read(int fd, const char *bdf, u32 index, u64 *counts, u32 nr);

#endif
