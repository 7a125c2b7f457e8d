/* Control and status registers of the RISC-V privileged architecture
 * (S-mode view), and the few instructions C code needs. */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include "kernel/types.h"

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_FS   (3UL << 13)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS	     1
#define EXC_ILLEGAL_INST     2
#define EXC_BREAKPOINT	     3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS	     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U	     8
#define EXC_ECALL_S	     9
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

#define SATP_SV39	   (8UL << 60)
#define MAKE_SATP(root_pa) (SATP_SV39 | ((u64)(root_pa) >> 12))

#define csr_read(csr)                                                                              \
	({                                                                                         \
		u64 __v;                                                                           \
		asm volatile("csrr %0, " #csr : "=r"(__v));                                        \
		__v;                                                                               \
	})
#define csr_write(csr, val)  asm volatile("csrw " #csr ", %0" ::"rK"(val))
#define csr_set(csr, bits)   asm volatile("csrs " #csr ", %0" ::"rK"(bits))
#define csr_clear(csr, bits) asm volatile("csrc " #csr ", %0" ::"rK"(bits))

static inline void intr_on(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}
static inline void intr_off(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}
/* Turn interrupts off (on) and say whether they were on, in one access
 * of sstatus (csrrci, csrrsi). */
static inline bool intr_off_was_on(void)
{
	u64 old;
	asm volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
	return (old & SSTATUS_SIE) != 0;
}
static inline bool intr_on_was_on(void)
{
	u64 old;
	asm volatile("csrrsi %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
	return (old & SSTATUS_SIE) != 0;
}
static inline bool intr_get(void)
{
	return (csr_read(sstatus) & SSTATUS_SIE) != 0;
}

static inline u64 rdtime(void)
{
	u64 t;
	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void sfence_vma_all(void)
{
	asm volatile("sfence.vma zero, zero" ::: "memory");
}
static inline void sfence_vma_addr(u64 va)
{
	asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
static inline void wfi(void)
{
	asm volatile("wfi");
}

#endif
