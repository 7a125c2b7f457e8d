/* sh [script]: mnemo's shell. It reads commands from the script file, or
 * from standard input (prompting with "$ " when that is a terminal), one
 * line at a time, and runs each line in three steps:
 *
 *   tokenize   "echo 'a b' | wc > out &"  ->  WORD WORD | WORD > WORD & END
 *   parse      tokens -> a small tree of struct cmd
 *   run        the tree, with fork/exec/pipe/dup2/wait
 *
 * The language:
 *   list      := andor { (';' | '&') andor } [';' | '&']
 *   andor     := pipeline { ('&&' | '||') pipeline }
 *   pipeline  := simple { '|' simple }
 *   simple    := { WORD | '<' WORD | '>' WORD | '>>' WORD }   (at least one)
 * Words may be quoted: '...' keeps everything, "..." keeps everything but
 * lets \" and \\ through, and a backslash outside quotes keeps the next
 * character. $? outside single quotes is the status of the last command
 * (expanded as the command runs, so `false; echo $?` prints 1); no other
 * $ is special. A '#' at the start of a word begins a comment. Names without a
 * '/' are looked for in /bin. The builtins are cd [dir] and exit [n]; they
 * run in the shell itself (ignoring redirections) unless they are part of
 * a pipeline or run in the background.
 *
 * The exit status is that of the last command run (2 after a syntax error,
 * 127 for a command not found, 128 + the signal for one a signal ended);
 * `make run` hands it back to the host.
 *
 * Job control, as far as Ctrl-C needs it: an interactive shell on the
 * console (no script, standard input the console, and not started in the
 * background) puts itself in a process group of its own, makes it the
 * console's foreground group, and ignores SIGQUIT, SIGTERM and the stop
 * signals; it catches SIGINT, so that Ctrl-C at the prompt gives a fresh
 * prompt. Each pipeline, or background job, runs in a new group named after
 * its first process; a foreground one is the console's foreground group
 * until all of it has ended, so Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT)
 * reach it and not the shell, nor the background jobs. A job a signal
 * ended is reported as shells do ("Killed", "Quit"), but for SIGINT and
 * SIGPIPE. A non-interactive shell does none of this.
 *
 * Everything one line needs is allocated from an arena that is freed when
 * the line is done, so the parser's error paths need no cleanup. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ memory */

struct sh_block {
	struct sh_block *next;
	size_t used, size;
	char data[];
};

static struct sh_block *sh_arena; /* blocks of the line being handled */

static void sh_out_of_memory(void) __attribute__((noreturn));
static void sh_out_of_memory(void)
{
	fprintf(stderr, "sh: out of memory\n");
	exit(2);
}

/* Returns n bytes that live until sh_free_all(). Never fails: without
 * memory the shell cannot go on, so it exits. */
static void *sh_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!sh_arena || sh_arena->size - sh_arena->used < n) {
		size_t size = n > 4096 ? n : 4096;
		struct sh_block *b = malloc(sizeof(*b) + size);
		if (!b)
			sh_out_of_memory();
		b->next = sh_arena;
		b->used = 0;
		b->size = size;
		sh_arena = b;
	}
	void *p = sh_arena->data + sh_arena->used;
	sh_arena->used += n;
	return p;
}

