/* The C library's memcpy, memmove, memset, strlen and memcmp, included
 * by runbench.c after its timing helpers (bench_ns, bench_use, PAGE) and
 * bench_mib_per_s. Each row runs one function on one size, 16 B to
 * 4 MiB, over buffers of its own, and gives MiB/s: the bytes the calls
 * went over (copied, set, measured or compared) per second, the cost of
 * the call included. Enough calls to go over 4 MiB make one trial (two of
 * 4 MiB: 8 MiB).
 *
 * "misaligned" rows start the source 1 byte and the destination 3 bytes
 * past an 8-byte boundary: no two pointers share an alignment, which is
 * the case a routine that copies words only when its pointers agree
 * leaves to a byte loop. memmove's rows move the bytes up by 24 (or 25),
 * over themselves, so they run backwards. strlen's string is size - 1
 * bytes and its terminator; memcmp compares two equal buffers, to the end.
 *
 * The functions are called through volatile pointers, so the compiler
 * cannot put its own inline code in place of a call of known size. */
#ifndef BENCH_STRING_H
#define BENCH_STRING_H

#include <stddef.h>
#include <sys/mman.h>

static void *(*volatile bench_memcpy_fn)(void *, const void *, size_t) = memcpy;
static void *(*volatile bench_memmove_fn)(void *, const void *, size_t) = memmove;
static void *(*volatile bench_memset_fn)(void *, int, size_t) = memset;
static size_t (*volatile bench_strlen_fn)(const char *) = strlen;
static int (*volatile bench_memcmp_fn)(const void *, const void *, size_t) = memcmp;

enum bench_str_op { BS_MEMCPY, BS_MEMMOVE, BS_MEMSET, BS_STRLEN, BS_MEMCMP, BS_WORDS };

/* The reference row: an inline loop of 8-byte words, copying 4 MiB. */
static void bench_str_words(uint64_t *dst, const uint64_t *src, long len)
{
	for (long i = 0; i < len / 8; i++)
		dst[i] = src[i];
}

/* One trial of op on size bytes; misaligned: see above. */
static uint64_t bench_string(enum bench_str_op op, long size, int misaligned)
{
	/* Room for the size, the offsets and memmove's shift. */
	long len = (size + 64 + PAGE - 1) / PAGE * PAGE;
	long calls = size >= (4L << 20) ? 2 : (4L << 20) / size;
	char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *src = a + (misaligned ? 1 : 0), *dst = b + (misaligned ? 3 : 0);
	uint64_t t0, ns = 0;
	long sink = 0;

	if (a == MAP_FAILED || b == MAP_FAILED)
		goto out;
	/* Touch every page, and give both buffers the same bytes with no
	 * zero among them (strlen's terminator comes below). */
	for (long i = 0; i < len; i++)
		a[i] = b[i] = (char)('a' + i % 26);
	if (op == BS_MEMMOVE)
		dst = src + (misaligned ? 25 : 24);
	if (op == BS_STRLEN)
		src[size - 1] = 0;
	if (op == BS_MEMCMP) /* the same bytes as src, at dst */
		for (long i = 0; i < size; i++)
			dst[i] = src[i];
	t0 = mnemo_rdtime();
	for (long i = 0; i < calls; i++) {
		switch (op) {
		case BS_MEMCPY:
			bench_memcpy_fn(dst, src, size);
			break;
		case BS_MEMMOVE:
			bench_memmove_fn(dst, src, size);
			break;
		case BS_MEMSET:
			bench_memset_fn(dst, (int)i, size);
			break;
		case BS_STRLEN:
			sink += bench_strlen_fn(src);
			break;
		case BS_MEMCMP:
			sink += bench_memcmp_fn(dst, src, size);
			break;
		case BS_WORDS:
			bench_str_words((uint64_t *)dst, (const uint64_t *)src, size);
			break;
		}
		bench_use(dst);
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	/* A wrong answer is a failed row. */
	if ((op == BS_STRLEN && sink != calls * (size - 1)) || (op == BS_MEMCMP && sink != 0))
		ns = 0;
out:
	if (a != MAP_FAILED)
		munmap(a, len);
	if (b != MAP_FAILED)
		munmap(b, len);
	/* MiB/s x1000 for size * calls bytes */
	return ns ? (uint64_t)size * calls * 1000000000ull / ns * 1000 >> 20 : 0;
}

#define BENCH_STRING(fn, op, size, misaligned)                                                     \
	static uint64_t fn(void)                                                                   \
	{                                                                                          \
		return bench_string(op, size, misaligned);                                         \
	}

BENCH_STRING(bench_words_4m, BS_WORDS, 4L << 20, 0)
BENCH_STRING(bench_memcpy_16, BS_MEMCPY, 16, 0)
BENCH_STRING(bench_memcpy_256, BS_MEMCPY, 256, 0)
BENCH_STRING(bench_memcpy_4k, BS_MEMCPY, 4096, 0)
BENCH_STRING(bench_memcpy_4k_mis, BS_MEMCPY, 4096, 1)
BENCH_STRING(bench_memcpy_4m, BS_MEMCPY, 4L << 20, 0)
BENCH_STRING(bench_memcpy_4m_mis, BS_MEMCPY, 4L << 20, 1)
BENCH_STRING(bench_memmove_256, BS_MEMMOVE, 256, 0)
BENCH_STRING(bench_memmove_4k, BS_MEMMOVE, 4096, 0)
BENCH_STRING(bench_memmove_4k_mis, BS_MEMMOVE, 4096, 1)
BENCH_STRING(bench_memmove_4m, BS_MEMMOVE, 4L << 20, 0)
BENCH_STRING(bench_memset_16, BS_MEMSET, 16, 0)
BENCH_STRING(bench_memset_256, BS_MEMSET, 256, 0)
BENCH_STRING(bench_memset_4k, BS_MEMSET, 4096, 0)
BENCH_STRING(bench_memset_4k_mis, BS_MEMSET, 4096, 1)
BENCH_STRING(bench_memset_4m, BS_MEMSET, 4L << 20, 0)
BENCH_STRING(bench_strlen_16, BS_STRLEN, 16, 0)
BENCH_STRING(bench_strlen_256, BS_STRLEN, 256, 0)
BENCH_STRING(bench_strlen_4k, BS_STRLEN, 4096, 0)
BENCH_STRING(bench_strlen_4k_mis, BS_STRLEN, 4096, 1)
BENCH_STRING(bench_memcmp_16, BS_MEMCMP, 16, 0)
BENCH_STRING(bench_memcmp_256, BS_MEMCMP, 256, 0)
BENCH_STRING(bench_memcmp_4k, BS_MEMCMP, 4096, 0)
BENCH_STRING(bench_memcmp_4k_mis, BS_MEMCMP, 4096, 1)

#endif
