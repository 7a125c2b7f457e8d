/* Checking an ELF executable before exec commits to it: every header
 * field a hostile file can set is checked here, so that building the new
 * address space (exec.c) can only fail for want of memory. */
#include "kernel/proc/elf.h"
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"

bool exec_image_read(const struct exec_image *img, void *dst, u64 off, u64 n)
{
	u64 size = exec_image_size(img);
	if (off > size || n > size - off)
		return false;
	if (img->ip)
		return inode_read(img->ip, dst, off, n) == (long)n;
	memcpy(dst, img->bytes + off, n);
	return true;
}

u64 exec_image_size(const struct exec_image *img)
{
	return img->ip ? inode_size(img->ip) : img->size;
}

static bool header_ok(const struct elf64_ehdr *eh, u64 size)
{
	if (eh->magic != ELF_MAGIC || eh->class != ELFCLASS64 || eh->data != ELFDATA2LSB ||
	    eh->version != EV_CURRENT || eh->version2 != EV_CURRENT || eh->type != ET_EXEC ||
	    eh->machine != EM_RISCV)
		return false;
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 ||
	    eh->phnum > ELF_MAX_PHDRS)
		return false;
	u64 table = (u64)eh->phnum * sizeof(struct elf64_phdr);
	return eh->phoff <= size && table <= size - eh->phoff;
}

/* Checks one PT_LOAD header on its own and turns it into a segment. */
static bool segment_ok(const struct elf64_phdr *ph, u64 size, u64 limit, struct elf_segment *s)
{
	if (ph->filesz > ph->memsz)
		return false;
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return false;
	/* p_vaddr and p_offset agree modulo a power-of-two p_align. */
	if (ph->align > 1 &&
	    ((ph->align & (ph->align - 1)) || (ph->vaddr - ph->offset) & (ph->align - 1)))
		return false;
	if (ph->vaddr < PAGE_SIZE || ph->vaddr >= limit || ph->memsz > limit - ph->vaddr)
		return false;
	s->vaddr = ph->vaddr;
	s->memsz = ph->memsz;
	s->offset = ph->offset;
	s->filesz = ph->filesz;
	s->prot = (ph->flags & PF_R ? VM_READ : 0) | (ph->flags & PF_W ? VM_WRITE : 0) |
		  (ph->flags & PF_X ? VM_EXEC : 0);
	return true;
}

/* Adds s to the plan in address order; false if it shares a page with
 * another segment (each gets a VMA of its own) or there are too many. */
static bool plan_add(struct elf_plan *plan, const struct elf_segment *s)
{
	if (plan->nsegs == ELF_MAX_SEGMENTS)
		return false;
	u64 lo = PAGE_ROUND_DOWN(s->vaddr), hi = PAGE_ROUND_UP(s->vaddr + s->memsz);
	int i = plan->nsegs;
	while (i > 0 && plan->segs[i - 1].vaddr > s->vaddr) {
		plan->segs[i] = plan->segs[i - 1];
		i--;
	}
	plan->segs[i] = *s;
	plan->nsegs++;
	const struct elf_segment *below = i > 0 ? &plan->segs[i - 1] : NULL;
	const struct elf_segment *above = i + 1 < plan->nsegs ? &plan->segs[i + 1] : NULL;
	if (below && PAGE_ROUND_UP(below->vaddr + below->memsz) > lo)
		return false;
	if (above && PAGE_ROUND_DOWN(above->vaddr) < hi)
		return false;
	return true;
}

int elf_plan(const struct exec_image *img, u64 limit, struct elf_plan *plan)
{
	struct elf64_ehdr eh;
	u64 size = exec_image_size(img);
	if (!exec_image_read(img, &eh, 0, sizeof(eh)) || !header_ok(&eh, size))
		return -ENOEXEC;
	memset(plan, 0, sizeof(*plan));
	u64 pages = 0;
	for (int i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		struct elf_segment s;
		if (!exec_image_read(img, &ph, eh.phoff + (u64)i * sizeof(ph), sizeof(ph)))
			return -ENOEXEC;
		/* An empty PT_LOAD maps nothing (GNU ld emits one for an
		 * empty output section); Linux skips it too. */
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (!segment_ok(&ph, size, limit, &s) || !plan_add(plan, &s))
			return -ENOEXEC;
		pages += (PAGE_ROUND_UP(s.vaddr + s.memsz) - PAGE_ROUND_DOWN(s.vaddr)) / PAGE_SIZE;
	}
	if (plan->nsegs == 0)
		return -ENOEXEC;
	bool entry_ok = false;
	for (int i = 0; i < plan->nsegs; i++) {
		const struct elf_segment *s = &plan->segs[i];
		if ((s->prot & VM_EXEC) && eh.entry >= s->vaddr && eh.entry < s->vaddr + s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		return -ENOEXEC;
	/* Refuse at once what all of RAM and swap could never hold. */
	if (pages > mm_backable_pages())
		return -ENOMEM;
	plan->entry = eh.entry;
	const struct elf_segment *top = &plan->segs[plan->nsegs - 1];
	plan->end = PAGE_ROUND_UP(top->vaddr + top->memsz);
	return 0;
}
