/* What kernel/mm needs from the machine (see kernel/mm/mm_arch.h). */
#include "kernel/arch/riscv/csr.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc.h"

struct mm *mm_current(void)
{
	struct proc *p = myproc();
	return p ? p->mm : NULL;
}

/* Only the hart running a process changes its PTEs, and a process that
 * moves to another hart gets a full fence there (proc_activate_mm), so a
 * local fence is enough. An mm not loaded here needs none now. */
void mm_tlb_flush(struct mm *mm, u64 va)
{
	if (mm != mycpu()->active_mm)
		return;
	if (va == MM_FLUSH_ALL)
		sfence_vma_all();
	else
		sfence_vma_addr(va);
}

void mm_user_access_begin(void) { csr_set(sstatus, SSTATUS_SUM); }
void mm_user_access_end(void) { csr_clear(sstatus, SSTATUS_SUM); }
