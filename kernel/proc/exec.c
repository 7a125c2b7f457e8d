/* exec: replaces the current process's memory with a program from an ELF
 * file. The new address space is built completely before the old one is
 * dropped, so a failing exec leaves the caller untouched. */
#include "include/uapi/errno.h"
#include "include/uapi/limits.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vma.h"
#include "kernel/proc/elf.h"
#include "kernel/proc/proc_internal.h"

#define MAXARG		MNEMO_MAXARG
#define ARG_SPACE	(2 * PAGE_SIZE) /* bytes of argument strings */
#define EXEC_STACK_SIZE ((u64)MNEMO_STACK_SIZE)
#define MAXPATH		MNEMO_MAXPATH

/* Writes n bytes at va of mm (not the current one), faulting pages in
 * through the pager. mm->lock held. */
static int mm_write(struct mm *mm, u64 va, const void *src, size_t n)
{
	while (n > 0) {
		struct vma *v = vma_find(mm, va);
		if (!v)
			return -EFAULT;
		pte_t *pte = pt_walk(mm->root, PAGE_ROUND_DOWN(va), NULL);
		if (!pte || !pte_valid(*pte)) {
			if (pager_fault(mm, v, PAGE_ROUND_DOWN(va), FAULT_WRITE) != FAULT_OK)
				return -ENOMEM;
			pte = pt_walk(mm->root, PAGE_ROUND_DOWN(va), NULL);
		}
		size_t chunk = MIN(n, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		memcpy((char *)mm_pa_to_kva(pte_pa(*pte)) + (va & (PAGE_SIZE - 1)), src, chunk);
		va += chunk;
		src = (const char *)src + chunk;
		n -= chunk;
	}
	return 0;
}

/* Maps one PT_LOAD segment: a private VMA whose pages are filled from the
 * file now (zero past filesz). */
static int load_segment(struct mm *mm, struct inode *ip, const struct elf64_phdr *ph)
{
	u64 start = PAGE_ROUND_DOWN(ph->vaddr), end = PAGE_ROUND_UP(ph->vaddr + ph->memsz);
	if (vma_overlaps(mm, start, end))
		return -ENOEXEC;
	u32 prot = (ph->flags & PF_R ? VM_READ : 0) | (ph->flags & PF_W ? VM_WRITE : 0) |
		   (ph->flags & PF_X ? VM_EXEC : 0);
	struct vma *v = vma_alloc(start, end, prot, false, prot & VM_EXEC ? VMA_TEXT : VMA_DATA);
	if (!v)
		return -ENOMEM;
	vma_insert(mm, v);
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		struct page *pg = page_alloc(0);
		if (!pg)
			return -ENOMEM;
		char *kva = page_kva(pg);
		memset(kva, 0, PAGE_SIZE);
		/* The part of [va, va+PAGE) that comes from the file. */
		u64 file_lo = MAX(va, ph->vaddr),
		    file_hi = MIN(va + PAGE_SIZE, ph->vaddr + ph->filesz);
		if (file_lo < file_hi) {
			long n = inode_read(ip, kva + (file_lo - va),
					    ph->offset + (file_lo - ph->vaddr), file_hi - file_lo);
			if (n != (long)(file_hi - file_lo)) {
				page_put(pg);
				return -ENOEXEC;
			}
		}
		if (mm_install_page(mm, v, va, pg, 0) < 0) {
			page_put(pg);
			return -ENOMEM;
		}
	}
	return 0;
}

static int load_elf(struct mm *mm, struct inode *ip, u64 *entry)
{
	struct elf64_ehdr eh;
	if (inode_read(ip, &eh, 0, sizeof(eh)) != sizeof(eh) || eh.magic != ELF_MAGIC ||
	    eh.class != ELFCLASS64 || eh.data != ELFDATA2LSB || eh.type != ET_EXEC ||
	    eh.machine != EM_RISCV || eh.phentsize != sizeof(struct elf64_phdr) || eh.phnum > 32)
		return -ENOEXEC;
	u64 top = 0;
	for (int i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		if (inode_read(ip, &ph, eh.phoff + i * sizeof(ph), sizeof(ph)) != sizeof(ph))
			return -ENOEXEC;
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.filesz > ph.memsz || ph.vaddr + ph.memsz < ph.vaddr ||
		    ph.vaddr < PAGE_SIZE ||
		    ph.vaddr + ph.memsz > USER_STACK_TOP - EXEC_STACK_SIZE ||
		    ph.offset + ph.filesz < ph.offset || ph.offset + ph.filesz > inode_size(ip))
			return -ENOEXEC;
		int err = load_segment(mm, ip, &ph);
		if (err)
			return err;
		top = MAX(top, PAGE_ROUND_UP(ph.vaddr + ph.memsz));
	}
	if (top == 0 || eh.entry >= top)
		return -ENOEXEC;
	*entry = eh.entry;
	mm->brk_start = mm->brk = top;
	return 0;
}

