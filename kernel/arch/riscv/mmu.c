/* What kernel/mm needs from the machine (see kernel/mm/mm_arch.h). */
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"

struct mm *mm_current(void)
{
	struct proc *p = myproc();
	return p ? p->mm : NULL;
}

bool mm_current_killed(void)
{
	struct proc *p = myproc();
	return p && proc_killed(p);
}

void mm_sleep(void *chan, struct spinlock *lk)
{
	sleep(chan, lk);
}

void mm_wakeup(void *chan)
{
	wakeup(chan);
}

/* Fences every hart that has mm loaded. Usually that is this hart alone
 * (a process changes its own PTEs); another hart has it loaded when a
 * process changes someone else's PTEs (map_shared_pages breaking
 * copy-on-write in its source), and then gets a remote fence through SBI.
 * A hart that loads mm later fences on its own (proc_activate_mm). */
void mm_tlb_flush(struct mm *mm, u64 va)
{
	push_off();
	struct cpu *me = mycpu();
	u64 others = 0;
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != me && __atomic_load_n(&cpus[i].active_mm, __ATOMIC_ACQUIRE) == mm)
			others |= 1UL << cpus[i].hartid;
	if (me->active_mm == mm) {
		if (va == MM_FLUSH_ALL)
			sfence_vma_all();
		else
			sfence_vma_addr(va);
	}
	pop_off();
	if (others)
		sbi_remote_sfence_vma(others, 0, va == MM_FLUSH_ALL ? 0 : va,
				      va == MM_FLUSH_ALL ? ~0UL : PAGE_SIZE);
}

/* The user-access window. QEMU flushes its whole software TLB whenever
 * sstatus.SUM changes, which made every copy_to_user cost as much as
 * twenty system calls. So mnemo keeps SUM set in the kernel all the time
 * (trap_init_hart) and these mark the window only in the source. The rule
 * that only the uaccess helpers touch user memory still holds by
 * construction: they are the only code with extable entries, so any other
 * kernel access that faults on a user address panics. Define
 * UACCESS_TOGGLE_SUM to have the hardware enforce the window as well. */
void mm_user_access_begin(void)
{
#ifdef UACCESS_TOGGLE_SUM
	csr_set(sstatus, SSTATUS_SUM);
#endif
}

void mm_user_access_end(void)
{
#ifdef UACCESS_TOGGLE_SUM
	csr_clear(sstatus, SSTATUS_SUM);
#endif
}
