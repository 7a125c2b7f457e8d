/* mmap: anonymous and file-backed mappings, private and shared; where the
 * kernel places them (no address, a hint, MAP_FIXED, MAP_FIXED_NOREPLACE);
 * every error the call can give; the end of a file (the tail of the last
 * page reads as zeros, a page wholly past the end kills). Works in
 * /tmp/t_mmap. */
#include "vmtest.h"

#define TDIR "t_mmap"
/* This program's windows in the arena. */
#define HINT_AT	     (VM_ARENA + 0x000000000UL)
#define FIXED_AT     (VM_ARENA + 0x001000000UL)
#define NOREPLACE_AT (VM_ARENA + 0x002000000UL)

static int in_user_half(const void *p, long len)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	return a % PAGE == 0 && a >= PAGE && a + (uint64_t)len <= VM_KERNEL_HALF;
}

/* Creates (or truncates) name with size bytes of pattern seed. */
static int make_file(const char *name, long size, uint32_t seed)
{
	static uint8_t buf[PAGE];
	int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY);

	if (fd < 0)
		return -1;
	for (long off = 0; off < size; off += PAGE) {
		long n = size - off < PAGE ? size - off : PAGE;
		test_pattern_fill(buf, n, seed, off);
		if (write_all(fd, buf, n) < 0) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

/* Whether name holds exactly size bytes of pattern seed. */
static int file_is_pattern(const char *name, long size, uint32_t seed)
{
	static uint8_t buf[PAGE];
	long off = 0, n;
	int fd = open(name, O_RDONLY);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (test_pattern_diff(buf, n, seed, off) >= 0)
			break;
		off += n;
	}
	close(fd);
	return n == 0 && off == size;
}

/* Reads n bytes at offset off of name into buf; returns the count read. */
static long file_read_at(const char *name, long off, void *buf, long n)
{
	int fd = open(name, O_RDONLY);
	long got = -1;

	if (fd < 0)
		return -1;
	if (lseek(fd, off, SEEK_SET) == off)
		got = read_full(fd, buf, n);
	close(fd);
	return got;
}

static long file_size(const char *name)
{
	struct stat st;

	return stat(name, &st) < 0 ? -1 : (long)st.st_size;
}

/* ---------------------------------------------------------------- anonymous */

