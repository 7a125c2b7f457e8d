/* File calls. Only children make them (grandchildren inherit descriptors
 * but never use them), so a child's model of its descriptor table is
 * exact: it follows every call that changes the table, and knows how many
 * bytes sit in each of its pipes, which is what keeps it from reading an
 * empty pipe or filling a full one and sleeping forever. Everything that
 * creates, writes or removes names a path under /tmp/fz* (path.c). */
#include <string.h>

#include "include/uapi/fcntl.h"
#include "include/uapi/stat.h"

#include "fuzz.h"

/* The model's view of the descriptor the kernel will see. */
static struct fz_fd *fz_model(struct fz_proc *p, long v)
{
	static struct fz_fd none = {FZ_FD_CLOSED, 0};
	int fd = (int)v;

	if (fd < 0 || fd >= FZ_NOFILE)
		return &none;
	return &p->fd[fd];
}

/* pipe() writes two ints: where nothing can be written, EFAULT, unless
 * the table has no room for the two descriptors (EMFILE comes first). */
static void gen_pipe(struct fz_proc *p, struct fz_call *c)
{
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);
	int free = 0;

	c->nr = SYS_pipe;
	for (int fd = 0; fd < FZ_NOFILE; fd++)
		free += p->fd[fd].kind == FZ_FD_CLOSED;
	if (at.bad && free >= 2)
		c->expect = -FZ_EFAULT;
}

/* A pipe number no descriptor uses, or -1. */
static int fz_free_pipe(const struct fz_proc *p)
{
	for (int id = 0; id < FZ_MAX_PIPES; id++) {
		bool used = false;
		for (int fd = 0; fd < FZ_NOFILE; fd++)
			used |=
			    (p->fd[fd].kind == FZ_FD_PIPE_R || p->fd[fd].kind == FZ_FD_PIPE_W) &&
			    p->fd[fd].pipe == id;
		if (!used)
			return id;
	}
	return -1;
}

/* Reads the two descriptors back from where the kernel wrote them (that
 * memory is writable, so readable). With no pipe number free, the new
 * ends are closed again; descriptors the model thought taken mean the
 * model is lost, and pipes are left alone from then on. */
static void after_pipe(struct fz_proc *p, struct fz_call *c, long ret)
{
	int fds[2], id;

	if (ret != 0)
		return;
	memcpy(fds, (void *)c->arg[0], sizeof(fds));
	for (int k = 0; k < 2; k++) {
		if (fds[k] < 0 || fds[k] >= FZ_NOFILE || p->fd[fds[k]].kind != FZ_FD_CLOSED) {
			fz_broken(p, "pipe gave descriptor %d, which was not free", fds[k]);
			p->pipe_lost = true;
			return;
		}
	}
	id = fz_free_pipe(p);
	if (id < 0) {
		fz_sub(p, "close", SYS_close, 1, (long)fds[0]);
		fz_sub(p, "close", SYS_close, 1, (long)fds[1]);
		return;
	}
	p->fd[fds[0]] = (struct fz_fd){FZ_FD_PIPE_R, (uint8_t)id};
	p->fd[fds[1]] = (struct fz_fd){FZ_FD_PIPE_W, (uint8_t)id};
	p->pipe_bytes[id] = 0;
}

/* A read of an empty pipe would sleep until a writer comes, and none
 * will: such a read goes to descriptor -1 instead. */
static void gen_read(struct fz_proc *p, struct fz_call *c)
{
	int fd = fz_fd_arg(p, c, 0);
	struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);
	struct fz_fd *m = fz_model(p, fd);

	fz_size_arg(p, c, 2, &at);
	c->nr = SYS_read;
	if (m->kind == FZ_FD_PIPE_R && (p->pipe_lost || p->pipe_bytes[m->pipe] == 0))
		fz_arg(c, 0, -1, "was-empty-pipe");
	else if (m->kind == FZ_FD_CLOSED)
		c->expect = -FZ_EBADF;
}

/* What a read took out of a pipe is no longer in it. */
static void after_read(struct fz_proc *p, struct fz_call *c, long ret)
{
	struct fz_fd *m = fz_model(p, c->arg[0]);

	if (m->kind == FZ_FD_PIPE_R && ret > 0)
		p->pipe_bytes[m->pipe] -= (uint32_t)ret;
}

/* A write to a pipe never asks for more than its free space (its reader
 * is this process, which is busy writing). */
static void gen_write(struct fz_proc *p, struct fz_call *c)
{
	int fd = fz_fd_arg(p, c, 0);
	struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);
	uint64_t n = fz_size_arg(p, c, 2, &at);
	struct fz_fd *m = fz_model(p, fd);

	c->nr = SYS_write;
	if (m->kind == FZ_FD_PIPE_W) {
		uint64_t space = FZ_PIPE_SIZE - p->pipe_bytes[m->pipe];
		if (p->pipe_lost)
			fz_arg(c, 0, -1, "was-pipe");
		else if (n > space)
			fz_arg(c, 2, (long)space, "pipe-space");
	} else if (m->kind == FZ_FD_CLOSED) {
		c->expect = -FZ_EBADF;
	}
}

