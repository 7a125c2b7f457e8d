/* The newc format: each entry is a 110-byte header of ASCII, then the
 * name with its NUL, padded to a multiple of 4 counted from the start of
 * the header, then the data, padded to a multiple of 4 likewise. The
 * header is the magic "070701" and 13 fields of 8 hex digits: ino, mode,
 * uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
 * rdevminor, namesize (with the NUL), check. An entry named "TRAILER!!!"
 * ends the archive. */
#include "kernel/fs/cpio.h"
#include "include/uapi/errno.h"
#include "kernel/lib/string.h"

#define CPIO_MAGIC_LEN	6
#define CPIO_FIELDS	13
#define CPIO_HEADER_LEN (CPIO_MAGIC_LEN + 8 * CPIO_FIELDS)

enum cpio_field {
	CPIO_INO,
	CPIO_MODE,
	CPIO_UID,
	CPIO_GID,
	CPIO_NLINK,
	CPIO_MTIME,
	CPIO_FILESIZE,
	CPIO_DEVMAJOR,
	CPIO_DEVMINOR,
	CPIO_RDEVMAJOR,
	CPIO_RDEVMINOR,
	CPIO_NAMESIZE,
	CPIO_CHECK,
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t size)
{
	r->buf = buf;
	r->size = buf ? size : 0;
	r->pos = 0;
}

/* Parses 8 hex digits; false if one is not a hex digit. */
static bool cpio_hex8(const u8 *s, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		u8 c = s[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Advances *pos by len and then to a multiple of 4, unless that passes
 * limit. */
static bool cpio_skip(size_t *pos, size_t len, size_t limit)
{
	size_t end;

	if (len > limit - *pos)
		return false;
	end = ALIGN_UP(*pos + len, 4);
	*pos = end < limit ? end : limit;
	return true;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	const u8 *h = r->buf + r->pos;
	u32 f[CPIO_FIELDS];
	size_t pos = r->pos;

	if (r->size - r->pos < CPIO_HEADER_LEN)
		return r->size == r->pos ? 0 : -EINVAL;
	/* 070702 is the same layout with a checksum, which we ignore. */
	if (memcmp(h, "070701", CPIO_MAGIC_LEN) != 0 && memcmp(h, "070702", CPIO_MAGIC_LEN) != 0)
		return -EINVAL;
	for (int i = 0; i < CPIO_FIELDS; i++)
		if (!cpio_hex8(h + CPIO_MAGIC_LEN + 8 * i, &f[i]))
			return -EINVAL;

	pos += CPIO_HEADER_LEN;
	e->name = (const char *)r->buf + pos;
	e->namelen = f[CPIO_NAMESIZE] ? f[CPIO_NAMESIZE] - 1 : 0;
	if (f[CPIO_NAMESIZE] == 0 || !cpio_skip(&pos, f[CPIO_NAMESIZE], r->size) ||
	    e->name[e->namelen] != '\0' || strnlen(e->name, e->namelen) != e->namelen)
		return -EINVAL;
	e->data = r->buf + pos;
	e->size = f[CPIO_FILESIZE];
	if (!cpio_skip(&pos, e->size, r->size))
		return -EINVAL;

	e->ino = f[CPIO_INO];
	e->mode = f[CPIO_MODE];
	e->nlink = f[CPIO_NLINK];
	e->dev_major = f[CPIO_DEVMAJOR];
	e->dev_minor = f[CPIO_DEVMINOR];
	e->rdev_major = f[CPIO_RDEVMAJOR];
	e->rdev_minor = f[CPIO_RDEVMINOR];
	if (e->namelen == 10 && memcmp(e->name, "TRAILER!!!", 10) == 0) {
		r->pos = r->size;
		return 0;
	}
	r->pos = pos;
	return 1;
}
