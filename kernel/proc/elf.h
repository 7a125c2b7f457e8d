/* The parts of the ELF-64 format (System V gABI) that exec reads, and
 * the checked plan of a program's segments that exec builds from them. */
#ifndef KERNEL_PROC_ELF_H
#define KERNEL_PROC_ELF_H

#include "kernel/types.h"

#define ELF_MAGIC   0x464c457fU /* "\x7fELF", little-endian */
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC	    2
#define EM_RISCV    243
#define PT_LOAD	    1
#define PF_X	    1
#define PF_W	    2
#define PF_R	    4

struct elf64_ehdr {
	u32 magic;
	u8 class, data, version, osabi, abiversion, pad[7];
	u16 type, machine;
	u32 version2;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

/* Where a program is read from: a file, or bytes in kernel memory (the
 * copy of the crypto server that the kernel took at boot). */
struct exec_image {
	struct inode *ip; /* a regular file, or NULL */
	const u8 *bytes;  /* else these */
	u64 size;
};

/* Reads n bytes at off; false if the image does not hold them all. */
bool exec_image_read(const struct exec_image *img, void *dst, u64 off, u64 n);
u64 exec_image_size(const struct exec_image *img);

#define ELF_MAX_PHDRS	 32 /* program headers a program may have */
#define ELF_MAX_SEGMENTS 16 /* of which PT_LOAD */

/* One PT_LOAD segment, checked: [vaddr, vaddr+memsz) lies inside the
 * program's part of the address space, filesz <= memsz, and the file
 * holds [offset, offset+filesz). */
struct elf_segment {
	u64 vaddr, memsz;
	u64 offset, filesz;
	u32 prot; /* VM_READ | VM_WRITE | VM_EXEC */
};

struct elf_plan {
	u64 entry;
	int nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS]; /* sorted by address */
	u64 end;				   /* the page above the highest one */
};

/* Reads and checks the program in img against the layout exec will build:
 * its segments must lie in [PAGE_SIZE, limit), not overlap each other
 * (pages included), and its entry must be in an executable one. 0,
 * -ENOEXEC for anything malformed or out of place, -ENOMEM when the
 * segments could never fit in memory. Allocates nothing. */
int elf_plan(const struct exec_image *img, u64 limit, struct elf_plan *plan);

#endif
