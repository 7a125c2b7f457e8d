/* errno as programs see it: picolibc's numbers, which strerror() and
 * perror() know. The kernel answers with Linux's numbers; the library
 * translates them in one place (user/lib/errno.c) before storing them, so
 * a program never sees the kernel's. errno is thread-local (picolibc is
 * built with TLS); crt0 sets up the block it lives in. */
#ifndef MNEMO_ERRNO_H
#define MNEMO_ERRNO_H

#include_next <errno.h>

#endif