static char *sh_strndup(const char *s, size_t n)
{
	char *p = sh_alloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void sh_free_all(void)
{
	while (sh_arena) {
		struct sh_block *next = sh_arena->next;
		free(sh_arena);
		sh_arena = next;
	}
}

/* ------------------------------------------------------------ tokenizer */

enum tok_kind {
	TOK_WORD,
	TOK_PIPE,   /* | */
	TOK_AND,    /* && */
	TOK_OR,	    /* || */
	TOK_AMP,    /* & */
	TOK_SEMI,   /* ; */
	TOK_LESS,   /* < */
	TOK_GREAT,  /* > */
	TOK_DGREAT, /* >> */
	TOK_END,    /* end of the line */
};

struct token {
	enum tok_kind kind;
	char *text; /* TOK_WORD: the word, quotes removed; else the operator */
};

struct token_list {
	struct token *v;
	int n, cap;
};

static void tok_push(struct token_list *tl, enum tok_kind kind, char *text)
{
	if (tl->n == tl->cap) {
		int cap = tl->cap ? 2 * tl->cap : 16;
		struct token *v = sh_alloc((size_t)cap * sizeof(*v));
		if (tl->n)
			memcpy(v, tl->v, (size_t)tl->n * sizeof(*v));
		tl->v = v;
		tl->cap = cap;
	}
	tl->v[tl->n].kind = kind;
	tl->v[tl->n].text = text;
	tl->n++;
}

static int tok_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* What $? leaves in a word until the command runs (sh_expand); a 0x01
 * typed in a line is dropped, so the byte always means $?. */
#define SH_STATUS_MARK '\x01'

/* Characters that end an unquoted word. */
static int tok_is_delim(char c)
{
	return c == '\0' || tok_is_blank(c) || strchr("|&;<>", c) != NULL;
}

/* Scans one word starting at *pp, removing its quotes, and advances *pp
 * past it. buf is scratch space as long as the rest of the line (a word
 * never grows when its quotes go). Returns the word, in the arena, or
 * NULL after reporting an unterminated quote. */
static char *tok_word(const char **pp, char *buf)
{
	const char *p = *pp;
	size_t len = 0;

	while (!tok_is_delim(*p)) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end) {
				fprintf(stderr, "sh: unterminated '\n");
				return NULL;
			}
			memcpy(buf + len, p + 1, (size_t)(end - p - 1));
			len += (size_t)(end - p - 1);
			p = end + 1;
		} else if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0') {
					fprintf(stderr, "sh: unterminated \"\n");
					return NULL;
				}
				if (*p == '$' && p[1] == '?') {
					buf[len++] = SH_STATUS_MARK;
					p++;
					continue;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				if (*p != SH_STATUS_MARK)
					buf[len++] = *p;
			}
			p++;
		} else if (*p == '\\') {
			if (p[1] != '\0' && p[1] != SH_STATUS_MARK)
				buf[len++] = p[1];
			p += p[1] != '\0' ? 2 : 1;
		} else if (*p == '$' && p[1] == '?') {
			buf[len++] = SH_STATUS_MARK;
			p += 2;
		} else if (*p == SH_STATUS_MARK) {
			p++;
		} else {
			buf[len++] = *p++;
		}
	}
	*pp = p;
	return sh_strndup(buf, len);
}

/* Splits line into tokens, ended by TOK_END. Returns 0, or -1 after
 * reporting an error. */
