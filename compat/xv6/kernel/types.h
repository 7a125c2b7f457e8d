/* xv6's basic types, for programs written for xv6-riscv. (picolibc's
 * <sys/types.h> defines uint and ushort as the same types, which C
 * allows.) */
#ifndef XV6_KERNEL_TYPES_H
#define XV6_KERNEL_TYPES_H

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;

typedef uint64 pde_t;

#endif
