/* Files as memory: the backing operations kernel/mm uses for a file-backed
 * VMA, and the mmap system call, which turns a descriptor into a backing.
 * A shared mapping maps the file's own pages, so stores through it are
 * what read() sees, and they stay in the file after munmap and close. */
#include "include/uapi/errno.h"
#include "include/uapi/mman.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/syscall/syscall.h"

static int inode_get_page(void *obj, u64 pgoff, struct page **out)
{
	struct inode *ip = obj;
	inode_lock(ip);
	int err = 0;
	if (pgoff >= PAGE_ROUND_UP(ip->size) / PAGE_SIZE) {
		err = -ENXIO;
		goto out;
	}
	bool fresh;
	char *kva = fdata_get(&ip->data, pgoff, /*zero=*/true, &fresh);
	if (!kva) {
		err = -ENOMEM;
		goto out;
	}
	/* No zeroing past the end of the file here: a write() may be
	 * copying into that part of the page right now, with ip->lock
	 * dropped. The file system zeroes a page's tail itself whenever the
	 * size grows over it (inode_zero_tail), and a hole is a new page. */
	*out = kva_to_page(kva);
	page_get(*out);
out:
	inode_unlock(ip);
	return err;
}

/* Each VMA holds a reference on its inode. */
static void backing_get(void *obj)
{
	inode_get(obj);
}
static void backing_put(void *obj)
{
	inode_put(obj);
}

static void backing_name(void *obj, char *buf, size_t size)
{
	snprintk(buf, size, "file #%u", ((struct inode *)obj)->ino);
}

static struct vm_mappings *backing_mappings(void *obj)
{
	return &((struct inode *)obj)->maps;
}

static const struct vm_backing_ops inode_backing_ops = {
    .get_page = inode_get_page,
    .get = backing_get,
    .put = backing_put,
    .name = backing_name,
    .mappings = backing_mappings,
};

long sys_mmap(const u64 *arg)
{
	u64 addr = arg[0], len = arg[1], off = arg[5];
	u32 prot = (u32)arg[2], flags = (u32)arg[3];
	int fd = (int)arg[4];
	struct mm *mm = mm_current();
	if (flags & MNEMO_MAP_ANONYMOUS)
		return mm_mmap(mm, addr, len, prot, flags, NULL, 0);
	if (len == 0)
		return -EINVAL; /* before the descriptor, as Linux does */
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	long r;
	if (f->type != FILE_INODE || f->ip->type != MNEMO_T_FILE) {
		r = -ENODEV;
	} else if (!f->readable) {
		r = -EACCES;
	} else {
		/* The mapping takes its own reference on the inode. */
		struct vm_backing b = {&inode_backing_ops, f->ip, f->writable};
		r = mm_mmap(mm, addr, len, prot, flags, &b, off);
	}
	file_put(f);
	return r;
}
