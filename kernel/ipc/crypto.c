/* The crypto service's kernel half (seed 001): requests, the queue, and the
 * four system calls. The kernel moves pages, never data: it holds no key
 * and no cipher, and never reads or writes a request's bytes.
 *
 * Trust comes from what the kernel holds. The server is the process the
 * kernel started from the image it read at boot (proc_start_service), not
 * whoever has pid 2 or /bin/crypto_srv. A request's pages are pinned when
 * crypto_op queues it (made the client's own, writable, and referenced),
 * and exactly those pages are mapped into the server: nothing the client
 * does to its mappings afterwards reaches the server.
 *
 * A request is queued, then in service (mapped into the server), then
 * done when the server removes it. If the server dies holding it, it goes
 * back to the head of the queue for the restarted server; if it was held
 * by two servers that died, it is failed and its client hears so from
 * crypto_wait (-EIO), out of band. So is one that cannot be mapped into
 * the server for want of memory (-ENOMEM): retrying at once would spin
 * the server on it while every client behind it waits. */
#include "include/uapi/errno.h"
#include "kernel/ipc/shmq.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/share.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

#define CRYPTO_SERVER_PID	 2
#define CRYPTO_HEADER_SIZE	 24   /* type, state, key_size, data_size */
#define CRYPTO_MAX_DEATHS	 2    /* servers a request may see die */
#define CRYPTO_MAX_FAILED	 1024 /* failed requests remembered for crypto_wait */
#define CRYPTO_FAILED_PER_CLIENT 16
#define NO_CLIENT		 0 /* a request whose client has exited */

/* Locking: crypto_lock guards everything below. Sleepers: producers on
 * &queue.count + 1 (room), the server on &queue.count (requests), a
 * client in crypto_wait on its request. */
static struct spinlock crypto_lock = SPINLOCK_INIT("crypto");
static struct shmq queue;
static struct list in_service; /* mapped into the server */
static struct list failed;     /* failed, their clients not yet told */
static int nfailed;
static struct service *server;

static void crypto_server_died(void);
static void crypto_client_exited(int pid);
static void request_fail(struct shm_request *r, int err);

void crypto_init(const char *server_path)
{
	shmq_init(&queue);
	list_init(&in_service);
	list_init(&failed);
	proc_on_exit(crypto_client_exited);
	server = proc_start_service(CRYPTO_SERVER_PID, server_path, crypto_server_died);
}

/* Lets go of a request that is in no list: its pins, then itself.
 * Wakes its client, which may be waiting in crypto_wait. */
static void request_free(struct shm_request *r)
{
	if (r->pages) {
		mm_unpin(r->pages, r->npages);
		kfree(r->pages);
	}
	/* The server goes back to take the next request and sleeps there
	 * if there is none: let the client run on this hart then, rather
	 * than wake another. */
	spin_lock(&crypto_lock);
	wakeup_sync(r, -1);
	spin_unlock(&crypto_lock);
	kfree(r);
}

/* A request and its pinned pages for [va, va+size) of the caller. */
static long request_new(u64 va, u64 size, struct shm_request **out)
{
	u64 n = mm_pin_count(va, size);
	if (!n)
		return -EFAULT;
	struct shm_request *r = kzalloc(sizeof(*r));
	struct page **pages = kmalloc(n * sizeof(*pages));
	long err = r && pages ? mm_pin_range(mm_current(), va, size, pages) : -ENOMEM;
	if (err) {
		kfree(pages);
		kfree(r);
		return err;
	}
	list_init(&r->link);
	r->client = myproc()->tgid;
	r->va = va;
	r->size = size;
	r->pages = pages;
	r->npages = n;
	*out = r;
	return 0;
}

/* crypto_op(op, size): queue a request whose header and payload fill
 * [op, op+size) of the caller, which must be mapped writable. Sleeps
 * while the queue is full. */
long sys_crypto_op(const u64 *arg)
{
	u64 op = arg[0], size = arg[1];
	if (size < CRYPTO_HEADER_SIZE)
		return -EINVAL;
	if (!server)
		return -ESRCH;
	if (!mm_access_ok(mm_current(), op, size, /*write=*/true))
		return -EFAULT;
	struct shm_request *r;
	long err = request_new(op, size, &r);
	if (err)
		return err;
	spin_lock(&crypto_lock);
	while (!shmq_try_put(&queue, r)) {
		if (sleep_killable((char *)&queue.count + 1, &crypto_lock) < 0) {
			spin_unlock(&crypto_lock);
			request_free(r);
			return -EINTR;
		}
	}
	/* The client goes on to wait for its answer: let the server run
	 * here rather than wake another hart. */
	wakeup_sync(&queue.count, -1);
	spin_unlock(&crypto_lock);
	return 0;
}

