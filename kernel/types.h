/* Basic kernel types. Freestanding headers only: kernel/mm includes this
 * too, and it must compile on the host for the unit tests. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u64 uptr;

/* Marks a pointer that holds a user-space address: never dereference it
 * directly, only through the uaccess helpers. */
#define __user

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)			((a) < (b) ? (a) : (b))
#define MAX(a, b)			((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a)			(((x) + (a)-1) & ~((u64)(a)-1))
#define ALIGN_DOWN(x, a)		((x) & ~((u64)(a)-1))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
/* Inlined wherever it is called, even from other files (the kernel is
 * optimised at link time), where GCC's own choice would keep a call: for
 * the few small functions that every system call or fault goes through,
 * as under QEMU a call and its return each cost a lookup of the next
 * block of translated code. */
#ifndef __always_inline /* the host's C library has its own, the same */
#define __always_inline inline __attribute__((always_inline))
#endif
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
