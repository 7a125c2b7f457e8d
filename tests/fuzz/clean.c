/* What a round leaves behind, removed by the parent once every process
 * of the round is gone: the files under /tmp/fz* (the only place children
 * create anything) and the pages children mapped into the parent. With
 * static buffers only: the parent allocates nothing between the page
 * counts it compares. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mnemo.h>

#include "include/uapi/dirent.h"

#include "fuzz.h"

static char fz_names[FZ_MAX_DEPTH][FZ_DIR_BATCH][MNEMO_DIRSIZ + 1];
static struct mnemo_vmmap fz_maps[64];
static char fz_long_name[FZ_NAME_LONG_LEN + 1];

/* Reads up to FZ_DIR_BATCH names of directory path (without . and ..)
 * into fz_names[depth], each starting with prefix; returns how many. */
static int fz_list(const char *path, int depth, const char *prefix)
{
	struct mnemo_dirent de;
	int fd = open(path, O_RDONLY), n = 0;

	if (fd < 0)
		return 0;
	while (n < FZ_DIR_BATCH && read(fd, &de, sizeof(de)) == sizeof(de)) {
		char *name = fz_names[depth][n];
		if (de.inum == 0)
			continue;
		memcpy(name, de.name, MNEMO_DIRSIZ);
		name[MNEMO_DIRSIZ] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		n++;
	}
	close(fd);
	return n;
}

static void fz_remove(const char *name, int depth);

/* Removes entry name of the working directory, which has depth above it
 * under /tmp. A name of MNEMO_DIRSIZ bytes may be cut short: it is then
 * one of the long names of the grammar, tried in full. */
static void fz_remove_entry(const char *name, int depth)
{
	const char *full[] = {name, FZ_TOP_LONG, fz_long_name};
	int tries = strlen(name) == MNEMO_DIRSIZ ? 3 : 1;

	for (int k = 0; k < tries; k++)
		if (strncmp(full[k], name, MNEMO_DIRSIZ) == 0)
			fz_remove(full[k], depth);
}

/* Removes name (in the working directory) and all below it. Works from
 * inside each directory, with names relative to it: a path through a
 * 255-byte name would be longer than a path may be. */
static void fz_remove(const char *name, int depth)
{
	if (unlink(name) == 0 || errno != ENOTEMPTY || depth == FZ_MAX_DEPTH)
		return;
	if (chdir(name) < 0)
		return;
	for (int pass = 0; pass < 100; pass++) {
		int n = fz_list(".", depth, "");
		for (int i = 0; i < n; i++)
			fz_remove_entry(fz_names[depth][i], depth + 1);
		if (n < FZ_DIR_BATCH)
			break;
	}
	if (chdir("..") == 0)
		unlink(name);
}

void fz_clean_tmp(void)
{
	if (!fz_long_name[0])
		memset(fz_long_name, 'n', FZ_NAME_LONG_LEN);
	if (chdir("/tmp") == 0) {
		for (int pass = 0; pass < 10; pass++) {
			int n = fz_list(".", 0, "fz");
			for (int i = 0; i < n; i++)
				fz_remove_entry(fz_names[0][i], 1);
			if (n == 0)
				break;
		}
	}
	/* /tmp/fz goes too: the first child of the next round makes it
	 * again (child.c), and the run leaves nothing behind. */
	chdir("/");
}

void fz_clean_shared_in(void)
{
	int n = vmmaps(0, fz_maps, 64);

	for (int i = 0; i < n && i < 64; i++)
		if (strcmp(fz_maps[i].backing, "[shared]") == 0)
			unmap_shared_pages((void *)fz_maps[i].start,
					   fz_maps[i].end - fz_maps[i].start);
}