/* What a write put into a pipe is in it; never more than it holds. */
static void after_write(struct fz_proc *p, struct fz_call *c, long ret)
{
	struct fz_fd *m = fz_model(p, c->arg[0]);

	if (m->kind == FZ_FD_PIPE_W && ret > 0)
		p->pipe_bytes[m->pipe] += (uint32_t)ret;
	if (m->kind == FZ_FD_PIPE_W && p->pipe_bytes[m->pipe] > FZ_PIPE_SIZE)
		fz_broken(p, "a pipe now holds %u bytes", p->pipe_bytes[m->pipe]);
}

/* close: of an open descriptor, or EBADF. */
static void gen_close(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_close;
	if (fz_model(p, fz_fd_arg(p, c, 0))->kind == FZ_FD_CLOSED)
		c->expect = -FZ_EBADF;
}

/* A descriptor closed is free in the model. */
static void after_close(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret == 0)
		fz_model(p, c->arg[0])->kind = FZ_FD_CLOSED;
}

/* dup: of an open descriptor, or EBADF. */
static void gen_dup(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_dup;
	if (fz_model(p, fz_fd_arg(p, c, 0))->kind == FZ_FD_CLOSED)
		c->expect = -FZ_EBADF;
}

/* The new descriptor is the same file as the old. */
static void after_dup(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret >= 0 && ret < FZ_NOFILE)
		p->fd[ret] = *fz_model(p, c->arg[0]);
}

/* dup2 onto any number but FZ_LOG_FD, open or not. */
static void gen_dup2(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_dup2;
	fz_fd_arg(p, c, 0);
	fz_newfd_arg(p, c, 1);
}

/* The target is now the same file as the source (its old file closed). */
static void after_dup2(struct fz_proc *p, struct fz_call *c, long ret)
{
	int newfd = (int)c->arg[1];

	if (ret >= 0 && newfd >= 0 && newfd < FZ_NOFILE)
		p->fd[newfd] = *fz_model(p, c->arg[0]);
}

/* fstat in mnemo's layout (0) or xv6's (1), or an unknown one: EBADF for
 * a closed descriptor, then EINVAL for the layout, else EFAULT where
 * nothing can be written. */
static void gen_fstat(struct fz_proc *p, struct fz_call *c)
{
	int fd = fz_fd_arg(p, c, 0);
	struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);
	long layout = fz_chance(&p->rng, 90) ? (long)fz_below(&p->rng, 2) : (long)fz_next(&p->rng);

	c->nr = SYS_fstat;
	fz_arg(c, 2, layout, "%s", layout == 0 ? "mnemo" : layout == 1 ? "xv6" : "bad-layout");
	if (fz_model(p, fd)->kind == FZ_FD_CLOSED)
		c->expect = -FZ_EBADF;
	else if (layout != 0 && layout != 1)
		c->expect = -FZ_EINVAL;
	else if (at.bad)
		c->expect = -FZ_EFAULT;
}

/* getdents: whole names of the directory open on fd, into any buffer. */
static void gen_getdents(struct fz_proc *p, struct fz_call *c)
{
	int fd = fz_fd_arg(p, c, 0);
	struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);

	fz_size_arg(p, c, 2, &at);
	c->nr = SYS_getdents;
	if (fz_model(p, fd)->kind == FZ_FD_CLOSED)
		c->expect = -FZ_EBADF;
}

/* lseek to small, negative and extreme offsets, whence valid or not. */
static void gen_lseek(struct fz_proc *p, struct fz_call *c)
{
	static const long offs[] = {
	    0, 1, -1, 4096, 1l << 40, 0x7fffffffffffffff, -0x7fffffffffffffff - 1};
	static const long whence[] = {0, 1, 2, 3, -1};
	struct fz_rng *r = &p->rng;

	c->nr = SYS_lseek;
	fz_fd_arg(p, c, 0);
	fz_arg(c, 1,
	       fz_chance(r, 30) ? (long)fz_below(r, 100000)
				: offs[fz_below(r, sizeof(offs) / sizeof(offs[0]))],
	       "%s", "");
	fz_arg(c, 2, whence[fz_below(r, sizeof(whence) / sizeof(whence[0]))], "%s", "");
}

/* A file length: small, around a page, huge and sparse, past the
 * largest file, or negative. */
static long fz_length(struct fz_rng *r)
{
	static const long lens[] = {0,	      1,	4095,	  4096, 4097,
				    1l << 20, 1l << 39, 1l << 40, -1,	-0x7fffffffffffffff - 1};

	return fz_chance(r, 30) ? (long)fz_below(r, 100000)
				: lens[fz_below(r, sizeof(lens) / sizeof(lens[0]))];
}

