/* The system-call fuzzer (tests/fuzz/README.md): what its files share.
 *
 * A run is a sequence of rounds. Round r forks a few children; child c
 * makes random system calls drawn from the stream (seed, r, c), so every
 * call can be made again from those three numbers. The parent reaps the
 * children (killing any that hang), removes what they left in /tmp, and
 * checks that free memory came back.
 *
 * Files: main.c (options, the run), round.c (one round, in the parent),
 * clean.c (what a round leaves behind), selfcheck.c (--check-clean),
 * child.c (a child's life), step.c (making one call), gen.c and path.c
 * (arguments), table.c, calls_*.c, crypto.c and elf.c (the call table),
 * rng.c, errname.c. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/uapi/syscall.h"

#define FZ_PAGE	    4096UL
#define FZ_USER_TOP 0x4000000000UL	 /* MM_USER_TOP: the end of user space */
#define FZ_KERNEL   0xffffffc080200000UL /* the kernel image */
#define FZ_NOFILE   64			 /* NOFILE: descriptors per process */
/* The --print channel (/dev/null otherwise), open in every child at the
 * same number so that both modes make the same calls; never an argument. */
#define FZ_LOG_FD 63

/* The kernel's error numbers that the rules name (include/uapi/errno.h,
 * which only errname.c includes: picolibc's numbers differ). */
#define FZ_EPERM  1
#define FZ_EBADF  9
#define FZ_EFAULT 14
#define FZ_EAGAIN 11
#define FZ_EINVAL 22
#define FZ_ENOSYS 38

/* Limits of a round. */
#define FZ_MAX_CHILDREN 4
#define FZ_MAX_KIDS	3 /* forks one child may make (grandchildren) */
#define FZ_KID_CALLS	8 /* calls one grandchild makes */
#define FZ_NSLOTS	(FZ_MAX_CHILDREN * (1 + FZ_MAX_KIDS))

/* A child's memory, at fixed places so that every round lays it out alike
 * and every pointer class means the same in every child:
 *   RW      16 pages read-write       HOLE  1 page left unmapped
 *   RO      1 page read-only          NONE  1 page PROT_NONE
 *   SHARED  2 pages MAP_SHARED        PLAY  64 pages for mmap games
 *   CRYPTO  4 slots of 2 read-write pages, 1 read-only, 1 unmapped
 *   PREP    3 pages where the child builds paths and argv, then a hole */
#define FZ_ARENA       0x1000000000UL
#define FZ_RW	       (FZ_ARENA + 0x00000)
#define FZ_RW_SIZE     (16 * FZ_PAGE)
#define FZ_HOLE	       (FZ_ARENA + 0x10000)
#define FZ_RO	       (FZ_ARENA + 0x11000)
#define FZ_NONE	       (FZ_ARENA + 0x12000)
#define FZ_SHARED      (FZ_ARENA + 0x13000)
#define FZ_SHARED_SIZE (2 * FZ_PAGE)
#define FZ_CRYPTO      (FZ_ARENA + 0x20000)
#define FZ_SLOT_SIZE   0x4000UL /* per crypto slot, of which... */
#define FZ_SLOT_RW     0x2000UL /* ...this much is read-write */
#define FZ_NCRYPTO     4
#define FZ_PLAY	       (FZ_ARENA + 0x40000)
#define FZ_PLAY_SIZE   (64 * FZ_PAGE)
#define FZ_PREP	       (FZ_ARENA + 0x100000)
#define FZ_PREP_SIZE   (3 * FZ_PAGE)
#define FZ_ARENA_END   (FZ_PREP + FZ_PREP_SIZE + FZ_PAGE)

/* The parent's own fixed places, below the arena so that a child's huge
 * munmap from the arena upwards spares them: the status page, and donor
 * pages that children may map from their parent. */
#define FZ_STATUS     0x0800000000UL
#define FZ_DONOR      0x0900000000UL
#define FZ_DONOR_SIZE (4 * FZ_PAGE)

/* Bytes of memory a child may ask for with mmap and sbrk in sizes it
 * could get (huge sizes that must fail do not count). */
#define FZ_BUDGET (16UL << 20)

/* The names a child may create at the top of /tmp (the grammar in gen.c)
 * and the long names it may create anywhere below: clean.c needs the long
 * ones, which directory records cut to 14 bytes. */
#define FZ_TOP_LONG	 "fzzzzzzzzzzzzzzzzzzzzzzzz"
#define FZ_NAME_LONG_LEN 255 /* FS_NAME_MAX: a component of that many 'n's */

