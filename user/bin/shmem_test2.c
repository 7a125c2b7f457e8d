/* shmem_test2: page sharing from a parent to its child, written to by the
 * child (seed 001, task 1).
 *
 * The parent malloc()s a buffer and forks. When the child is ready, the
 * parent maps its buffer into the child with map_shared_pages(getpid(),
 * child, buf, size) (a process may share only with its own descendants)
 * and sends the child the address over a pipe. The child writes "Hello
 * daddy" through the mapping, unmaps it, and shows that malloc() still
 * works. It prints its size (sbrk(0)) before mapping, after mapping,
 * after unmapping and after malloc(): mnemo places shared mappings away
 * from the heap, so the first three are equal. The parent waits for the
 * child and prints what its own buffer now holds. Exits 0 when the parent
 * read the string and the child's sizes are right, 1 otherwise. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mnemo.h>

#define SHMEM_TEST2_SIZE   100
#define SHMEM_TEST2_MALLOC (64 * 1024)

static unsigned long shmem_test2_size(void)
{
	return (unsigned long)(uintptr_t)sbrk(0);
}

/* The child: says it is ready on fd ready, gets the mapping's address on
 * fd addr, and uses it. */
static int shmem_test2_child(int ready, int addr)
{
	unsigned long before = shmem_test2_size(), mapped, unmapped, grown;
	char *shared = NULL, *more;

	printf("shmem_test2: child: size before mapping:   %lu\n", before);
	fflush(stdout);
	if (write(ready, "r", 1) != 1 || read(addr, &shared, sizeof(shared)) != sizeof(shared) ||
	    shared == NULL) {
		printf("shmem_test2: child: the parent did not map its buffer\n");
		return 1;
	}
	mapped = shmem_test2_size();
	printf("shmem_test2: child: size after mapping:    %lu (mapping at %p)\n", mapped,
	       (void *)shared);
	strcpy(shared, "Hello daddy");

	if (unmap_shared_pages(shared, SHMEM_TEST2_SIZE) < 0) {
		printf("shmem_test2: child: unmap_shared_pages: %s\n", strerror(errno));
		return 1;
	}
	unmapped = shmem_test2_size();
	printf("shmem_test2: child: size after unmapping:  %lu\n", unmapped);

	more = malloc(SHMEM_TEST2_MALLOC);
	if (!more) {
		printf("shmem_test2: child: malloc failed\n");
		return 1;
	}
	memset(more, 'm', SHMEM_TEST2_MALLOC);
	grown = shmem_test2_size();
	printf("shmem_test2: child: size after malloc(%d): %lu\n", SHMEM_TEST2_MALLOC, grown);
	free(more);
	return unmapped == before && grown >= unmapped ? 0 : 1;
}

int main(void)
{
	char *buf = malloc(SHMEM_TEST2_SIZE);
	int status = -1;

	if (!buf) {
		fprintf(stderr, "shmem_test2: out of memory\n");
		return 1;
	}
	buf[0] = '\0';
	int ready[2], addr[2];
	if (pipe(ready) < 0 || pipe(addr) < 0) {
		fprintf(stderr, "shmem_test2: pipe: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	int pid = fork();
	if (pid < 0) {
		fprintf(stderr, "shmem_test2: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(shmem_test2_child(ready[1], addr[0]));

	char c;
	char *in_child = NULL;
	if (read(ready[0], &c, 1) == 1) {
		in_child = map_shared_pages(getpid(), pid, buf, SHMEM_TEST2_SIZE);
		if (in_child == (char *)-1) {
			fprintf(stderr, "shmem_test2: map_shared_pages: %s\n", strerror(errno));
			in_child = NULL;
		}
	}
	if (write(addr[1], &in_child, sizeof(in_child)) != sizeof(in_child))
		fprintf(stderr, "shmem_test2: cannot tell the child: %s\n", strerror(errno));
	waitpid(pid, &status, 0);
	printf("shmem_test2: parent: child exited with status %d\n", WEXITSTATUS(status));
	printf("shmem_test2: parent: \"%s\"\n", buf);
	return status == 0 && strcmp(buf, "Hello daddy") == 0 ? 0 : 1;
}
