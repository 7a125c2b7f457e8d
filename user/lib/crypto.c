/* The crypto service's calls (<crypto.h>): a client queues a request and
 * waits for it; the server (PID 2) takes requests and lets them go. */
#include <crypto.h>
#include <mnemo.h>

#include "usys.h"

int crypto_op(struct crypto_op *op, uint64_t size)
{
	return usys_result(usys_call2(SYS_crypto_op, op, size));
}

/* The kernel sleeps until the server has removed our request (it stores
 * the data, then `fence rw,rw', then the state, then removes it), or
 * tells us that the request failed: the server died on it twice, and the
 * kernel never writes into a request, so that answer comes out of band.
 * After the call a fence of our own orders our reads of the data after the
 * server's writes. */
int crypto_wait(struct crypto_op *op)
{
	long r = usys_call1(SYS_crypto_wait, op);

	if (usys_is_error(r))
		return usys_result(r);
	__asm__ volatile("fence rw,rw" : : : "memory");
	return (int)*(volatile uint32_t *)&op->state;
}

int take_shared_memory_request(void **addr, uint64_t *size)
{
	return usys_result(usys_call2(SYS_take_shared_memory_request, addr, size));
}

int remove_shared_memory_request(void *addr, uint64_t size)
{
	return usys_result(usys_call2(SYS_remove_shared_memory_request, addr, size));
}
