/* ACPI tables for x86 guests (ACPI 6.x layouts): RSDP, XSDT, FADT, FACS,
 * a DSDT of hand-encoded AML (_S5, the PCI root bridge), MADT and MCFG,
 * laid out one after another in a caller's buffer seen at base_gpa. */
#include <string.h>
#include "x86/acpi.h"

#define ACPI_OEM_ID		"LKVM  "
#define ACPI_OEM_TABLE_ID	"LKVMVM  "
#define ACPI_CREATOR_ID		"LKVM"
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_REVISION	1

#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2

/* FADT Flags */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_FIX_RTC		(1u << 6)	/* no RTC wake in PM1 */
#define FADT_RESET_REG_SUP	(1u << 10)
/* FADT IAPC_BOOT_ARCH */
#define BOOT_ARCH_LEGACY_DEVICES (1u << 0)
#define BOOT_ARCH_8042		(1u << 1)
#define BOOT_ARCH_NO_VGA	(1u << 2)

#define FADT_RESET_VALUE	0x06
#define FADT_P_LVL2_LAT_NONE	101	/* > 100: C2 not supported */
#define FADT_P_LVL3_LAT_NONE	1001	/* > 1000: C3 not supported */

/* MADT */
#define MADT_PCAT_COMPAT	(1u << 0)
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_X2APIC		9
#define MADT_ENABLED		(1u << 0)
#define MPS_POL_HIGH		0x1
#define MPS_TRIG_EDGE		(0x1 << 2)
#define MPS_TRIG_LEVEL		(0x3 << 2)
#define MADT_ALL_CPUS		0xff
#define XAPIC_MAX_ID		0xfe	/* 0xff is the broadcast id */

/* AML opcodes (ACPI spec, section 20) */
#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE		0x82	/* after AML_EXT_PREFIX */
#define AML_METHOD		0x14
#define AML_RETURN		0xa4
#define AML_ARG3		0x6b

/* Resource descriptors (ACPI spec, section 6.4) */
#define RES_IO			0x47	/* small item, 7 bytes */
#define RES_END_TAG		0x79
#define RES_DWORD_ADDR		0x87
#define RES_WORD_ADDR		0x88
#define RES_QWORD_ADDR		0x8a
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
#define RES_PRODUCER_FIXED	0x0c	/* producer, pos decode, min/max fixed */
#define RES_MEM_RW		0x01	/* non-cacheable, read-write */
#define RES_IO_ENTIRE		0x03	/* ISA and non-ISA ranges */

#define PCI_PRT_SLOTS		32
#define PCI_PRT_PINS		4
#define PCI_IO_CFG_START	0xcf8
#define PCI_IO_CFG_LEN		8
#define AML_ONES		0xff

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	u8 checksum;		/* over the first 20 bytes */
	char oem_id[6];
	u8 revision;
	u32 rsdt_addr;
	u32 length;
	u64 xsdt_addr;
	u8 ext_checksum;	/* over the whole structure */
	u8 reserved[3];
} __attribute__((packed));

struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	u64 hypervisor_vendor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header size");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (rev 6) size");

struct acpi_facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_facs) == 64, "FACS size");

struct madt_lapic {
	u8 type, length, uid, apic_id;
	u32 flags;
} __attribute__((packed));

struct madt_x2apic {
	u8 type, length;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 uid;
} __attribute__((packed));

struct madt_ioapic {
	u8 type, length, id, reserved;
	u32 address;
	u32 gsi_base;
} __attribute__((packed));

struct madt_iso {
	u8 type, length, bus, source;
	u32 gsi;
	u16 flags;
} __attribute__((packed));

struct madt_lapic_nmi {
	u8 type, length, uid;
	u16 flags;
	u8 lint;
} __attribute__((packed));

struct mcfg_alloc {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __attribute__((packed));

/* Bump allocator over the output buffer; `full` latches on overflow. */
struct acpi_out {
	u8 *buf;
	size_t len;
	size_t pos;
	u64 base_gpa;
	bool full;
};

static void *out_alloc(struct acpi_out *o, size_t size, size_t align)
{
	size_t start = ALIGN_UP(o->pos, align);

	if (o->full || start > o->len || size > o->len - start) {
		o->full = true;
		return NULL;
	}
	o->pos = start + size;
	return o->buf + start;
}

static u64 out_gpa(const struct acpi_out *o, const void *p)
{
	return o->base_gpa + (u64)((const u8 *)p - o->buf);
}

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return (u8)-sum;
}

