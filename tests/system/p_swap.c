/* Swap seen from programs (kernel/mm/swap.c, reclaim.c): a program can
 * use three times the memory the machine has, and gets every byte back;
 * pages that fork shared copy-on-write go to swap and come back still
 * shared (one page for both, the swap cache's), still copy-on-write;
 * MAP_SHARED memory and pages given out with map_shared_pages stay
 * shared; crypto requests are served right while
 * a hog keeps RAM full; files bigger than RAM, and files mapped by two
 * processes, go to swap and read back right; and every page and slot
 * comes back when the programs end (vm_run_group's exact count of free
 * memory, which counts free swap slots too).
 *
 * A pressure test (p_*): `make swap-test` boots with 64 MiB of RAM (and
 * `make test`'s eager pass with 32) and runs it alone, since it moves a
 * working set of three times RAM through the disk. Without a swap disk (SWAP=0) it checks that none
 * is claimed. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>

#include <chacha20.h>
#include <crypto.h>

/* Each group moves more than RAM through the disk, under either pager. */
#define VM_GROUP_SECONDS 90
#include "vmtest.h"

#define RW	  (PROT_READ | PROT_WRITE)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define EXTRA	  4096 /* pages beyond RAM: 16 MiB */

static struct mnemo_meminfo info(void)
{
	struct mnemo_meminfo mi;

	memset(&mi, 0, sizeof(mi));
	if (meminfo(&mi) < 0)
		test_print("meminfo: %s", strerror(errno));
	return mi;
}

/* The word at the start of each page says which page it is. */
static void mark(uint64_t *p, long npages, uint64_t seed)
{
	for (long i = 0; i < npages; i++)
		p[i * (PAGE / 8)] = seed * 1000003 + (uint64_t)i;
}

static long bad_marks(const uint64_t *p, long npages, uint64_t seed)
{
	long bad = 0;

	for (long i = 0; i < npages; i++)
		bad += p[i * (PAGE / 8)] != seed * 1000003 + (uint64_t)i;
	return bad;
}

/* A working set three times RAM in one mapping: all of it readable
 * afterwards. */
static void more_than_ram(void)
{
	struct mnemo_meminfo mi = info();
	long n = 3 * (long)mi.total_pages, over = n - (long)mi.total_pages;
	uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!CHECK("swap-map", p != MAP_FAILED, "mmap of %ld pages: %s", n, strerror(errno)))
		return;
	struct mnemo_vmstat v0, v1, v2;
	vmstat(&v0);
	int t0 = uptime();
	mark(p, n, 7);
	vmstat(&v1);
	test_print("marked %ld pages in %d ticks", n, uptime() - t0);
	struct mnemo_meminfo peak = info();
	CHECK("swap-used", peak.swap_used_pages >= (uint64_t)over,
	      "%lu slots taken with %ld pages over RAM", (unsigned long)peak.swap_used_pages,
	      (long)over);
	t0 = uptime();
	long bad = bad_marks(p, n, 7);
	test_print("read %ld pages in %d ticks", n, uptime() - t0);
	vmstat(&v2);
	test_print("vmstat while marking: %lu scanned, %lu stolen, %lu out, %lu in",
		   (unsigned long)(v1.pgscan - v0.pgscan), (unsigned long)(v1.pgsteal - v0.pgsteal),
		   (unsigned long)(v1.pswpout - v0.pswpout),
		   (unsigned long)(v1.pswpin - v0.pswpin));
	test_print("vmstat while reading: %lu scanned, %lu stolen, %lu out, %lu in",
		   (unsigned long)(v2.pgscan - v1.pgscan), (unsigned long)(v2.pgsteal - v1.pgsteal),
		   (unsigned long)(v2.pswpout - v1.pswpout),
		   (unsigned long)(v2.pswpin - v1.pswpin));
	CHECK("swap-counted-out",
	      v1.pswpout - v0.pswpout >= (uint64_t)over && v1.pgsteal > v0.pgsteal,
	      "vmstat: %lu pages out, %lu stolen while %ld pages over RAM were filled",
	      (unsigned long)(v1.pswpout - v0.pswpout), (unsigned long)(v1.pgsteal - v0.pgsteal),
	      (long)over);
	CHECK("swap-counted-in", v2.pswpin - v1.pswpin >= (uint64_t)over,
	      "vmstat: %lu pages in while all were read back",
	      (unsigned long)(v2.pswpin - v1.pswpin));
	CHECK("swap-every-byte", bad == 0, "%ld of %ld pages wrong", bad, n);
	CHECK("swap-munmap", munmap(p, n * PAGE) == 0, "%s", strerror(errno));
}

