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
#include "kernel/mm/uaccess.h"
#include "kernel/proc/elf.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"

#define MAXARG	      MNEMO_MAXARG
#define ARG_SPACE     (2 * PAGE_SIZE) /* bytes of argument strings */
#define STACK_INITIAL ((u64)MNEMO_STACK_INITIAL)
#define STACK_LIMIT   ((u64)MNEMO_STACK_LIMIT)
#define MAXPATH	      MNEMO_MAXPATH

/* The layout exec builds: the program's segments, then the heap, far
 * above them the stack with a guard page below it, and room for the stack
 * to grow down to STACK_LIMIT, the guard still below it. */
#define STACK_FLOOR (USER_STACK_TOP - STACK_LIMIT)
#define GUARD_LO    (STACK_FLOOR - PAGE_SIZE)

/* Maps one checked segment as a private anonymous VMA, which the pager
 * fills as it fills any mapping, and copies the file's bytes into it a
 * page at a time (the rest, .bss, stays zero). buf is a page of kernel
 * memory. 0, -ENOMEM, -EIO, or -EINTR when the caller was killed. */
static int load_segment(struct mm *mm, const struct exec_image *img, const struct elf_segment *s,
			char *buf)
{
	u64 start = PAGE_ROUND_DOWN(s->vaddr), end = PAGE_ROUND_UP(s->vaddr + s->memsz);
	int err = mm_map_anon(mm, start, end, s->prot, s->prot & VM_EXEC ? VMA_TEXT : VMA_DATA);
	for (u64 done = 0; !err && done < s->filesz;) {
		if (proc_killed(myproc()))
			return -EINTR;
		u64 va = s->vaddr + done;
		u64 n = MIN(s->filesz - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		if (!exec_image_read(img, buf, s->offset + done, n))
			return -EIO; /* elf_plan checked the size: the file changed */
		err = mm_copy_to(mm, va, buf, n);
		done += n;
	}
	return err;
}

/* Builds the stack VMA, its guard page, and argv on it; returns the
 * initial sp and argv's address. */
static int setup_stack(struct mm *mm, int argc, char *const argv[], u64 *sp_out, u64 *argv_out)
{
	int err = mm_map_stack(mm, USER_STACK_TOP, STACK_INITIAL, STACK_LIMIT);
	if (err)
		return err;
	u64 sp = USER_STACK_TOP;
	u64 uargv[MAXARG + 1];
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;
		sp -= len;
		if ((err = mm_copy_to(mm, sp, argv[i], len)))
			return err;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	sp = ALIGN_DOWN(sp - (argc + 1) * sizeof(u64), 16);
	if ((err = mm_copy_to(mm, sp, uargv, (argc + 1) * sizeof(u64))))
		return err;
	*sp_out = sp;
	*argv_out = sp;
	return 0;
}

/* A new address space holding the program of plan, its stack and argv. */
static int build_mm(struct mm *mm, const struct exec_image *img, const struct elf_plan *plan,
		    int argc, char *const argv[], u64 *sp, u64 *uargv)
{
	mm_assert_locked(mm);
	char *buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	int err = 0;
	for (int i = 0; i < plan->nsegs && !err; i++)
		err = load_segment(mm, img, &plan->segs[i], buf);
	kfree(buf);
	if (err)
		return err;
	mm->brk_start = mm->brk = plan->end;
	return setup_stack(mm, argc, argv, sp, uargv);
}

int kernel_exec_image(const struct exec_image *img, const char *name, char *const kargv[])
{
	struct proc *p = myproc();
	int argc = 0;
	while (kargv[argc])
		argc++;
	if (argc > MAXARG)
		return -E2BIG;
	struct elf_plan *plan = kmalloc(sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	int err = elf_plan(img, GUARD_LO, plan);
	struct mm *mm = err ? NULL : mm_create();
	if (!err && !mm)
		err = -ENOMEM;
	u64 sp = 0, uargv = 0;
	if (!err) {
		mm_lock(mm);
		err = build_mm(mm, img, plan, argc, kargv, &sp, &uargv);
		mm_unlock(mm);
	}
	u64 entry = plan->entry;
	kfree(plan);
	if (err) {
		if (mm)
			mm_put(mm);
		return err;
	}

	/* The other threads go first (POSIX): the new image starts alone.
	 * This is the last step that can fail, and only for a caller that
	 * was killed meanwhile. */
	err = proc_become_single();
	if (err) {
		mm_put(mm);
		return err;
	}

	/* Point of no return: switch to the new image. */
	p->clear_tid = 0; /* a word of the old image's */
	spin_lock(&p->lock);
	struct mm *old = p->mm;
	p->mm = mm;
	proc_activate_mm(p);
	spin_unlock(&p->lock);
	if (old)
		mm_put(old);

	strlcpy(p->name, name, sizeof(p->name));
	signal_exec(p); /* the old image's handlers are gone */
	struct trapframe *tf = p->tf;
	memset(tf, 0, sizeof(*tf));
	tf->epc = entry;
	tf->sp = sp;
	tf->a0 = argc;
	tf->a1 = uargv;
	return 0;
}

int kernel_exec(const char *path, char *const kargv[])
{
	struct inode *ip, *cwd = fd_cwd();
	int err = fs_lookup(cwd, path, &ip);
	inode_put(cwd);
	if (err)
		return err;
	if (!inode_is_file(ip)) {
		inode_put(ip);
		return -EACCES;
	}
	const char *base = path;
	for (const char *s = path; *s; s++)
		if (*s == '/')
			base = s + 1;
	struct exec_image img = {.ip = ip};
	err = kernel_exec_image(&img, base, kargv);
	inode_put(ip);
	return err;
}

/* exec(path, argv): copies the arguments into the kernel first. */
long sys_exec(const u64 *arg)
{
	/* A service runs the image the kernel gave it and no other. */
	if (myproc()->service)
		return -EPERM;
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
