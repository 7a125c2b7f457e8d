/* Inodes: allocation, the two counts that keep one alive, and the data of
 * regular files.
 *
 * An inode lives while something names it (nlink: directory entries, and
 * for a directory its own ".") or uses it (ref: open files, working
 * directories, lookups in progress). The last of the two to reach zero
 * frees it, so an unlinked file stays readable through its open
 * descriptors until the last close. */
#include "include/uapi/dirent.h"
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/uaccess.h"

/* Inode numbers must fit the u16 of struct mnemo_dirent. */
#define INUM_MAX 65536

static struct spinlock inode_count_lock = SPINLOCK_INIT("inode_count");
/* Every regular file, for reclaim (kernel/fs/fswap.c), and the one it
 * looked at last. (inode_count_lock) */
static struct list files = LIST_INIT(files);
static struct inode *files_hand;

/* The namespace lock lives with the inodes, the lowest file of the file
 * system that takes it (inode_stat), so that nothing calls up for it. */
static struct sleeplock fs_ns_sleeplock = {
    .lk = SPINLOCK_INIT("fs_ns"),
    .name = "fs_ns",
};

void fs_ns_lock(void)
{
	sleeplock_acquire(&fs_ns_sleeplock);
}
void fs_ns_unlock(void)
{
	sleeplock_release(&fs_ns_sleeplock);
}

static struct spinlock inum_lock = SPINLOCK_INIT("inum");
static u64 inum_used[INUM_MAX / 64]; /* (inum_lock) bit n: number n is taken */
static u32 inum_next = 1;	     /* (inum_lock) where the search starts */

/* Holes read as this. */
static const u8 fs_zeros[PAGE_SIZE];

/* A free inode number (never 0), or 0 when all are taken. The search
 * starts after the last one given, so numbers are not reused at once. */
static u32 inum_alloc(void)
{
	u32 found = 0;

	spin_lock(&inum_lock);
	for (u32 n = 0; n < INUM_MAX && !found; n++) {
		u32 i = (inum_next + n) % INUM_MAX;

		if (i != 0 && !(inum_used[i / 64] & (1UL << (i % 64)))) {
			inum_used[i / 64] |= 1UL << (i % 64);
			inum_next = i + 1;
			found = i;
		}
	}
	spin_unlock(&inum_lock);
	return found;
}

static void inum_free(u32 i)
{
	spin_lock(&inum_lock);
	inum_used[i / 64] &= ~(1UL << (i % 64));
	spin_unlock(&inum_lock);
}

int inode_alloc(u16 type, u16 major, u16 minor, struct inode **out)
{
	struct inode *ip = kzalloc(sizeof(*ip));

	if (!ip)
		return -ENOMEM;
	ip->ino = inum_alloc();
	if (!ip->ino) {
		kfree(ip);
		return -ENOSPC;
	}
	ip->type = type;
	ip->major = major;
	ip->minor = minor;
	ip->ref = 1;
	sleeplock_init(&ip->io_lock, "inode_io");
	sleeplock_init(&ip->lock, "inode");
	list_init(&ip->all_link);
	vm_mappings_init(&ip->maps);
	if (type == MNEMO_T_FILE) {
		spin_lock(&inode_count_lock);
		list_push_back(&files, &ip->all_link);
		spin_unlock(&inode_count_lock);
	}
	*out = ip;
	return 0;
}

struct inode *inode_next_file(void)
{
	struct inode *found = NULL;

	spin_lock(&inode_count_lock);
	struct list *at = files_hand ? &files_hand->all_link : &files;
	for (struct list *e = at->next; e != at; e = e->next) {
		if (e == &files)
			continue;
		struct inode *ip = list_entry(e, struct inode, all_link);
		found = ip;
		break;
	}
	if (!found && files_hand)
		found = files_hand; /* the only one */
	if (found)
		found->ref++; /* on the list: alive (a dead inode leaves it first) */
	files_hand = found;
	spin_unlock(&inode_count_lock);
	return found;
}

/* Frees an inode nothing names or uses any more. */
static void inode_free(struct inode *ip)
{
	if (ip->type == MNEMO_T_FILE)
		fdata_truncate(&ip->data, 0);
	else if (ip->type == MNEMO_T_DIR)
		dir_free(&ip->dir);
	inum_free(ip->ino);
	kfree(ip);
}

struct inode *inode_get(struct inode *ip)
{
	spin_lock(&inode_count_lock);
	ip->ref++;
	spin_unlock(&inode_count_lock);
	return ip;
}

