/* The few machine facts kernel/mm depends on. In the kernel they come from
 * the RISC-V headers; in the host unit tests (MNEMO_HOST) "physical
 * memory" is a buffer the test harness allocates. */
#ifndef KERNEL_MM_MM_ARCH_H
#define KERNEL_MM_MM_ARCH_H

#include "kernel/types.h"

#define PAGE_SIZE	   4096UL
#define PAGE_SHIFT	   12
#define PAGE_ROUND_UP(x)   ALIGN_UP((u64)(x), PAGE_SIZE)
#define PAGE_ROUND_DOWN(x) ALIGN_DOWN((u64)(x), PAGE_SIZE)

/* The layout (USER_TOP, the end of user space) is the same fact on the
 * host as in the kernel. */
#include "kernel/arch/riscv/memlayout.h"
#define MM_USER_TOP USER_TOP

struct mm;
/* Provided by the kernel (kernel/arch, kernel/proc) or by the host tests:
 * the address space of the running process, TLB maintenance after PTEs of
 * mm change (va == MM_FLUSH_ALL for everything), and the window in which
 * the kernel may touch user pages. */
struct mm *mm_current(void);
/* Has the running process been killed? Loops that may run long for one
 * call (filling, sharing, copying pages) stop early with -EINTR, so a
 * killed process lets go of memory at once instead of taking more. */
bool mm_current_killed(void);
/* Sleeping until a transfer of a swapped page is over: releases lk while
 * asleep, holds it again on return (kernel/proc's sleep and wakeup). */
struct spinlock;
void mm_sleep(void *chan, struct spinlock *lk);
void mm_wakeup(void *chan);
#define MM_FLUSH_ALL (~0UL)
void mm_tlb_flush(struct mm *mm, u64 va);
/* Whether a hart other than this one has mm loaded, so that a change to
 * mm's PTEs would fence it from here. A hint, stale as soon as read:
 * mm_tlb_flush fences whoever needs it either way. */
bool mm_tlb_loaded_elsewhere(struct mm *mm);
/* Fences this hart's entry for va, which it cached older and weaker than
 * mm's PTE now is (a spurious fault). Any other hart that cached it takes
 * a fault of its own, and fences itself then. */
void mm_tlb_flush_local(struct mm *mm, u64 va);
void mm_user_access_begin(void);
void mm_user_access_end(void);
long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t size);

#ifdef MNEMO_HOST
extern u8 *host_phys_base;  /* where the simulated RAM lives */
extern u64 host_phys_start; /* the physical address it pretends to start at */
static inline void *mm_pa_to_kva(u64 pa)
{
	return host_phys_base + (pa - host_phys_start);
}
static inline u64 mm_kva_to_pa(const void *kva)
{
	return (u64)((const u8 *)kva - host_phys_base) + host_phys_start;
}
int host_cpu_id(void);
#define mm_cpu_id() host_cpu_id()
void push_off(void); /* interrupt masking: the host's are counters */
void pop_off(void);
#define MM_NCPU 4 /* the harts the host tests pretend to have */
#else
#include "kernel/arch/riscv/cpu.h"
static inline void *mm_pa_to_kva(u64 pa)
{
	return pa_to_kva(pa);
}
static inline u64 mm_kva_to_pa(const void *kva)
{
	return kva_to_pa(kva);
}
#define mm_cpu_id() cpu_id()
#define MM_NCPU	    NCPU
#endif

#endif
