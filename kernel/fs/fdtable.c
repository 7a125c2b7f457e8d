/* Descriptor tables: the open files and working directory of a process,
 * shared by its threads. Any thread may close, dup2 or chdir while another
 * is inside a call on the same table, so every lookup hands out a reference
 * of its own (fd_get, fd_cwd) taken under the table's lock, and whoever
 * takes a file or directory out of the table drops the table's reference
 * only after letting go of the lock: a file_put may close a pipe or free an
 * inode. A table that only the caller's thread uses (ref 1) cannot change
 * under it, so fd_get reads it without the lock (below). */
#include "include/uapi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"

/* Legend: (a) atomic, (t) t->lock. */
struct fdtable {
	struct spinlock lock;
	u32 ref;		    /* (a) threads that use it */
	struct file *ofile[NOFILE]; /* (t) each slot holds a reference */
	struct inode *cwd;	    /* (t) holds a reference; NULL only while dying */
};

struct fdtable *fdtable_new(struct inode *cwd)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	spin_init_task(&t->lock, "fdtable");
	t->ref = 1;
	t->cwd = cwd;
	return t;
}

struct fdtable *fdtable_copy(struct fdtable *t)
{
	struct fdtable *n = fdtable_new(NULL);

	if (!n)
		return NULL;
	spin_lock(&t->lock);
	for (int fd = 0; fd < NOFILE; fd++)
		if (t->ofile[fd])
			n->ofile[fd] = file_get(t->ofile[fd]);
	n->cwd = t->cwd ? inode_get(t->cwd) : NULL;
	spin_unlock(&t->lock);
	return n;
}

struct fdtable *fdtable_get(struct fdtable *t)
{
	__atomic_add_fetch(&t->ref, 1, __ATOMIC_RELAXED);
	return t;
}

void fdtable_close_files(struct fdtable *t)
{
	struct file *open[NOFILE];
	int n = 0;

	/* Out of the table under one hold of its lock, closed outside it. */
	spin_lock(&t->lock);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (t->ofile[fd])
			open[n++] = t->ofile[fd];
		t->ofile[fd] = NULL;
	}
	spin_unlock(&t->lock);
	for (int i = 0; i < n; i++)
		file_put(open[i]);
}

void fdtable_put(struct fdtable *t)
{
	if (__atomic_sub_fetch(&t->ref, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	fdtable_close_files(t);
	if (t->cwd)
		inode_put(t->cwd);
	kfree(t);
}

static struct fdtable *my_table(void)
{
	return myproc()->fdt;
}

int fd_install(struct file *f)
{
	struct fdtable *t = my_table();

	spin_lock(&t->lock);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (!t->ofile[fd]) {
			t->ofile[fd] = f;
			spin_unlock(&t->lock);
			return fd;
		}
	}
	spin_unlock(&t->lock);
	return -EMFILE;
}

/* Every read() and write() starts here, and under QEMU taking a spinlock
 * costs more than the rest of the lookup: masking and unmasking
 * interrupts are two writes of sstatus. When no other thread shares the
 * table, only this one, busy with this call, could change it; and a thread
 * that let go of the table (its exit) did so after its last change, which
 * the acquire of ref orders before these reads. */
__always_inline struct file *fd_get(int fd)
{
	struct fdtable *t = my_table();
	struct file *f = NULL;

	if (fd < 0 || fd >= NOFILE)
		return NULL;
	if (__atomic_load_n(&t->ref, __ATOMIC_ACQUIRE) == 1) {
		f = t->ofile[fd];
		return f ? file_get(f) : NULL;
	}
	spin_lock(&t->lock);
	if (t->ofile[fd])
		f = file_get(t->ofile[fd]);
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_remove(int fd)
{
	struct fdtable *t = my_table();
	struct file *f;

	if (fd < 0 || fd >= NOFILE)
		return NULL;
	spin_lock(&t->lock);
	f = t->ofile[fd];
	t->ofile[fd] = NULL;
	spin_unlock(&t->lock);
	return f;
}

struct file *fd_replace(int fd, struct file *f)
{
	struct fdtable *t = my_table();
	struct file *old;

	spin_lock(&t->lock);
	old = t->ofile[fd];
	t->ofile[fd] = f;
	spin_unlock(&t->lock);
	return old;
}

void fd_close_if(int fd, struct file *f)
{
	struct fdtable *t = my_table();
	bool ours;

	spin_lock(&t->lock);
	ours = t->ofile[fd] == f;
	if (ours)
		t->ofile[fd] = NULL;
	spin_unlock(&t->lock);
	if (ours)
		file_put(f);
}

struct inode *fd_cwd(void)
{
	struct fdtable *t = my_table();
	struct inode *ip;

	spin_lock(&t->lock);
	ip = inode_get(t->cwd);
	spin_unlock(&t->lock);
	return ip;
}

struct inode *fd_set_cwd(struct inode *ip)
{
	struct fdtable *t = my_table();
	struct inode *old;

	spin_lock(&t->lock);
	old = t->cwd;
	t->cwd = ip;
	spin_unlock(&t->lock);
	return old;
}
