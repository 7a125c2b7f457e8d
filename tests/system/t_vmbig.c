/* Memory stress, big: 24 rounds of a child mapping 64 MiB and touching
 * every page, then exiting (with or without munmap first); the free-page
 * count must be back exactly where it was after each round. About 16000
 * page faults and 64 MiB of zeroing a round: the slowest test, so it has
 * a program of its own (the runner's time limit is per program). */
#include "vmtest.h"

#define RW (PROT_READ | PROT_WRITE)

#define BIG_ROUNDS 24
#define BIG_BYTES  (64L << 20)

/* Maps len bytes, writes a word into every page (which must take that
 * many pages), reads them all back; unmaps the region itself when arg
 * says so (else exit does it). Returns 0, or which step failed. */
static int big_touch(long arg)
{
	long len = arg & ~1L, pages = len / PAGE;
	long free0 = free_page_count();
	long *p = vm_anon(NULL, len, RW, 0);

	if (p == MAP_FAILED)
		return 1;
	for (long i = 0; i < pages; i++)
		p[i * (PAGE / sizeof(long))] = i;
	/* Every page is real memory now. */
	if (free0 - free_page_count() < pages)
		return 4;
	for (long i = 0; i < pages; i++)
		if (p[i * (PAGE / sizeof(long))] != i)
			return 2;
	if ((arg & 1) && munmap(p, len) < 0)
		return 3;
	return 0;
}

int main(void)
{
	long lost_rounds = 0, first_bad = -1, first_lost = 0, first_status = 0, unsettled = 0;

	/* A small round first: this process's own first-use pages. */
	test_in_child(big_touch, 16 * PAGE);
	for (long r = 0; r < BIG_ROUNDS; r++) {
		long before = test_settle();
		int status = test_in_child(big_touch, BIG_BYTES | (r & 1));
		long after = test_settle();
		long lost = before - after;

		if (before < 0 || after < 0) {
			/* Each settle that gives up waits its full time: say why
			 * now and stop, rather than run into the runner's limit
			 * with nothing printed. */
			test_print("round %ld did not settle: %s", r, test_settle_why);
			unsettled++;
		}
		if (status != 0 || lost != 0 || before < 0 || after < 0) {
			if (first_bad < 0) {
				first_bad = r;
				first_lost = lost;
				first_status = status;
			}
			lost_rounds++;
		}
		if (unsettled)
			break;
	}
	CHECK("big-64mib-rounds", lost_rounds == 0,
	      "%ld of %d rounds failed; first: round %ld, status %ld, %ld bytes not freed "
	      "(negative: more free than before); %ld rounds did not settle (%s)",
	      lost_rounds, BIG_ROUNDS, first_bad, first_status, first_lost, unsettled,
	      unsettled ? test_settle_why : "");
	return test_done();
}
