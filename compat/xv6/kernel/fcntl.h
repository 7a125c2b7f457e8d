/* xv6's open() flags, and the mmap() constants of xv6's mmap lab, whose
 * values are Linux's and so mnemo's (include/uapi/fcntl.h, mman.h). */
#ifndef XV6_KERNEL_FCNTL_H
#define XV6_KERNEL_FCNTL_H

#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR	 0x002
#define O_CREATE 0x200
#define O_TRUNC	 0x400

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20

#endif
