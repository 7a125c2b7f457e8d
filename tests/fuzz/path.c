/* Path arguments. A path that may create, write or remove something
 * (FZ_PATH_TMP) comes from a grammar that cannot leave /tmp/fz*: a root
 * (/tmp/fz, /tmp/fz0, ..., or relative, the working directory being
 * always under /tmp/fz* too, since chdir takes only such paths) and a few
 * components, of which ".." only ever undoes one before it. Directories
 * cannot be hard-linked (link gives EPERM), so ".." never leads out.
 * Paths that are only looked up may also name the rest of the tree or
 * point at arbitrary memory. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

#define FZ_NROOTS (sizeof(fz_roots) / sizeof(fz_roots[0]))
#define FZ_NPARTS (sizeof(fz_parts) / sizeof(fz_parts[0]))

static const char *const fz_roots[] = {
    "/tmp/fz", "/tmp/fz", "/tmp/fz0", "/tmp/fz1", "/tmp/" FZ_TOP_LONG, "//tmp//fz/", "", "./",
};

/* NULL stands for a component FZ_NAME_LONG_LEN bytes long. */
static const char *const fz_parts[] = {"a", "b", "c", "e0", "e1", ".", "..", NULL};

static const char *const fz_system_paths[] = {
    "/",    "/bin",	    "/bin/sh",	 "/bin/true", "/dev",	       "/dev/null",
    "/etc", "/nonexistent", "/bin/sh/x", "bin",	      "/tmp/fz/../fz", "/tmp",
};

/* Appends len bytes of s to buf (size bytes, n used), keeping it
 * NUL-terminated; returns the new length. */
static size_t fz_cat(char *buf, size_t size, size_t n, const char *s, size_t len)
{
	if (n + len >= size)
		len = size - 1 - n;
	memcpy(buf + n, s, len);
	buf[n + len] = '\0';
	return n + len;
}

/* Appends count copies of byte b. */
static size_t fz_fill(char *buf, size_t size, size_t n, char b, size_t count)
{
	if (n + count >= size)
		count = size - 1 - n;
	memset(buf + n, b, count);
	buf[n + count] = '\0';
	return n + count;
}

/* A path from the grammar, in buf; returns its length. */
static size_t fz_tmp_path(struct fz_rng *r, char *buf, size_t size)
{
	const char *root = fz_roots[fz_below(r, FZ_NROOTS)];
	size_t n = fz_cat(buf, size, 0, root, strlen(root));
	int depth = 0, parts = (int)fz_below(r, 4);

	for (int k = 0; k < parts; k++) {
		const char *part = fz_parts[fz_below(r, FZ_NPARTS)];
		if (part && strcmp(part, "..") == 0 && depth == 0)
			part = "a";
		if (n > 0 && buf[n - 1] != '/')
			n = fz_cat(buf, size, n, "/", 1);
		if (!part) {
			n = fz_fill(buf, size, n, 'n', FZ_NAME_LONG_LEN);
			depth++;
			continue;
		}
		n = fz_cat(buf, size, n, part, strlen(part));
		if (strcmp(part, "..") == 0)
			depth--;
		else if (strcmp(part, ".") != 0)
			depth++;
	}
	/* A trailing slash, but not on the empty path: that would make it
	 * "/", the root, out of /tmp/fz*. */
	if (n > 0 && fz_chance(r, 10))
		n = fz_cat(buf, size, n, "/", 1);
	return n;
}

/* Paths at the kernel's length limits: one too long in all (FS_MAXPATH
 * is 256 with the NUL), one of exactly 255 bytes that names /tmp/fz/a,
 * one with a component one byte over FS_NAME_MAX. */
static size_t fz_long_path(struct fz_rng *r, char *buf, size_t size)
{
	size_t n = fz_cat(buf, size, 0, "/tmp/fz/a", 9);

	switch (fz_below(r, 3)) {
	case 0:
		while (n < 300)
			n = fz_cat(buf, size, n, "/a", 2);
		return n;
	case 1:
		while (n + 2 <= 255)
			n = fz_cat(buf, size, n, "/.", 2);
		return n < 255 ? fz_cat(buf, size, n, "/", 1) : n;
	default:
		n = fz_cat(buf, size, n, "/", 1);
		return fz_fill(buf, size, n, 'n', FZ_NAME_LONG_LEN + 1);
	}
}

/* Pointers at which no path can ever be read. */
static void fz_bad_path(struct fz_rng *r, struct fz_call *c, int i)
{
	static const struct {
		uint64_t addr;
		const char *name;
	} bad[] = {
	    {0, "null"},
	    {1, "one"},
	    {FZ_KERNEL, "kernel"},
	    {FZ_USER_TOP, "user-top"},
	    {0x8000000000ul, "wild"},
	};
	unsigned k = (unsigned)fz_below(r, sizeof(bad) / sizeof(bad[0]));

	fz_arg(c, i, (long)bad[k].addr, "%s", bad[k].name);
}

void fz_path_arg(struct fz_proc *p, struct fz_call *c, int i, enum fz_path_use use, int slot)
{
	struct fz_rng *r = &p->rng;
	char *buf = (char *)(FZ_PREP + (uint64_t)slot * 2048);
	unsigned k = (unsigned)fz_below(r, 20);
	size_t n;

	if (use == FZ_PATH_READ && k < 4) {
		if (k < 2) {
			fz_ptr_arg(p, c, i, 0); /* whatever memory holds */
			return;
		}
		k = 20; /* a system path, below */
	}
	fz_prep_ready(p);
	if (k == 4 || p->prep_lost) {
		fz_bad_path(r, c, i);
		return;
	}
	if (k == 20) {
		const char *s = fz_system_paths[fz_below(r, sizeof(fz_system_paths) /
								sizeof(fz_system_paths[0]))];
		n = fz_cat(buf, 2048, 0, s, strlen(s));
	} else if (k == 5) {
		n = fz_cat(buf, 2048, 0, "", 0);
	} else if (k == 6) {
		n = fz_long_path(r, buf, 2048);
	} else {
		n = fz_tmp_path(r, buf, 2048);
	}
	if (k == 7) {
		/* The string runs into the unmapped page after PREP. */
		char *end = (char *)(FZ_PREP + FZ_PREP_SIZE);
		fz_arg(c, i, (long)(end - n), "\"%.24s\" unterminated", buf);
		memmove(end - n, buf, n);
		return;
	}
	if (n > 32)
		fz_arg(c, i, (long)buf, "\"%.16s...\"(%zu)", buf, n);
	else
		fz_arg(c, i, (long)buf, "\"%s\"", buf);
}