static int sh_tokenize(const char *line, struct token_list *tl)
{
	static const struct {
		const char *text;
		enum tok_kind kind;
	} ops[] = {
	    /* Two-character operators first, so that "||" is not "|" "|". */
	    {"&&", TOK_AND}, {"||", TOK_OR},  {">>", TOK_DGREAT}, {"|", TOK_PIPE},
	    {"&", TOK_AMP},  {";", TOK_SEMI}, {"<", TOK_LESS},	  {">", TOK_GREAT},
	};
	const char *p = line;
	char *scratch = sh_alloc(strlen(line) + 1);

	for (;;) {
		while (tok_is_blank(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;

		size_t i;
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t len = strlen(ops[i].text);
			if (strncmp(p, ops[i].text, len) == 0) {
				tok_push(tl, ops[i].kind, (char *)ops[i].text);
				p += len;
				break;
			}
		}
		if (i < sizeof(ops) / sizeof(ops[0]))
			continue;

		char *word = tok_word(&p, scratch);
		if (!word)
			return -1;
		tok_push(tl, TOK_WORD, word);
	}
	tok_push(tl, TOK_END, "newline");
	return 0;
}

/* ------------------------------------------------------------ parser */

enum cmd_kind {
	CMD_SIMPLE, /* argv with redirections */
	CMD_PIPE,   /* left | right; left is simple, right simple or a pipe */
	CMD_AND,    /* left && right */
	CMD_OR,	    /* left || right */
	CMD_SEQ,    /* left ; right */
	CMD_BACK,   /* left &  */
};

struct redir {
	enum tok_kind op; /* TOK_LESS, TOK_GREAT or TOK_DGREAT */
	char *path;
	struct redir *next; /* in the order written */
};

struct cmd {
	enum cmd_kind kind;
	/* CMD_SIMPLE */
	int argc;
	char **argv; /* NULL-terminated */
	struct redir *redirs;
	/* every other kind; CMD_BACK has no right */
	struct cmd *left, *right;
};

struct parser {
	struct token *tok; /* the next token */
};

static struct cmd *cmd_new(enum cmd_kind kind, struct cmd *left, struct cmd *right)
{
	struct cmd *c = sh_alloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->left = left;
	c->right = right;
	return c;
}

static int tok_is_redir(enum tok_kind kind)
{
	return kind == TOK_LESS || kind == TOK_GREAT || kind == TOK_DGREAT;
}

static void *parse_error(struct parser *ps)
{
	fprintf(stderr, "sh: syntax error near '%s'\n", ps->tok->text);
	return NULL;
}

/* simple := { WORD | redirection }, at least one of them. */
static struct cmd *parse_simple(struct parser *ps)
{
	struct cmd *c = cmd_new(CMD_SIMPLE, NULL, NULL);
	struct redir **tail = &c->redirs;
	int words = 0;

	/* Count the words first, to size argv. */
	for (struct token *t = ps->tok; t->kind == TOK_WORD || tok_is_redir(t->kind); t++) {
		if (t->kind == TOK_WORD)
			words++;
		else if (t[1].kind == TOK_WORD)
			t++; /* the file name is not a word of argv */
	}
	c->argv = sh_alloc((size_t)(words + 1) * sizeof(char *));

	for (;;) {
		if (ps->tok->kind == TOK_WORD) {
			c->argv[c->argc++] = ps->tok->text;
			ps->tok++;
		} else if (tok_is_redir(ps->tok->kind)) {
			struct redir *r = sh_alloc(sizeof(*r));
			r->op = ps->tok->kind;
			ps->tok++;
			if (ps->tok->kind != TOK_WORD)
				return parse_error(ps);
			r->path = ps->tok->text;
			r->next = NULL;
			ps->tok++;
			*tail = r;
			tail = &r->next;
		} else {
			break;
		}
	}
	c->argv[c->argc] = NULL;
	if (c->argc == 0 && !c->redirs)
		return parse_error(ps);
	return c;
}

/* pipeline := simple { '|' simple }, as a chain leaning right. */
static struct cmd *parse_pipeline(struct parser *ps)
{
	struct cmd *left = parse_simple(ps);

	if (!left || ps->tok->kind != TOK_PIPE)
		return left;
	ps->tok++;
	struct cmd *right = parse_pipeline(ps);
	return right ? cmd_new(CMD_PIPE, left, right) : NULL;
}

/* andor := pipeline { ('&&' | '||') pipeline }, grouping to the left. */
static struct cmd *parse_andor(struct parser *ps)
{
	struct cmd *c = parse_pipeline(ps);

	while (c && (ps->tok->kind == TOK_AND || ps->tok->kind == TOK_OR)) {
		enum cmd_kind kind = ps->tok->kind == TOK_AND ? CMD_AND : CMD_OR;
		ps->tok++;
		struct cmd *right = parse_pipeline(ps);
		c = right ? cmd_new(kind, c, right) : NULL;
	}
	return c;
}

/* list := andor { (';' | '&') andor } [';' | '&'], up to TOK_END.
 * Stores the tree in *out (NULL for an empty line). Returns 0, or -1
 * after reporting a syntax error. */
static int parse_list(struct parser *ps, struct cmd **out)
{
	struct cmd *list = NULL;

	while (ps->tok->kind != TOK_END) {
		struct cmd *c = parse_andor(ps);
		if (!c)
			return -1;
		if (ps->tok->kind == TOK_AMP) {
			c = cmd_new(CMD_BACK, c, NULL);
			ps->tok++;
		} else if (ps->tok->kind == TOK_SEMI) {
			ps->tok++;
		} else if (ps->tok->kind != TOK_END) {
			parse_error(ps);
			return -1;
		}
		list = list ? cmd_new(CMD_SEQ, list, c) : c;
	}
	*out = list;
	return 0;
}

/* ------------------------------------------------------------ executor */

static int sh_script_fd = -1; /* the script being read; children close it */
static int sh_interactive;    /* prompt and report jobs; never in a child */
static int sh_last_status;    /* of the last command; exit's default */
static int sh_jobctl;	      /* job control (sh_jobctl_init); never in a child */
static pid_t sh_pgid;	      /* the shell's own group, when sh_jobctl */

/* ------------------------------------------------------------ job control */

/* The signals an interactive shell does not take their default action
 * for: SIGINT is caught (sh_on_sigint), the others ignored. */
static const int sh_job_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU};

