/* What kernel/mm needs from the machine (see kernel/mm/mm_arch.h). */
#include "kernel/arch/riscv/asid.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/kmap.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/lib/spinlock.h"
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

_Static_assert(NCPU <= 64, "mm->loaded_on has a bit per hart");

struct mm *cpu_publish_mm(struct cpu *c, struct mm *mm)
{
	struct mm *old = c->active_mm;
	u64 bit = 1UL << c->id;
	if (mm)
		__atomic_fetch_or(&mm->loaded_on, bit, __ATOMIC_SEQ_CST);
	__atomic_store_n(&c->active_mm, mm, __ATOMIC_RELEASE);
	/* A flush of old that no longer finds c leaves c's entries of its
	 * ASID stale; c fences them if it ever loads old again, as the count
	 * has moved (asid_load_mm). Until then c runs no code of old's. */
	if (old)
		__atomic_fetch_and(&old->loaded_on, ~bit, __ATOMIC_SEQ_CST);
	return old;
}

bool mm_tlb_loaded_elsewhere(struct mm *mm)
{
	/* With interrupts on, this may run on another hart by the time it
	 * returns: a hint either way. */
	u64 me = 1UL << mycpu()->id;
	return (__atomic_load_n(&mm->loaded_on, __ATOMIC_RELAXED) & ~me) != 0;
}

void mm_tlb_flush_local(struct mm *mm, u64 va)
{
	/* Another process's mm (a pin for map_shared_pages) faulted on no
	 * hart: nothing to fence, and under QEMU a fence empties the whole
	 * software TLB. */
	if (mm != mm_current())
		return;
	/* Whichever hart this runs on now: if the fault's hart was another
	 * (a preemption since), it faults again there and fences then. */
	sfence_vma_addr(va);
}

/* Fences every hart that has mm loaded. Usually that is this hart alone
 * (a process changes its own PTEs); another hart has it loaded when a
 * process changes someone else's PTEs (map_shared_pages breaking
 * copy-on-write in its source), and then gets a remote fence through SBI.
 * A hart that loads mm later fences on its own, seeing the count of these
 * calls moved (asid_load_mm). */
void mm_tlb_flush(struct mm *mm, u64 va)
{
	/* Before looking for harts: one that loads mm meanwhile either sees
	 * the new count and fences itself, or is found (cpu_publish_mm). */
	__atomic_fetch_add(&mm->tlb_flushes, 1, __ATOMIC_SEQ_CST);
	/* One word in mm, not each hart's active_mm: those share a cache
	 * line with what their harts write all the time (push_off's count),
	 * and each took a pair of fences. Loaded nowhere (a sleeping
	 * sharer's mm at a copy-on-write fault, a process whose pages
	 * reclaim takes): the count is all it needs, and the interrupt
	 * masking below (a write of sstatus each way, costly under QEMU)
	 * only serves to know which hart is this one. */
	u64 on = __atomic_load_n(&mm->loaded_on, __ATOMIC_SEQ_CST);
	if (!on)
		return;
	push_off();
	struct cpu *me = mycpu();
	u64 others = 0;
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != me && (on & 1UL << i))
			others |= 1UL << cpus[i].hartid;
	if (on & 1UL << me->id) {
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

/* Address-space identifiers (ASIDs), so that switching address spaces
 * costs no fence of the whole TLB.
 *
 * Without them, every process runs with ASID 0 and satp_switch must fence
 * the whole TLB after loading another table, or the new process could use
 * the old one's translations. (QEMU 7.2 empties its software TLB at the
 * write of satp and again at the fence, and refilling it is most of the
 * cost of a switch.) With them, a hart fences only when its TLB may hold
 * a stale entry for the ASID it loads. That happens two ways:
 *
 * - The ASID belonged to another mm before. ASIDs are handed out in
 *   generations: within one, each mm gets its own, and none is reused; when
 *   they run out, a new generation starts and every mm gets a new ASID the
 *   next time it is loaded. A hart fences its whole TLB before it loads
 *   its first ASID of a new generation (c->asid_gen), so no entry of an
 *   older one survives. An mm that dies keeps its ASID until then: its
 *   entries stay unreachable, as no satp names that ASID again.
 *
 * - The mm's page table changed after this hart last loaded it. mm_tlb_flush
 *   fences the harts that have mm loaded, but not one that ran it earlier
 *   and still holds entries under its ASID. So mm_tlb_flush counts its
 *   calls (mm->tlb_flushes, bumped before it looks for harts to fence), and
 *   a hart notes the count each time it loads mm (c->asid_seen): if the
 *   count has moved since, it fences that ASID. The hart publishes mm as
 *   its active_mm, setting its bit in mm->loaded_on (cpu_publish_mm),
 *   before it reads the count; so a flush either bumped the count before
 *   the read (and the hart fences itself), or reads loaded_on after the
 *   hart set its bit, and fences it.
 *
 * ASID 0 stays the kernel table's (kernel_root), with whole fences. */
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK	0xffffUL
#define GEN_SHIFT	16 /* mm->asid: generation << GEN_SHIFT | ASID */

static struct spinlock asid_lock = SPINLOCK_INIT("asid");
static u64 asid_count = 1; /* ASIDs the machine has, at most ASID_MAX; 1: none but 0 */
static u64 asid_gen = 1;   /* (asid_lock) the current generation; written atomically */
static u64 asid_next = 1;  /* (asid_lock) the next ASID to hand out in it */

void asid_init(void)
{
	u64 satp = csr_read(satp);

	/* The ASID field keeps only the bits the machine implements. */
	csr_write(satp, satp | SATP_ASID_MASK << SATP_ASID_SHIFT);
	u64 top = csr_read(satp) >> SATP_ASID_SHIFT & SATP_ASID_MASK;
	csr_write(satp, satp);
	sfence_vma_all();
	asid_count = MIN(top + 1, (u64)ASID_MAX);
}

/* mm's ASID of the current generation, handed out now if it has none. */
static u64 mm_asid(struct mm *mm)
{
	u64 a = __atomic_load_n(&mm->asid, __ATOMIC_ACQUIRE);

	if (a >> GEN_SHIFT == __atomic_load_n(&asid_gen, __ATOMIC_ACQUIRE))
		return a;
	spin_lock(&asid_lock);
	a = mm->asid;
	if (a >> GEN_SHIFT != asid_gen) {
		if (asid_next == asid_count) {
			__atomic_store_n(&asid_gen, asid_gen + 1, __ATOMIC_RELEASE);
			asid_next = 1;
		}
		a = asid_gen << GEN_SHIFT | asid_next++;
		__atomic_store_n(&mm->asid, a, __ATOMIC_RELEASE);
	}
	spin_unlock(&asid_lock);
	return a;
}

void asid_load_mm(struct cpu *c, struct mm *mm)
{
	if (asid_count < 2) {
		satp_switch(mm->root); /* no ASIDs: the whole fence */
		return;
	}
	u64 a = mm_asid(mm);
	u64 gen = a >> GEN_SHIFT, asid = a & SATP_ASID_MASK;

	csr_write(satp, MAKE_SATP(kva_to_pa(mm->root)) | asid << SATP_ASID_SHIFT);
	u64 flushes = __atomic_load_n(&mm->tlb_flushes, __ATOMIC_SEQ_CST);
	if (c->asid_gen != gen) {
		sfence_vma_all(); /* forget every older generation */
		c->asid_gen = gen;
	} else if (c->asid_seen[asid] != flushes) {
		asm volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
	}
	c->asid_seen[asid] = flushes;
}