/* ---------------------------------------------------------------- rng.c */

/* splitmix64: a tiny generator whose state a fork copies. */
struct fz_rng {
	uint64_t state;
};

/* The stream of process who (a child index, or a grandchild's slot) in
 * round round of a run with this seed. */
void fz_rng_init(struct fz_rng *r, uint64_t seed, uint64_t round, uint64_t who);
uint64_t fz_next(struct fz_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t fz_below(struct fz_rng *r, uint64_t n);
/* True percent times in a hundred. */
bool fz_chance(struct fz_rng *r, unsigned percent);
/* splitmix64's finaliser: a good hash of one word. */
uint64_t fz_mix(uint64_t x);

/* ---------------------------------------------------------------- options */

struct fz_opts {
	uint64_t seed;
	long calls;	       /* stop after the round that reaches this many calls */
	long first_round;      /* the number of the first round */
	long rounds;	       /* stop after this many rounds (0: calls decides) */
	int per_child;	       /* calls each child makes */
	int only_child;	       /* >= 0: fork only this child of each round */
	int hang_s;	       /* a round still running after this hangs */
	int seconds;	       /* > 0: start no round after this many seconds */
	int batch;	       /* rounds per PASS line */
	bool print;	       /* print every call and its result (replay) */
	bool check_clean;      /* --check-clean: check the cleanup, make no round */
	const char *pager;     /* "lazy" or "eager": part of every check's name */
	uint64_t skip;	       /* bit i: never make fz_table[i] */
	const char *skip_list; /* --skip as given, for the replay line */
};

/* ---------------------------------------------------------------- status page
 * One shared page (MAP_SHARED, made by the parent before the children) in
 * which every process of a round says what it is doing, so that the
 * parent can name the call a hung process is stuck in and the calls whose
 * results broke a rule. Child c owns slot c; its grandchild k owns slot
 * fz_kid_slot(c, k). */
enum fz_slot_state { FZ_SLOT_UNUSED, FZ_SLOT_RUNNING, FZ_SLOT_DONE };

struct fz_slot {
	int pid;
	int state;
	int calls;	/* calls made so far */
	int broken;	/* calls whose result broke a rule */
	char last[240]; /* the call being made, or the last one */
	char why[240];	/* the first broken rule, with its call */
};

struct fz_status {
	struct fz_slot slot[FZ_NSLOTS];
};

static inline int fz_kid_slot(int child, int kid)
{
	return FZ_MAX_CHILDREN + child * FZ_MAX_KIDS + kid;
}

/* ---------------------------------------------------------------- a process */

/* What a process knows of one descriptor. Only pipes matter: a read of an
 * empty pipe or a write to a full one would block the process forever. */
enum fz_fd_kind { FZ_FD_CLOSED, FZ_FD_OPEN, FZ_FD_PIPE_R, FZ_FD_PIPE_W, FZ_FD_LOG };

struct fz_fd {
	uint8_t kind;
	uint8_t pipe; /* which of fz_proc.pipe_bytes, for the two pipe kinds */
};

#define FZ_MAX_PIPES   16
#define FZ_PIPE_SIZE   (64 * 1024) /* the kernel's PIPE_SIZE */
#define FZ_MAX_SHARED  4	   /* map_shared_pages results remembered */
#define FZ_STACK_BYTES 2048	   /* the stack buffer the kernel may fill */

struct fz_region {
	uint64_t start, len;
};

/* A fuzzing process, a child or a grandchild, and its model of itself. */
struct fz_proc {
	const struct fz_opts *opts;
	struct fz_status *status;
	struct fz_rng rng;
	long round;
	int child; /* the child it is or descends from */
	int slot;  /* its status slot; < FZ_MAX_CHILDREN for a child */
	int pid, ppid;
	int kids[FZ_MAX_KIDS]; /* grandchildren forked */
	int nkids;
	int siblings[FZ_MAX_CHILDREN]; /* children forked before this one */
	int nsiblings;
	int ncalls; /* calls made */
	int limit;  /* calls to make */
	struct fz_fd fd[FZ_NOFILE];
	uint32_t pipe_bytes[FZ_MAX_PIPES];
	bool pipe_lost; /* pipe() gave fds it cannot have: stop using pipes */
	struct fz_region shared_in[FZ_MAX_SHARED];
	int nshared_in;
	uint64_t budget;	    /* bytes it may still ask for */
	bool prep_lost;		    /* PREP may be unmapped: map it again */
	bool slot_lost[FZ_NCRYPTO]; /* the crypto slot may be unmapped */
	bool slot_busy[FZ_NCRYPTO]; /* it holds a request not yet answered */
	uint8_t *stack;		    /* FZ_STACK_BYTES on its own stack */
};

/* ---------------------------------------------------------------- a call */

#define FZ_NOTE 40

struct fz_entry;

/* One system call about to be made. */
struct fz_call {
	const struct fz_entry *entry;
	const char *name; /* for printing: the entry's, or a step's own */
	long nr;	  /* a7 */
	long arg[6];
	int nargs;
	char note[6][FZ_NOTE]; /* what each argument is; "" for a plain number */
	long expect;	       /* nonzero: the result must be this (a -errno) */
	bool must_fail;	       /* any result >= 0 breaks a rule */
	bool address;	       /* the result is an address (mmap, sbrk) */
};

/* One line of the call table: a system call (or a composite such as a
 * crypto request raced by munmap) and how to make it. */
struct fz_entry {
	const char *name;  /* also a word of --skip */
	const char *group; /* a --skip word for several entries */
	int weight;	   /* relative frequency */
	bool kids;	   /* grandchildren make it too */
	/* Fills in the call; may make preparing calls itself. */
	void (*gen)(struct fz_proc *p, struct fz_call *c);
	/* Updates the model from the result; may make follow-up calls. */
	void (*after)(struct fz_proc *p, struct fz_call *c, long ret);
};

/* The groups of entries, one array per file: calls_proc.c, calls_fs.c,
 * calls_mem.c, calls_share.c, crypto.c, elf.c. */
extern const struct fz_entry fz_proc_calls[], fz_fs_calls[], fz_mem_calls[], fz_share_calls[],
    fz_crypto_calls[], fz_exec_calls[], fz_thread_calls[];
extern const int fz_nproc_calls, fz_nfs_calls, fz_nmem_calls, fz_nshare_calls, fz_ncrypto_calls,
    fz_nexec_calls, fz_nthread_calls;

/* Every entry of the groups in one list (table.c); bit i of
 * fz_opts.skip stands for fz_table[i]. */
#define FZ_MAX_ENTRIES 64
extern const struct fz_entry *fz_table[FZ_MAX_ENTRIES];
extern int fz_nentries;
void fz_table_init(void);
/* Sets o->skip from a comma-separated list of entry and group names.
 * Returns 0, or -1 (having said why) for a word that names nothing. */
int fz_skip_parse(struct fz_opts *o, const char *list);
/* A random entry that process p may make. */
const struct fz_entry *fz_pick_entry(struct fz_proc *p);

/* ---------------------------------------------------------------- step.c */

/* Starts a call: zeroes c and names it. */
void fz_call_init(struct fz_call *c, const char *name, long nr);
/* Makes the call: says it in the status slot (and prints it with
 * --print), traps, checks the result against the rules, prints the
 * result. Returns the kernel's a0. */
long fz_do(struct fz_proc *p, struct fz_call *c);
/* A plain call of nargs long arguments with no notes, for the steps
 * that prepare or follow up a call. */
long fz_sub(struct fz_proc *p, const char *name, long nr, int nargs, ...);
/* Records that a result broke a rule (the first one per process is
 * kept, with its call). */
void fz_broken(struct fz_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The raw trap (step.c): a7 = nr, a0..a5 from a, the result. */
long fz_trap(long nr, const long *a);

/* With --print, prints a line about what the next call is made of (an
 * ELF file's headers, say). */
void fz_print_note(struct fz_proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes one random call from the table. */
void fz_step(struct fz_proc *p);

/* ---------------------------------------------------------------- gen.c */

/* A pointer argument and what is known of it. */
struct fz_ptr {
	uint64_t addr;
	uint64_t room; /* bytes from addr to the end of its region; 0 unknown */
	bool bad;      /* no byte there can ever be the process's */
	bool stack;    /* on its stack: a size must stay within room */
};

/* Sets argument i to v with a note (a printf format; "" for none). */
void fz_arg(struct fz_call *c, int i, long v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Pointer classes a caller may rule out (they become read-write memory). */
#define FZ_NO_STACK 1 /* the stack's pages hold live frames: not for sharing */
#define FZ_NO_TEXT  2 /* remapping the text runs whatever is put there */
#define FZ_NO_TOP   4 /* the top stack page: not of the parent's */
/* A pointer from the classes: the process's own read-write, read-only,
 * PROT_NONE, unmapped, shared and stack memory, its text, and the edges
 * of user space (0, 1, page-1, the last page, MM_USER_TOP, the kernel,
 * non-canonical addresses), minus the classes in avoid. */
struct fz_ptr fz_ptr_arg(struct fz_proc *p, struct fz_call *c, int i, unsigned avoid);
/* A size: 0, 1, page sizes, exactly the room left, one past it, huge and
 * negative ones. Kept within room on the stack. */
uint64_t fz_size_arg(struct fz_proc *p, struct fz_call *c, int i, const struct fz_ptr *at);
/* A descriptor: an open one, any small number, a wild one. Never
 * FZ_LOG_FD. Returns the int the kernel will see. */
int fz_fd_arg(struct fz_proc *p, struct fz_call *c, int i);
/* A number in [0, FZ_NOFILE) other than FZ_LOG_FD, or a wild one. */
int fz_newfd_arg(struct fz_proc *p, struct fz_call *c, int i);

enum fz_path_use {
	FZ_PATH_TMP,  /* may create, write or remove: only under /tmp/fz* */
	FZ_PATH_READ, /* only looked up: system paths and arbitrary memory too */
};
/* A path built in PREP (slot 0 or 1 of it), or a bad pointer. */
void fz_path_arg(struct fz_proc *p, struct fz_call *c, int i, enum fz_path_use use, int slot);

enum fz_pid_use { FZ_PID_KILL, FZ_PID_WAIT, FZ_PID_SHARE, FZ_PID_LOOK };
/* A pid for the use: kill only ever names the round's own processes, or
 * pids no process can have. Returns the pid. */
int fz_pid_arg(struct fz_proc *p, struct fz_call *c, int i, enum fz_pid_use use);
/* Charges len against the budget; returns len, or a size that must fail
 * when the budget is spent. */
uint64_t fz_charge(struct fz_proc *p, uint64_t len);
/* Notes that [addr, addr+len) may have been unmapped or reprotected, so
 * that PREP and the crypto slots are mapped again before the process
 * writes to them. */
void fz_lost_range(struct fz_proc *p, uint64_t addr, uint64_t len);
/* Maps PREP again if it may be gone. */
void fz_prep_ready(struct fz_proc *p);
/* The process's current descriptor model picks: an open descriptor other
 * than FZ_LOG_FD, or -1 when none is open. */
int fz_open_fd(struct fz_proc *p);

/* ---------------------------------------------------------------- child.c */

/* The life of child index in round: never returns. */
void fz_child_main(const struct fz_opts *o, struct fz_status *st, long round, int index,
		   const int *siblings) __attribute__((noreturn));
/* Becomes grandchild kid of the process (just forked): a few calls, then
 * exit. Never returns. */
void fz_kid_main(struct fz_proc *p, int kid) __attribute__((noreturn));
/* In a process just forked from p: takes the identity of grandchild kid
 * (its status slot, its pid, its own random stream, no kids). */
void fz_become_kid(struct fz_proc *p, int kid);
/* In the parent: notes a grandchild just forked. */
void fz_note_kid(struct fz_proc *p, int pid);
/* Ends the process (its status slot says it is done). */
void fz_exit(struct fz_proc *p, int status) __attribute__((noreturn));

/* ---------------------------------------------------------------- round.c, clean.c, selfcheck.c */

#define FZ_MAX_DEPTH 8	/* the cleanup's, below /tmp: the grammar nests 4 deep at most */
#define FZ_DIR_BATCH 64 /* entries the cleanup reads per pass over a directory */

/* Runs round r; prints FAIL lines. Adds the calls made to *calls and
 * returns the number of failures; sets *stop when the run cannot go on
 * (processes that do not die). */
int fz_round(const struct fz_opts *o, long r, long *calls, bool *stop);
/* What the parent needs before the first round, every page of its .data
 * and .bss written once included; 0 or -1. */
int fz_parent_setup(const struct fz_opts *o);
/* Removes every /tmp/fz* entry, /tmp/fz itself included. */
void fz_clean_tmp(void);
/* Unmaps what children shared into the parent. */
void fz_clean_shared_in(void);
/* fuzz --check-clean: counts free memory, has a child leave the most the
 * cleanup handles, cleans up as a round does, and checks that free memory
 * is back exactly; prints PASS and FAIL lines, returns the exit status. */
int fz_check_clean(const struct fz_opts *o);
/* Prints a FAIL line for round r (with how to replay it). */
void fz_fail(const struct fz_opts *o, const char *what, long r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints one line to fd 1 with one write. */
void fz_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------------------- errname.c */

/* "EFAULT" for -14, NULL for a number that is no errno of the kernel's. */
const char *fz_errname(long ret);

#endif
