/* Directory streams on top of getdents(), which yields one struct
 * mnemo_dirent_long per entry with its whole name (read() of a directory
 * would cut names to xv6's 14 bytes). The stream reads a batch of records
 * at a time and hands them out one by one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "usys.h"

/* Bytes of records per getdents(): room for a few of the longest. */
#define DIR_BATCH 1024

struct mnemo_dir {
	int fd;
	size_t next;  /* offset of the next record in batch */
	size_t count; /* bytes of records in batch */
	_Alignas(8) char batch[DIR_BATCH];
	struct dirent entry; /* what readdir() returned last */
};

DIR *opendir(const char *path)
{
	struct stat st;
	DIR *dir;
	int fd = open(path, O_RDONLY), saved_errno;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto out_close;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto out_close;
	}
	dir = malloc(sizeof(*dir));
	if (!dir)
		goto out_close;
	dir->fd = fd;
	dir->next = dir->count = 0;
	return dir;

out_close:
	saved_errno = errno; /* the reason, which close() must not change */
	close(fd);
	errno = saved_errno;
	return NULL;
}

struct dirent *readdir(DIR *dir)
{
	const struct mnemo_dirent_long *rec;

	if (dir->next == dir->count) {
		long n = usys_result(usys_call3(SYS_getdents, dir->fd, dir->batch, DIR_BATCH));

		if (n <= 0) /* end (errno unchanged) or error (errno set) */
			return NULL;
		dir->next = 0;
		dir->count = n;
	}
	rec = (const struct mnemo_dirent_long *)(dir->batch + dir->next);
	dir->next += rec->reclen;
	dir->entry.d_ino = rec->inum;
	memcpy(dir->entry.d_name, rec->name, rec->namelen + 1);
	return &dir->entry;
}

void rewinddir(DIR *dir)
{
	lseek(dir->fd, 0, SEEK_SET);
	dir->next = dir->count = 0;
}

int dirfd(DIR *dir)
{
	return dir->fd;
}

int closedir(DIR *dir)
{
	int ret = close(dir->fd);

	free(dir);
	return ret;
}
