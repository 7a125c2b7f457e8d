/* Calls into OpenSBI (SBI specification v1.0 extensions). */
#include "kernel/arch/riscv/sbi.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME	       0x54494D45
#define SBI_EXT_IPI	       0x735049
#define SBI_EXT_RFENCE	       0x52464E43
#define SBI_EXT_HSM	       0x48534D
#define SBI_EXT_SRST	       0x53525354

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi_call(u64 ext, u64 fid, u64 a0, u64 a1, u64 a2, u64 a3)
{
	register u64 r_a0 asm("a0") = a0;
	register u64 r_a1 asm("a1") = a1;
	register u64 r_a2 asm("a2") = a2;
	register u64 r_a3 asm("a3") = a3;
	register u64 r_a6 asm("a6") = fid;
	register u64 r_a7 asm("a7") = ext;
	asm volatile("ecall"
		     : "+r"(r_a0), "+r"(r_a1)
		     : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
		     : "memory");
	return (struct sbiret){(long)r_a0, (long)r_a1};
}

void sbi_set_timer(u64 stime_value)
{
	sbi_call(SBI_EXT_TIME, 0, stime_value, 0, 0, 0);
}

void sbi_send_ipi(u64 hart_mask, u64 hart_mask_base)
{
	sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0);
}

void sbi_remote_sfence_vma(u64 hart_mask, u64 hart_mask_base, u64 start, u64 size)
{
	sbi_call(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start, size);
}

long sbi_hart_start(u64 hartid, u64 start_addr, u64 opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0).error;
}

void sbi_console_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (u64)c, 0, 0, 0);
}

void sbi_shutdown(void)
{
	sbi_call(SBI_EXT_SRST, 0, 0 /* shutdown */, 0 /* no reason */, 0, 0);
	for (;;)
		asm volatile("wfi");
}
