/* Pipes: a ring buffer between one write end and one read end.
 *
 * Speed comes from copying straight between user memory and the ring,
 * in at most two chunks per call (the ring may wrap), with the spinlock
 * dropped during each copy, and from sleeping or waking only when the
 * ring is full or empty and somebody actually waits: before it sleeps,
 * a reader (writer) watches for a while for its partner on another hart
 * to answer (pipe_watch).
 *
 * The copy without the lock is safe because only one reader and one
 * writer work at a time (the busy flags), the reader touches only bytes
 * in [nread, nwrite) and the writer only the free space after nwrite, and
 * each advances its own counter under the lock after its copy. A writer
 * stays busy for its whole write, so concurrent writes never interleave. */
#include "include/uapi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"

/* As Linux's default. Under QEMU a sleep and a wakeup on another hart cost
 * far more than copying, so a big ring (fewer hand-offs) pays. */
#define PIPE_SIZE (64 * 1024) /* a power of two */

/* Legend: (p) p->lock; (r) the busy reader, (w) the busy writer. */
struct pipe {
	struct spinlock lock;
	u8 *buf;	   /* PIPE_SIZE bytes */
	u64 nread;	   /* (p, r) bytes ever read; only the busy reader moves it */
	u64 nwrite;	   /* (p, w) bytes ever written; only the busy writer moves it */
	bool readopen;	   /* (p) the read end is open */
	bool writeopen;	   /* (p) the write end is open */
	bool reader_busy;  /* (p) a reader is inside pipe_read */
	bool writer_busy;  /* (p) a writer is inside pipe_write */
	bool reader_waits; /* (p) the busy reader sleeps on &nwrite for data */
	bool writer_waits; /* (p) the busy writer sleeps on &nread for space */
	bool claim_waits;  /* (p) someone sleeps for a busy flag */
};

int pipe_alloc(struct file **rf, struct file **wf)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		goto out;
	p->buf = kmalloc(PIPE_SIZE);
	if (!p->buf)
		goto out_free_pipe;
	*rf = file_alloc(FILE_PIPE);
	if (!*rf)
		goto out_free_buf;
	*wf = file_alloc(FILE_PIPE);
	if (!*wf)
		goto out_free_rf;
	spin_init_task(&p->lock, "pipe");
	p->readopen = p->writeopen = true;
	(*rf)->pipe = (*wf)->pipe = p;
	(*rf)->readable = true;
	(*wf)->writable = true;
	return 0;

out_free_rf:
	kfree(*rf);
out_free_buf:
	kfree(p->buf);
out_free_pipe:
	kfree(p);
out:
	return -ENOMEM;
}

/* Waits until *busy is clear and sets it; p->lock held. 0 or -EINTR. */
static int pipe_claim(struct pipe *p, bool *busy)
{
	while (*busy) {
		p->claim_waits = true;
		if (sleep_killable(&p->claim_waits, &p->lock) < 0)
			return -EINTR;
	}
	*busy = true;
	return 0;
}

static void pipe_unclaim(struct pipe *p, bool *busy)
{
	*busy = false;
	if (p->claim_waits) {
		p->claim_waits = false;
		wakeup(&p->claim_waits);
	}
}

/* The ring is empty (or full): rather than sleep at once, the reader
 * (writer) watches for a while whether the writer's (reader's) counter
 * moves or its end closes, where the scheduler allows (sched_watch_begin).
 * A partner on another hart usually answers within microseconds, and
 * then neither side sleeps or wakes. p->lock held; true if something
 * changed, to look again. */
static bool pipe_watch(struct pipe *p, u64 *counter, bool *open)
{
	assert(spin_holding(&p->lock));
	u64 until = sched_watch_begin();
	if (!until)
		return false;
	u64 seen = *counter;
	bool changed = false;
	spin_unlock(&p->lock);
	while (!changed && sched_watch_on(until))
		changed = __atomic_load_n(counter, __ATOMIC_RELAXED) != seen ||
			  !__atomic_load_n(open, __ATOMIC_RELAXED);
	spin_lock(&p->lock);
	/* Under the lock again: a change after the last look woke nobody,
	 * since the watcher did not say it waits. */
	return *counter != seen || !*open;
}

long pipe_read(struct pipe *p, void __user *dst, size_t n)
{
	size_t done = 0;
	long err = 0;

	spin_lock(&p->lock);
	err = pipe_claim(p, &p->reader_busy);
	if (err)
		goto out;
	while (p->nread == p->nwrite) {
		if (!p->writeopen)
			goto out_unclaim; /* end of file */
		if (pipe_watch(p, &p->nwrite, &p->writeopen))
			continue;
		p->reader_waits = true;
		if (sleep_killable(&p->nwrite, &p->lock) < 0) {
			err = -EINTR;
			goto out_unclaim;
		}
	}
	/* Take what is there, without waiting for more. */
	while (done < n && p->nread != p->nwrite) {
		size_t tail = p->nread % PIPE_SIZE;
		size_t chunk = MIN(n - done, p->nwrite - p->nread);

		chunk = MIN(chunk, PIPE_SIZE - tail);
		spin_unlock(&p->lock);
		err = copy_to_user((u8 __user *)dst + done, p->buf + tail, chunk);
		spin_lock(&p->lock);
		if (err)
			break;
		p->nread += chunk;
		done += chunk;
		if (p->writer_waits) {
			p->writer_waits = false;
			wakeup_sync(&p->nread, -1);
		}
	}
out_unclaim:
	pipe_unclaim(p, &p->reader_busy);
out:
	spin_unlock(&p->lock);
	return done ? (long)done : err;
}

long pipe_write(struct pipe *p, const void __user *src, size_t n)
{
	size_t done = 0;
	long err = 0;

	spin_lock(&p->lock);
	err = pipe_claim(p, &p->writer_busy);
	if (err)
		goto out;
	while (done < n) {
		size_t space, head, chunk;

		if (!p->readopen) {
			err = -EPIPE;
			break;
		}
		space = PIPE_SIZE - (p->nwrite - p->nread);
		if (space == 0) {
			if (pipe_watch(p, &p->nread, &p->readopen))
				continue;
			p->writer_waits = true;
			if (sleep_killable(&p->nread, &p->lock) < 0) {
				err = -EINTR;
				break;
			}
			continue;
		}
		head = p->nwrite % PIPE_SIZE;
		chunk = MIN(MIN(n - done, space), PIPE_SIZE - head);
		spin_unlock(&p->lock);
		err = copy_from_user(p->buf + head, (const u8 __user *)src + done, chunk);
		spin_lock(&p->lock);
		if (err)
			break;
		p->nwrite += chunk;
		done += chunk;
		if (p->reader_waits) {
			p->reader_waits = false;
			wakeup_sync(&p->nwrite, -1);
		}
	}
	pipe_unclaim(p, &p->writer_busy);
out:
	spin_unlock(&p->lock);
	return done ? (long)done : err;
}

void pipe_close(struct pipe *p, bool writer)
{
	bool dead;

	spin_lock(&p->lock);
	if (writer) {
		p->writeopen = false;
		wakeup(&p->nwrite); /* a reader sees the end of file */
	} else {
		p->readopen = false;
		wakeup(&p->nread); /* a writer sees EPIPE */
	}
	dead = !p->readopen && !p->writeopen;
	spin_unlock(&p->lock);
	if (dead) {
		kfree(p->buf);
		kfree(p);
	}
}

u64 pipe_unread(struct pipe *p)
{
	u64 n;

	spin_lock(&p->lock);
	n = p->nwrite - p->nread;
	spin_unlock(&p->lock);
	return n;
}