static void test_anon(void)
{
	char *p = vm_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
	char *q, *brk = sbrk(0);
	const struct mnemo_vmmap *m;
	int local;

	if (!CHECK("anon-map", p != MAP_FAILED, "errno %d (%s)", errno, strerror(errno)))
		return;
	CHECK("anon-placed-by-kernel",
	      in_user_half(p, 4 * PAGE) && (p >= brk || p + 4 * PAGE <= (char *)0x10000) &&
		  (uintptr_t)&local - (uintptr_t)p >= 4 * PAGE,
	      "at %p (break %p, stack %p)", p, brk, &local);
	CHECK("anon-zeroed", vm_nonzero(p, 4 * PAGE) == 0);
	memset(p, 'a', 4 * PAGE);
	CHECK("anon-writable", p[0] == 'a' && p[4 * PAGE - 1] == 'a');
	m = vm_find((uintptr_t)p);
	CHECK("anon-vmmaps",
	      m && m->start <= (uintptr_t)p && m->end >= (uintptr_t)p + 4 * PAGE &&
		  m->prot == (PROT_READ | PROT_WRITE) && m->flags == MAP_PRIVATE &&
		  strcmp(m->backing, "[anon]") == 0,
	      "no matching record");

	q = vm_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("anon-second-apart", q != MAP_FAILED && (q >= p + 4 * PAGE || q + 4 * PAGE <= p),
	      "%p and %p overlap", p, q);
	CHECK("anon-second-zeroed", q != MAP_FAILED && vm_nonzero(q, 4 * PAGE) == 0);
	CHECK("anon-first-kept", p[0] == 'a' && p[4 * PAGE - 1] == 'a');
	CHECK_OK("anon-munmap", munmap(p, 4 * PAGE));
	if (q != MAP_FAILED)
		munmap(q, 4 * PAGE);

	/* A length that is not a whole number of pages maps whole pages. */
	p = vm_anon(NULL, 100, PROT_READ | PROT_WRITE, 0);
	if (CHECK("anon-short-length", p != MAP_FAILED)) {
		p[PAGE - 1] = 1;
		m = vm_find((uintptr_t)p);
		CHECK("anon-short-one-page",
		      m && m->start <= (uintptr_t)p && m->end >= (uintptr_t)p + PAGE);
		munmap(p, 100);
	}

	/* PROT_NONE memory exists but cannot be touched. */
	p = vm_anon(NULL, PAGE, PROT_NONE, 0);
	if (CHECK("anon-prot-none", p != MAP_FAILED)) {
		CHECK("anon-prot-none-read-kills", test_in_child(vm_child_read, (long)p) == -1);
		munmap(p, PAGE);
	}

	/* With MAP_ANONYMOUS the descriptor is not looked at. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 5, 0);
	CHECK("anon-fd-ignored", p != MAP_FAILED && (p[0] = 1) == 1);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
}

/* ---------------------------------------------------------------- placement */

static void test_hint(void)
{
	char *h = (char *)HINT_AT, *p, *q;

	p = vm_anon(h, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("hint-free-taken", p == h, "got %p for hint %p", p, h);
	if (p == MAP_FAILED)
		return;
	p[0] = 'h';
	/* The same hint again: the room is taken, so the kernel looks
	 * elsewhere and leaves the first mapping alone. */
	q = vm_anon(h, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("hint-busy-moved",
	      q != MAP_FAILED && q != h && (q >= h + 2 * PAGE || q + 2 * PAGE <= h),
	      "got %p for busy hint %p", q, h);
	CHECK("hint-busy-kept", h[0] == 'h' && q != MAP_FAILED && q[0] == 0);
	if (q != MAP_FAILED)
		munmap(q, 2 * PAGE);

	/* A hint that is not page-aligned still gives an aligned mapping. */
	q = vm_anon(h + 8 * PAGE + 123, PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("hint-unaligned", q != MAP_FAILED && in_user_half(q, PAGE), "got %p", q);
	if (q != MAP_FAILED)
		munmap(q, PAGE);

	/* A hint in the kernel half is only a hint: the kernel picks. */
	q = vm_anon((void *)VM_KERNEL_HALF, PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("hint-kernel-half-ignored", q != MAP_FAILED && in_user_half(q, PAGE), "got %p", q);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	munmap(p, 2 * PAGE);
}

static void test_fixed(void)
{
	char *a = (char *)FIXED_AT, *p;

	p = vm_anon(a, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	if (!CHECK("fixed-map", p == a, "got %p for %p", p, a))
		return;
	memset(a, 'a', 4 * PAGE);
	/* Two pages in the middle replaced by fresh memory. */
	p = vm_anon(a + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	CHECK("fixed-replace", p == a + PAGE);
	CHECK("fixed-replaced-zeroed", vm_nonzero(a + PAGE, 2 * PAGE) == 0);
	CHECK("fixed-outside-kept",
	      a[0] == 'a' && a[PAGE - 1] == 'a' && a[3 * PAGE] == 'a' && a[4 * PAGE - 1] == 'a');
	vm_check_picture("fixed-replace-merged", a, 4, "wwww");
	/* Replacing with another protection splits the mapping. */
	p = vm_anon(a + PAGE, PAGE, PROT_READ, MAP_FIXED);
	CHECK("fixed-replace-prot", p == a + PAGE);
	vm_check_picture("fixed-replace-split", a, 4, "w|r|ww");
	CHECK("fixed-replace-prot-kills", test_in_child(vm_child_write, (long)(a + PAGE)) == -1);
	/* Across the end of the mapping into free room. */
	p = vm_anon(a + 3 * PAGE, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	CHECK("fixed-across-end", p == a + 3 * PAGE && a[3 * PAGE] == 0 && (a[6 * PAGE - 1] = 1));
	vm_check_picture("fixed-across-end-picture", a, 7, "w|r|wwww.");
	munmap(a, 6 * PAGE);
	vm_check_picture("fixed-unmapped", a, 7, ".......");
}

static void test_noreplace(void)
{
	char *a = (char *)NOREPLACE_AT, *p;
	char *brk;
	int local;
	static int data_word;
	const struct mnemo_vmmap *guard;

	p = vm_anon(a, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
	if (!CHECK("noreplace-free", p == a, "got %p for %p", p, a))
		return;
	a[0] = 'n';
	expect_errno("noreplace-same", (long)vm_anon(a, 2 * PAGE, PROT_READ, MAP_FIXED_NOREPLACE),
		     EEXIST);
	expect_errno("noreplace-overlap-below",
		     (long)vm_anon(a - PAGE, 2 * PAGE, PROT_READ, MAP_FIXED_NOREPLACE), EEXIST);
	expect_errno("noreplace-overlap-above",
		     (long)vm_anon(a + PAGE, 2 * PAGE, PROT_READ, MAP_FIXED_NOREPLACE), EEXIST);
	expect_errno("noreplace-around",
		     (long)vm_anon(a - PAGE, 4 * PAGE, PROT_READ, MAP_FIXED_NOREPLACE), EEXIST);
	CHECK("noreplace-kept", a[0] == 'n');
	vm_check_picture("noreplace-picture", a - PAGE, 4, ".ww.");
	/* Right next to it is free. */
	p = vm_anon(a + 2 * PAGE, PAGE, PROT_READ, MAP_FIXED_NOREPLACE);
	CHECK("noreplace-adjacent", p == a + 2 * PAGE);
	munmap(a, 3 * PAGE);

	/* The program's own memory counts too. */
	expect_errno("noreplace-code",
		     (long)vm_anon((void *)((uintptr_t)test_done & -PAGE), PAGE, PROT_READ,
				   MAP_FIXED_NOREPLACE),
		     EEXIST);
	expect_errno("noreplace-data",
		     (long)vm_anon((void *)((uintptr_t)&data_word & -PAGE), PAGE, PROT_READ,
				   MAP_FIXED_NOREPLACE),
		     EEXIST);
	brk = sbrk(PAGE);
	expect_errno(
	    "noreplace-heap",
	    (long)vm_anon((void *)((uintptr_t)brk & -PAGE), PAGE, PROT_READ, MAP_FIXED_NOREPLACE),
	    EEXIST);
	sbrk(-PAGE);
	expect_errno("noreplace-stack",
		     (long)vm_anon((void *)((uintptr_t)&local & -PAGE), PAGE, PROT_READ,
				   MAP_FIXED_NOREPLACE),
		     EEXIST);
	guard = vm_find_named("[guard]");
	if (CHECK("stack-guard-listed", guard != NULL))
		expect_errno("noreplace-stack-guard",
			     (long)vm_anon((void *)(uintptr_t)guard->start, PAGE, PROT_READ,
					   MAP_FIXED_NOREPLACE),
			     EEXIST);
	expect_errno("noreplace-unaligned",
		     (long)vm_anon(a + 1, PAGE, PROT_READ, MAP_FIXED_NOREPLACE), EINVAL);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
	int rw = open("data", O_RDWR), pfd[2];
	long r;

	/* EINVAL */
	expect_errno("einval-len-0-anon", (long)vm_anon(NULL, 0, PROT_READ, 0), EINVAL);
	expect_errno("einval-len-0-file", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE, rw, 0),
		     EINVAL);
	expect_errno("einval-fixed-unaligned",
		     (long)vm_anon((void *)(FIXED_AT + 100), PAGE, PROT_READ, MAP_FIXED), EINVAL);
	expect_errno("einval-offset-unaligned",
		     (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, rw, 100), EINVAL);
	expect_errno("einval-no-type", (long)mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0),
		     EINVAL);
	expect_errno(
	    "einval-both-types",
	    (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	    EINVAL);
	expect_errno("einval-file-no-type", (long)mmap(NULL, PAGE, PROT_READ, 0, rw, 0), EINVAL);
	expect_errno("einval-fixed-reaches-kernel",
		     (long)vm_anon((void *)(VM_KERNEL_HALF - PAGE), 2 * PAGE, PROT_READ, MAP_FIXED),
		     EINVAL);
	expect_errno("einval-fixed-kernel-half",
		     (long)vm_anon((void *)VM_KERNEL_HALF, PAGE, PROT_READ, MAP_FIXED), EINVAL);
	expect_errno("einval-fixed-kernel-base",
		     (long)vm_anon((void *)0xffffffc000000000UL, PAGE, PROT_READ, MAP_FIXED),
		     EINVAL);
	expect_errno("einval-noreplace-reaches-kernel",
		     (long)vm_anon((void *)(VM_KERNEL_HALF - PAGE), 2 * PAGE, PROT_READ,
				   MAP_FIXED_NOREPLACE),
		     EINVAL);
	expect_errno("einval-fixed-overflow",
		     (long)vm_anon((void *)FIXED_AT, -(long)FIXED_AT, PROT_READ, MAP_FIXED),
		     EINVAL);
	expect_errno("einval-len-overflow", (long)vm_anon(NULL, -1L, PROT_READ, 0), EINVAL);
	expect_errno("einval-offset-overflow",
		     (long)mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, rw, -PAGE), EINVAL);
	vm_check_picture("einval-nothing-mapped", (void *)FIXED_AT, 2, "..");

	/* EBADF */
	expect_errno("ebadf-minus-1", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	expect_errno("ebadf-never-opened", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 60, 0),
		     EBADF);
	r = open("data", O_RDONLY);
	close((int)r);
	expect_errno("ebadf-closed", (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, (int)r, 0),
		     EBADF);

	/* ENODEV: things that are not regular files. */
	if (CHECK_OK("enodev-pipe-setup", pipe(pfd))) {
		expect_errno("enodev-pipe-read-end",
			     (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
		expect_errno("enodev-pipe-write-end",
			     (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pfd[1], 0), ENODEV);
		close(pfd[0]);
		close(pfd[1]);
	}
	r = open("/dev/console", O_RDWR);
	if (CHECK("enodev-open-console", r >= 0)) {
		expect_errno("enodev-console",
			     (long)mmap(NULL, PAGE, PROT_READ, MAP_SHARED, (int)r, 0), ENODEV);
		close((int)r);
	}

	/* ENOMEM: a page in the middle of user space leaves no free range
	 * of half its size (128 GiB) on either side. */
	char *mid = vm_anon_at(VM_KERNEL_HALF / 2 - PAGE, PAGE, PROT_READ);
	CHECK("enomem-blocker", mid != MAP_FAILED);
	expect_errno("enomem-no-room",
		     (long)vm_anon(NULL, VM_KERNEL_HALF / 2, PROT_READ | PROT_WRITE, 0), ENOMEM);
	if (mid != MAP_FAILED)
		munmap(mid, PAGE);
	char *p = vm_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK("enomem-then-works", p != MAP_FAILED && (p[0] = 1) == 1);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	close(rw);
}

/* EACCES: the descriptor's access mode bounds the mapping's. */
static void test_eacces(void)
{
	int ro = open("data", O_RDONLY), wo = open("data", O_WRONLY);
	char *p;

	if (!CHECK("eacces-open", ro >= 0 && wo >= 0))
		return;
	expect_errno("eacces-shared-write-readonly-fd",
		     (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK("shared-read-readonly-fd", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		/* ...and mprotect cannot make it writable either. */
		expect_errno("eacces-mprotect-shared-readonly-fd",
			     mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
		munmap(p, PAGE);
	}
	/* A private mapping may be written: the file never sees it. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	if (CHECK("private-write-readonly-fd", p != MAP_FAILED)) {
		memset(p, 'P', PAGE);
		munmap(p, PAGE);
		CHECK("private-write-readonly-fd-file-kept",
		      file_is_pattern("data", 3 * PAGE + 100, 1));
	}
	expect_errno("eacces-writeonly-fd-private",
		     (long)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
	expect_errno("eacces-writeonly-fd-shared",
		     (long)mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, wo, 0), EACCES);
	expect_errno("eacces-writeonly-fd-none",
		     (long)mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE, wo, 0), EACCES);
	close(ro);
	close(wo);
}

/* ---------------------------------------------------------------- files */

#define DATA_SIZE (3 * PAGE + 100)

static void test_file_private(void)
{
	int fd = open("data", O_RDWR);
	uint8_t *p, *q;
	long bad;

	if (!CHECK("private-open", fd >= 0))
		return;
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!CHECK("private-map", p != MAP_FAILED, "errno %d (%s)", errno, strerror(errno))) {
		close(fd);
		return;
	}
	bad = test_pattern_diff(p, DATA_SIZE, 1, 0);
	CHECK("private-contents", bad < 0, "byte %ld differs", bad);
	CHECK("private-tail-zero", vm_nonzero((char *)p + DATA_SIZE, 4 * PAGE - DATA_SIZE) == 0);
	const struct mnemo_vmmap *m = vm_find((uintptr_t)p);
	CHECK("private-vmmaps",
	      m && m->flags == MAP_PRIVATE && m->offset == 0 && strncmp(m->backing, "file", 4) == 0,
	      "backing \"%s\"", m ? m->backing : "none");

	/* Writes stay in the mapping. */
	memset(p, 'w', 2 * PAGE);
	p[DATA_SIZE - 1] = 'w';
	CHECK("private-written", p[0] == 'w' && p[2 * PAGE - 1] == 'w' && p[DATA_SIZE - 1] == 'w');
	CHECK("private-file-unchanged", file_is_pattern("data", DATA_SIZE, 1));
	/* Another private mapping sees the file, not the first one's copy. */
	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("private-second-sees-file",
	      q != MAP_FAILED && test_pattern_diff(q, 2 * PAGE, 1, 0) < 0);
	if (q != MAP_FAILED)
		munmap(q, 2 * PAGE);
	/* An offset into the file. */
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
	CHECK("private-offset", q != MAP_FAILED && test_pattern_diff(q, PAGE, 1, 2 * PAGE) < 0);
	if (q != MAP_FAILED) {
		m = vm_find((uintptr_t)q);
		CHECK("private-offset-vmmaps", m && m->offset == 2 * PAGE);
		munmap(q, PAGE);
	}
	CHECK_OK("private-munmap", munmap(p, 4 * PAGE));
	close(fd);
	CHECK("private-file-unchanged-after", file_is_pattern("data", DATA_SIZE, 1));
}

static int child_writes_shared(long p)
{
	/* The mapping inherited from the parent, and one of our own. */
	int fd = open("shared", O_RDWR);
	char *own;

	((char *)p)[10] = 'c';
	if (fd < 0)
		return 1;
	own = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (own == MAP_FAILED)
		return 2;
	own[11] = 'C';
	munmap(own, PAGE);
	close(fd);
	return 0;
}

static void test_file_shared(void)
{
	char buf[16];
	char *s1, *s2, *p;
	int fd, fd2;

	if (make_file("shared", 2 * PAGE, 2) < 0 || (fd = open("shared", O_RDWR)) < 0) {
		CHECK("shared-setup", 0);
		return;
	}
	s1 = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s2 = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (!CHECK("shared-map", s1 != MAP_FAILED && s2 != MAP_FAILED && s1 != s2)) {
		close(fd);
		return;
	}
	CHECK("shared-contents", test_pattern_diff((uint8_t *)s2, 2 * PAGE, 2, 0) < 0);
	CHECK("shared-vmmaps",
	      vm_find((uintptr_t)s1) && vm_find((uintptr_t)s1)->flags == MAP_SHARED);

	/* A store through one mapping: the other mapping and read() see it. */
	s1[0] = 'S';
	s1[PAGE + 5] = 'T';
	CHECK("shared-other-mapping-sees", s2[0] == 'S' && s2[PAGE + 5] == 'T');
	CHECK("shared-read-sees", file_read_at("shared", 0, buf, 1) == 1 && buf[0] == 'S' &&
				      file_read_at("shared", PAGE + 5, buf, 1) == 1 &&
				      buf[0] == 'T');
	/* write() to the file: the mappings see it. */
	fd2 = open("shared", O_WRONLY);
	lseek(fd2, 100, SEEK_SET);
	CHECK("shared-sees-write", write(fd2, "wxyz", 4) == 4 && memcmp(s1 + 100, "wxyz", 4) == 0 &&
				       memcmp(s2 + 100, "wxyz", 4) == 0);
	close(fd2);

	/* A child's stores, through the inherited mapping and its own. */
	CHECK("shared-child", test_in_child(child_writes_shared, (long)s1) == 0);
	CHECK("shared-child-stores-seen", s2[10] == 'c' && s2[11] == 'C' && s1[11] == 'C');

	/* The tail past the end of the file is not the file's. */
	munmap(s1, 2 * PAGE);
	munmap(s2, 2 * PAGE);
	close(fd);
	/* Everything stays in the file after munmap and close. */
	CHECK("shared-stays-in-file",
	      file_read_at("shared", 0, buf, 12) == 12 && buf[0] == 'S' && buf[10] == 'c' &&
		  buf[11] == 'C' && file_read_at("shared", PAGE + 5, buf, 1) == 1 &&
		  buf[0] == 'T' && file_read_at("shared", 100, buf, 4) == 4 &&
		  memcmp(buf, "wxyz", 4) == 0);
	CHECK("shared-size-unchanged", file_size("shared") == 2 * PAGE);

	/* A page with its end past the end of the file: stores there do
	 * not make the file longer. */
	make_file("short", 100, 3);
	fd = open("short", O_RDWR);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (CHECK("shared-short-map", p != MAP_FAILED)) {
		CHECK("shared-short-tail-zero", vm_nonzero(p + 100, PAGE - 100) == 0);
		p[0] = 'Q';
		p[200] = 'Z';
		munmap(p, PAGE);
	}
	close(fd);
	CHECK("shared-short-size", file_size("short") == 100 &&
				       file_read_at("short", 0, buf, 16) == 16 && buf[0] == 'Q');
	unlink("short");
	unlink("shared");
}

/* A file's own mapping as the buffer of read() and write() on it: the
 * copy faults in pages of the very file it is reading or writing. And a
 * mapping outlives the file's name and descriptor. */
static void test_file_self_io(void)
{
	static char buf[2 * PAGE];
	char *p, *q;
	int fd;

	memset(buf, 'a', sizeof(buf));
	fd = open("self", O_CREAT | O_TRUNC | O_RDWR);
	write(fd, buf, sizeof(buf));
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!CHECK("self-map", p != MAP_FAILED && q != MAP_FAILED)) {
		close(fd);
		unlink("self");
		return;
	}
	/* Neither mapping touched yet (lazy pager). */
	lseek(fd, 0, SEEK_SET);
	CHECK("self-read-into-own-mapping", read(fd, p + PAGE, 100) == 100);
	lseek(fd, 0, SEEK_SET);
	CHECK("self-write-from-own-mapping", write(fd, q + PAGE + 50, 100) == 100);
	unlink("self");
	close(fd);
	CHECK("self-unlinked-still-mapped", p[0] == 'a' && (p[5] = 'z') == 'z' && q[5] == 'z');
	munmap(p, 2 * PAGE);
	munmap(q, 2 * PAGE);
}

/* Pages past the end of the file: the rest of the last page reads as
 * zeros, a page wholly past the end kills whoever touches it. */
static void test_eof(void)
{
	static char buf[2 * PAGE];
	int fd;
	char *p;

	if (make_file("eof", 5000, 4) < 0 || (fd = open("eof", O_RDWR)) < 0) {
		CHECK("eof-setup", 0);
		return;
	}
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (CHECK("eof-map-longer-than-file", p != MAP_FAILED)) {
		CHECK("eof-contents", test_pattern_diff((uint8_t *)p, 5000, 4, 0) < 0);
		CHECK("eof-tail-zero", vm_nonzero(p + 5000, 2 * PAGE - 5000) == 0);
		CHECK("eof-past-end-read-kills",
		      test_in_child(vm_child_read, (long)(p + 2 * PAGE)) == -1);
		CHECK("eof-past-end-write-kills",
		      test_in_child(vm_child_write, (long)(p + 3 * PAGE - 1)) == -1);
		CHECK("eof-in-last-page-ok", test_in_child(vm_child_read, (long)(p + 8000)) == 0);
		munmap(p, 3 * PAGE);
	}
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (CHECK("eof-private-map", p != MAP_FAILED)) {
		CHECK("eof-private-tail-zero", vm_nonzero(p + 5000, 2 * PAGE - 5000) == 0);
		CHECK("eof-private-past-end-kills",
		      test_in_child(vm_child_read, (long)(p + 2 * PAGE + 10)) == -1);
		munmap(p, 3 * PAGE);
	}
	close(fd);

	/* A file cut short and written again: the old bytes past the new
	 * end must not show through. */
	memset(buf, 'x', sizeof(buf));
	fd = open("eof", O_WRONLY | O_TRUNC);
	write(fd, buf, sizeof(buf));
	close(fd);
	fd = open("eof", O_WRONLY | O_TRUNC);
	write(fd, buf, 1000);
	close(fd);
	fd = open("eof", O_RDONLY);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (CHECK("eof-truncated-map", p != MAP_FAILED)) {
		CHECK("eof-truncated-tail-zero",
		      p[999] == 'x' && vm_nonzero(p + 1000, PAGE - 1000) == 0);
		CHECK("eof-truncated-past-end-kills",
		      test_in_child(vm_child_read, (long)(p + PAGE)) == -1);
		munmap(p, 2 * PAGE);
	}
	close(fd);

	/* An offset past the end: the mapping is made, touching it kills. */
	fd = open("eof", O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 10 * PAGE);
	if (CHECK("eof-offset-past-end-map", p != MAP_FAILED)) {
		CHECK("eof-offset-past-end-kills", test_in_child(vm_child_read, (long)p) == -1);
		munmap(p, PAGE);
	}
	close(fd);

	/* The file grows under the mapping: the page past the old end
	 * becomes the file's, the rest of the old last page stays zero. */
	make_file("grow", 100, 5);
	fd = open("grow", O_RDWR);
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (CHECK("eof-grow-map", p != MAP_FAILED)) {
		CHECK("eof-grow-before-kills", test_in_child(vm_child_read, (long)p + PAGE) == -1);
		memset(buf, 'G', PAGE);
		lseek(fd, PAGE, SEEK_SET);
		CHECK("eof-grow-write", write(fd, buf, PAGE) == PAGE);
		CHECK("eof-grow-new-page-seen", p[PAGE] == 'G' && p[2 * PAGE - 1] == 'G');
		CHECK("eof-grow-hole-zero", vm_nonzero(p + 100, PAGE - 100) == 0 &&
						test_pattern_diff((uint8_t *)p, 100, 5, 0) < 0);
		munmap(p, 2 * PAGE);
	}
	close(fd);
	unlink("grow");

	/* An empty file: even the first page is past the end. */
	fd = open("empty", O_CREAT | O_RDWR | O_TRUNC);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (CHECK("eof-empty-map", p != MAP_FAILED)) {
		CHECK("eof-empty-touch-kills", test_in_child(vm_child_read, (long)p) == -1);
		munmap(p, PAGE);
	}
	close(fd);
	unlink("empty");
	unlink("eof");
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	if (make_file("data", DATA_SIZE, 1) < 0)
		CHECK("make-data-file", 0, "%s", strerror(errno));
	test_anon();
	test_hint();
	test_fixed();
	test_noreplace();
	test_errors();
	test_eacces();
	test_file_private();
	test_file_shared();
	test_file_self_io();
	test_eof();
	unlink("data");
	test_leave_tmp(TDIR);
	return test_done();
}
