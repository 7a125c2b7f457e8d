/* shmem_test1: page sharing from a parent to its child (seed 001, task 1).
 *
 * The parent malloc()s a buffer and forks; only then does it write
 * "Hello child" into the buffer, so the child's own (copy-on-write) copy
 * of the heap never holds the string. The parent maps the buffer into the
 * child with map_shared_pages(getpid(), child, buf, size) and sends the
 * child the address it got through a pipe; the child prints what it finds
 * there. Nothing is unmapped explicitly: exit tears the mappings down,
 * and the pages are freed once, by whichever side lets go last.
 * Exits 0 when the child read the string, 1 otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mnemo.h>

#define SHMEM_TEST1_SIZE 100

/* The child: waits for the address of the shared buffer, prints it. */
static int shmem_test1_child(int from_parent)
{
	char *shared = NULL;

	if (read(from_parent, &shared, sizeof(shared)) != sizeof(shared) || !shared) {
		printf("shmem_test1: child: no shared buffer\n");
		return 1;
	}
	printf("shmem_test1: child: at %p: \"%s\"\n", (void *)shared, shared);
	return strcmp(shared, "Hello child") == 0 ? 0 : 1;
}

int main(void)
{
	char *buf = malloc(SHMEM_TEST1_SIZE);
	int fds[2], status = -1;

	if (!buf || pipe(fds) < 0) {
		fprintf(stderr, "shmem_test1: %s\n", strerror(errno));
		return 1;
	}
	int pid = fork();
	if (pid < 0) {
		fprintf(stderr, "shmem_test1: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(fds[1]);
		_exit(shmem_test1_child(fds[0]));
	}
	close(fds[0]);

	strcpy(buf, "Hello child");
	char *in_child = map_shared_pages(getpid(), pid, buf, SHMEM_TEST1_SIZE);
	if (in_child == (char *)-1) {
		fprintf(stderr, "shmem_test1: map_shared_pages: %s\n", strerror(errno));
		in_child = NULL; /* tells the child to give up */
	} else {
		printf("shmem_test1: parent: buffer at %p is at %p in child %d\n", (void *)buf,
		       (void *)in_child, pid);
	}
	if (write(fds[1], &in_child, sizeof(in_child)) != sizeof(in_child))
		fprintf(stderr, "shmem_test1: write: %s\n", strerror(errno));
	close(fds[1]);
	waitpid(pid, &status, 0);
	printf("shmem_test1: parent: child exited with status %d\n", WEXITSTATUS(status));
	return status == 0 && in_child ? 0 : 1;
}