void inode_put(struct inode *ip)
{
	bool dead;

	spin_lock(&inode_count_lock);
	if (ip->ref == 0)
		panic("inode_put: inode %u has no reference", ip->ino);
	ip->ref--;
	dead = ip->ref == 0 && ip->nlink == 0;
	if (dead) {
		if (files_hand == ip)
			files_hand = NULL; /* reclaim starts over */
		list_del(&ip->all_link);
	}
	spin_unlock(&inode_count_lock);
	if (dead)
		inode_free(ip);
}

void inode_nlink_add(struct inode *ip, int delta)
{
	spin_lock(&inode_count_lock);
	if ((delta < 0 && ip->nlink == 0) || (ip->nlink + delta == 0 && ip->ref == 0))
		panic("inode_nlink_add: inode %u: ref %u nlink %u%+d", ip->ino, ip->ref, ip->nlink,
		      delta);
	ip->nlink += delta;
	spin_unlock(&inode_count_lock);
}

void inode_nlink_clear(struct inode *ip)
{
	spin_lock(&inode_count_lock);
	if (ip->ref == 0)
		panic("inode_nlink_clear: inode %u has no reference", ip->ino);
	ip->nlink = 0;
	spin_unlock(&inode_count_lock);
}

void inode_io_lock(struct inode *ip)
{
	sleeplock_acquire(&ip->io_lock);
}

void inode_io_unlock(struct inode *ip)
{
	sleeplock_release(&ip->io_lock);
}

void inode_lock(struct inode *ip)
{
	sleeplock_acquire(&ip->lock);
}

void inode_unlock(struct inode *ip)
{
	sleeplock_release(&ip->lock);
}

bool inode_is_dir(struct inode *ip)
{
	return ip->type == MNEMO_T_DIR;
}
bool inode_is_file(struct inode *ip)
{
	return ip->type == MNEMO_T_FILE;
}

u64 inode_size(struct inode *ip)
{
	u64 size;

	inode_lock(ip);
	size = ip->size;
	inode_unlock(ip);
	return size;
}

void inode_stat(struct inode *ip, struct mnemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = 1;
	st->ino = ip->ino;
	st->type = ip->type;
	st->major = ip->major;
	if (ip->type == MNEMO_T_FILE) {
		inode_lock(ip);
		st->size = ip->size;
		inode_unlock(ip);
	} else if (ip->type == MNEMO_T_DIR) {
		/* What read() would return: one record per entry, "." and "..". */
		fs_ns_lock();
		st->size = (2 + (u64)ip->dir.nlive) * sizeof(struct mnemo_dirent);
		fs_ns_unlock();
	}
	spin_lock(&inode_count_lock);
	st->nlink = ip->nlink;
	spin_unlock(&inode_count_lock);
}

int iob_put(struct iobuf *b, size_t at, const void *src, size_t n)
{
	if (b->user)
		return copy_to_user((u8 __user *)b->u + at, src, n);
	memcpy((u8 *)b->k + at, src, n);
	return 0;
}

int iob_get(struct iobuf *b, size_t at, void *dst, size_t n)
{
	if (b->user)
		return copy_from_user(dst, (const u8 __user *)b->u + at, n);
	memcpy(dst, (const u8 *)b->k + at, n);
	return 0;
}

/* Zeros what the last page holds past the size, before the size grows
 * over it: a shared mapping may have stored there, or a write that
 * faulted. 0, or -ENOMEM or -EIO when the page cannot come back from
 * swap: then the size must not grow over it. ip->lock held. */
