/* exec of hostile ELF files: each is a small valid program (it exits with
 * status 42) with one header field made wrong. exec must refuse every one
 * with its errno (ENOEXEC for a malformed or misplaced program, ENOMEM for
 * one that could never fit in memory) before it commits to anything, so
 * the caller goes on with its old image; and it must never panic (the
 * first case, a segment on the stack's guard page, used to). Works in
 * /tmp/t_elf. */
#include <stdlib.h>

#include "test.h"

#define TDIR "t_elf"

/* ELF-64 headers (System V gABI), as much as the cases need. */
struct t_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define T_PT_LOAD  1
#define T_PF_RX	   5
#define T_PF_RW	   6
#define T_CODE_OFF 0x1000
#define T_TEXT	   0x10000UL
#define T_MAXPH	   4

/* The program: li a0, 42; li a7, 2 (exit); ecall. */
static const uint32_t t_code[] = {0x02a00513, 0x00200893, 0x00000073};

struct t_elf {
	struct t_ehdr eh;
	struct t_phdr ph[T_MAXPH];
	uint8_t pad[T_CODE_OFF - sizeof(struct t_ehdr) - T_MAXPH * sizeof(struct t_phdr)];
	uint32_t code[3];
};

/* The valid program: one read-execute segment at T_TEXT holding the
 * code, and a one-page read-write one (data and .bss) above it. */
static void elf_valid(struct t_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.ident, "\177ELF\2\1\1", 7);
	e->eh.type = 2; /* ET_EXEC */
	e->eh.machine = 243;
	e->eh.version = 1;
	e->eh.entry = T_TEXT + T_CODE_OFF;
	e->eh.phoff = sizeof(struct t_ehdr);
	e->eh.ehsize = sizeof(struct t_ehdr);
	e->eh.phentsize = sizeof(struct t_phdr);
	e->eh.phnum = 2;
	e->ph[0] =
	    (struct t_phdr){T_PT_LOAD, T_PF_RX, 0, T_TEXT, T_TEXT, sizeof(*e), sizeof(*e), 0x1000};
	e->ph[1] = (struct t_phdr){T_PT_LOAD,	    T_PF_RW, 0,	     T_TEXT + 0x2000,
				   T_TEXT + 0x2000, 16,	     0x1000, 0x1000};
	memcpy(e->code, t_code, sizeof(t_code));
}

/* Writes e (n bytes of it) to path and execs it in a child: the child
 * reports its exec's errno as exit status 100 + errno, after checking its
 * own memory survived; a program that ran exits 42. */
