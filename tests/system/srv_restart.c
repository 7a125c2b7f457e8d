/* The kernel's side of a crypto server that dies (kernel/ipc/crypto.c,
 * kernel/proc/spawn.c), against /bin/srv_crash, which crashes on purpose
 * (`make service-test` boots with cryptosrv=/bin/srv_crash and runs only
 * this test):
 *   - a request whose server dies is not lost: it goes back to the head of
 *     the queue, ahead of requests queued after it, and the restarted
 *     server answers it;
 *   - a request that kills the server twice fails, and crypto_wait says
 *     so (EIO), while the kernel never writes into the request; a client
 *     that exits without asking leaves no record of it behind;
 *   - a server that dies as soon as it starts is started again until it
 *     stays up, and then serves;
 *   - after all that, the server serves (and the runner finds every page
 *     back). */
#include <fcntl.h>
#include <stdlib.h>

#include <crypto.h>

#include "srv_test.h"
#include "test.h"

#define SRV_DATA 16

/* A test request of type with a 1-byte key 0 and SRV_DATA bytes of data
 * 0xee; its size in *size. */
static struct crypto_op *srv_request(uint32_t type, uint64_t *size)
{
	*size = CRYPTO_OP_HEADER_SIZE + 1 + SRV_DATA;
	struct crypto_op *op = malloc(*size);

	if (!op)
		return NULL;
	op->type = type;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = 1;
	op->data_size = SRV_DATA;
	op->payload[0] = 0;
	memset(op->payload + 1, 0xee, SRV_DATA);
	return op;
}

/* A request that crashes the server once is answered by the next one,
 * before the request queued behind it. */
static void test_crash_once(void)
{
	uint64_t size;
	struct crypto_op *a = srv_request(SRV_TEST_CRASH_ONCE, &size);
	struct crypto_op *b = srv_request(SRV_TEST_STAMP, &size);

	if (!a || !b)
		return;
	CHECK_OK("crash-once-queued", crypto_op(a, size));
	CHECK_OK("stamp-queued", crypto_op(b, size));
	int sa = crypto_wait(a), sb = crypto_wait(b);
	CHECK("crash-once-answered", sa == CRYPTO_OP_STATE_DONE && a->payload[0] == 1,
	      "state %d, key byte %d (1: a server saw it and crashed)", sa, a->payload[0]);
	CHECK("behind-it-answered", sb == CRYPTO_OP_STATE_DONE, "state %d", sb);
	CHECK("requeued-at-the-head", a->payload[1] == 0 && b->payload[1] == 1,
	      "the restarted server answered it as number %d, the next one as %d", a->payload[1],
	      b->payload[1]);
	free(a);
	free(b);
}

/* A request that crashes every server fails after the second, out of
 * band: crypto_wait gives EIO and the request's bytes are untouched. */
static void test_crash_always(void)
{
	uint64_t size;
	struct crypto_op *op = srv_request(SRV_TEST_CRASH_ALWAYS, &size);

	if (!op)
		return;
	CHECK_OK("crash-always-queued", crypto_op(op, size));
	int r = crypto_wait(op);
	int e = errno;
	CHECK("crash-always-fails-eio", r == -1 && e == EIO, "crypto_wait gave %d (%s)", r,
	      strerror(e));
	CHECK("crash-always-untouched", op->state == CRYPTO_OP_STATE_INIT && op->payload[1] == 0xee,
	      "state %u, data %#x", op->state, op->payload[1]);
	r = crypto_wait(op);
	CHECK("failure-told-once", r == CRYPTO_OP_STATE_INIT, "a second wait gave %d", r);
	free(op);
}

/* In a child: a request that fails, and one behind it, answered after
 * the failure; then the child exits without asking about the first.
 * Returns 0 when the second was answered. */
static int fail_then_exit(long unused)
{
	uint64_t size;
	struct crypto_op *bad = srv_request(SRV_TEST_CRASH_ALWAYS, &size);
	struct crypto_op *good = srv_request(SRV_TEST_STAMP, &size);

	(void)unused;
	if (!bad || !good || crypto_op(bad, size) < 0 || crypto_op(good, size) < 0)
		return 1;
	return crypto_wait(good) == CRYPTO_OP_STATE_DONE ? 0 : 2;
}

/* A client that exits with a failed request it never asked about takes
 * the kernel's record of the failure with it: the runner's exact count
 * of free memory after this program checks that nothing stays. */
static void test_failed_then_exit(void)
{
	int status = test_in_child(fail_then_exit, 0);

	CHECK("failed-then-exit-runs", status == 0, "status %d", status);
}

/* The server crashes on a request, then dies three times at start; the
 * kernel keeps starting it, and the request is answered in the end. */
static void test_dies_at_start(void)
{
	int fd = open(SRV_TEST_EXITS_FILE, O_CREAT | O_TRUNC | O_WRONLY);

	if (!CHECK_OK("exits-file", fd))
		return;
	(void)!write(fd, "3", 1);
	close(fd);
	uint64_t size;
	struct crypto_op *op = srv_request(SRV_TEST_CRASH_ONCE, &size);
	if (!op)
		return;
	CHECK_OK("dies-at-start-queued", crypto_op(op, size));
	int s = crypto_wait(op);
	char left = '?';
	fd = open(SRV_TEST_EXITS_FILE, O_RDONLY);
	(void)!read(fd, &left, 1);
	close(fd);
	unlink(SRV_TEST_EXITS_FILE);
	CHECK("dies-at-start-then-serves", s == CRYPTO_OP_STATE_DONE && left == '0',
	      "state %d, starts left to fail %c", s, left);
	free(op);
}

/* An ordinary XOR request, answered right. */
static int srv_serves(void)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 2 + 4;
	struct crypto_op *op = malloc(size);
	int ok;

	if (!op)
		return 0;
	op->type = CRYPTO_OP_TYPE_ENCRYPT;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = 2;
	op->data_size = 4;
	memcpy(op->payload,
	       "k\1"
	       "abcd",
	       6);
	ok = crypto_op(op, size) == 0 && crypto_wait(op) == CRYPTO_OP_STATE_DONE &&
	     memcmp(op->payload + 2, "\x0a\x63\x08\x65", 4) == 0;
	free(op);
	return ok;
}

int main(void)
{
	CHECK("serves", srv_serves());
	test_crash_once();
	test_crash_always();
	test_failed_then_exit();
	test_dies_at_start();
	CHECK("serves-after-crashes", srv_serves());
	return test_done();
}
