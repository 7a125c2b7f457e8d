/* Where a VMA's pages come from (the other axis from the pager, which
 * decides when they are filled): an object with get_page, FreeBSD's "VM
 * object" with its pager. A file's backing is the file system's
 * (kernel/fs/mmap.c); the two below are kernel/mm's own. */
#include "kernel/lib/string.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"

/* Anonymous memory: every page starts as zeros. */
static int anon_get_page(void *obj, u64 pgoff, struct page **out)
{
	(void)obj, (void)pgoff;
	struct page *pg = page_alloc(0);
	if (!pg)
		return -ENOMEM;
	memset(page_kva(pg), 0, PAGE_SIZE);
	*out = pg;
	return 0;
}

static const struct vm_backing_ops anon_backing = {
    .get_page = anon_get_page,
    .fresh_pages = true,
};

/* Pages shared in from another process (map_shared_pages) are all there
 * from the start, and nothing can fill one that is not. */
static int shared_in_get_page(void *obj, u64 pgoff, struct page **out)
{
	(void)obj, (void)pgoff, (void)out;
	return -EFAULT;
}

static const struct vm_backing_ops shared_in_backing = {
    .get_page = shared_in_get_page,
};

const struct vm_backing_ops *backing_of(const struct vma *vma)
{
	if (vma->file.ops)
		return vma->file.ops;
	return vma->role == VMA_SHM ? &shared_in_backing : &anon_backing;
}