static void header_init(struct acpi_header *h, const char *sig, u8 rev)
{
	memcpy(h->signature, sig, 4);
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
}

static void header_seal(struct acpi_header *h, size_t len)
{
	h->length = (u32)len;
	h->checksum = 0;
	h->checksum = acpi_checksum(h, len);
}

/* Sets the length to everything allocated since h and checksums it. */
static void header_finish(struct acpi_out *o, struct acpi_header *h)
{
	header_seal(h, o->buf + o->pos - (u8 *)h);
}

static struct acpi_header *table_begin(struct acpi_out *o, const char *sig,
				       u8 rev, size_t fixed_size)
{
	struct acpi_header *h = out_alloc(o, fixed_size, 16);

	if (h)
		header_init(h, sig, rev);
	return h;
}

/* ---- DSDT: a tiny AML emitter. Objects are appended to the body in
 * order, so more (a PCI root bridge, devices) can follow _S5 later. ---- */

static void aml_byte(struct acpi_out *o, u8 b)
{
	u8 *p = out_alloc(o, 1, 1);

	if (p)
		*p = b;
}

static void aml_bytes(struct acpi_out *o, const void *b, size_t n)
{
	u8 *p = out_alloc(o, n, 1);

	if (p)
		memcpy(p, b, n);
}

/* NameSeg: exactly four characters, short names padded with '_'. */
static void aml_nameseg(struct acpi_out *o, const char *name)
{
	char seg[4] = { '_', '_', '_', '_' };
	size_t n = strlen(name);

	memcpy(seg, name, MIN(n, sizeof(seg)));
	aml_bytes(o, seg, sizeof(seg));
}

/* Shortest integer encoding: ZeroOp/OneOp/OnesOp or a prefixed constant. */
static void aml_integer(struct acpi_out *o, u64 v)
{
	static const u8 prefix[9] = { [1] = AML_BYTE_PREFIX,
		[2] = AML_WORD_PREFIX, [4] = AML_DWORD_PREFIX,
		[8] = AML_QWORD_PREFIX };
	int n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffULL ? 4 : 8;
	u8 le[8];

	if (v <= 1 || v == UINT64_MAX) {
		aml_byte(o, v == UINT64_MAX ? AML_ONES : v ? AML_ONE : AML_ZERO);
		return;
	}
	le_put(le, 8, v);
	aml_byte(o, prefix[n]);
	aml_bytes(o, le, n);
}

/* PkgLength counts itself; 1 byte below 64, else 1 + 1..3 extra bytes. */
static int pkglen_bytes(size_t body)
{
	int n;

	if (body + 1 < 0x40)
		return 1;
	for (n = 2; n <= 4; n++)
		if (body + n < (1ULL << (4 + 8 * (n - 1))))
			return n;
	return 0;
}

/* Opens a PkgLength-prefixed scope: reserves the longest encoding and
 * returns its offset, to be closed by aml_pkg_end(). */
static size_t aml_pkg_begin(struct acpi_out *o)
{
	size_t at = o->pos;

	out_alloc(o, 4, 1);
	return at;
}

/* Writes the PkgLength at `at` and slides the body down over the unused
 * reserved bytes so the encoding is the shortest one. */
static void aml_pkg_end(struct acpi_out *o, size_t at)
{
	size_t body, total;
	u8 *p;
	int n, i;

	if (o->full)
		return;
	body = o->pos - at - 4;
	n = pkglen_bytes(body);
	if (!n) {
		o->full = true;
		return;
	}
	p = o->buf + at;
	memmove(p + n, p + 4, body);
	o->pos -= 4 - n;
	total = body + n;
	if (n == 1) {
		p[0] = (u8)total;
		return;
	}
	p[0] = (u8)(((n - 1) << 6) | (total & 0xf));
	for (i = 1; i < n; i++)
		p[i] = (u8)(total >> (4 + 8 * (i - 1)));
}