static int elf_run(const struct t_elf *e, size_t n)
{
	int fd = open("prog", O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (fd < 0 || write_all(fd, e, n) < 0)
		return -2;
	close(fd);
	int pid = fork();
	if (pid == 0) {
		static volatile long canary = 77;
		char *argv[] = {"prog", NULL};
		execv("prog", argv);
		int err = errno;
		_exit(canary == 77 ? 100 + err : 3);
	}
	int status = test_wait_status(pid);
	unlink("prog");
	return status;
}

static void expect_refused(const char *name, const struct t_elf *e, int err)
{
	int status = elf_run(e, sizeof(*e));
	CHECK(name, status == 100 + err, "status %d, expected exec to fail with %s (status %d)",
	      status, strerror(err), 100 + err);
}

int main(void)
{
	static struct t_elf e;

	if (test_enter_tmp(TDIR) < 0)
		return 1;
	elf_valid(&e);
	CHECK("elf-valid-runs", elf_run(&e, sizeof(e)) == 42, "the unmodified program must run");

	/* Pages of the room the stack keeps to grow (it ends two pages below
	 * 0x4000000000 and may grow to 8 MiB), the lowest place of its guard
	 * (0x3fff7fd000), the stack itself, and the kernel half. A data
	 * segment just under the guard's lowest place is fine. */
	elf_valid(&e);
	e.eh.phnum = 1;
	e.ph[0].vaddr = 0x3fffefd000UL;
	e.ph[0].memsz = e.ph[0].filesz = 0x1000;
	e.eh.entry = e.ph[0].vaddr;
	expect_refused("elf-on-stack-guard", &e, ENOEXEC);
	e.ph[0].vaddr = 0x3fffeff000UL;
	e.eh.entry = e.ph[0].vaddr;
	expect_refused("elf-on-old-stack-guard", &e, ENOEXEC);
	e.ph[0].vaddr = 0x3ffffe0000UL;
	e.eh.entry = e.ph[0].vaddr;
	expect_refused("elf-on-stack", &e, ENOEXEC);
	e.ph[0].vaddr = 0x3fff7fd000UL;
	e.eh.entry = e.ph[0].vaddr;
	expect_refused("elf-on-lowest-stack-guard", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.phnum = 3;
	e.ph[2] = (struct t_phdr){T_PT_LOAD, T_PF_RW, 0, 0x3fff7fc000UL, 0, 0, 0x1000, 0x1000};
	CHECK("elf-under-stack-room-runs", elf_run(&e, sizeof(e)) == 42);
	elf_valid(&e);
	e.eh.phnum = 1;
	e.ph[0].vaddr = 0xffffffc080200000UL;
	e.eh.entry = e.ph[0].vaddr;
	expect_refused("elf-kernel-half", &e, ENOEXEC);
	e.ph[0].vaddr = 0;
	e.eh.entry = 0x100;
	expect_refused("elf-page-zero", &e, ENOEXEC);

	elf_valid(&e);
	e.ph[1].filesz = 0x2000;
	expect_refused("elf-filesz-over-memsz", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[0].filesz = e.ph[0].memsz = sizeof(e) + 1;
	expect_refused("elf-past-end-of-file", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[1].offset = ~0UL - 8;
	expect_refused("elf-offset-overflow", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[1].memsz = ~0UL - 0x1000;
	expect_refused("elf-size-overflow", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[1].offset = 1;
	expect_refused("elf-misaligned", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[1].align = 0x1800;
	expect_refused("elf-align-not-power-of-two", &e, ENOEXEC);
	/* An empty segment maps nothing (GNU ld emits them), even a wild one. */
	elf_valid(&e);
	e.eh.phnum = 3;
	e.ph[2] = (struct t_phdr){T_PT_LOAD, T_PF_RW, 0, 0x3fffeff000UL, 0, 0, 0, 0x1000};
	CHECK("elf-empty-segment-ignored", elf_run(&e, sizeof(e)) == 42);
	elf_valid(&e);
	e.ph[1].vaddr = T_TEXT + 0x800;
	e.ph[1].offset = 0x800;
	expect_refused("elf-segments-overlap", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[1].vaddr = T_TEXT + 0x1ff8;
	e.ph[1].offset = 0xff8;
	expect_refused("elf-segments-share-a-page", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.phnum = 2000;
	expect_refused("elf-too-many-headers", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.phoff = ~0UL - 16;
	expect_refused("elf-phoff-overflow", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.phnum = 0;
	expect_refused("elf-no-headers", &e, ENOEXEC);
	elf_valid(&e);
	e.ph[0].type = 6; /* PT_PHDR: no PT_LOAD is left */
	e.ph[1].type = 6;
	expect_refused("elf-no-load-segment", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.entry = T_TEXT + 0x2000;
	expect_refused("elf-entry-not-executable", &e, ENOEXEC);
	elf_valid(&e);
	e.eh.entry = T_TEXT + 0x100000;
	expect_refused("elf-entry-outside", &e, ENOEXEC);

	/* More than RAM: refused before a page is taken. */
	elf_valid(&e);
	e.ph[1].memsz = 64UL << 30;
	long before = test_settle();
	expect_refused("elf-bigger-than-ram", &e, ENOMEM);
	test_check_free("elf-bigger-than-ram-took-nothing", before);

	test_leave_tmp(TDIR);
	return test_done();
}
