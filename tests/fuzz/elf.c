/* exec: of /bin/true (which exits at once), of ELF files the child writes
 * itself to /tmp/fz/x0 and x1 (random headers and program headers, often
 * truncated), and of paths and argument vectors that must fail (missing,
 * a directory, a device, too long, too many or too big arguments, bad
 * pointers, a vector running into an unmapped page). Nothing else is ever
 * run: the bytes an ELF file loads are zeros (an illegal instruction) and
 * a three-instruction exit(0), whatever its headers say. A successful
 * exec ends the child's fuzzing; only children make this call. */
#include <string.h>

#include "include/uapi/fcntl.h"

#include "fuzz.h"

/* The parts of the ELF-64 format that exec reads (kernel/proc/elf.h). */
struct fz_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi, abiversion, pad[7];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct fz_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define FZ_ELF_SIZE  8192
#define FZ_CODE_OFF  0x1000 /* where the exit stub sits in the file */
#define FZ_LOAD_BASE 0x10000ul

/* li a0, 0; li a7, SYS_exit (2); ecall */
static const uint32_t fz_exit_stub[] = {0x00000513, 0x00200893, 0x00000073};

static uint8_t fz_elf[FZ_ELF_SIZE];

/* One of the n values. */
static uint64_t fz_pick(struct fz_rng *r, const uint64_t *v, size_t n)
{
	return v[fz_below(r, n)];
}

/* One program header: mostly a plausible PT_LOAD, sometimes one the
 * kernel must refuse (beyond the stack, wrapping, filesz > memsz, past
 * the end of the file) or may take (at 0, overlapping, a big bss). */
static void fz_phdr(struct fz_rng *r, struct fz_phdr *ph, int i)
{
	static const uint64_t vaddrs[] = {0,
					  FZ_PAGE - 1,
					  FZ_LOAD_BASE,
					  0x3fffe00000ul - FZ_PAGE,
					  0x3fffe00000ul,
					  0x8000000000ul,
					  ~0ul - 0xfff};
	static const uint64_t sizes[] = {0, 1ul << 20, 1ul << 40, ~0ul, FZ_ELF_SIZE + 1};

	ph->type = fz_chance(r, 90) ? 1 /* PT_LOAD */ : (uint32_t)fz_below(r, 8);
	ph->flags = fz_chance(r, 70) ? 5 /* R|X */ : (uint32_t)fz_below(r, 8);
	ph->offset = fz_chance(r, 85) ? FZ_CODE_OFF : fz_next(r) % (2 * FZ_ELF_SIZE);
	ph->vaddr = fz_chance(r, 80) ? FZ_LOAD_BASE + (uint64_t)i * 0x10000
				     : fz_pick(r, vaddrs, sizeof(vaddrs) / sizeof(vaddrs[0]));
	ph->filesz = fz_chance(r, 85) ? fz_below(r, FZ_PAGE) : fz_pick(r, sizes, 5);
	ph->memsz = fz_chance(r, 85) ? ph->filesz + fz_below(r, 4 * FZ_PAGE) : fz_pick(r, sizes, 5);
	ph->align = FZ_PAGE;
}

/* With --print, says what the headers of the image hold. */
static void fz_print_elf(struct fz_proc *p, const struct fz_ehdr *eh, const struct fz_phdr *ph,
			 uint64_t n)
{
	fz_print_note(
	    p, "elf: %lu bytes, magic %x type %u machine %u entry 0x%lx phoff 0x%lx phnum %u",
	    (unsigned long)n, eh->magic, eh->type, eh->machine, (unsigned long)eh->entry,
	    (unsigned long)eh->phoff, eh->phnum);
	for (int i = 0; i < 3 && i < eh->phnum; i++)
		fz_print_note(p,
			      "elf: ph%d type %u flags %u offset 0x%lx vaddr 0x%lx filesz 0x%lx "
			      "memsz 0x%lx",
			      i, ph[i].type, ph[i].flags, (unsigned long)ph[i].offset,
			      (unsigned long)ph[i].vaddr, (unsigned long)ph[i].filesz,
			      (unsigned long)ph[i].memsz);
}

/* Builds an ELF image in fz_elf; returns how many of its bytes to write
 * (sometimes fewer than all: a truncated file). */