/* Name(_S5, Package() { typ, typ, 0, 0 }): PM1a/PM1b SLP_TYP for S5. */
static void aml_s5(struct acpi_out *o, u8 slp_typ)
{
	size_t pkg;

	aml_byte(o, AML_NAME);
	aml_nameseg(o, "_S5");
	aml_byte(o, AML_PACKAGE);
	pkg = aml_pkg_begin(o);
	aml_byte(o, 4);		/* NumElements */
	aml_integer(o, slp_typ);
	aml_integer(o, slp_typ);
	aml_integer(o, 0);
	aml_integer(o, 0);
	aml_pkg_end(o, pkg);
}

/* EisaId("PNP0A08"): three 5-bit letters and four hex digits, big-endian
 * in a little-endian dword. */
static u32 eisa_id(const char *id)
{
	u16 v = (u16)(((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) |
		      (id[2] - 0x40));
	u32 prod = 0;
	int i;

	for (i = 3; i < 7; i++)
		prod = prod << 4 |
		       (u32)(id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	return (u32)(v >> 8) | (u32)(v & 0xff) << 8 |
	       (prod >> 8 & 0xff) << 16 | (prod & 0xff) << 24;
}

static void aml_name_int(struct acpi_out *o, const char *name, u64 v)
{
	aml_byte(o, AML_NAME);
	aml_nameseg(o, name);
	aml_integer(o, v);
}

/* Little-endian field appenders for resource descriptors in a buffer. */
struct res_buf {
	u8 b[256];
	size_t n;
};

static void res_le(struct res_buf *r, u64 v, int bytes)
{
	while (bytes-- > 0 && r->n < sizeof(r->b)) {
		r->b[r->n++] = (u8)v;
		v >>= 8;
	}
}

/* Word/DWord/QWord address space descriptor; size is 2, 4 or 8. */
static void res_addr(struct res_buf *r, int size, u8 type, u8 tflags,
		     u64 min, u64 len)
{
	u8 tag = size == 2 ? RES_WORD_ADDR :
		 size == 4 ? RES_DWORD_ADDR : RES_QWORD_ADDR;

	res_le(r, tag, 1);
	res_le(r, 3 + 5 * size, 2);
	res_le(r, type, 1);
	res_le(r, RES_PRODUCER_FIXED, 1);
	res_le(r, tflags, 1);
	res_le(r, 0, size);		/* granularity */
	res_le(r, min, size);
	res_le(r, min + len - 1, size);
	res_le(r, 0, size);		/* translation */
	res_le(r, len, size);
}

static void res_io(struct res_buf *r, u16 port, u8 len)
{
	res_le(r, RES_IO, 1);
	res_le(r, 1, 1);		/* 16-bit decode */
	res_le(r, port, 2);
	res_le(r, port, 2);
	res_le(r, 1, 1);		/* alignment */
	res_le(r, len, 1);
}

static void pci_crs(struct res_buf *r, const struct acpi_config *cfg)
{
	u16 io_hi = PCI_IO_CFG_START + PCI_IO_CFG_LEN;

	res_addr(r, 2, RES_TYPE_BUS, 0, 0, (u64)cfg->pci_bus_end + 1);
	res_io(r, PCI_IO_CFG_START, PCI_IO_CFG_LEN);
	res_addr(r, 2, RES_TYPE_IO, RES_IO_ENTIRE, 0, PCI_IO_CFG_START);
	res_addr(r, 2, RES_TYPE_IO, RES_IO_ENTIRE, io_hi, 0x10000 - io_hi);
	res_addr(r, 4, RES_TYPE_MEM, RES_MEM_RW, cfg->pci_mem32_base,
		 cfg->pci_mem32_size);
	if (cfg->pci_mem64_size)
		res_addr(r, 8, RES_TYPE_MEM, RES_MEM_RW, cfg->pci_mem64_base,
			 cfg->pci_mem64_size);
	res_le(r, RES_END_TAG, 1);
	res_le(r, 0, 1);		/* checksum 0: "ignore" */
}

/* Name(_CRS, ResourceTemplate() { ... }) */
static void aml_pci_crs(struct acpi_out *o, const struct acpi_config *cfg)
{
	struct res_buf r = { .n = 0 };
	size_t pkg;

	pci_crs(&r, cfg);
	aml_byte(o, AML_NAME);
	aml_nameseg(o, "_CRS");
	aml_byte(o, AML_BUFFER);
	pkg = aml_pkg_begin(o);
	aml_integer(o, r.n);
	aml_bytes(o, r.b, r.n);
	aml_pkg_end(o, pkg);
}

/* Package() { 0xSSSSFFFF, pin, Zero, gsi }: a direct GSI, no link. */
static void aml_prt_entry(struct acpi_out *o, const struct acpi_config *cfg,
			  int slot, int pin)
{
	size_t pkg;

	aml_byte(o, AML_PACKAGE);
	pkg = aml_pkg_begin(o);
	aml_byte(o, 4);
	aml_integer(o, (u64)slot << 16 | 0xffff);
	aml_integer(o, pin);
	aml_integer(o, 0);
	aml_integer(o, cfg->pci_gsi_base + (slot + pin) % cfg->pci_nr_gsi);
	aml_pkg_end(o, pkg);
}

static void aml_pci_prt(struct acpi_out *o, const struct acpi_config *cfg)
{
	size_t pkg;
	int slot, pin;

	aml_byte(o, AML_NAME);
	aml_nameseg(o, "_PRT");
	aml_byte(o, AML_PACKAGE);
	pkg = aml_pkg_begin(o);
	aml_byte(o, PCI_PRT_SLOTS * PCI_PRT_PINS);
	for (slot = 0; slot < PCI_PRT_SLOTS; slot++)
		for (pin = 0; pin < PCI_PRT_PINS; pin++)
			aml_prt_entry(o, cfg, slot, pin);
	aml_pkg_end(o, pkg);
}

/* Method(_OSC, 4) { Return(Arg3) }: every control the OS asks for is
 * granted (native PCIe hotplug, PME, AER, the capability structure); Linux
 * binds pciehp to the root ports only when _OSC grants hotplug. */
static void aml_pci_osc(struct acpi_out *o)
{
	size_t m;

	aml_byte(o, AML_METHOD);
	m = aml_pkg_begin(o);
	aml_nameseg(o, "_OSC");
	aml_byte(o, 4);		/* 4 arguments, not serialized */
	aml_byte(o, AML_RETURN);
	aml_byte(o, AML_ARG3);
	aml_pkg_end(o, m);
}

/* Scope(\_SB) { Device(PCI0) { _HID, _CID, _SEG, _BBN, _UID, _CRS, _PRT,
 * and _OSC when there are hotplug root ports } } */
static void aml_pci_root(struct acpi_out *o, const struct acpi_config *cfg)
{
	size_t scope, dev;

	aml_byte(o, AML_SCOPE);
	scope = aml_pkg_begin(o);
	aml_nameseg(o, "_SB");	/* relative to the root, as iasl emits it */
	aml_byte(o, AML_EXT_PREFIX);
	aml_byte(o, AML_DEVICE);
	dev = aml_pkg_begin(o);
	aml_nameseg(o, "PCI0");
	aml_name_int(o, "_HID", eisa_id("PNP0A08"));
	aml_name_int(o, "_CID", eisa_id("PNP0A03"));
	aml_name_int(o, "_SEG", 0);
	aml_name_int(o, "_BBN", 0);
	aml_name_int(o, "_UID", 0);
	aml_pci_crs(o, cfg);
	aml_pci_prt(o, cfg);
	if (cfg->pci_native_hp)
		aml_pci_osc(o);
	aml_pkg_end(o, dev);
	aml_pkg_end(o, scope);
}

static void dsdt_body(struct acpi_out *o, const struct acpi_config *cfg)
{
	aml_s5(o, cfg->s5_slp_typ);
	if (cfg->pci_root && cfg->pci_nr_gsi)
		aml_pci_root(o, cfg);
}

static u64 build_dsdt(struct acpi_out *o, const struct acpi_config *cfg)
{
	/* revision 2: 64-bit AML integers */
	struct acpi_header *h = table_begin(o, "DSDT", 2, sizeof(*h));

	if (!h)
		return 0;
	dsdt_body(o, cfg);
	if (o->full)
		return 0;
	header_finish(o, h);
	return out_gpa(o, h);
}

static u64 build_facs(struct acpi_out *o)
{
	struct acpi_facs *f = out_alloc(o, sizeof(*f), 64);

	if (!f)
		return 0;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
	return out_gpa(o, f);
}

static struct acpi_gas io_gas(u16 port, u8 bytes, u8 access)
{
	struct acpi_gas g = {
		.space_id = GAS_SYSTEM_IO,
		.bit_width = (u8)(bytes * 8),
		.access_size = access,
		.address = port,
	};

	return g;
}

static void fadt_pm_blocks(struct acpi_fadt *f, const struct acpi_config *cfg)
{
	f->pm1a_evt_blk = cfg->pm1a_evt_port;
	f->pm1_evt_len = 4;
	f->x_pm1a_evt_blk = io_gas(cfg->pm1a_evt_port, 4, GAS_ACCESS_WORD);
	f->pm1a_cnt_blk = cfg->pm1a_cnt_port;
	f->pm1_cnt_len = 2;
	f->x_pm1a_cnt_blk = io_gas(cfg->pm1a_cnt_port, 2, GAS_ACCESS_WORD);
	/* no PM timer (PM_TMR_BLK 0): Linux uses the TSC / kvm-clock */
}

/* FACS above 4 GiB can only be given through X_FIRMWARE_CTRL, and the
 * spec wants only one of the two set. */
static void fadt_pointers(struct acpi_fadt *f, u64 facs, u64 dsdt)
{
	if (facs < SZ_4G)
		f->firmware_ctrl = (u32)facs;
	else
		f->x_firmware_ctrl = facs;
	if (dsdt < SZ_4G)
		f->dsdt = (u32)dsdt;
	f->x_dsdt = dsdt;
}

static u64 build_fadt(struct acpi_out *o, const struct acpi_config *cfg,
		      u64 facs, u64 dsdt)
{
	struct acpi_fadt *f = (void *)table_begin(o, "FACP", 6, sizeof(*f));

	if (!f)
		return 0;
	fadt_pointers(f, facs, dsdt);
	f->sci_int = cfg->sci_irq;
	f->smi_cmd = 0;		/* hardware is always in ACPI mode */
	fadt_pm_blocks(f, cfg);
	f->p_lvl2_lat = FADT_P_LVL2_LAT_NONE;
	f->p_lvl3_lat = FADT_P_LVL3_LAT_NONE;
	/* legacy ISA devices (serial, PIC, PIT) yes; 8042 and VGA no */
	f->iapc_boot_arch = BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_NO_VGA;
	/* the fixed power button is there: `lkvm stop` (x86/legacy.c) */
	f->flags = FADT_WBINVD | FADT_PROC_C1 |
		   FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_RESET_REG_SUP;
	f->reset_reg = io_gas(cfg->reset_port, 1, GAS_ACCESS_BYTE);
	f->reset_value = FADT_RESET_VALUE;
	f->minor_version = 0;
	header_finish(o, &f->h);
	return out_gpa(o, f);
}

static void madt_cpu(struct acpi_out *o, int cpu)
{
	struct madt_x2apic *x;
	struct madt_lapic *l;

	if (cpu <= XAPIC_MAX_ID) {
		l = out_alloc(o, sizeof(*l), 1);
		if (!l)
			return;
		*l = (struct madt_lapic){ MADT_LAPIC, sizeof(*l), (u8)cpu,
					  (u8)cpu, MADT_ENABLED };
		return;
	}
	x = out_alloc(o, sizeof(*x), 1);
	if (x)
		*x = (struct madt_x2apic){ MADT_X2APIC, sizeof(*x), 0, cpu,
					   MADT_ENABLED, cpu };
}

static void madt_iso(struct acpi_out *o, u8 irq, u32 gsi, u16 flags)
{
	struct madt_iso *s = out_alloc(o, sizeof(*s), 1);

	if (s)
		*s = (struct madt_iso){ MADT_ISO, sizeof(*s), 0, irq, gsi, flags };
}

static void madt_ioapic(struct acpi_out *o, const struct acpi_config *cfg)
{
	struct madt_ioapic *io = out_alloc(o, sizeof(*io), 1);

	if (io)
		*io = (struct madt_ioapic){ MADT_IOAPIC, sizeof(*io),
					    cfg->ioapic_id, 0,
					    (u32)cfg->ioapic_addr, 0 };
}

static void madt_nmi(struct acpi_out *o)
{
	struct madt_lapic_nmi *n = out_alloc(o, sizeof(*n), 1);

	if (n)
		*n = (struct madt_lapic_nmi){ MADT_LAPIC_NMI, sizeof(*n),
					      MADT_ALL_CPUS,
					      MPS_POL_HIGH | MPS_TRIG_EDGE, 1 };
}

static u64 build_madt(struct acpi_out *o, const struct acpi_config *cfg)
{
	struct acpi_header *h = table_begin(o, "APIC", 5, sizeof(*h) + 8);
	u32 *fixed;
	int cpu;

	if (!h)
		return 0;
	fixed = (u32 *)(h + 1);
	fixed[0] = (u32)cfg->lapic_addr;
	fixed[1] = MADT_PCAT_COMPAT;
	for (cpu = 0; cpu < cfg->nr_cpus; cpu++)
		madt_cpu(o, cpu);
	madt_ioapic(o, cfg);
	/* No IRQ0 -> GSI2 override: KVM's in-kernel PIT raises GSI 0, which
	 * the default routing sends to IOAPIC pin 0. */
	madt_iso(o, cfg->sci_irq, cfg->sci_irq, MPS_POL_HIGH | MPS_TRIG_LEVEL);
	madt_nmi(o);
	if (o->full)
		return 0;
	header_finish(o, h);
	return out_gpa(o, h);
}

static u64 build_mcfg(struct acpi_out *o, const struct acpi_config *cfg)
{
	struct acpi_header *h = table_begin(o, "MCFG", 1, sizeof(*h) + 8);
	struct mcfg_alloc *a;

	if (!h)
		return 0;
	a = out_alloc(o, sizeof(*a), 1);
	if (!a)
		return 0;
	*a = (struct mcfg_alloc){ cfg->ecam_base, 0, 0, cfg->ecam_bus_end, 0 };
	header_finish(o, h);
	return out_gpa(o, h);
}

/* The XSDT is allocated before the tables it points to are built. */
static void fill_xsdt(struct acpi_header *h, const u64 *tables, int n)
{
	memcpy(h + 1, tables, n * sizeof(*tables));
	header_seal(h, sizeof(*h) + n * sizeof(*tables));
}

static void build_rsdp(struct acpi_rsdp *r, u64 xsdt)
{
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, ACPI_OEM_ID, 6);
	r->revision = 2;
	r->length = sizeof(*r);
	r->xsdt_addr = xsdt;
	r->checksum = acpi_checksum(r, 20);
	r->ext_checksum = acpi_checksum(r, sizeof(*r));
}

size_t acpi_build(void *buf, size_t buflen, u64 base_gpa,
		  const struct acpi_config *cfg)
{
	struct acpi_out o = { .buf = buf, .len = buflen, .base_gpa = base_gpa };
	int nr_tables = cfg->ecam_base ? 3 : 2;
	struct acpi_header *xsdt;
	struct acpi_rsdp *rsdp;
	u64 tables[3], facs, dsdt;

	if (!buf || !buflen)
		return 0;
	memset(buf, 0, buflen);
	rsdp = out_alloc(&o, sizeof(*rsdp), 16);
	xsdt = table_begin(&o, "XSDT", 1, sizeof(*xsdt) + 8 * nr_tables);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o, cfg);
	tables[0] = build_fadt(&o, cfg, facs, dsdt);
	tables[1] = build_madt(&o, cfg);
	if (cfg->ecam_base)
		tables[2] = build_mcfg(&o, cfg);
	if (o.full)
		return 0;
	fill_xsdt(xsdt, tables, nr_tables);
	build_rsdp(rsdp, out_gpa(&o, xsdt));
	return o.pos;
}
