/* stdin, stdout and stderr for picolibc's tiny stdio.
 *
 * picolibc leaves the three standard streams to the system; in its POSIX_IO
 * build a "bufio" stream does buffered read()/write() on a descriptor,
 * which is what we want. Choices:
 *  - stdout and stderr are line-buffered, even when they go to a pipe or a
 *    file, so that each line leaves in one write(): a test's "PASS name"
 *    line is out before the process can be killed, and lines of processes
 *    that share the console do not interleave character by character
 *    (POSIX's unbuffered stderr would write one byte per call).
 *  - Reading stdin first flushes stdout (picolibc's bufio does that), so a
 *    prompt without a newline shows before the program waits.
 *  - picolibc's exit() does not flush stdio, so a destructor does it for
 *    these three (streams from fopen() must be fclose()d). _exit() does not
 *    flush, as POSIX requires: a child after fork() must not write its
 *    parent's pending output again.
 */
#include <stdio-bufio.h>
#include <stdio.h>
#include <unistd.h>

#define STDIO_BUFSIZE 512

static char stdio_in_buf[STDIO_BUFSIZE];
static char stdio_out_buf[STDIO_BUFSIZE];
static char stdio_err_buf[STDIO_BUFSIZE];

static struct __file_bufio stdio_in =
    FDEV_SETUP_BUFIO(0, stdio_in_buf, STDIO_BUFSIZE, read, write, lseek, close, __SRD, 0);
static struct __file_bufio stdio_out =
    FDEV_SETUP_BUFIO(1, stdio_out_buf, STDIO_BUFSIZE, read, write, lseek, close, __SWR, __BLBF);
static struct __file_bufio stdio_err =
    FDEV_SETUP_BUFIO(2, stdio_err_buf, STDIO_BUFSIZE, read, write, lseek, close, __SWR, __BLBF);

FILE *const stdin = &stdio_in.xfile.cfile.file;
FILE *const stdout = &stdio_out.xfile.cfile.file;
FILE *const stderr = &stdio_err.xfile.cfile.file;

/* Each stream's lock (lock.c), so that threads may share the streams:
 * set before main, with no thread yet to race. */
extern struct __lock __mnemo_stdin_lock, __mnemo_stdout_lock, __mnemo_stderr_lock;

__attribute__((constructor)) static void stdio_locks_init(void)
{
	stdio_in.lock = &__mnemo_stdin_lock;
	stdio_out.lock = &__mnemo_stdout_lock;
	stdio_err.lock = &__mnemo_stderr_lock;
}

/* Run by exit() through .fini_array, after the atexit() handlers. */
__attribute__((destructor)) static void stdio_flush_at_exit(void)
{
	fflush(stdout);
	fflush(stderr);
}