/* ftruncate: any descriptor; only those open for writing, under
 * /tmp/fz* (open's rule), can change a file. */
static void gen_ftruncate(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_ftruncate;
	fz_fd_arg(p, c, 0);
	fz_arg(c, 1, fz_length(&p->rng), "%s", "");
}

/* truncate: a /tmp/fz* path. */
static void gen_truncate(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_truncate;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
	fz_arg(c, 1, fz_length(&p->rng), "%s", "");
}

/* Any flags under /tmp/fz*; elsewhere only flags that read. */
static void gen_open(struct fz_proc *p, struct fz_call *c)
{
	static const long mode[] = {MNEMO_O_RDONLY, MNEMO_O_WRONLY, MNEMO_O_RDWR, MNEMO_O_ACCMODE};
	static const long more[] = {MNEMO_O_APPEND, MNEMO_O_CREAT, MNEMO_O_TRUNC, MNEMO_O_EXCL,
				    MNEMO_O_DIRECTORY};
	struct fz_rng *r = &p->rng;
	long flags = 0;

	c->nr = SYS_open;
	if (fz_chance(r, 50)) {
		fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
		flags = mode[fz_below(r, 4)];
		for (unsigned k = 0; k < sizeof(more) / sizeof(more[0]); k++)
			if (fz_chance(r, 30))
				flags |= more[k];
		if (fz_chance(r, 5))
			flags |= (long)(fz_next(r) & 0xfff00000);
	} else {
		fz_path_arg(p, c, 0, FZ_PATH_READ, 0);
		if (fz_chance(r, 30))
			flags |= MNEMO_O_DIRECTORY;
	}
	fz_arg(c, 1, flags, "%s", "");
}

/* A descriptor opened is an open file in the model (never a pipe). */
static void after_open(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret >= 0 && ret < FZ_NOFILE)
		p->fd[ret] = (struct fz_fd){FZ_FD_OPEN, 0};
}

/* Device nodes name only /dev/null or no device: a node of the console
 * would let the fuzzer read the console (and sleep) or write to it. */
static void gen_mknod(struct fz_proc *p, struct fz_call *c)
{
	static const long major[] = {MNEMO_DEV_NULL, 0, 3, 1000, 0xffff, 0x10000, -1};
	static const long minor[] = {0, 1, 0xffff, -1};
	struct fz_rng *r = &p->rng;

	c->nr = SYS_mknod;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
	fz_arg(c, 1, major[fz_below(r, sizeof(major) / sizeof(major[0]))], "%s", "");
	fz_arg(c, 2, minor[fz_below(r, sizeof(minor) / sizeof(minor[0]))], "%s", "");
}

/* unlink: a /tmp/fz* path. */
static void gen_unlink(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_unlink;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
}

/* link: both paths under /tmp/fz* (a link to a file elsewhere would let a
 * later write reach it). */
static void gen_link(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_link;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
	fz_path_arg(p, c, 1, FZ_PATH_TMP, 1);
}

/* mkdir: a /tmp/fz* path. */
static void gen_mkdir(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_mkdir;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
}

/* chdir: a /tmp/fz* path only, so that relative paths stay there too. */
static void gen_chdir(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_chdir;
	fz_path_arg(p, c, 0, FZ_PATH_TMP, 0);
}

/* No rule: the path is made (or found gone, ENOENT) before the copy. */
static void gen_getcwd(struct fz_proc *p, struct fz_call *c)
{
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);

	c->nr = SYS_getcwd;
	fz_size_arg(p, c, 1, &at);
}

const struct fz_entry fz_fs_calls[] = {
    {"pipe", "fs", 2, false, gen_pipe, after_pipe},
    {"read", "fs", 5, false, gen_read, after_read},
    {"write", "fs", 5, false, gen_write, after_write},
    {"close", "fs", 3, false, gen_close, after_close},
    {"dup", "fs", 2, false, gen_dup, after_dup},
    {"dup2", "fs", 2, false, gen_dup2, after_dup2},
    {"fstat", "fs", 3, false, gen_fstat, NULL},
    {"getdents", "fs", 2, false, gen_getdents, NULL},
    {"lseek", "fs", 2, false, gen_lseek, NULL},
    {"ftruncate", "fs", 2, false, gen_ftruncate, NULL},
    {"truncate", "fs", 2, false, gen_truncate, NULL},
    {"open", "fs", 5, false, gen_open, after_open},
    {"mknod", "fs", 1, false, gen_mknod, NULL},
    {"unlink", "fs", 3, false, gen_unlink, NULL},
    {"link", "fs", 2, false, gen_link, NULL},
    {"mkdir", "fs", 2, false, gen_mkdir, NULL},
    {"chdir", "fs", 2, false, gen_chdir, NULL},
    {"getcwd", "fs", 2, true, gen_getcwd, NULL},
};
const int fz_nfs_calls = sizeof(fz_fs_calls) / sizeof(fz_fs_calls[0]);