/* Takes the oldest request into service, sleeping until there is one;
 * crypto_lock held. It is never in neither place, so crypto_wait always
 * finds it. NULL if the caller was killed meanwhile. */
static struct shm_request *take_request(void)
{
	assert(spin_holding(&crypto_lock));
	struct shm_request *r;
	while (!(r = shmq_take(&queue)))
		if (sleep_killable(&queue.count, &crypto_lock) < 0)
			return NULL;
	list_push_back(&in_service, &r->link);
	wakeup((char *)&queue.count + 1);
	return r;
}

/* Moves a request from service back to the head of the queue. */
static void untake_request(struct shm_request *r)
{
	spin_lock(&crypto_lock);
	list_del(&r->link);
	shmq_unget(&queue, r);
	wakeup(&queue.count);
	spin_unlock(&crypto_lock);
}

/* take_shared_memory_request(&addr, &size): the server waits for a
 * request and gets the client's pinned pages mapped into itself. */
long sys_take_shared_memory_request(const u64 *arg)
{
	struct proc *me = myproc();
	if (!proc_runs_service(me, server))
		return -EPERM;
	if (!mm_access_ok(me->mm, arg[0], sizeof(u64), true) ||
	    !mm_access_ok(me->mm, arg[1], sizeof(u64), true))
		return -EFAULT;
	for (;;) {
		spin_lock(&crypto_lock);
		struct shm_request *r = take_request();
		spin_unlock(&crypto_lock);
		if (!r)
			return -EINTR;
		/* Its client exited just now: nobody is left to read the
		 * answer. */
		spin_lock(&crypto_lock);
		bool orphan = r->client == NO_CLIENT;
		if (orphan)
			list_del(&r->link);
		spin_unlock(&crypto_lock);
		if (orphan) {
			request_free(r);
			continue;
		}
		long at = mm_map_pages(me->mm, r->pages, r->npages);
		if (at == -ENOMEM) {
			spin_lock(&crypto_lock);
			list_del(&r->link);
			request_fail(r, -ENOMEM);
			spin_unlock(&crypto_lock);
			continue;
		}
		if (at >= 0) {
			r->server_va = (u64)at + (r->va & (PAGE_SIZE - 1));
			if (proc_killed(me) ||
			    put_user_u64((u64 __user *)arg[0], r->server_va) < 0 ||
			    put_user_u64((u64 __user *)arg[1], r->size) < 0) {
				unmap_shared_pages(me->mm, (u64)at, r->npages * PAGE_SIZE);
				at = proc_killed(me) ? -EINTR : -EFAULT;
			}
		}
		if (at < 0) {
			untake_request(r); /* not the request's fault */
			return at;
		}
		return 0;
	}
}

/* remove_shared_memory_request(addr, size): the server is done with the
 * request it was given at addr, size bytes: unmap it and release it. */
long sys_remove_shared_memory_request(const u64 *arg)
{
	struct proc *me = myproc();
	if (!proc_runs_service(me, server))
		return -EPERM;
	struct shm_request *r = NULL;
	struct list *pos;
	spin_lock(&crypto_lock);
	list_for_each(pos, &in_service)
	{
		struct shm_request *q = list_entry(pos, struct shm_request, link);
		if (q->server_va == arg[0] && q->size == arg[1]) {
			r = q;
			list_del(&r->link);
			break;
		}
	}
	spin_unlock(&crypto_lock);
	if (!r)
		return -EINVAL;
	/* The server may have unmapped it itself: then this finds nothing. */
	unmap_shared_pages(me->mm, PAGE_ROUND_DOWN(r->server_va), r->npages * PAGE_SIZE);
	request_free(r);
	return 0;
}

/* Forgets failed records until at most max of those that match remain,
 * oldest first; match NULL matches every record. crypto_lock held. */
static void forget_failed(bool (*match)(struct shm_request *, int), int arg, int max)
{
	assert(spin_holding(&crypto_lock));
	int n = 0;
	struct list *pos, *tmp;
	list_for_each(pos, &failed)
	{
		n += !match || match(list_entry(pos, struct shm_request, link), arg);
	}
	list_for_each_safe(pos, tmp, &failed)
	{
		struct shm_request *r = list_entry(pos, struct shm_request, link);
		if (n <= max)
			break;
		if (match && !match(r, arg))
			continue;
		list_del(&r->link);
		nfailed--;
		n--;
		kfree(r);
	}
}