static int inode_zero_tail(struct inode *ip)
{
	u64 size = ip->size;
	u8 *page;
	int err;

	if (size % PAGE_SIZE == 0)
		return 0;
	page = fdata_page(&ip->data, size / PAGE_SIZE, &err);
	if (page)
		memset(page + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
	return err;
}

long __inode_read(struct inode *ip, struct iobuf *dst, u64 off, size_t n)
{
	size_t done = 0;
	int err = 0;

	inode_lock(ip);
	while (done < n && off + done < ip->size) {
		u64 pos = off + done;
		size_t pgoff = pos % PAGE_SIZE;
		size_t len = MIN(MIN(n - done, PAGE_SIZE - pgoff), ip->size - pos);
		const u8 *page = fdata_page(&ip->data, pos / PAGE_SIZE, &err);
		const u8 *src = page ? page + pgoff : fs_zeros;

		if (err)
			break;
		if (dst->user) {
			/* The page stays while unlocked: only truncation frees
			 * pages, and it waits for the io_lock we hold. */
			inode_unlock(ip);
			err = iob_put(dst, done, src, len);
			inode_lock(ip);
		} else {
			err = iob_put(dst, done, src, len);
		}
		if (err)
			break;
		done += len;
	}
	inode_unlock(ip);
	return done ? (long)done : err;
}

/* Copies len bytes at offset at of src to dst; ip->lock held, and dropped
 * for a copy from user memory (see __inode_read). */
static int inode_copy_in(struct inode *ip, struct iobuf *src, size_t at, void *dst, size_t len)
{
	int err;

	if (!src->user)
		return iob_get(src, at, dst, len);
	inode_unlock(ip);
	err = iob_get(src, at, dst, len);
	inode_lock(ip);
	return err;
}

/* Writes [pos, pos + len), within one page, where the file has a hole:
 * fills a new page first and only then puts it in the file, so that no
 * mapping ever sees it half made or with an old page's bytes.
 * ip->lock held. 0, -EFAULT or -ENOMEM. */
static int inode_write_hole(struct inode *ip, struct iobuf *src, size_t at, u64 pos, size_t len)
{
	size_t pgoff = pos % PAGE_SIZE;
	u8 *fresh, *page;
	int err;

	/* A file may grow past RAM: make room as a page fault would (this
	 * file's own pages may go too, under the locks we hold). */
	reclaim_if_low();
	/* A page the copy fills entirely needs no zeroing first. */
	fresh = len == PAGE_SIZE ? kpage_alloc() : kpage_alloc_zeroed();
	if (!fresh && reclaim_pages(RECLAIM_ON_OOM) > 0)
		fresh = len == PAGE_SIZE ? kpage_alloc() : kpage_alloc_zeroed();
	if (!fresh)
		return -ENOMEM;
	err = inode_copy_in(ip, src, at, fresh + pgoff, len);
	if (err)
		goto out_free;
	page = fdata_insert(&ip->data, pos / PAGE_SIZE, fresh);
	if (page == fresh)
		return 0;
	if (!page) {
		err = -ENOMEM;
		goto out_free;
	}
	/* A page fault filled the hole while we copied: write into that. */
	memcpy(page + pgoff, fresh + pgoff, len);
out_free:
	kpage_free(fresh);
	return err;
}

long __inode_write(struct inode *ip, struct iobuf *src, u64 off, size_t n)
{
	size_t done = 0;
	int err = 0;

	if (n == 0)
		return 0;
	if (off >= FS_MAX_FILE_SIZE)
		return -EFBIG;
	n = MIN(n, FS_MAX_FILE_SIZE - off);
	inode_lock(ip);
	if (off > ip->size && (err = inode_zero_tail(ip)) < 0) {
		inode_unlock(ip);
		return err;
	}
	while (done < n) {
		u64 pos = off + done;
		size_t pgoff = pos % PAGE_SIZE;
		size_t len = MIN(n - done, PAGE_SIZE - pgoff);
		u8 *page = fdata_page(&ip->data, pos / PAGE_SIZE, &err);

		if (err)
			break;
		if (page)
			err = inode_copy_in(ip, src, done, page + pgoff, len);
		else
			err = inode_write_hole(ip, src, done, pos, len);
		if (err)
			break;
		done += len;
		if (pos + len > ip->size)
			ip->size = pos + len;
	}
	inode_unlock(ip);
	return done ? (long)done : err;
}

int __inode_truncate(struct inode *ip, u64 size)
{
	if (size > FS_MAX_FILE_SIZE)
		return -EFBIG;
	inode_lock(ip);
	bool shrunk = size < ip->size;
	int err = 0;
	if (shrunk) {
		fdata_truncate(&ip->data, PAGE_ROUND_UP(size) / PAGE_SIZE);
		ip->size = size;
		/* If the tail cannot be zeroed now (its page is in swap and
		 * cannot come back), a later growth zeroes it or fails. */
		inode_zero_tail(ip);
	} else if (size > ip->size && (err = inode_zero_tail(ip)) == 0) {
		ip->size = size;
	}
	inode_unlock(ip);
	if (err)
		return err;
	/* The size is down first, so no fault maps those pages again (it
	 * finds them past the end); then every mapping lets go of them,
	 * and a later touch there dies of SIGBUS, as on Linux. io_lock,
	 * held, comes before mm->lock. */
	if (shrunk && vm_mapped(&ip->maps))
		mm_unmap_object(ip, PAGE_ROUND_UP(size) / PAGE_SIZE);
	return 0;
}

int inode_resize(struct inode *ip, u64 size)
{
	inode_io_lock(ip);
	int err = __inode_truncate(ip, size);
	inode_io_unlock(ip);
	return err;
}

long inode_read(struct inode *ip, void *dst, u64 off, size_t n)
{
	struct iobuf b = {.user = false, .k = dst};

	if (ip->type == MNEMO_T_DIR)
		return -EISDIR;
	if (ip->type != MNEMO_T_FILE)
		return -EINVAL;
	return __inode_read(ip, &b, off, n);
}
