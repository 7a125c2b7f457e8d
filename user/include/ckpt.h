/* Incremental checkpoints of a memory region, done in user space with
 * mprotect and a SIGSEGV handler (user/lib/ckpt.c; docs/user-paging.md
 * explains the technique, user/bin/ckpt.c shows it).
 *
 * A checkpoint makes the region read-only. The first write to each page
 * then faults; the library's handler copies the page as it was into a
 * save area, notes the page as dirty, makes it writable and returns, and
 * the write runs again and lands. Later writes to that page cost nothing.
 * A rollback copies the saved pages back; a new checkpoint forgets them.
 *
 * The compiler does not know that a plain store into the region may run
 * the handler, so it may read c->nlog, c->log or c->dirty before a store
 * that comes earlier in the program. Put atomic_signal_fence(
 * memory_order_seq_cst) (<stdatomic.h>) between the writes and such reads
 * (a call to a function the compiler cannot see into does as well).
 *
 * Limits: one thread; a system call that writes into a page that is still
 * read-only (read(fd, region, n)) fails with EFAULT, as the kernel does
 * not raise a signal for its own accesses: write to the page first. */
#ifndef MNEMO_CKPT_H
#define MNEMO_CKPT_H

#include <stddef.h>
#include <stdint.h>

#define CKPT_PAGE 4096
#define CKPT_MAX  4 /* regions one process may checkpoint at once */

struct ckpt {
	char *base; /* the region: page-aligned, npages pages, read-write */
	size_t npages;
	char *saved;	      /* npages pages: page i as it was at the checkpoint, once dirty */
	uint8_t *dirty;	      /* dirty[i]: page i was written since the checkpoint */
	uint32_t *log;	      /* the dirty pages, in the order of their first write */
	size_t nlog;	      /* how many there are */
	unsigned long faults; /* write faults the handler resolved, over the region's life */
};

/* Takes charge of the region [base, base + npages pages), which the
 * caller has mapped read-write (base page-aligned), and installs the
 * SIGSEGV handler with the first region. The region stays writable until
 * ckpt_begin. Returns 0, or -1 with errno: EINVAL (base not aligned, no
 * pages, CKPT_MAX regions already), ENOMEM (no room for the save area). */
int ckpt_init(struct ckpt *c, void *base, size_t npages);

/* Takes a checkpoint: the region as it is now is what a rollback comes
 * back to. Forgets the dirty pages and makes the whole region read-only.
 * Returns 0, or -1 with errno from mprotect. */
int ckpt_begin(struct ckpt *c);

/* Puts every page written since the checkpoint back as it was, then takes
 * the checkpoint again (ckpt_begin). Returns the number of pages restored,
 * or -1 with errno from mprotect. */
long ckpt_rollback(struct ckpt *c);

/* Lets go of the region: makes it read-write again, unmaps the save area,
 * and gives SIGSEGV back to its old action when no region is left. The
 * region itself stays mapped, as the caller left it last. */
void ckpt_fini(struct ckpt *c);

#endif
