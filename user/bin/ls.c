/* ls [path...]: lists each directory's entries, or the file itself, one
 * line each as xv6's ls does: name, type (1 directory, 2 file, 3 device,
 * 4 pipe), inode number and size in bytes. Lists "." when given nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "include/uapi/dirent.h"
#include "include/uapi/limits.h"
#include "include/uapi/stat.h"

/* The type numbers of xv6 (and of struct mnemo_stat). */
static int ls_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return MNEMO_T_DIR;
	if (S_ISREG(mode))
		return MNEMO_T_FILE;
	if (S_ISCHR(mode))
		return MNEMO_T_DEVICE;
	if (S_ISFIFO(mode))
		return MNEMO_T_PIPE;
	return 0;
}

static void ls_print(const char *name, const struct stat *st)
{
	printf("%-*s %d %lu %lu\n", MNEMO_DIRSIZ, name, ls_type(st->st_mode),
	       (unsigned long)st->st_ino, (unsigned long)st->st_size);
}

/* Lists the entries of directory path. Returns 0, or 1 after reporting
 * an error (it goes on with the other entries). */
static int ls_dir(const char *path)
{
	char full[MNEMO_MAXPATH];
	struct dirent *entry;
	int status = 0;
	const char *sep = path[strlen(path) - 1] == '/' ? "" : "/";
	DIR *dir = opendir(path);

	if (!dir) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* readdir() returns NULL both at the end and on error. */
	errno = 0;
	while ((entry = readdir(dir)) != NULL) {
		struct stat st;
		if ((size_t)snprintf(full, sizeof(full), "%s%s%s", path, sep, entry->d_name) >=
		    sizeof(full)) {
			fprintf(stderr, "ls: %s%s%s: path too long\n", path, sep, entry->d_name);
			status = 1;
		} else if (stat(full, &st) < 0) {
			fprintf(stderr, "ls: %s: %s\n", full, strerror(errno));
			status = 1;
		} else {
			ls_print(entry->d_name, &st);
		}
		errno = 0;
	}
	if (errno != 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		status = 1;
	}
	closedir(dir);
	return status;
}

static int ls_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode))
		return ls_dir(path);
	ls_print(path, &st);
	return 0;
}

int main(int argc, char *argv[])
{
	int status = 0;

	if (argc < 2)
		return ls_path(".");
	for (int i = 1; i < argc; i++)
		status |= ls_path(argv[i]);
	return status;
}
