/* Looks up addresses in the table that scripts/ksyms appends at link time:
 * ksyms_count entries of (address, offset of name in ksyms_names), sorted
 * by address. The first link uses an empty table. */
#include "kernel/arch/riscv/ksyms.h"

struct ksym {
	u64 addr;
	u64 name;
};

extern const struct ksym ksyms_table[];
extern const u64 ksyms_count;
extern const char ksyms_names[];

const char *ksym_lookup(u64 pc, u64 *offset)
{
	if (ksyms_count == 0)
		return NULL;
	u64 lo = 0, hi = ksyms_count;
	while (hi - lo > 1) {
		u64 mid = (lo + hi) / 2;
		if (ksyms_table[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > pc)
		return NULL;
	*offset = pc - ksyms_table[lo].addr;
	return ksyms_names + ksyms_table[lo].name;
}
