/* A small reader of the flattened device tree (Devicetree Specification
 * v0.4, chapter 5): walks the structure block once and keeps what boot
 * needs. Cells are big-endian. */
#include "kernel/arch/riscv/fdt.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/lib/string.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4
#define FDT_END	       9

static u32 be32(const void *p)
{
	const u8 *b = p;
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

/* A property value of one or two cells. */
static u64 cells(const u8 *v, u32 len)
{
	return len >= 8 ? (u64)be32(v) << 32 | be32(v + 4) : be32(v);
}

/* A number of n cells (1 or 2), as a reg property holds them. */
static u64 ncells(const u8 *v, u32 n)
{
	return n == 2 ? (u64)be32(v) << 32 | be32(v + 4) : be32(v);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is s one of the strings of a compatible property (a string list)? */
static bool compatible_with(const u8 *val, u32 len, const char *s)
{
	for (u32 i = 0; i < len; i += strlen((const char *)val + i) + 1)
		if (strcmp((const char *)val + i, s) == 0)
			return true;
	return false;
}

/* The node being read, for the devices boot looks for. Only a leaf node
 * is kept: a child's properties would overwrite its parent's, and a
 * virtio-mmio node has no children. */
struct leaf {
	int depth;
	bool virtio, okay;
	struct fdt_device dev;
};

static void leaf_prop(struct leaf *n, const char *pname, const u8 *val, u32 len, u32 addr_cells,
		      u32 size_cells)
{
	if (strcmp(pname, "compatible") == 0) {
		n->virtio = compatible_with(val, len, "virtio,mmio");
	} else if (strcmp(pname, "reg") == 0 && addr_cells <= 2 && size_cells <= 2 &&
		   len >= 4 * (addr_cells + size_cells)) {
		n->dev.base = ncells(val, addr_cells);
		n->dev.size = ncells(val + 4 * addr_cells, size_cells);
	} else if (strcmp(pname, "interrupts") == 0 && len >= 4) {
		n->dev.irq = (int)be32(val); /* the PLIC's cells: the source first */
	} else if (strcmp(pname, "status") == 0) {
		n->okay = strcmp((const char *)val, "okay") == 0;
	}
}

static void leaf_end(const struct leaf *n, struct boot_info *bi)
{
	if (n->virtio && n->okay && n->dev.size && bi->nvirtio < FDT_MAX_VIRTIO)
		bi->virtio[bi->nvirtio++] = n->dev;
}

int fdt_parse(u64 fdt_pa, struct boot_info *bi)
{
	const u8 *fdt = pa_to_kva(fdt_pa);
	if (be32(fdt) != FDT_MAGIC)
		return -1;
	bi->fdt_start = fdt_pa;
	bi->fdt_size = be32(fdt + 4);
	const u8 *p = fdt + be32(fdt + 8);
	const char *strings = (const char *)fdt + be32(fdt + 12);

	/* Names of the nodes on the current path, by depth. */
	const char *path[8] = {0};
	int depth = 0;
	bool cpu_okay = true;
	u64 cpu_reg = 0;
	bool in_cpu = false;
	/* #address-cells and #size-cells of each node on the path: a reg
	 * property is read with its parent's (the defaults are 2 and 1). */
	u32 addr_cells[8], size_cells[8];
	struct leaf leaf = {.depth = -1};

	for (;;) {
		u32 tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += ALIGN_UP(strlen(name) + 1, 4);
			if (depth < 8) {
				path[depth] = name;
				addr_cells[depth] = 2;
				size_cells[depth] = 1;
			}
			depth++;
			leaf = (struct leaf){.depth = depth, .okay = true};
			if (depth == 3 && strcmp(path[1], "cpus") == 0 &&
			    starts_with(name, "cpu@")) {
				in_cpu = true;
				cpu_okay = true;
				cpu_reg = 0;
			}
		} else if (tok == FDT_END_NODE) {
			if (in_cpu && depth == 3) {
				if (cpu_okay && bi->nharts < FDT_MAX_HARTS)
					bi->hartids[bi->nharts++] = cpu_reg;
				in_cpu = false;
			}
			if (leaf.depth == depth)
				leaf_end(&leaf, bi);
			depth--;
		} else if (tok == FDT_PROP) {
			u32 len = be32(p);
			const char *pname = strings + be32(p + 4);
			const u8 *val = p + 8;
			p += 8 + ALIGN_UP(len, 4);
			const char *node = depth >= 2 ? path[depth - 1] : "";
			if (depth >= 1 && depth <= 8 && strcmp(pname, "#address-cells") == 0)
				addr_cells[depth - 1] = be32(val);
			else if (depth >= 1 && depth <= 8 && strcmp(pname, "#size-cells") == 0)
				size_cells[depth - 1] = be32(val);
			if (leaf.depth == depth && depth >= 2 && depth <= 8)
				leaf_prop(&leaf, pname, val, len, addr_cells[depth - 2],
					  size_cells[depth - 2]);
			if (depth == 2 && starts_with(node, "memory") &&
			    strcmp(pname, "reg") == 0 && bi->mem_size == 0) {
				bi->mem_start = cells(val, 8);
				bi->mem_size = cells(val + 8, 8);
			} else if (depth == 2 && strcmp(node, "chosen") == 0) {
				if (strcmp(pname, "bootargs") == 0)
					strlcpy(bi->bootargs, (const char *)val,
						MIN(sizeof(bi->bootargs), (size_t)len + 1));
				else if (strcmp(pname, "linux,initrd-start") == 0)
					bi->initrd_start = cells(val, len);
				else if (strcmp(pname, "linux,initrd-end") == 0)
					bi->initrd_end = cells(val, len);
			} else if (depth == 2 && strcmp(node, "cpus") == 0 &&
				   strcmp(pname, "timebase-frequency") == 0) {
				bi->timebase = cells(val, len);
			} else if (in_cpu && depth == 3) {
				if (strcmp(pname, "reg") == 0)
					cpu_reg = cells(val, len);
				else if (strcmp(pname, "status") == 0)
					cpu_okay = strcmp((const char *)val, "okay") == 0;
			}
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			break; /* FDT_END or garbage */
		}
	}
	return 0;
}
