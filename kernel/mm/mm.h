/* A process's memory state (the seeds' MmStruct, Linux's mm_struct): its
 * page table, its VMAs and the pager that fills them. */
#ifndef KERNEL_MM_MM_H
#define KERNEL_MM_MM_H

#include "kernel/lib/list.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/rbtree.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/mm/pte.h"
#include "kernel/types.h"

struct page;
struct pager_ops;
struct mm_family;
struct mm;

/* VMA protection uses the mmap PROT_* values. */
#define VM_READ	 0x1
#define VM_WRITE 0x2
#define VM_EXEC	 0x4

enum vma_role { VMA_TEXT, VMA_DATA, VMA_HEAP, VMA_STACK, VMA_GUARD, VMA_MMAP, VMA_SHM };

/* Where a VMA's pages come from: an object seen through these operations
 * (FreeBSD's VM object and its pager), so that mm needs nothing of what
 * lies behind it. A file's (an inode's) are the file system's
 * (kernel/fs/mmap.c); anonymous and shared-in memory have kernel/mm's own
 * (backing.c). A file-backed VMA holds one reference on its object. */
struct vm_backing_ops {
	/* The page at page index pgoff, with a new reference in *out: 0,
	 * -ENOMEM, -ENXIO when pgoff lies wholly past the end, -EFAULT when
	 * nothing can fill it. */
	int (*get_page)(void *obj, u64 pgoff, struct page **out);
	/* get_page gives a new page the caller alone holds (anonymous
	 * memory), mapped as it is even privately; else the object's own
	 * page, of which a private mapping maps a copy. */
	bool fresh_pages;
	void (*get)(void *obj);
	void (*put)(void *obj);
	/* A short name for listings ("file #12"). */
	void (*name)(void *obj, char *buf, size_t size);
	/* The VMAs that map obj, for an object whose pages reclaim may take
	 * away (a file's); NULL where there are none to keep. */
	struct vm_mappings *(*mappings)(void *obj);
};

/* Every VMA, in any address space, that maps one object: the reverse map
 * of the object's pages (Linux's i_mmap). The object embeds it, its
 * backing ops hand it out, and vma_insert and vma_remove keep it. */
struct vm_mappings {
	struct spinlock lock;
	struct list vmas; /* (lock) by vma->obj_link */
};

void vm_mappings_init(struct vm_mappings *maps);
/* Does any VMA map the object? (A glance: one may be mapping it now.) */
bool vm_mapped(struct vm_mappings *maps);

struct vm_backing {
	const struct vm_backing_ops *ops;
	void *obj;
	bool writable; /* opened for writing: may be mapped shared writable */
};

/* [start, end) with one protection and one backing. Guarded by mm->lock. */
struct vma {
	u64 start, end;
	u32 prot;     /* VM_READ | VM_WRITE | VM_EXEC */
	u32 max_prot; /* what mprotect may grant (shared-in pages: the source's) */
	bool shared;  /* MAP_SHARED: fork shares the pages instead of COW */
	enum vma_role role;
	struct vm_backing file; /* file.ops == NULL: anonymous memory */
	u64 offset;		/* file offset of start */
	struct mm *mm;		/* the mm it is in, set by vma_insert */
	struct list obj_link;	/* in its object's vm_mappings, if it has them */
	struct list link;	/* in mm->vmas, ordered by address */
	struct rb_node rb;	/* in mm->vma_tree, keyed by start */
	u64 gap;		/* free bytes between the previous VMA (or 0) and start */
	u64 subtree_gap;	/* at least every gap in this node's subtree */
};

/* Locking legend: (l) mm->lock, (a) atomic, (-) fixed after creation,
 * (f) family->lock, (g) mm.c's list lock.
 * Only pmap.c writes the page table's leaf entries. */
struct mm {
	struct sleeplock lock;
	pagetable_t root;	       /* (-) */
	const struct pager_ops *pager; /* (-) */
	struct list vmas;	       /* (l) VMAs in address order */
	struct rb_root vma_tree;       /* (l) the same VMAs, for O(log n) search */
	int nvmas;		       /* (l) */
	u64 brk_start, brk;	       /* (l) heap: [brk_start, PAGE_ROUND_UP(brk)) */
	u64 stack_floor;	       /* (l) lowest address the stack may grow to; 0: none */
	u64 rss;		       /* (l) resident user pages */
	u64 swapped;		       /* (l) swap entries: pages swapped out */
	u64 clock_va;		       /* (l) where reclaim's clock goes on */
	struct mm_family *family;      /* (-) its fork family: the reverse map */
	struct list family_link;       /* (f) in family->mms */
	struct list all_link;	       /* (g) in the list of every mm, for the clock */
	u64 pt_pages;		       /* (l) page-table pages, root included */
	/* (l) Where vma_find_gap's last search from the bottom ended, so that
	 * the next may start there (Linux's free_area_cache): a hole that
	 * reaches above place_base, cut to start no lower, starts below
	 * place_hint only if it is at most place_hole bytes long. See vma.c's
	 * "placement". */
	u64 place_base, place_hint, place_hole;
	/* (l) The VMA last inserted, or the one after the VMA last removed
	 * (NULL: none), which vma_find_from tries before the tree: munmap
	 * finds what mmap just made, and mmap's placement the room a munmap
	 * just left. Never a freed VMA: vma_remove moves it on. */
	struct vma *vma_cache;
	/* (a) The last range that vma_covers found inside one VMA, with
	 * its protection, packed in one word (vma.c), or 0: written under
	 * the lock, and cleared before any VMA changes; read without it by
	 * vma_covers_unlocked. */
	u64 covered;
	int users;	 /* (a) references: its process, inspectors, harts with it in satp */
	u64 asid;	 /* (a) the machine's tag for its TLB entries, kept by the arch code */
	u64 tlb_flushes; /* (a) mm_tlb_flush calls so far (the arch code counts them) */
	/* (a) The harts with it in satp, bit i for cpus[i], kept by the arch
	 * code: what mm_tlb_flush must fence, read in one load beside the
	 * count it bumps. */
	u64 loaded_on;
};

enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

/* What resolving a fault came to; see mm_fault. */
enum fault_result {
	FAULT_OK,     /* resolved: retry the access */
	FAULT_OOM,    /* no memory to resolve it */
	FAULT_SEGV,   /* no mapping, or one that forbids the access */
	FAULT_SIGBUS, /* a mapping with nothing behind it (past end of file) */
	FAULT_IOERR,  /* the swap device could not give the page back */
};

/* mmap, munmap and mprotect with POSIX's meaning and Linux's errors (see
 * docs/memory.md); backing is NULL for anonymous memory. mmap returns the
 * address or -errno. */
long mm_mmap(struct mm *mm, u64 addr, u64 len, u32 prot, u32 flags,
	     const struct vm_backing *backing, u64 offset);
int mm_munmap(struct mm *mm, u64 addr, u64 len);
int mm_mprotect(struct mm *mm, u64 addr, u64 len, u32 prot);

/* A new, empty address space using the pager named by mm_default_pager. */
struct mm *mm_create(void);
/* References (mm->users): the process's, an inspector's (vmmaps, sharing),
 * and one per hart that has the mm in satp (kernel/proc/sched.c), so the
 * last one goes only once no hart can walk the table. The last mm_put
 * frees every page, page table and VMA, and the mm. */
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* mm_put unless the reference is the last (false then, and the caller
 * keeps it): for a holder of a lock under which mm must not be torn down
 * (the scheduler's p->lock, which interrupt handlers take). */
bool mm_put_unless_last(struct mm *mm);
/* A copy for fork: private mappings become copy-on-write in both, shared
 * ones stay shared. NULL when out of memory (nothing leaks). */
struct mm *mm_fork(struct mm *parent);
/* Has fn(old_pa) called each time copy-on-write gives an mm a copy of a
 * page in place of the one at old_pa (pmap_unshare), once the new PTE is
 * in: a layer above that keys sleepers on physical pages (futexes) moves
 * them on. For boot only. */
void mm_on_page_copied(void (*fn)(u64 old_pa));

/* Creates an anonymous private VMA [start, end) (page-aligned, free) with
 * a role, and lets the pager fill it: for exec's segments.
 * mm->lock held. 0, -ENOMEM, -EINTR. */
int mm_map_anon(struct mm *mm, u64 start, u64 end, u32 prot, enum vma_role role);
/* exec's stack: size bytes under top, a guard page below them, and room
 * kept to grow down to top - limit (mmap places nothing there). A fault
 * or a system call's buffer below the stack grows it (fault.c). mm->lock
 * held. 0, -ENOMEM, -EINTR. */
int mm_map_stack(struct mm *mm, u64 top, u64 size, u64 limit);
/* Copies n bytes to va of mm, whatever its protection allows the process
 * (exec writes the program and its arguments into the new address space,
 * whose pages it fills on the way). mm->lock held. 0, -EFAULT (no VMA),
 * -ENOMEM. */
int mm_copy_to(struct mm *mm, u64 va, const void *src, size_t n);
/* Moves the break by incr bytes, filling new heap pages as fill
 * (MNEMO_SBRK_*, include/uapi/mman.h) says; the old break or -ENOMEM.
 * The heap may not outgrow all of RAM, unless it is filled lazily: then,
 * as a lazy mmap, it only reserves addresses. */
long mm_sbrk(struct mm *mm, long incr, u32 fill);

struct mnemo_vmmap;
/* Describes up to max VMAs into out (kernel memory); returns how many
 * VMAs there are. Takes mm->lock. */
int mm_describe(struct mm *mm, struct mnemo_vmmap *out, int max);

/* Resolves a fault at addr. On FAULT_SEGV/SIGBUS *why says why, in words
 * that fit "segfault at ADDR pc PC: <why>". Takes mm->lock. */
enum fault_result mm_fault(struct mm *mm, u64 addr, enum fault_access access, const char **why);

/* Does a mapping cover addr (the stack's guard page does not count)? For
 * a fault that mm_fault refused: SEGV_ACCERR if so, else SEGV_MAPERR. */
bool mm_addr_mapped(struct mm *mm, u64 addr);

/* Is every byte of [addr, addr+len) mapped with the access asked for? A
 * zero-length range checks addr alone. Never allocates or faults in. */
bool mm_access_ok(struct mm *mm, u64 addr, u64 len, bool write);

/* Every mapping of obj (a VMA backed by it) lets go of its pages from page
 * index pgoff on: the object shrank (a file truncated). Private copies go
 * too, as on Linux; a later access there faults past the end (SIGBUS).
 * Takes each mm's lock in turn; the caller holds none. */
void mm_unmap_object(const void *obj, u64 pgoff);

/* Pages that RAM and swap together could hold: a request for more can
 * never be met, and fails at once with ENOMEM. */
u64 mm_backable_pages(void);

/* The pager for new address spaces: "lazy" (default) or "eager". */
int mm_set_default_pager(const char *name);
const char *mm_pager_name(struct mm *mm);

void mm_lock(struct mm *mm);
void mm_unlock(struct mm *mm);
#define mm_assert_locked(mm) assert(sleeplock_holding(&(mm)->lock))

/* The kernel's upper-half entries every root copies (kernel/arch). */
extern pte_t *kernel_root;

#endif
