/* fuzz: the system-call fuzzer (tests/fuzz/README.md).
 *
 *   fuzz [--seed S] [--calls N] [--round R | --round A-B | --from R --rounds N]
 *        [--child C] [--per-child K] [--seconds S] [--hang S] [--batch N]
 *        [--skip LIST] [--print]
 *   fuzz --check-clean
 *
 * Runs rounds until N calls were made (20000 by default), the rounds
 * asked for are done or S seconds have passed; prints `PASS fuzz-PAGER-rounds-A-B` for each batch
 * of rounds without failure, a FAIL line for each failure, and the
 * totals. Exits 0 only if nothing failed. --check-clean makes no round:
 * it checks the parent's cleanup instead (selfcheck.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mnemo.h>

#include "fuzz.h"

#define FZ_MAX_FAILURES 20 /* a run stops after this many */

static struct mnemo_vmmap fz_probe[64];

/* Which pager this kernel runs: the eager one has filled a fresh private
 * mapping before anything touched it. */
static const char *fz_pager(void)
{
	void *a = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *name = "unknown";
	int n = vmmaps(0, fz_probe, 64);

	for (int i = 0; i < n && i < 64; i++)
		if (fz_probe[i].start == (uint64_t)a)
			name = fz_probe[i].resident ? "eager" : "lazy";
	munmap(a, FZ_PAGE);
	return name;
}

/* Says how to call fuzz; the exit status of a bad command line. */
static int fz_usage(void)
{
	fz_say("usage: fuzz [--seed S] [--calls N] [--round R | --round A-B | --from R --rounds N] "
	       "[--child C] [--per-child K] [--seconds S] [--hang S] [--batch N] [--skip LIST] "
	       "[--print] | --check-clean");
	return 2;
}

/* --round R, or --round A-B for rounds A to B. */
static void fz_parse_rounds(struct fz_opts *o, const char *v)
{
	char *end;

	o->first_round = strtol(v, &end, 0);
	o->rounds = *end == '-' ? strtol(end + 1, NULL, 0) - o->first_round + 1 : 1;
}

/* Fills o from argv; returns 0 or -1. */
static int fz_parse(struct fz_opts *o, int argc, char *argv[])
{
	bool seeded = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--print") == 0) {
			o->print = true;
			continue;
		}
		if (strcmp(a, "--check-clean") == 0) {
			o->check_clean = true;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (strcmp(a, "--seed") == 0)
			o->seed = strtoull(v, NULL, 0), seeded = true;
		else if (strcmp(a, "--calls") == 0)
			o->calls = strtol(v, NULL, 0);
		else if (strcmp(a, "--round") == 0)
			fz_parse_rounds(o, v);
		else if (strcmp(a, "--from") == 0)
			o->first_round = strtol(v, NULL, 0);
		else if (strcmp(a, "--rounds") == 0)
			o->rounds = strtol(v, NULL, 0);
		else if (strcmp(a, "--child") == 0)
			o->only_child = (int)strtol(v, NULL, 0);
		else if (strcmp(a, "--per-child") == 0)
			o->per_child = (int)strtol(v, NULL, 0);
		else if (strcmp(a, "--seconds") == 0)
			o->seconds = (int)strtol(v, NULL, 0);
		else if (strcmp(a, "--hang") == 0)
			o->hang_s = (int)strtol(v, NULL, 0);
		else if (strcmp(a, "--batch") == 0)
			o->batch = (int)strtol(v, NULL, 0);
		else if (strcmp(a, "--skip") == 0) {
			if (fz_skip_parse(o, v) < 0)
				return -1;
			o->skip_list = v;
		} else
			return -1;
	}
	/* A fresh seed each run, from the clock (the first line prints it). */
	if (!seeded)
		o->seed = fz_mix(mnemo_rdtime() ^ ((uint64_t)getpid() << 40));
	return o->per_child > 0 && o->hang_s > 0 && o->batch > 0 ? 0 : -1;
}

/* Runs the rounds and prints the PASS lines and the totals. */
static int fz_run(struct fz_opts *o)
{
	long calls = 0, rounds = 0, batch_first = o->first_round;
	int failures = 0, batch_failures = 0;
	bool stop = false;

	fz_say("fuzz: seed 0x%lx, %s pager, %ld %s from round %ld, %d calls per child",
	       (unsigned long)o->seed, o->pager, o->rounds ? o->rounds : o->calls,
	       o->rounds ? "rounds" : "calls", o->first_round, o->per_child);
	int start = uptime();

	for (long r = o->first_round; !stop && failures < FZ_MAX_FAILURES; r++) {
		if (o->rounds ? rounds == o->rounds : calls >= o->calls)
			break;
		if (o->seconds && uptime() - start >= o->seconds * 100) {
			fz_say("fuzz: time limit of %d s reached", o->seconds);
			break;
		}
		int f = fz_round(o, r, &calls, &stop);
		failures += f;
		batch_failures += f;
		rounds++;
		if ((r - batch_first + 1) % o->batch == 0) {
			if (!batch_failures)
				fz_say("PASS fuzz-%s-rounds-%ld-%ld", o->pager, batch_first, r);
			batch_first = r + 1;
			batch_failures = 0;
		}
	}
	if (batch_first < o->first_round + rounds && !batch_failures)
		fz_say("PASS fuzz-%s-rounds-%ld-%ld", o->pager, batch_first,
		       o->first_round + rounds - 1);
	fz_say("fuzz: %ld calls, %ld rounds, %d failures (seed 0x%lx, %s pager)", calls, rounds,
	       failures, (unsigned long)o->seed, o->pager);
	return failures ? 1 : 0;
}

/* Runs fz_run with 8 KiB of stack above it: the pointer classes write
 * into the top page of the stack (argv, TLS), which must hold no frame a
 * fuzzing process still returns through. */
static int __attribute__((noinline)) fz_run_low(struct fz_opts *o)
{
	volatile char pad[8192];
	int ret;

	pad[0] = 0;
	ret = o->check_clean ? fz_check_clean(o) : fz_run(o);
	return ret + pad[0]; /* keeps the frame until fz_run returns */
}

int main(int argc, char *argv[])
{
	static struct fz_opts o = {
	    .calls = 20000,
	    .per_child = 64,
	    .only_child = -1,
	    .hang_s = 10,
	    .batch = 10,
	};

	fz_table_init();
	if (fz_parse(&o, argc, argv) < 0)
		return fz_usage();
	o.pager = fz_pager();
	if (fz_parent_setup(&o) < 0)
		return 1;
	return fz_run_low(&o);
}
