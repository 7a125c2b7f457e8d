/* crypto_srv: the server of the cryptographic service (seed 001), a
 * daemon the kernel starts as PID 2 at boot and again whenever it exits.
 *
 * It loops forever: take_shared_memory_request() sleeps until a client's
 * crypto_op() is queued and maps the client's pages into this process;
 * crypto_serve() checks the request and runs the cipher on the data in
 * place; the final state (DONE, or ERROR for a bad request) is stored
 * after a fence, so the client that sees it also sees the data; the
 * client is woken through the futex on the state word; and
 * remove_shared_memory_request() lets the pages go, on the error path
 * too. No request, however malformed, makes the server exit. It prints
 * nothing unless something is wrong with itself. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chacha20.h>
#include <crypto.h>
#include <mnemo.h>

/* The kernel starts the server with no open files: give it the console
 * for its complaints. */
static void crypto_srv_console(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* Answers the request mapped at op, size bytes: runs it, then publishes
 * the final state and wakes the client. */
static void crypto_srv_answer(struct crypto_op *op, uint64_t size)
{
	enum crypto_op_state state = crypto_serve(op, size);

	/* The kernel queues nothing shorter than the header; without one
	 * there is no state word to answer in. */
	if (size < CRYPTO_OP_HEADER_SIZE)
		return;
	/* Data first, then the state that says it is ready. */
	__asm__ volatile("fence rw,rw" : : : "memory");
	*(volatile uint32_t *)&op->state = state;
	futex_wake(&op->state, -1);
}

/* Lets a request's pages go. */
static void crypto_srv_remove(void *addr, uint64_t size)
{
	if (remove_shared_memory_request(addr, size) < 0)
		fprintf(stderr, "crypto_srv: cannot remove request at %p (%llu bytes): %s\n", addr,
			(unsigned long long)size, strerror(errno));
}

/* ---------------------------------------------------------------- self-test
 * Two requests, one per cipher, with known answers. The server builds them,
 * forks, maps the child's copy into itself with map_shared_pages() (which
 * is what taking a request does), answers and removes them as it does any
 * client's; the child then checks the answers and exits 0 or 1. So a
 * server whose cipher is broken says so at boot rather than answering
 * wrongly, and the one run through the whole path touches the stack and
 * the data that every later request uses: serving a client leaves the
 * server as big as it was (the page tables a request needs go with it),
 * which the leak tests (free pages counted around a client) rely on. */

/* RFC 8439, 2.4.2: key 00 01 .. 1f, nonce 00 00 00 00 00 00 00 4a 00 00
 * 00 00, block counter 1; the ciphertext starts 6e 2e 35 9a 25 68 f9 80. */
static const char crypto_srv_rfc_text[] = "Ladies and Gentlemen of the class of '99: If I could "
					  "offer you only one tip for the future, sunscreen would "
					  "be it.";
static const uint8_t crypto_srv_rfc_start[8] = {0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80};

#define CRYPTO_SRV_TEXT_LEN (sizeof(crypto_srv_rfc_text) - 1)
#define CRYPTO_SRV_XOR_SIZE (CRYPTO_OP_HEADER_SIZE + 3)
#define CRYPTO_SRV_CHACHA_SIZE                                                                     \
	(CRYPTO_OP_HEADER_SIZE + CRYPTO_CHACHA20_KEY_SIZE + CRYPTO_SRV_TEXT_LEN)
/* Both requests in one buffer: the XOR one at 0, the ChaCha20 one here. */
#define CRYPTO_SRV_CHACHA_AT 64
#define CRYPTO_SRV_TEST_SIZE (CRYPTO_SRV_CHACHA_AT + CRYPTO_SRV_CHACHA_SIZE)

static void crypto_srv_test_build(char *buf)
{
	struct crypto_op *op = (struct crypto_op *)buf;
	uint8_t *field;

	/* XOR with key "k": "ab" becomes 0a 09. */
	op->type = CRYPTO_OP_TYPE_ENCRYPT;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = 1;
	op->data_size = 2;
	memcpy(op->payload, "kab", 3);

	op = (struct crypto_op *)(buf + CRYPTO_SRV_CHACHA_AT);
	op->type = CRYPTO_OP_TYPE_CHACHA20;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = CRYPTO_CHACHA20_KEY_SIZE;
	op->data_size = CRYPTO_SRV_TEXT_LEN;
	field = op->payload;
	memset(field, 0, CRYPTO_CHACHA20_KEY_SIZE);
	for (int i = 0; i < CHACHA20_KEY_SIZE; i++)
		field[i] = (uint8_t)i;
	field[CHACHA20_KEY_SIZE + 7] = 0x4a;		    /* the nonce */
	field[CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE] = 1; /* the counter */
	memcpy(field + CRYPTO_CHACHA20_KEY_SIZE, crypto_srv_rfc_text, CRYPTO_SRV_TEXT_LEN);
}

/* In the child, after the server is done: 0 when both answers are right. */
static int crypto_srv_test_check(const char *buf)
{
	const struct crypto_op *x = (const struct crypto_op *)buf;
	const struct crypto_op *c = (const struct crypto_op *)(buf + CRYPTO_SRV_CHACHA_AT);

	if (x->state != CRYPTO_OP_STATE_DONE || memcmp(x->payload + 1, "\x0a\x09", 2) != 0)
		return 1;
	if (c->state != CRYPTO_OP_STATE_DONE ||
	    memcmp(c->payload + CRYPTO_CHACHA20_KEY_SIZE, crypto_srv_rfc_start,
		   sizeof(crypto_srv_rfc_start)) != 0)
		return 1;
	return 0;
}

/* The server's half: answers the child's copy of the requests at buf as
 * if a client had queued them. */
static void crypto_srv_test_serve(int child, char *buf)
{
	char *at = map_shared_pages(child, 0, buf, CRYPTO_SRV_TEST_SIZE);

	if (at == (char *)-1)
		return;
	crypto_srv_answer((struct crypto_op *)at, CRYPTO_SRV_XOR_SIZE);
	crypto_srv_answer((struct crypto_op *)(at + CRYPTO_SRV_CHACHA_AT), CRYPTO_SRV_CHACHA_SIZE);
	/* Not a request: the kernel has none in service here. */
	unmap_shared_pages(at, CRYPTO_SRV_TEST_SIZE);
}

/* Returns 0 when the self-test passed, -1 after saying why not. */
static int crypto_srv_self_test(void)
{
	char *buf = malloc(CRYPTO_SRV_TEST_SIZE);
	int go[2], pid = -1, status = -1;
	char c;

	if (!buf || pipe(go) < 0)
		goto out;
	crypto_srv_test_build(buf);
	pid = fork();
	if (pid == 0) {
		/* Wait until the server has answered and closed its end. */
		close(go[1]);
		while (read(go[0], &c, 1) > 0)
			;
		_exit(crypto_srv_test_check(buf));
	}
	close(go[0]);
	if (pid > 0)
		crypto_srv_test_serve(pid, buf);
	close(go[1]);
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
out:
	free(buf);
	if (pid < 0)
		fprintf(stderr, "crypto_srv: cannot run the self-test: %s\n", strerror(errno));
	else if (status != 0)
		fprintf(stderr, "crypto_srv: self-test failed (status %d)\n", status);
	return status == 0 ? 0 : -1;
}

int main(void)
{
	if (getpid() != CRYPTO_SERVER_PID) {
		fprintf(stderr, "crypto_srv: not PID %d; the kernel starts the server itself\n",
			CRYPTO_SERVER_PID);
		return 1;
	}
	crypto_srv_console();
	crypto_srv_self_test();

	for (;;) {
		void *addr;
		uint64_t size;

		/* It fails only when we are being killed (EINTR). */
		if (take_shared_memory_request(&addr, &size) < 0)
			continue;
		crypto_srv_answer(addr, size);
		crypto_srv_remove(addr, size);
	}
}