static int child_swapped_pages(int pid)
{
	int n;
	struct mnemo_procinfo *ps = procinfo_all(&n);
	long pages = -1;

	for (int i = 0; ps && i < n; i++)
		if (ps[i].pid == pid)
			pages = (long)(ps[i].swap_bytes / PAGE);
	free(ps);
	return (int)pages;
}

/* Takes all of RAM once and lets go: everything idle goes to swap. */
static void push_out(void)
{
	long n = (long)info().total_pages;
	int pid = fork();

	if (pid == 0) {
		uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			exit(1);
		mark(p, n, 3);
		exit(bad_marks(p, n, 3) == 0 ? 0 : 2);
	}
	CHECK("swap-push", pid > 0 && test_wait_status(pid) == 0, "the hog failed");
}

/* A page fork shared leaves once and comes back as one page for both. */
static void cow_comes_back_shared(void)
{
	long n = 2048;
	uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2];

	if (!CHECK("cow-map", p != MAP_FAILED && pipe(go) == 0 && pipe(done) == 0, "%s",
		   strerror(errno)))
		return;
	mark(p, n, 11);
	int pid = fork();
	if (pid == 0) {
		char c;
		/* Wait until the parent has read every page back. */
		if (read(go[0], &c, 1) != 1)
			exit(3);
		long before = free_page_count();
		long bad = bad_marks(p, n, 11);
		long took = before - free_page_count();
		(void)!write(done[1], &took, sizeof(took));
		(void)!write(done[1], &bad, sizeof(bad));
		mark(p, n, 12); /* copy-on-write: the parent keeps its own */
		exit(bad_marks(p, n, 12) == 0 ? 0 : 4);
	}
	if (!CHECK("cow-fork", pid > 0, "%s", strerror(errno)))
		return;
	push_out();
	int swapped = child_swapped_pages(pid);
	CHECK("cow-swapped", swapped >= n / 2, "the child has %d of %ld pages in swap", swapped, n);
	CHECK("cow-parent-back", bad_marks(p, n, 11) == 0, "the parent's pages came back wrong");
	(void)!write(go[1], "g", 1);
	long took = -1, bad = -1;
	(void)!read(done[0], &took, sizeof(took));
	(void)!read(done[0], &bad, sizeof(bad));
	CHECK("cow-child-back", bad == 0, "%ld of the child's pages came back wrong", bad);
	/* Had the child's pages come back as copies, it would have taken n
	 * pages; shared, none of them. What it does take is its own: the
	 * odd page table, and its own stack and data pages that push_out
	 * sent to swap, each brought back with up to 15 read ahead (a run
	 * saw 109), so the bound is n / 8, far below n. */
	CHECK("cow-shared", took >= 0 && took < n / 8, "the child took %ld pages to read %ld", took,
	      n);
	CHECK("cow-child-writes", test_wait_status(pid) == 0, "the child's writes failed");
	CHECK("cow-parent-keeps", bad_marks(p, n, 11) == 0,
	      "the child's writes reached the parent");
}

/* MAP_SHARED anonymous memory stays shared through swap: the child's
 * writes after both sides' pages went out reach the parent. */
static void shared_stays_shared(void)
{
	long n = 1024;
	uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int done[2];

	if (!CHECK("shared-map", p != MAP_FAILED && pipe(done) == 0, "%s", strerror(errno)))
		return;
	mark(p, n, 21);
	int pid = fork();
	if (pid == 0) {
		char c;
		if (read(done[0], &c, 1) != 1)
			exit(3);
		long bad = bad_marks(p, n, 21);
		mark(p, n, 22);
		exit(bad == 0 ? 0 : 4);
	}
	if (!CHECK("shared-fork", pid > 0, "%s", strerror(errno)))
		return;
	push_out();
	int swapped = child_swapped_pages(pid);
	CHECK("shared-swapped", swapped >= n / 2, "the child has %d of %ld pages in swap", swapped,
	      n);
	(void)!write(done[1], "g", 1);
	CHECK("shared-child", test_wait_status(pid) == 0, "the child read wrong bytes");
	CHECK("shared-parent-sees", bad_marks(p, n, 22) == 0,
	      "%ld of the child's writes did not reach the parent", bad_marks(p, n, 22));
}

