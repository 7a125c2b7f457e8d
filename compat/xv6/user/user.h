/* What xv6's user/user.h declares, for programs written for xv6-riscv.
 *
 * The same library (build/ulib.a) serves POSIX programs, so where xv6
 * gives a name a different meaning, a macro sends xv6 programs to an
 * xv6_ variant:
 *   open           takes xv6's flags (O_CREATE 0x200), which are the
 *                  kernel's, where POSIX's open() has picolibc's
 *   stat, fstat    fill xv6's struct stat (kernel/stat.h), not POSIX's;
 *                  the kernel writes it, so a bad pointer gives -1
 *   sbrk           fills the new pages at once (see below)
 *   sleep, pause   count ticks (1/100 s), not seconds
 *   kill           takes no signal (it sends SIGKILL)
 *   wait           gives the int the child passed to exit(), or -1 if it
 *                  was killed, where POSIX's wait() encodes a status
 *   mkdir, mknod   take no mode (mknod: major and minor as shorts)
 *   gets           reads at most max-1 bytes from fd 0
 *   printf,        write straight to a descriptor, one write() per call
 *   fprintf          and no stdio buffer (fprintf's first argument is a fd)
 * stat and fstat are function-like macros, so `struct stat' is untouched.
 *
 * The string and memory functions are the C library's, declared with the
 * standard's types (size_t where xv6 has uint or int) so that they agree
 * with the compiler's built-in knowledge of them. */
#ifndef XV6_USER_USER_H
#define XV6_USER_USER_H

#include <stdarg.h>
#include <stddef.h>

#include "../kernel/stat.h"
#include "../kernel/types.h"

typedef long off_t; /* the same type as picolibc's */

/* System calls. */
int fork(void);
void exit(int status) __attribute__((noreturn));
int xv6_wait(int *status);
int pipe(int *fds);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int exec(const char *path, char **argv);
int unlink(const char *path);
int link(const char *oldpath, const char *newpath);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sys_sbrk(int increment, int how);
int uptime(void);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);

/* The crypto service and page sharing (seed 001; <crypto.h> and
 * <mnemo.h> describe them). map_shared_pages returns the address in
 * dst_pid, or (void *)-1; the others return 0 or -1. */
struct crypto_op;
int crypto_op(struct crypto_op *op, uint64 size);
int take_shared_memory_request(void **addr, uint64 *size);
int remove_shared_memory_request(void *addr, uint64 size);
void *map_shared_pages(int src_pid, int dst_pid, void *src_va, uint64 size);
int unmap_shared_pages(void *addr, uint64 size);

int xv6_open(const char *path, int flags);
int xv6_kill(int pid);
int xv6_fstat(int fd, struct stat *st);
int xv6_mknod(const char *path, short major, short minor);
int xv6_mkdir(const char *path);
int xv6_sleep(int ticks);
#define open(path, flags)	  xv6_open(path, flags)
#define kill(pid)		  xv6_kill(pid)
#define wait(status)		  xv6_wait(status)
#define fstat(fd, st)		  xv6_fstat(fd, st)
#define mknod(path, major, minor) xv6_mknod(path, major, minor)
#define mkdir(path)		  xv6_mkdir(path)
#define sleep(ticks)		  xv6_sleep(ticks)

/* Newer xv6 names: pause() is the old sleep(). */
#define pause(ticks) xv6_sleep(ticks)

/* The heap, as xv6's library has it: sbrk(n) is sys_sbrk(n, SBRK_EAGER),
 * which fills the new pages at once and so fails (SBRK_ERROR) where
 * memory would run out, whatever mnemo's pager; sbrklazy(n) is
 * sys_sbrk(n, SBRK_LAZY), which fills each page on its first touch, and
 * may reserve more than RAM holds (kernel/vm.h has both constants). */
#define SBRK_ERROR ((char *)-1)
char *xv6_sbrk(int increment);
char *sbrklazy(int increment);
#define sbrk(n) xv6_sbrk(n)

/* The library ("ulib"). */
int xv6_stat(const char *path, struct stat *st);
char *xv6_gets(char *buf, int max);
void xv6_fprintf(int fd, const char *fmt, ...);
void xv6_printf(const char *fmt, ...);
void xv6_vprintf(int fd, const char *fmt, va_list ap);
#define stat(path, st) xv6_stat(path, st)
#define gets(buf, max) xv6_gets(buf, max)
#define fprintf(...)   xv6_fprintf(__VA_ARGS__)
#define printf(...)    xv6_printf(__VA_ARGS__)

char *strcpy(char *dst, const char *src);
void *memmove(void *dst, const void *src, size_t n);
char *strchr(const char *s, int c);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);
void *memset(void *dst, int c, size_t n);
void *malloc(size_t n);
void free(void *p);
int atoi(const char *s);
int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