/* Builds the stack VMA, its guard page, and argv on it; returns the
 * initial sp and argv's address. */
static int setup_stack(struct mm *mm, int argc, char *const argv[], u64 *sp_out, u64 *argv_out)
{
	u64 stack_lo = USER_STACK_TOP - EXEC_STACK_SIZE;
	int err = mm_map_anon(mm, stack_lo - PAGE_SIZE, stack_lo, 0, false, VMA_GUARD);
	if (!err)
		err =
		    mm_map_anon(mm, stack_lo, USER_STACK_TOP, VM_READ | VM_WRITE, false, VMA_STACK);
	if (err)
		return err;
	u64 sp = USER_STACK_TOP;
	u64 uargv[MAXARG + 1];
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		sp -= len;
		if ((err = mm_write(mm, sp, argv[i], len)))
			return err;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	sp = ALIGN_DOWN(sp - (argc + 1) * sizeof(u64), 16);
	if ((err = mm_write(mm, sp, uargv, (argc + 1) * sizeof(u64))))
		return err;
	*sp_out = sp;
	*argv_out = sp;
	return 0;
}

int kernel_exec(const char *path, char *const kargv[])
{
	struct proc *p = myproc();
	int argc = 0;
	while (kargv[argc])
		argc++;
	if (argc > MAXARG)
		return -E2BIG;

	struct inode *ip;
	int err = fs_lookup(p->cwd, path, &ip);
	if (err)
		return err;
	if (!inode_is_file(ip)) {
		inode_put(ip);
		return -EACCES;
	}
	struct mm *mm = mm_create();
	if (!mm) {
		inode_put(ip);
		return -ENOMEM;
	}
	u64 entry = 0, sp = 0, uargv = 0;
	mm_lock(mm);
	err = load_elf(mm, ip, &entry);
	if (!err)
		err = setup_stack(mm, argc, kargv, &sp, &uargv);
	mm_unlock(mm);
	inode_put(ip);
	if (err) {
		mm_destroy(mm);
		return err;
	}

	/* Point of no return: switch to the new image. */
	spin_lock(&p->lock);
	struct mm *old = p->mm;
	p->mm = mm;
	proc_activate_mm(p);
	spin_unlock(&p->lock);
	if (old)
		proc_mm_put(old);

	const char *base = path;
	for (const char *s = path; *s; s++)
		if (*s == '/')
			base = s + 1;
	strlcpy(p->name, base, sizeof(p->name));
	struct trapframe *tf = p->tf;
	memset(tf, 0, sizeof(*tf));
	tf->epc = entry;
	tf->sp = sp;
	tf->a0 = argc;
	tf->a1 = uargv;
	return 0;
}

/* exec(path, argv): copies the arguments into the kernel first. */
long sys_exec(const u64 *arg)
{
	char *path = kmalloc(MAXPATH);
	char *strings = kmalloc(ARG_SPACE);
	char **argv = kmalloc((MAXARG + 1) * sizeof(char *));
	long err = -ENOMEM;
	if (!path || !strings || !argv)
		goto out;
	err = strncpy_from_user(path, (const char __user *)arg[0], MAXPATH);
	if (err < 0)
		goto out;
	size_t used = 0;
	int argc = 0;
	for (;; argc++) {
		u64 uptr;
		err = get_user_u64(&uptr, (const u64 __user *)(arg[1] + argc * sizeof(u64)));
		if (err < 0)
			goto out;
		if (uptr == 0)
			break;
		if (argc == MAXARG) {
			err = -E2BIG;
			goto out;
		}
		long len =
		    strncpy_from_user(strings + used, (const char __user *)uptr, ARG_SPACE - used);
		if (len < 0) {
			err = len == -ENAMETOOLONG ? -E2BIG : len;
			goto out;
		}
		argv[argc] = strings + used;
		used += len + 1;
	}
	argv[argc] = NULL;
	err = kernel_exec(path, argv);
	if (err == 0)
		err = (long)myproc()->tf->a0; /* argc, left in a0 */
out:
	kfree(path);
	kfree(strings);
	kfree(argv);
	return err;
}
