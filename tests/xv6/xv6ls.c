// xv6ls: lists files the way xv6's ls does, reading a directory's
// struct dirent records with read() and asking fstat()/stat() for the
// type. Written against xv6's headers only, to show they suffice.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"

// Prints one line: name padded to DIRSIZ, type, inode number, size.
static void show(const char *name, struct stat *st)
{
	char padded[DIRSIZ + 1];
	int n = strlen(name);

	if (n > DIRSIZ)
		n = DIRSIZ;
	memmove(padded, name, n);
	memset(padded + n, ' ', DIRSIZ - n);
	padded[DIRSIZ] = 0;
	printf("%s %d %d %d\n", padded, st->type, st->ino, (int)st->size);
}

// The part of path after its last '/'.
static const char *last_part(const char *path)
{
	const char *p = path + strlen(path);

	while (p > path && p[-1] != '/')
		p--;
	return p;
}

static void list_dir(int fd, const char *path)
{
	char child[MAXPATH];
	struct dirent de;
	struct stat st;
	int len = strlen(path);

	if (len + 1 + DIRSIZ + 1 > sizeof(child)) {
		fprintf(2, "xv6ls: path too long: %s\n", path);
		return;
	}
	strcpy(child, path);
	child[len++] = '/';
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(child + len, de.name, DIRSIZ);
		child[len + DIRSIZ] = 0;
		if (stat(child, &st) < 0) {
			fprintf(2, "xv6ls: cannot stat %s\n", child);
			continue;
		}
		show(child + len, &st);
	}
}

static void ls(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		fprintf(2, "xv6ls: cannot open %s\n", path);
		return;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(2, "xv6ls: cannot stat %s\n", path);
	} else if (st.type == T_DIR) {
		list_dir(fd, path);
	} else {
		show(last_part(path), &st);
	}
	close(fd);
}

int main(int argc, char *argv[])
{
	if (argc < 2)
		ls(".");
	for (int i = 1; i < argc; i++)
		ls(argv[i]);
	exit(0);
}
