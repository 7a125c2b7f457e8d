/* The crypto service's kernel half (seed 001): a queue of requests and
 * three system calls. The kernel moves pages, never data: it checks that a
 * client's range is mapped, queues (pid, address, size), and maps the
 * client's pages into the server when it takes the request. It holds no
 * key and no cipher. */
#include "include/uapi/errno.h"
#include "kernel/ipc/shmq.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/share.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"

#define CRYPTO_SERVER_PID  2
#define CRYPTO_HEADER_SIZE 24 /* type, state, key_size, data_size */

static struct shmq crypto_queue;

void crypto_init(void)
{
	shmq_init(&crypto_queue);
	proc_start_service(CRYPTO_SERVER_PID, "/bin/crypto_srv");
}

static bool server_exists(void)
{
	struct mm *mm;
	struct proc *p = proc_find_mm(CRYPTO_SERVER_PID, &mm);
	if (mm)
		proc_mm_put(mm);
	return p != NULL;
}

/* crypto_op(op, size): queue a request whose header and payload fill
 * [op, op+size) of the caller. */
long sys_crypto_op(const u64 *arg)
{
	u64 op = arg[0], size = arg[1];
	if (size < CRYPTO_HEADER_SIZE)
		return -EINVAL;
	if (!mm_access_ok(mm_current(), op, size, /*write=*/true))
		return -EFAULT;
	if (!server_exists())
		return -ESRCH;
	/* Make the pages the client's own now, in its own context: the
	 * server's mapping must not break copy-on-write later, which would
	 * move the client's state word while it sleeps on it. */
	int err = mm_populate(mm_current(), op, size, /*write=*/true);
	if (err)
		return err;
	struct shm_request r = {myproc()->pid, op, size};
	return shmq_put(&crypto_queue, &r);
}

/* take_shared_memory_request(&addr, &size): the server waits for a
 * request and gets the client's pages mapped into itself. Requests whose
 * client is gone, or whose buffer is no longer mapped, are dropped. */
long sys_take_shared_memory_request(const u64 *arg)
{
	struct proc *me = myproc();
	if (me->pid != CRYPTO_SERVER_PID)
		return -EPERM;
	if (!mm_access_ok(me->mm, arg[0], sizeof(u64), true) ||
	    !mm_access_ok(me->mm, arg[1], sizeof(u64), true))
		return -EFAULT;
	for (;;) {
		struct shm_request r;
		int err = shmq_take(&crypto_queue, &r);
		if (err)
			return err;
		struct mm *client;
		if (!proc_find_mm(r.pid, &client) || !client)
			continue;
		long at = map_shared_pages(client, me->mm, r.va, r.size);
		proc_mm_put(client);
		if (at < 0)
			continue;
		if (proc_killed(me)) {
			/* Dying with the request would lose it: hand it on. */
			unmap_shared_pages(me->mm, (u64)at, r.size);
			shmq_unget(&crypto_queue, &r);
			return -EINTR;
		}
		if (put_user_u64((u64 __user *)arg[0], (u64)at) < 0 ||
		    put_user_u64((u64 __user *)arg[1], r.size) < 0) {
			unmap_shared_pages(me->mm, (u64)at, r.size);
			return -EFAULT;
		}
		return 0;
	}
}

/* remove_shared_memory_request(addr, size): the server lets go of a
 * request's pages. */
long sys_remove_shared_memory_request(const u64 *arg)
{
	if (myproc()->pid != CRYPTO_SERVER_PID)
		return -EPERM;
	return unmap_shared_pages(mm_current(), arg[0], arg[1]);
}