/* A file bigger than RAM in the in-memory file system: its pages go to
 * swap and every byte reads back. */
static void file_bigger_than_ram(void)
{
	static uint64_t buf[16 * PAGE / 8];
	long n = (long)info().total_pages + EXTRA, bad = 0;
	int fd = open("p_swap.file", O_CREAT | O_TRUNC | O_RDWR, 0644);

	if (!CHECK("file-open", fd >= 0, "%s", strerror(errno)))
		return;
	for (long i = 0; i < n; i += 16) {
		mark(buf, 16, 31 + i);
		if (write(fd, buf, sizeof(buf)) != (long)sizeof(buf)) {
			CHECK("file-write", 0, "at page %ld of %ld: %s", i, n, strerror(errno));
			goto out;
		}
	}
	struct mnemo_meminfo mi = info();
	CHECK("file-in-swap", mi.swap_used_pages >= EXTRA,
	      "%lu slots taken by a file %ld pages over RAM", (unsigned long)mi.swap_used_pages,
	      (long)EXTRA);
	lseek(fd, 0, SEEK_SET);
	for (long i = 0; i < n; i += 16) {
		if (read(fd, buf, sizeof(buf)) != (long)sizeof(buf)) {
			bad = -1;
			break;
		}
		bad += bad_marks(buf, 16, 31 + i);
	}
	CHECK("file-every-byte", bad == 0, "%ld pages read back wrong", bad);
out:
	close(fd);
	unlink("p_swap.file");
}

/* A file mapped shared by two processes: its pages go to swap while
 * mapped (every PTE that maps one is cleared first), and come back as the
 * file's own page, so both processes and read() still see one file. */
static void mapped_file_goes_too(void)
{
	long n = 2048;
	int fd = open("p_swap.mapped", O_CREAT | O_TRUNC | O_RDWR, 0644);
	int done[2];

	if (!CHECK("mapped-open", fd >= 0 && pipe(done) == 0, "%s", strerror(errno)))
		return;
	uint64_t *p = MAP_FAILED;
	if (CHECK("mapped-size", ftruncate(fd, n * PAGE) == 0, "%s", strerror(errno)))
		p = mmap(NULL, n * PAGE, RW, MAP_SHARED, fd, 0);
	if (!CHECK("mapped-map", p != MAP_FAILED, "%s", strerror(errno)))
		goto out;
	mark(p, n, 41);
	int pid = fork();
	if (pid == 0) {
		char c;
		if (read(done[0], &c, 1) != 1)
			exit(3);
		long bad = bad_marks(p, n, 41);
		mark(p, n, 42);
		exit(bad == 0 ? 0 : 4);
	}
	if (!CHECK("mapped-fork", pid > 0, "%s", strerror(errno)))
		goto unmap;
	push_out();
	long used = (long)info().swap_used_pages;
	CHECK("mapped-swapped", used >= n / 2, "%ld slots taken with the file's %ld pages idle",
	      used, n);
	(void)!write(done[1], "g", 1);
	CHECK("mapped-child", test_wait_status(pid) == 0, "the child read wrong bytes");
	CHECK("mapped-parent-sees", bad_marks(p, n, 42) == 0,
	      "%ld of the child's writes did not reach the parent", bad_marks(p, n, 42));
	uint64_t word = 0;
	CHECK("mapped-read-sees",
	      lseek(fd, (n - 1) * PAGE, SEEK_SET) == (n - 1) * PAGE &&
		  read(fd, &word, sizeof(word)) == sizeof(word) &&
		  word == 42 * 1000003 + (uint64_t)(n - 1),
	      "read() of the last page gives %#lx", (unsigned long)word);
unmap:
	munmap(p, n * PAGE);
out:
	close(fd);
	unlink("p_swap.mapped");
}

/* Pages given out with map_shared_pages go to swap from both sides (each
 * PTE leaves on its own, and the page waits in the swap cache until the
 * last has gone), and come back as one page: writes on either side reach
 * the other afterwards. A fork of the owner while they are out gives its
 * child a copy, as a fork while they are in does. */