/* A Ctrl-C at the prompt gives a fresh prompt: while sh_read_line waits
 * for the first byte of a line, SIGINT jumps back into it; before that
 * (a Ctrl-C typed as soon as the prompt shows may be taken on the way out
 * of the prompt's write), it leaves a note that sh_read_line reads once
 * it may jump. Not an EINTR from read(): a signal taken just before the
 * read would leave it waiting. While a job runs the shell is not in the
 * foreground, so only a kill reaches it, and the note is dropped. */
static jmp_buf sh_prompt_jmp;
static volatile sig_atomic_t sh_at_prompt; /* may sh_on_sigint jump? */
static volatile sig_atomic_t sh_sigint;	   /* a SIGINT came since the line's prompt */

static void sh_on_sigint(int sig)
{
	(void)sig;
	if (sh_at_prompt) {
		sh_at_prompt = 0;
		longjmp(sh_prompt_jmp, 1); /* SA_NODEFER: no mask to restore */
	}
	sh_sigint = 1;
}

/* Turns job control on when the shell is interactive and in the
 * foreground of the console: a new group for the shell (it may lead one
 * already, as a session leader or a job of another shell), which becomes
 * the console's foreground group. A shell started in the background stays
 * without job control, as does one whose calls fail: in the background
 * means that another group of the shell's session is in the foreground,
 * which tcsetpgrp to that same group tells (it fails for a group that is
 * gone, or in another session, such as a job an earlier shell left). */
static void sh_jobctl_init(void)
{
	pid_t fg = tcgetpgrp(0);
	if (fg < 0)
		return; /* not the console */
	if (fg > 0 && fg != getpgrp() && tcsetpgrp(0, fg) == 0)
		return; /* in the background */
	sh_pgid = getpid();
	if (setpgid(0, 0) < 0 && getpgrp() != sh_pgid)
		return;
	if (tcsetpgrp(0, sh_pgid) < 0)
		return;
	for (size_t i = 0; i < sizeof(sh_job_signals) / sizeof(sh_job_signals[0]); i++) {
		struct sigaction act = {.sa_handler = SIG_IGN};
		if (sh_job_signals[i] == SIGINT) {
			act.sa_handler = sh_on_sigint;
			act.sa_flags = SA_NODEFER;
		}
		sigaction(sh_job_signals[i], &act, NULL);
	}
	sh_jobctl = 1;
}

/* In a child just forked: joins job group pgid (0: a new group named after
 * the child), makes it the console's foreground group if foreground, and
 * gives the signals the shell ignores or catches their default action
 * back (exec would keep an ignored signal ignored). The parent does the
 * same setpgid, as the first to run must find the group there. The child
 * is no interactive shell: it neither reports jobs nor controls them. */
static void sh_child_job(pid_t pgid, int foreground)
{
	sh_interactive = 0;
	if (!sh_jobctl)
		return;
	sh_jobctl = 0;
	setpgid(0, pgid);
	/* Before SIGTTOU is back to its default: a tcsetpgrp from a group
	 * in the background may raise it. */
	if (foreground)
		tcsetpgrp(0, pgid ? pgid : getpid());
	for (size_t i = 0; i < sizeof(sh_job_signals) / sizeof(sh_job_signals[0]); i++) {
		struct sigaction act = {.sa_handler = SIG_DFL};
		sigaction(sh_job_signals[i], &act, NULL);
	}
}

/* In the shell, after forking pid, a process of the job whose group is
 * *pgid (0 until its first process): puts pid in that group, the first
 * one in a group named after it, which a foreground job makes the
 * console's foreground group. */
static void sh_parent_job(pid_t pid, pid_t *pgid, int foreground)
{
	if (!sh_jobctl)
		return;
	if (!*pgid)
		*pgid = pid;
	setpgid(pid, *pgid);
	if (foreground)
		tcsetpgrp(0, *pgid);
}

/* Takes the console's foreground back once a foreground job is over,
 * however it ended. */
static void sh_job_done(void)
{
	if (sh_jobctl)
		tcsetpgrp(0, sh_pgid);
}

