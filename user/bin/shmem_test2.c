/* shmem_test2: page sharing from a child to its parent (seed 001, task 1).
 *
 * The parent malloc()s a buffer and forks. The child maps the parent's
 * buffer into itself with map_shared_pages(getppid(), 0, buf, size) (the
 * address is the same in both, as fork copied the layout), writes
 * "Hello daddy" through the mapping, unmaps it, and shows that malloc()
 * still works. It prints its size (sbrk(0)) before mapping, after
 * mapping, after unmapping and after malloc(): mnemo places shared
 * mappings away from the heap, so the first three are equal. The parent
 * waits for the child and prints what its own buffer now holds.
 * Exits 0 when the parent read the string and the child's sizes are
 * right, 1 otherwise. */
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

static int shmem_test2_child(char *parent_buf)
{
	unsigned long before = shmem_test2_size(), mapped, unmapped, grown;
	char *shared, *more;

	printf("shmem_test2: child: size before mapping:   %lu\n", before);
	shared = map_shared_pages(getppid(), 0, parent_buf, SHMEM_TEST2_SIZE);
	if (shared == (char *)-1) {
		printf("shmem_test2: child: map_shared_pages: %s\n", strerror(errno));
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
	int pid = fork();
	if (pid < 0) {
		fprintf(stderr, "shmem_test2: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(shmem_test2_child(buf));

	waitpid(pid, &status, 0);
	printf("shmem_test2: parent: child exited with status %d\n", status);
	printf("shmem_test2: parent: \"%s\"\n", buf);
	return status == 0 && strcmp(buf, "Hello daddy") == 0 ? 0 : 1;
}
