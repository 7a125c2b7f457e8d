/* mmap() constants, with Linux's values. */
#ifndef UAPI_MMAN_H
#define UAPI_MMAN_H

#define MNEMO_PROT_NONE	 0x0
#define MNEMO_PROT_READ	 0x1
#define MNEMO_PROT_WRITE 0x2
#define MNEMO_PROT_EXEC	 0x4

#define MNEMO_MAP_SHARED	  0x01
#define MNEMO_MAP_PRIVATE	  0x02
#define MNEMO_MAP_FIXED		  0x10
#define MNEMO_MAP_ANONYMOUS	  0x20
#define MNEMO_MAP_FIXED_NOREPLACE 0x100000

#endif