static bool of_client(struct shm_request *r, int pid)
{
	return r->client == pid;
}

/* Fails a request that is in no list, with err for its client's
 * crypto_wait: its pages go now; a record stays until the client asks
 * or exits. Records are bounded per client (a hostile one cannot push
 * out another's) and in all. crypto_lock held. */
static void request_fail(struct shm_request *r, int err)
{
	assert(spin_holding(&crypto_lock));
	mm_unpin(r->pages, r->npages);
	kfree(r->pages);
	r->pages = NULL;
	if (r->client == NO_CLIENT) {
		kfree(r); /* nobody to tell */
		return;
	}
	static u64 last_said;
	if (last_said == 0 || ticks - last_said >= TICK_HZ) {
		last_said = ticks;
		printk("mnemo: crypto request of pid %d at %p failed: %s\n", r->client,
		       (void *)r->va,
		       err == -ENOMEM ? "no memory to map it into the server"
				      : "the server died twice serving it");
	}
	r->err = err;
	forget_failed(of_client, r->client, CRYPTO_FAILED_PER_CLIENT - 1);
	list_push_back(&failed, &r->link);
	if (++nfailed > CRYPTO_MAX_FAILED)
		forget_failed(NULL, 0, CRYPTO_MAX_FAILED);
	wakeup(r);
}

/* The server's process died (and let go of its memory): each request it
 * held goes back to the head of the queue, in order, or fails. */
static void crypto_server_died(void)
{
	spin_lock(&crypto_lock);
	while (!list_empty(&in_service)) {
		struct shm_request *r = list_entry(in_service.prev, struct shm_request, link);
		list_del(&r->link);
		if (++r->deaths < CRYPTO_MAX_DEATHS && r->client != NO_CLIENT)
			shmq_unget(&queue, r);
		else
			request_fail(r, -EIO);
	}
	spin_unlock(&crypto_lock);
}

/* A process exits: nobody is left to read the answers to its queued
 * requests, or to hear of its failed ones. Its pages are let go now,
 * not when the server comes to them, and its records before its pid can
 * name another process. A request in service stays until the server
 * removes it (the server has it mapped), but belongs to no client any
 * more: it is neither queued again nor remembered as failed. */
static void crypto_client_exited(int pid)
{
	struct list gone, *pos;
	struct shm_request *r;
	list_init(&gone);
	spin_lock(&crypto_lock);
	while ((r = shmq_take_client(&queue, pid)))
		list_push_back(&gone, &r->link);
	list_for_each(pos, &in_service)
	{
		r = list_entry(pos, struct shm_request, link);
		if (r->client == pid)
			r->client = NO_CLIENT;
	}
	if (!list_empty(&gone))
		wakeup((char *)&queue.count + 1); /* room for other producers */
	forget_failed(of_client, pid, 0);
	spin_unlock(&crypto_lock);
	while (!list_empty(&gone)) {
		r = list_entry(gone.next, struct shm_request, link);
		list_del(&r->link);
		request_free(r);
	}
}

/* crypto_wait(op): sleeps until no request of the caller's at op is queued
 * or in service. 0 when the last one was answered (or there was none),
 * -EIO or -ENOMEM when it failed. */
long sys_crypto_wait(const u64 *arg)
{
	int me = myproc()->tgid;
	u64 va = arg[0];
	long ret = 0;
	spin_lock(&crypto_lock);
	for (;;) {
		struct shm_request *r = shmq_find(&queue, me, va);
		struct list *pos;
		list_for_each(pos, &in_service)
		{
			struct shm_request *q = list_entry(pos, struct shm_request, link);
			if (!r && q->client == me && q->va == va)
				r = q;
		}
		if (!r)
			break;
		if (sleep_killable(r, &crypto_lock) < 0) {
			ret = -EINTR;
			goto out;
		}
	}
	struct list *pos;
	list_for_each(pos, &failed)
	{
		struct shm_request *r = list_entry(pos, struct shm_request, link);
		if (r->client == me && r->va == va) {
			list_del(&r->link);
			nfailed--;
			ret = r->err;
			kfree(r);
			break;
		}
	}
out:
	spin_unlock(&crypto_lock);
	return ret;
}
