/* Directory streams on top of read(): a directory's content is an array
 * of 16-byte struct mnemo_dirent slots, inum 0 marking a free one. The
 * stream reads a batch of slots at a time and hands out the used ones. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_BATCH 32 /* slots per read(): 512 bytes */

struct mnemo_dir {
	int fd;
	int next;  /* index of the next slot to look at in batch */
	int count; /* slots in batch */
	struct mnemo_dirent batch[DIR_BATCH];
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
	for (;;) {
		if (dir->next == dir->count) {
			ssize_t n = read(dir->fd, dir->batch, sizeof(dir->batch));

			if (n <= 0) /* end (errno unchanged) or error (errno set) */
				return NULL;
			dir->next = 0;
			dir->count = n / sizeof(dir->batch[0]);
			if (dir->count == 0) { /* a partial slot: not a directory's */
				errno = EIO;
				return NULL;
			}
		}
		const struct mnemo_dirent *slot = &dir->batch[dir->next++];
		if (slot->inum == 0)
			continue;
		dir->entry.d_ino = slot->inum;
		/* A name that fills all MNEMO_DIRSIZ bytes has no NUL. */
		memcpy(dir->entry.d_name, slot->name, MNEMO_DIRSIZ);
		dir->entry.d_name[MNEMO_DIRSIZ] = '\0';
		return &dir->entry;
	}
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
