/* Files to swap: the file system's part of reclaim. The in-memory file
 * system holds every file's pages in RAM; under memory pressure, as tmpfs
 * does, they go to swap and come back when read, written or mapped, or
 * touched through a mapping (fdata.c keeps a swap token where the page
 * was). Reclaim (kernel/mm/reclaim.c) asks here before it looks at
 * address spaces: most file pages are in no program's working set. A
 * mapped page goes only once no mapping has touched it since reclaim last
 * looked (its second chance), and every PTE that maps it is cleared first
 * (the inode's reverse map, ip->maps).
 *
 * The files are taken in turn, each from where it was left. A file is only
 * tried: reclaim waits for no lock, and skips a file being read, written
 * or truncated (its io_lock taken). */
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/swap.h"

static u64 fs_swap_out(u64 want)
{
	struct page *pages[SWAP_WRITE_MAX];
	u64 freed = 0;
	struct inode *first = NULL;

	while (freed < want) {
		struct inode *ip = inode_next_file();
		int n = 0;
		bool full = false;

		if (!ip)
			break;
		if (ip == first) {
			inode_put(ip); /* round the whole list */
			break;
		}
		if (!first)
			first = ip; /* compared by address only, never used */
		/* A writer that reclaims for the page it is about to add
		 * (inode_write_hole) holds both locks: its file's pages may
		 * go too, under that hold. */
		bool mine = sleeplock_holding(&ip->io_lock) && sleeplock_holding(&ip->lock);
		if (mine || sleeplock_try(&ip->io_lock)) {
			if (mine || sleeplock_try(&ip->lock)) {
				n = fdata_evict(&ip->data, &ip->maps, &ip->swap_cursor, pages,
						(int)MIN(want - freed, SWAP_WRITE_MAX), &full);
				if (n > 0)
					first = NULL; /* progress: another round may give more */
				if (!mine)
					sleeplock_release(&ip->lock);
			}
			if (!mine)
				sleeplock_release(&ip->io_lock);
		}
		inode_put(ip);
		if (n > 0)
			freed += swap_write(pages, n);
		if (full)
			break;
	}
	return freed;
}

void fs_swap_init(void)
{
	reclaim_set_files(fs_swap_out);
}
