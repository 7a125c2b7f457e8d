/* srv_crash: a crypto server that crashes on purpose, for srv_restart.
 * `make service-test` boots the kernel with cryptosrv=/bin/srv_crash, so
 * this program is the server the kernel starts (and restarts) instead of
 * /bin/crypto_srv. It answers ordinary requests as the real server does
 * (crypto_serve), and the test types of srv_test.h as they say. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <crypto.h>
#include <mnemo.h>

#include "srv_test.h"

static int srv_answered; /* requests answered by this run */

/* Counts SRV_TEST_EXITS_FILE down; true if this start should fail. */
static int srv_should_exit(void)
{
	char c = '0';
	int fd = open(SRV_TEST_EXITS_FILE, O_RDWR);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) == 1 && c > '0') {
		c--;
		lseek(fd, 0, SEEK_SET);
		(void)!write(fd, &c, 1);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Maps a page of a child of ours at the place where requests are mapped
 * and lets it go, as the real server's self-test does: the page tables
 * that every request needs exist from the start, so that answering a
 * request never makes the server grow (the runner counts free pages).
 * The same goes for the page of .bss that srv_answered lives in. */
static void srv_warm_up(void)
{
	static char page[4096];
	int go[2];
	char c;

	if (pipe(go) < 0)
		return;
	int pid = fork();
	if (pid == 0) {
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	void *at = pid > 0 ? map_shared_pages(pid, 0, page, sizeof(page)) : (void *)-1;
	if (at != (void *)-1)
		unmap_shared_pages(at, sizeof(page));
	close(go[0]);
	close(go[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	srv_answered = 0; /* and our .bss page */
}

static void srv_crash(void)
{
	*(volatile int *)0 = 1;
}

/* The state to answer op with, crashing first where the type says so. */
static enum crypto_op_state srv_serve(struct crypto_op *op, uint64_t size)
{
	switch (op->type) {
	case SRV_TEST_CRASH_ONCE:
		if (op->key_size < 1 || op->data_size < 1)
			return CRYPTO_OP_STATE_ERROR;
		if (op->payload[0] == 0) {
			op->payload[0] = 1;
			srv_crash();
		}
		/* fall through */
	case SRV_TEST_STAMP:
		if (op->key_size + 1 > size - CRYPTO_OP_HEADER_SIZE)
			return CRYPTO_OP_STATE_ERROR;
		op->payload[op->key_size] = (uint8_t)srv_answered;
		return CRYPTO_OP_STATE_DONE;
	case SRV_TEST_CRASH_ALWAYS:
		srv_crash();
		return CRYPTO_OP_STATE_ERROR;
	default:
		return crypto_serve(op, size);
	}
}

int main(void)
{
	if (srv_should_exit())
		return 3;
	srv_warm_up();
	for (;;) {
		void *addr;
		uint64_t size;

		if (take_shared_memory_request(&addr, &size) < 0)
			continue;
		struct crypto_op *op = addr;
		enum crypto_op_state state = srv_serve(op, size);
		__asm__ volatile("fence rw,rw" : : : "memory");
		*(volatile uint32_t *)&op->state = state;
		srv_answered++;
		remove_shared_memory_request(addr, size);
	}
}