/* Says why a job a signal ended, as shells do, given a wait status:
 * nothing for SIGINT (the console has echoed ^C and ended the line) or
 * SIGPIPE (a pipeline's writer whose reader left, which is no news). */
static void sh_report_signal(int status)
{
	if (!sh_interactive || !WIFSIGNALED(status))
		return;
	int sig = WTERMSIG(status);
	if (sig == SIGINT || sig == SIGPIPE)
		return;
	fprintf(stderr, "%s%s\n", strsignal(sig), WCOREDUMP(status) ? " (core dumped)" : "");
}

static int sh_run(struct cmd *c);

/* Leaves a child process, writing out what its stdio still holds. */
static void sh_child_exit(int status) __attribute__((noreturn));
static void sh_child_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

/* fork() with the shell's buffered output written first, so that the
 * child does not inherit (and print again) what the shell has not yet
 * written. Returns as fork() does, reporting a failure. */
static int sh_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	int pid = fork();
	if (pid < 0)
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
	return pid;
}

/* The status $? shows: the exit code, or 128 + the signal that ended it
 * (as POSIX shells give it). */
static int sh_status_of(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Waits for child pid and returns its wait status (sys/wait.h); a
 * failed wait reads as an exit with 255. */
static int sh_wait(int pid)
{
	int status;

	for (;;) {
		int r = waitpid(pid, &status, 0);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "sh: wait: %s\n", strerror(errno));
			return 255 << 8;
		}
	}
}

/* Collects background jobs that have finished, so they do not linger as
 * zombies; tells an interactive user about them. */
static void sh_reap_background(void)
{
	int status, pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!sh_interactive)
			continue;
		if (WIFSIGNALED(status))
			fprintf(stderr, "[%d] done, status %d (%s)\n", pid, sh_status_of(status),
				strsignal(WTERMSIG(status)));
		else
			fprintf(stderr, "[%d] done, status %d\n", pid, sh_status_of(status));
	}
}

/* Points fd target at path opened with flags. Returns 0, or -1 after
 * reporting the error. */
