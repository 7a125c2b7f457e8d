/* The simulated MMU (Sv39, RISC-V privileged spec 4.3-4.4) and the accesses
 * that go through it: user instructions, which fault into mm_fault() as
 * user_trap() does, and the uaccess helpers, which fault as kernel_trap()
 * does (the pager first, else -EFAULT). See mm_host.h.
 *
 * On the host a pointer is a user address when it lies below MM_USER_TOP:
 * the simulated RAM, the heap and the stack all lie far above it
 * (mm_host_boot checks). */
#include <criterion/criterion.h>
#include <string.h>

#include "include/uapi/errno.h"
#include "kernel/mm/pte.h"
#include "tests/unit/mm_host.h"

static const char *access_name[] = {"read", "write", "exec"};

/* The leaf PTE for va and its level, walking mm's table as the hardware
 * does; NULL when the walk ends at an invalid entry. */
static pte_t *walk(struct mm *mm, u64 va, int *level)
{
	pagetable_t pt = mm->root;
	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		pte_t *pte = &pt[PT_INDEX(va, l)];
		if (!pte_valid(*pte))
			return NULL;
		if (pte_leaf(*pte) || l == 0) {
			*level = l;
			return pte;
		}
		pt = mm_pa_to_kva(pte_pa(*pte));
	}
	return NULL;
}

pte_t *mm_host_pte(struct mm *mm, u64 va)
{
	int level;
	pte_t *pte = walk(mm, va, &level);
	if (pte)
		return level == 0 ? pte : NULL;
	/* Invalid: return the level-0 slot if its table exists. */
	pagetable_t pt = mm->root;
	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t e = pt[PT_INDEX(va, l)];
		if (!pte_valid(e))
			return NULL;
		pt = mm_pa_to_kva(pte_pa(e));
	}
	return &pt[PT_INDEX(va, 0)];
}

void *mm_host_page_kva(struct mm *mm, u64 va)
{
	pte_t *pte = mm_host_pte(mm, va);
	return pte && pte_valid(*pte) ? mm_pa_to_kva(pte_pa(*pte)) : NULL;
}

static void walk_leaves(pagetable_t pt, int level, u64 base, int last, mm_host_pte_fn fn, void *ctx)
{
	for (int i = 0; i <= last; i++) {
		pte_t pte = pt[i];
		u64 va = base + (u64)i * PT_LEVEL_SIZE(level);
		if (!pte_valid(pte))
			continue;
		if (pte_leaf(pte) || level == 0)
			fn(va, pte, ctx);
		else
			walk_leaves(mm_pa_to_kva(pte_pa(pte)), level - 1, va, PT_ENTRIES - 1, fn,
				    ctx);
	}
}

void mm_host_for_each_pte(struct mm *mm, mm_host_pte_fn fn, void *ctx)
{
	walk_leaves(mm->root, PT_LEVELS - 1, 0, PT_ENTRIES / 2 - 1, fn, ctx);
}

static void count_one(u64 va, pte_t pte, void *ctx)
{
	(void)va, (void)pte;
	(*(u64 *)ctx)++;
}

u64 mm_host_count_ptes(struct mm *mm)
{
	u64 n = 0;
	mm_host_for_each_pte(mm, count_one, &n);
	return n;
}

/* Does the leaf pte permit the access, from U-mode (user) or S-mode? */
static bool pte_permits(pte_t pte, enum fault_access access, bool user)
{
	if (!pte_valid(pte) || !pte_leaf(pte) || ((pte & PTE_W) && !(pte & PTE_R)))
		return false;
	if (user && !(pte & PTE_U))
		return false;
	if (!user && (pte & PTE_U) && (!mm_host_sum || access == FAULT_EXEC))
		return false;
	switch (access) {
	case FAULT_READ:
		return pte & PTE_R; /* sstatus.MXR is never set */
	case FAULT_WRITE:
		return pte & PTE_W;
	default:
		return pte & PTE_X;
	}
}

/* The physical address for an access at va in the loaded mm, through the
 * TLB; false for a page fault. Like a hart, the TLB keeps whatever leaf it
 * walked, invalid ones included (the privileged spec allows that, which is
 * why an invalid-to-valid change without a fence may cost one spurious
 * fault), and trusts a cached entry without walking again. */
static bool translate(u64 va, enum fault_access access, bool user, u64 *pa)
{
	struct mm *mm = mm_host_loaded;
	if (!mm || va >= MM_USER_TOP)
		return false;
	u64 vpn = va >> PAGE_SHIFT;
	struct mm_host_tlb_entry *e = &mm_host_tlb[vpn % MM_HOST_TLB_SIZE];
	if (!e->valid || e->vpn != vpn) {
		int level;
		pte_t *pte = walk(mm, va, &level);
		cr_assert(!pte || level == 0, "user huge page at %#lx", va);
		/* The hardware marks what it walked to as accessed. */
		if (pte && pte_valid(*pte) && pte_permits(*pte, access, user))
			*pte |= PTE_A;
		*e = (struct mm_host_tlb_entry){.valid = true, .vpn = vpn, .pte = pte ? *pte : 0};
	}
	if (!pte_permits(e->pte, access, user))
		return false;
	*pa = pte_pa(e->pte) | (va & (PAGE_SIZE - 1));
	return true;
}