static uint64_t fz_build_elf(struct fz_proc *p)
{
	struct fz_rng *r = &p->rng;
	struct fz_ehdr eh = {
	    .magic = 0x464c457f,
	    .class = 2,
	    .data = 1,
	    .version = 1,
	    .type = 2,
	    .machine = 243,
	    .version2 = 1,
	    .phoff = sizeof(struct fz_ehdr),
	    .ehsize = sizeof(struct fz_ehdr),
	    .phentsize = sizeof(struct fz_phdr),
	    .phnum = (uint16_t)(1 + fz_below(r, 3)),
	};
	struct fz_phdr ph[3];

	memset(fz_elf, 0, sizeof(fz_elf));
	for (int i = 0; i < 3; i++)
		fz_phdr(r, &ph[i], i);
	eh.entry = ph[0].vaddr + (fz_chance(r, 70) ? 0 : fz_below(r, FZ_PAGE));
	switch (fz_below(r, 12)) {
	case 0:
		eh.magic ^= 1u << fz_below(r, 32);
		break;
	case 1:
		eh.class = 1;
		break;
	case 2:
		eh.type = 3;
		break;
	case 3:
		eh.machine = 62;
		break;
	case 4:
		eh.phentsize = 32;
		break;
	case 5:
		eh.phnum = (uint16_t)(fz_chance(r, 50) ? 0 : 33 + fz_below(r, 0xffff - 33));
		break;
	case 6:
		eh.phoff = fz_chance(r, 50) ? FZ_ELF_SIZE - 8 : fz_next(r);
		break;
	case 7:
		eh.entry = fz_next(r);
		break;
	default:
		break;
	}
	memcpy(fz_elf, &eh, sizeof(eh));
	memcpy(fz_elf + sizeof(eh), ph, sizeof(ph));
	memcpy(fz_elf + FZ_CODE_OFF, fz_exit_stub, sizeof(fz_exit_stub));
	uint64_t n = fz_chance(r, 25) ? fz_below(r, FZ_ELF_SIZE) : FZ_ELF_SIZE;
	fz_print_elf(p, &eh, ph, n);
	return n;
}

/* Writes a fresh ELF file at path; 0, or -1 when a step failed (then
 * nothing may be run from that path). */
static int fz_write_elf(struct fz_proc *p, const char *path)
{
	uint64_t n = fz_build_elf(p);
	long fd = fz_sub(p, "open", SYS_open, 2, (long)path,
			 (long)(MNEMO_O_WRONLY | MNEMO_O_CREAT | MNEMO_O_TRUNC));

	if (fd < 0)
		return -1;
	long wrote = fz_sub(p, "write", SYS_write, 3, fd, (long)fz_elf, (long)n);
	fz_sub(p, "close", SYS_close, 1, fd);
	return wrote == (long)n ? 0 : -1;
}

/* An argument vector in PREP: pointers on its middle page, strings on
 * its last. Mostly short and valid; sometimes 65 entries (MAXARG is 64),
 * 12 KiB of strings (ARG_SPACE is 8 KiB), a bad entry, or no NULL before
 * the unmapped page that follows PREP. */
static void fz_argv_arg(struct fz_proc *p, struct fz_call *c, int i)
{
	struct fz_rng *r = &p->rng;
	char **argv = (char **)(FZ_PREP + FZ_PAGE);
	char *strings = (char *)(FZ_PREP + 2 * FZ_PAGE);
	unsigned how = (unsigned)fz_below(r, 12);

	if (how == 0) {
		fz_arg(c, i, 0, "null");
		return;
	}
	if (how == 1) {
		fz_ptr_arg(p, c, i, 0);
		return;
	}
	memcpy(strings, "fz", 3);
	argv[0] = strings;
	argv[1] = NULL;
	switch (how) {
	case 2:
		for (int k = 0; k < 65; k++)
			argv[k] = strings;
		argv[65] = NULL;
		fz_arg(c, i, (long)argv, "argv-65");
		return;
	case 3:
		memset(strings, 'a', 4000);
		strings[4000] = '\0';
		argv[1] = argv[2] = argv[3] = strings;
		argv[4] = NULL;
		fz_arg(c, i, (long)argv, "argv-12k");
		return;
	case 4:
		argv[1] = (char *)FZ_KERNEL;
		argv[2] = NULL;
		fz_arg(c, i, (long)argv, "argv-bad-entry");
		return;
	case 5: {
		char **end = (char **)(FZ_PREP + FZ_PREP_SIZE) - 4;
		for (int k = 0; k < 4; k++)
			end[k] = strings;
		fz_arg(c, i, (long)end, "argv-unterminated");
		return;
	}
	default:
		fz_arg(c, i, (long)argv, "argv-ok");
		return;
	}
}

/* exec of a fresh ELF file, of a path from the list, or of a grammar
 * path or bad pointer, with an argument vector from fz_argv_arg. */
static void gen_exec(struct fz_proc *p, struct fz_call *c)
{
	static const char *const paths[] = {"/bin/true",    "/bin/true", "/tmp/fz",   "/dev/null",
					    "/nonexistent", "",		 "/bin/true/"};
	struct fz_rng *r = &p->rng;
	char *path = (char *)FZ_PREP;
	unsigned how = (unsigned)fz_below(r, 10);

	c->nr = SYS_exec;
	fz_prep_ready(p);
	if (p->prep_lost) {
		fz_arg(c, 0, 0, "null");
		fz_arg(c, 1, 0, "null");
		return;
	}
	if (how < 5) {
		strcpy(path, fz_below(r, 2) ? "/tmp/fz/x1" : "/tmp/fz/x0");
		if (fz_write_elf(p, path) < 0)
			strcpy(path, "/nonexistent");
	} else if (how < 9) {
		strcpy(path, paths[fz_below(r, sizeof(paths) / sizeof(paths[0]))]);
	} else {
		fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
		fz_argv_arg(p, c, 1);
		return;
	}
	fz_arg(c, 0, (long)path, "\"%s\"", path);
	fz_argv_arg(p, c, 1);
}

const struct fz_entry fz_exec_calls[] = {
    {"exec", "exec", 2, false, gen_exec, NULL},
};
const int fz_nexec_calls = sizeof(fz_exec_calls) / sizeof(fz_exec_calls[0]);