static void shared_in_goes_too(void)
{
	long n = 2048;
	uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ready[2], go[2];
	char c;

	if (!CHECK("shm-map", p != MAP_FAILED && pipe(ready) == 0 && pipe(go) == 0, "%s",
		   strerror(errno)))
		return;
	int pid = fork();
	if (pid == 0) {
		int st = -1;
		mark(p, n, 51);
		(void)!write(ready[1], "r", 1);
		if (read(go[0], &c, 1) != 1)
			exit(3);
		int g = fork();
		if (g == 0) {
			/* A copy of its own: these writes stay here. */
			if (bad_marks(p, n, 52) != 0)
				exit(5);
			mark(p, n, 60);
			exit(bad_marks(p, n, 60) == 0 ? 0 : 5);
		}
		if (g < 0 || waitpid(g, &st, 0) != g || st != 0)
			exit(6);
		if (bad_marks(p, n, 52) != 0)
			exit(4); /* the parent's writes are here, the grandchild's not */
		mark(p, n, 53);
		exit(0);
	}
	if (!CHECK("shm-fork", pid > 0 && read(ready[0], &c, 1) == 1, "%s", strerror(errno)))
		return;
	uint64_t *at = map_shared_pages(pid, 0, p, n * PAGE);
	if (!CHECK("shm-shared", at != MAP_FAILED && bad_marks(at, n, 51) == 0,
		   "map_shared_pages: %s", at == MAP_FAILED ? strerror(errno) : "wrong bytes")) {
		(void)!write(go[1], "g", 1);
		test_wait_status(pid);
		return;
	}
	push_out();
	int theirs = child_swapped_pages(pid), ours = child_swapped_pages(getpid());
	CHECK("shm-swapped", theirs >= n / 2 && ours >= n / 2,
	      "%d of the %ld pages in swap for their owner, %d for us", theirs, n, ours);
	mark(at, n, 52);
	(void)!write(go[1], "g", 1);
	int status = test_wait_status(pid);
	CHECK("shm-child", status == 0,
	      "the owner exited %d (4: our writes did not reach it or its child's did, 5 or "
	      "6: its child's copy was wrong)",
	      status);
	CHECK("shm-we-see", bad_marks(at, n, 53) == 0, "%ld of the owner's writes did not reach us",
	      bad_marks(at, n, 53));
	CHECK("shm-unmap", unmap_shared_pages(at, n * PAGE) == 0, "%s", strerror(errno));
	munmap(p, n * PAGE);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A child that keeps all of RAM busy, marking it round after round, until
 * *stop is set; it exits 0 if every round read back right. */
static int start_hog(volatile uint64_t *stop)
{
	long n = (long)info().total_pages;
	int pid = fork();

	if (pid == 0) {
		uint64_t *p = mmap(NULL, n * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			exit(1);
		for (uint64_t round = 1; !*stop; round++) {
			for (long i = 0; i < n && !*stop; i += 256)
				mark(p + i * (PAGE / 8), MIN(256, n - i),
				     round * 100000 + (uint64_t)i);
			for (long i = 0; i < n && !*stop; i += 256)
				if (bad_marks(p + i * (PAGE / 8), MIN(256, n - i),
					      round * 100000 + (uint64_t)i))
					exit(2);
		}
		exit(0);
	}
	return pid;
}

#define CR_REQUESTS 4
#define CR_DATA	    (512 * 1024L)
#define CR_KEY	    (CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE + 4)

/* Crypto requests served while their client's pages, and the server's,
 * are pushed to swap by a hog: each request's pages come back when it is
 * queued (pinned), the server maps them, and every byte of every answer
 * is right. ChaCha20 and XOR, several requests in flight. */
static void crypto_under_pressure(void)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + CR_KEY + CR_DATA;
	long pages = (long)((size + PAGE - 1) / PAGE);
	uint8_t *buf =
	    mmap(NULL, CR_REQUESTS * pages * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *want = mmap(NULL, CR_REQUESTS * CR_DATA, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t *stop = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (!CHECK("cry-map", buf != MAP_FAILED && want != MAP_FAILED && stop != MAP_FAILED, "%s",
		   strerror(errno)))
		return;
	struct crypto_op *ops[CR_REQUESTS];
	for (int r = 0; r < CR_REQUESTS; r++) {
		struct crypto_op *op = (struct crypto_op *)(buf + r * pages * PAGE);
		bool chacha = r % 2 == 0;
		op->type = chacha ? CRYPTO_OP_TYPE_CHACHA20 : CRYPTO_OP_TYPE_ENCRYPT;
		op->state = CRYPTO_OP_STATE_INIT;
		op->key_size = chacha ? CR_KEY : 7;
		op->data_size = CR_DATA;
		uint8_t *key = op->payload, *data = op->payload + op->key_size;
		for (uint64_t i = 0; i < op->key_size; i++)
			key[i] = (uint8_t)(i * 37 + r);
		if (chacha) /* block counter 1, little-endian */
			memcpy(key + CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE, "\1\0\0\0", 4);
		for (long i = 0; i < CR_DATA; i++)
			data[i] = (uint8_t)(i * 13 + r);
		uint8_t *w = want + r * CR_DATA;
		memcpy(w, data, CR_DATA);
		if (chacha)
			chacha20_xor(key, key + CHACHA20_KEY_SIZE, 1, w, CR_DATA);
		else
			for (long i = 0; i < CR_DATA; i++)
				w[i] ^= key[i % op->key_size];
		ops[r] = op;
	}
	*stop = 0;
	push_out();
	struct mnemo_meminfo mi = info();
	CHECK("cry-pushed", mi.swap_used_pages >= (uint64_t)pages,
	      "%lu slots taken: the requests' pages did not leave",
	      (unsigned long)mi.swap_used_pages);
	int hog = start_hog(stop);
	if (!CHECK("cry-hog", hog > 0, "%s", strerror(errno)))
		return;
	int queued = 0, done = 0;
	for (int r = 0; r < CR_REQUESTS; r++) {
		if (crypto_op(ops[r], size) == 0)
			queued++;
		else
			test_print("crypto_op %d: %s", r, strerror(errno));
	}
	for (int r = 0; r < CR_REQUESTS; r++)
		done += crypto_wait(ops[r]) == CRYPTO_OP_STATE_DONE;
	*stop = 1;
	CHECK("cry-served", queued == CR_REQUESTS && done == CR_REQUESTS,
	      "%d queued, %d done of %d", queued, done, CR_REQUESTS);
	long bad = 0;
	for (int r = 0; r < CR_REQUESTS; r++) {
		const uint8_t *got = ops[r]->payload + ops[r]->key_size, *w = want + r * CR_DATA;
		long first = -1, nbad = 0;
		for (long i = 0; i < CR_DATA; i++)
			if (got[i] != w[i]) {
				nbad++;
				if (first < 0)
					first = i;
			}
		if (nbad)
			test_print("request %d (state %u): %ld bytes wrong, the first at %ld", r,
				   ops[r]->state, nbad, first);
		bad += nbad != 0;
	}
	CHECK("cry-every-byte", bad == 0, "%ld of %d answers wrong", bad, CR_REQUESTS);
	CHECK("cry-hog-right", test_wait_status(hog) == 0, "the hog read back wrong bytes");
	munmap(buf, CR_REQUESTS * pages * PAGE);
	munmap(want, CR_REQUESTS * CR_DATA);
	munmap((void *)stop, PAGE);
}

int main(void)
{
	struct mnemo_meminfo mi = info();

	if (mi.swap_pages == 0) {
		/* SWAP=0: nothing to page to, and nothing may say otherwise. */
		CHECK("no-swap", mi.swap_used_pages == 0 && mi.swap_cache_pages == 0,
		      "%lu slots taken, %lu cached without a disk",
		      (unsigned long)mi.swap_used_pages, (unsigned long)mi.swap_cache_pages);
		return test_done();
	}
	test_print("swap: %lu MiB, RAM %lu MiB", (unsigned long)(mi.swap_pages * PAGE >> 20),
		   (unsigned long)(mi.total_pages * PAGE >> 20));
	vm_run_group("more-than-ram", more_than_ram);
	vm_run_group("cow-comes-back-shared", cow_comes_back_shared);
	vm_run_group("shared-stays-shared", shared_stays_shared);
	vm_run_group("shared-in-goes-too", shared_in_goes_too);
	vm_run_group("crypto-under-pressure", crypto_under_pressure);
	if (test_enter_tmp("p_swap") == 0) {
		vm_run_group("file-bigger-than-ram", file_bigger_than_ram);
		vm_run_group("mapped-file-goes-too", mapped_file_goes_too);
		test_leave_tmp("p_swap");
	}
	return test_done();
}