/* Translates one user access, sending faults to mm_fault as user_trap
 * does. FAULT_OK with *pa, or mm_fault's verdict. */
static enum fault_result user_translate(struct mm *mm, u64 va, enum fault_access access, u64 *pa,
					const char **why)
{
	const char *w = NULL;
	for (int tries = 0; !translate(va, access, /*user=*/true, pa); tries++) {
		cr_assert_lt(tries, 3,
			     "livelock: mm_fault resolved the %s fault at %#lx, but the access "
			     "faults again every time",
			     access_name[access], va);
		enum fault_result r = mm_fault(mm, va, access, &w);
		if (r != FAULT_OK) {
			if (why)
				*why = r == FAULT_OOM ? "out of memory" : w;
			return r;
		}
	}
	return FAULT_OK;
}

static enum fault_result user_access(struct mm *mm, u64 va, void *buf, size_t n,
				     enum fault_access access, const char **why)
{
	if (mm != mm_host_loaded)
		mm_host_load(mm);
	u8 *b = buf;
	while (n > 0) {
		size_t chunk = MIN(n, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		u64 pa;
		enum fault_result r = user_translate(mm, va, access, &pa, why);
		if (r != FAULT_OK)
			return r;
		if (access == FAULT_WRITE)
			memcpy(mm_pa_to_kva(pa), b, chunk);
		else if (access == FAULT_READ)
			memcpy(b, mm_pa_to_kva(pa), chunk);
		va += chunk;
		b += chunk;
		n -= chunk;
	}
	return FAULT_OK;
}

enum fault_result user_load(struct mm *mm, u64 va, void *buf, size_t n, const char **why)
{
	return user_access(mm, va, buf, n, FAULT_READ, why);
}

enum fault_result user_store(struct mm *mm, u64 va, const void *buf, size_t n, const char **why)
{
	return user_access(mm, va, (void *)buf, n, FAULT_WRITE, why);
}

enum fault_result user_fetch(struct mm *mm, u64 va, const char **why)
{
	return user_access(mm, va, NULL, 4, FAULT_EXEC, why);
}

/* ---- the uaccess helpers' machine code (kernel/arch/riscv/uaccess.S) ---- */

static bool is_user(const void *p)
{
	return (u64)p < MM_USER_TOP;
}

/* An S-mode access at user address va: on a fault, kernel_trap asks the
 * pager through mm_fault, else the helper takes its fixup (false). */
static bool kernel_access(u64 va, enum fault_access access, u8 **kva)
{
	u64 pa;
	for (int tries = 0; !translate(va, access, /*user=*/false, &pa); tries++) {
		cr_assert_lt(tries, 3,
			     "livelock: mm_fault resolved the kernel's %s fault at %#lx, but the "
			     "access faults again every time",
			     access_name[access], va);
		const char *why;
		if (!mm_host_loaded || mm_fault(mm_host_loaded, va, access, &why) != FAULT_OK)
			return false;
	}
	*kva = mm_pa_to_kva(pa);
	return true;
}

long uaccess_copy(void *dst, const void *src, size_t n)
{
	cr_assert(mm_host_sum, "uaccess_copy outside mm_user_access_begin/end");
	u8 *d = dst;
	const u8 *s = src;
	while (n > 0) {
		size_t chunk = n;
		if (is_user(s))
			chunk = MIN(chunk, PAGE_SIZE - ((u64)s & (PAGE_SIZE - 1)));
		if (is_user(d))
			chunk = MIN(chunk, PAGE_SIZE - ((u64)d & (PAGE_SIZE - 1)));
		u8 *from = (u8 *)s, *to = d;
		if (is_user(s) && !kernel_access((u64)s, FAULT_READ, &from))
			return -EFAULT;
		if (is_user(d) && !kernel_access((u64)d, FAULT_WRITE, &to))
			return -EFAULT;
		memmove(to, from, chunk);
		d += chunk;
		s += chunk;
		n -= chunk;
	}
	return 0;
}

long uaccess_strncpy(char *dst, const char *src, size_t size)
{
	cr_assert(mm_host_sum, "uaccess_strncpy outside mm_user_access_begin/end");
	for (size_t i = 0; i < size; i++) {
		u8 *from = (u8 *)src + i;
		if (is_user(from) && !kernel_access((u64)from, FAULT_READ, &from))
			return -EFAULT;
		dst[i] = (char)*from;
		if (dst[i] == 0)
			return (long)i;
	}
	return -ENAMETOOLONG;
}
