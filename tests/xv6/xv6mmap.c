// xv6mmap: mmap() and munmap() used as xv6's mmap lab uses them: map a
// file privately and shared, read it through memory, write through a
// shared mapping and find the change in the file.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"

static const char *file = "xv6mmap.data";

static void fail(const char *why)
{
	fprintf(2, "xv6mmap: %s\n", why);
	unlink(file);
	exit(1);
}

// Writes 1.5 pages: 'A' for the first page, 'B' for the half after it.
static void make_file(void)
{
	char buf[PGSIZE / 2];
	int fd = open(file, O_WRONLY | O_CREATE | O_TRUNC);

	if (fd < 0)
		fail("cannot create the file");
	memset(buf, 'A', sizeof(buf));
	for (int i = 0; i < 2; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			fail("write failed");
	memset(buf, 'B', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != sizeof(buf))
		fail("write failed");
	close(fd);
}

// The first page is 'A's, then 'B's up to 1.5 pages, then zeros.
static void check_content(const char *p)
{
	for (int i = 0; i < 2 * PGSIZE; i++) {
		char want = i < PGSIZE ? 'A' : i < PGSIZE + PGSIZE / 2 ? 'B' : 0;
		if (p[i] != want)
			fail("mapped content differs from the file");
	}
}

static void private_mapping(void)
{
	int fd = open(file, O_RDONLY);
	char *p;

	if (fd < 0)
		fail("cannot open the file");
	p = mmap(0, 2 * PGSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == (char *)-1)
		fail("private mmap failed");
	close(fd); // the mapping keeps the file
	check_content(p);
	p[0] = 'Z'; // private: the file must not change
	if (munmap(p, 2 * PGSIZE) < 0)
		fail("munmap failed");
}

static void shared_mapping(void)
{
	int fd = open(file, O_RDWR);
	char c;
	char *p;

	if (fd < 0)
		fail("cannot open the file");
	p = mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == (char *)-1)
		fail("shared mmap failed");
	if (p[0] != 'A')
		fail("a private write reached the file");
	p[1] = 'S';
	if (munmap(p, PGSIZE) < 0)
		fail("munmap failed");
	if (read(fd, &c, 1) != 1 || c != 'A' || read(fd, &c, 1) != 1 || c != 'S')
		fail("a shared write did not reach the file");
	close(fd);
}

static void anonymous_mapping(void)
{
	char *p = mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);

	if (p == (char *)-1)
		fail("anonymous mmap failed");
	for (int i = 0; i < PGSIZE; i++)
		if (p[i] != 0)
			fail("anonymous memory is not zero");
	p[PGSIZE - 1] = 1;
	if (munmap(p, PGSIZE) < 0)
		fail("munmap failed");
}

int main(int argc, char *argv[])
{
	make_file();
	private_mapping();
	shared_mapping();
	anonymous_mapping();
	unlink(file);
	printf("xv6mmap: ok\n");
	exit(0);
}