static int sh_redirect(const char *path, int flags, int target)
{
	int fd = open(path, flags, 0666);

	if (fd < 0) {
		fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fd != target) {
		if (dup2(fd, target) < 0) {
			fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int sh_apply_redirs(const struct redir *r)
{
	for (; r; r = r->next) {
		int err;
		switch (r->op) {
		case TOK_LESS:
			err = sh_redirect(r->path, O_RDONLY, 0);
			break;
		case TOK_GREAT:
			err = sh_redirect(r->path, O_WRONLY | O_CREAT | O_TRUNC, 1);
			break;
		default: /* TOK_DGREAT */
			err = sh_redirect(r->path, O_WRONLY | O_CREAT | O_APPEND, 1);
			break;
		}
		if (err < 0)
			return -1;
	}
	return 0;
}

/* Builtins: each returns its exit status, or -1 if argv is not one. */
static int sh_builtin(char **argv)
{
	if (strcmp(argv[0], "cd") == 0) {
		const char *dir = argv[1] ? argv[1] : "/";
		if (argv[1] && argv[2]) {
			fprintf(stderr, "sh: cd: too many arguments\n");
			return 1;
		}
		if (chdir(dir) < 0) {
			fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (strcmp(argv[0], "exit") == 0) {
		int status = sh_last_status;
		if (argv[1]) {
			char *end;
			status = (int)strtol(argv[1], &end, 10);
			if (*argv[1] == '\0' || *end != '\0') {
				fprintf(stderr, "sh: exit: %s: not a number\n", argv[1]);
				return 2;
			}
		}
		fflush(stdout);
		exit(status);
	}
	return -1;
}

/* Expands $? (SH_STATUS_MARK) in word: returns word itself, or a copy
 * in the arena with sh_last_status in place of each mark. */
static char *sh_expand_word(char *word)
{
	if (!strchr(word, SH_STATUS_MARK))
		return word;
	char status[12];
	int slen = snprintf(status, sizeof(status), "%d", sh_last_status);
	size_t marks = 0;
	for (const char *q = word; (q = strchr(q, SH_STATUS_MARK)); q++)
		marks++;
	char *out = sh_alloc(strlen(word) + marks * (size_t)slen + 1), *o = out;
	for (const char *q = word; *q; q++) {
		if (*q == SH_STATUS_MARK) {
			memcpy(o, status, (size_t)slen);
			o += slen;
		} else {
			*o++ = *q;
		}
	}
	*o = '\0';
	return out;
}

/* Expands the words and file names of simple command c, once it is
 * about to run (a second call finds nothing left to expand). */
static void sh_expand(struct cmd *c)
{
	for (int i = 0; i < c->argc; i++)
		c->argv[i] = sh_expand_word(c->argv[i]);
	for (struct redir *r = c->redirs; r; r = r->next)
		r->path = sh_expand_word(r->path);
}

/* Runs a simple command in the current process, which is a child of the
 * shell: redirections, then a builtin or exec. Never returns. */
static void sh_exec_simple(struct cmd *c) __attribute__((noreturn));
static void sh_exec_simple(struct cmd *c)
{
	char path[256];
	const char *name = c->argv[0];

	if (sh_script_fd >= 0) {
		close(sh_script_fd);
		sh_script_fd = -1;
	}
	sh_expand(c);
	if (sh_apply_redirs(c->redirs) < 0)
		sh_child_exit(1);
	if (c->argc == 0)
		sh_child_exit(0);

	int status = sh_builtin(c->argv);
	if (status >= 0)
		sh_child_exit(status);

	if (strchr(name, '/')) {
		execv(name, c->argv);
	} else if ((size_t)snprintf(path, sizeof(path), "/bin/%s", name) < sizeof(path)) {
		execv(path, c->argv);
	} else {
		errno = ENAMETOOLONG;
	}
	if (errno == ENOENT) {
		fprintf(stderr, "sh: %s: not found\n", name);
		sh_child_exit(127);
	}
	fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
	sh_child_exit(126);
}

/* Runs a | b | ... (or one simple command): one child per stage, each
 * one's output piped into the next one's input, all in one job (one
 * process group, the console's foreground one, under job control); waits
 * for all of them. Returns the last stage's status, 0..255. */
static int sh_run_pipeline(struct cmd *c)
{
	int stages = 1;
	for (struct cmd *s = c; s->kind == CMD_PIPE; s = s->right)
		stages++;
	int *pids = sh_alloc((size_t)stages * sizeof(int));
	int started = 0;
	int in_fd = -1; /* read end of the previous stage's pipe */
	pid_t pgid = 0; /* the job's group, under job control */

	for (struct cmd *rest = c; started < stages; started++) {
		struct cmd *stage = rest->kind == CMD_PIPE ? rest->left : rest;
		int last = started == stages - 1;
		int p[2] = {-1, -1};

		if (!last && pipe(p) < 0) {
			fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
			break;
		}
		int pid = sh_fork();
		if (pid == 0) {
			sh_child_job(pgid, /*foreground=*/1);
			if (in_fd >= 0) {
				dup2(in_fd, 0);
				close(in_fd);
			}
			if (!last) {
				dup2(p[1], 1);
				close(p[0]);
				close(p[1]);
			}
			sh_exec_simple(stage);
		}
		if (in_fd >= 0)
			close(in_fd);
		in_fd = p[0];
		if (!last)
			close(p[1]);
		if (pid < 0)
			break;
		sh_parent_job(pid, &pgid, /*foreground=*/1);
		pids[started] = pid;
		if (!last)
			rest = rest->right;
	}
	if (in_fd >= 0)
		close(in_fd);

	/* Wait for every stage that started, even after a failure; tell of
	 * the last stage a signal ended, once for the job. */
	int status = 0, signaled = 0;
	for (int i = 0; i < started; i++) {
		status = sh_wait(pids[i]);
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGPIPE)
			signaled = status;
	}
	if (started)
		sh_job_done();
	sh_report_signal(signaled);
	return started == stages ? sh_status_of(status) : 1;
}

/* Starts c in a child without waiting for it. Returns 0, or 1 if the
 * child could not be made. */
static int sh_run_background(struct cmd *c)
{
	int pid = sh_fork();
	pid_t pgid = 0;

	if (pid < 0)
		return 1;
	if (pid == 0) {
		/* Its own group, out of Ctrl-C's reach; whatever it starts
		 * stays in it. */
		sh_child_job(0, /*foreground=*/0);
		if (c->kind == CMD_SIMPLE)
			sh_exec_simple(c);
		if (sh_script_fd >= 0) {
			close(sh_script_fd);
			sh_script_fd = -1;
		}
		sh_child_exit(sh_run(c));
	}
	sh_parent_job(pid, &pgid, /*foreground=*/0);
	if (sh_interactive)
		fprintf(stderr, "[%d]\n", pid);
	return 0;
}

/* Runs the tree c and returns its exit status. */
static int sh_run_tree(struct cmd *c)
{
	int status;

	switch (c->kind) {
	case CMD_SIMPLE:
		sh_expand(c);
		if (c->argc > 0) {
			status = sh_builtin(c->argv);
			if (status >= 0)
				return status;
		}
		return sh_run_pipeline(c); /* of one stage */
	case CMD_PIPE:
		return sh_run_pipeline(c);
	case CMD_AND:
		status = sh_run(c->left);
		return status == 0 ? sh_run(c->right) : status;
	case CMD_OR:
		status = sh_run(c->left);
		return status != 0 ? sh_run(c->right) : status;
	case CMD_SEQ:
		sh_run(c->left);
		return sh_run(c->right);
	case CMD_BACK:
		return sh_run_background(c->left);
	}
	return 2;
}

/* sh_run_tree, whose status $? then shows. */
static int sh_run(struct cmd *c)
{
	sh_last_status = sh_run_tree(c);
	return sh_last_status;
}

/* ------------------------------------------------------------ main loop */

/* Reads one line from fd into *buf (grown as needed), without its
 * newline. It reads one byte at a time so that it never takes input that
 * belongs to the commands it starts (`sh < script` whose commands read
 * standard input). Returns 1 with a line, 0 at end of input, -1 when a
 * Ctrl-C (SIGINT, caught under job control) came before the line's first
 * byte: the console has dropped what was typed of it. */
static int sh_read_line(int fd, char **buf, size_t *cap)
{
	size_t len = 0;

	if (sh_jobctl) {
		if (setjmp(sh_prompt_jmp))
			return -1; /* from sh_on_sigint */
		sh_at_prompt = 1;
		if (sh_sigint) {
			sh_at_prompt = 0;
			return -1;
		}
	}
	for (;;) {
		char ch;
		ssize_t n = read(fd, &ch, 1);
		sh_at_prompt = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "sh: read: %s\n", strerror(errno));
			return 0;
		}
		if (n == 0 && len == 0)
			return 0;
		if (n == 0 || ch == '\n')
			break;
		if (len + 2 > *cap) {
			size_t ncap = *cap ? 2 * *cap : 128;
			char *nbuf = realloc(*buf, ncap);
			if (!nbuf)
				sh_out_of_memory();
			*buf = nbuf;
			*cap = ncap;
		}
		(*buf)[len++] = ch;
	}
	if (!*buf) {
		*buf = malloc(1);
		if (!*buf)
			sh_out_of_memory();
		*cap = 1;
	}
	(*buf)[len] = '\0';
	return 1;
}

/* Tokenizes, parses and runs one line, setting sh_last_status. */
static void sh_run_line(const char *line)
{
	struct token_list tl = {NULL, 0, 0};
	struct cmd *tree;

	if (sh_tokenize(line, &tl) < 0) {
		sh_last_status = 2;
	} else {
		struct parser ps = {tl.v};
		if (parse_list(&ps, &tree) < 0)
			sh_last_status = 2;
		else if (tree)
			sh_last_status = sh_run(tree);
	}
	sh_free_all();
}

int main(int argc, char *argv[])
{
	char *line = NULL;
	size_t cap = 0;
	int in = 0;

	if (argc > 1) {
		in = open(argv[1], O_RDONLY);
		if (in < 0) {
			fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
		sh_script_fd = in;
	} else {
		sh_interactive = isatty(0);
		if (sh_interactive)
			sh_jobctl_init();
	}

	for (;;) {
		sh_sigint = 0;
		sh_reap_background();
		if (sh_interactive) {
			fputs("$ ", stderr);
			fflush(stderr);
		}
		int got = sh_read_line(in, &line, &cap);
		if (got < 0) {
			sh_last_status = 128 + SIGINT;
			continue; /* a fresh prompt */
		}
		if (!got) {
			if (sh_interactive)
				fputs("\n", stderr); /* end the prompt's line */
			break;
		}
		sh_run_line(line);
	}
	free(line);
	return sh_last_status;
}
