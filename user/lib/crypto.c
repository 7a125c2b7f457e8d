/* The crypto service's calls (<crypto.h>): a client queues a request and
 * waits for it; the server (PID 2) takes requests and lets them go. */
#include <crypto.h>
#include <mnemo.h>

#include "usys.h"

int crypto_op(struct crypto_op *op, uint64_t size)
{
	return usys_result(usys_call2(SYS_crypto_op, op, size));
}

/* The server stores the data, then `fence rw,rw', then the state, then
 * wakes us; so once we have seen the state change, a fence of our own
 * orders our later reads of the data after it. futex_wait returns at once
 * when the state is no longer INIT, and a wakeup for some other reason
 * only costs another look, so the loop needs nothing else. (A request
 * whose state word is not 4-byte aligned cannot be a futex word: then
 * futex_wait fails with EINVAL and this loop polls.) */
int crypto_wait(struct crypto_op *op)
{
	volatile uint32_t *state = &op->state;
	uint32_t now;

	while ((now = *state) == CRYPTO_OP_STATE_INIT)
		futex_wait(&op->state, CRYPTO_OP_STATE_INIT);
	__asm__ volatile("fence rw,rw" : : : "memory");
	return (int)now;
}

int take_shared_memory_request(void **addr, uint64_t *size)
{
	return usys_result(usys_call2(SYS_take_shared_memory_request, addr, size));
}

int remove_shared_memory_request(void *addr, uint64_t size)
{
	return usys_result(usys_call2(SYS_remove_shared_memory_request, addr, size));
}
