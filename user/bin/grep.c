/* grep pattern [file...]: prints the lines that match pattern, a POSIX
 * basic regular expression (picolibc's regex), in each file or in standard
 * input. With several files each line is prefixed by its file's name.
 * Exit status: 0 if a line matched, 1 if none did, 2 on an error. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the next line of in, however long, into *line (grown as needed,
 * *cap bytes), without its newline. Returns 1 with a line, 0 at the end
 * or on a read error (see ferror), -1 when out of memory. */
static int grep_read_line(FILE *in, char **line, size_t *cap)
{
	size_t len = 0;

	for (;;) {
		if (*cap - len < 2) {
			size_t ncap = *cap ? 2 * *cap : 256;
			char *nline = realloc(*line, ncap);
			if (!nline)
				return -1;
			*line = nline;
			*cap = ncap;
		}
		if (!fgets(*line + len, (int)(*cap - len), in))
			return len > 0;
		len += strlen(*line + len);
		if (len > 0 && (*line)[len - 1] == '\n') {
			/* Match the line without its newline, so that $ works. */
			(*line)[len - 1] = '\0';
			return 1;
		}
	}
}

/* Prints the matching lines of in; prefix is the file name or NULL.
 * Returns how many lines matched, or -1 with errno set after an error. */
static long grep_stream(const regex_t *re, FILE *in, const char *prefix)
{
	char *line = NULL;
	size_t cap = 0;
	long matches = 0;
	int got;

	while ((got = grep_read_line(in, &line, &cap)) > 0) {
		if (regexec(re, line, 0, NULL, 0) != 0)
			continue;
		matches++;
		if (prefix)
			printf("%s:%s\n", prefix, line);
		else
			printf("%s\n", line);
	}
	free(line);
	if (got < 0) {
		errno = ENOMEM;
		return -1;
	}
	return ferror(in) ? -1 : matches;
}

int main(int argc, char *argv[])
{
	regex_t re;
	int err;
	long total = 0;
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: grep pattern [file...]\n");
		return 2;
	}
	err = regcomp(&re, argv[1], REG_NOSUB);
	if (err != 0) {
		char msg[128];
		regerror(err, &re, msg, sizeof(msg));
		fprintf(stderr, "grep: %s: %s\n", argv[1], msg);
		return 2;
	}

	if (argc == 2) {
		total = grep_stream(&re, stdin, NULL);
		if (total < 0) {
			fprintf(stderr, "grep: stdin: %s\n", strerror(errno));
			failed = 1;
		}
	}
	for (int i = 2; i < argc; i++) {
		FILE *in = fopen(argv[i], "r");
		if (!in) {
			fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		long n = grep_stream(&re, in, argc > 3 ? argv[i] : NULL);
		if (n < 0) {
			fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
		} else {
			total += n;
		}
		fclose(in);
	}
	regfree(&re);
	if (failed)
		return 2;
	return total > 0 ? 0 : 1;
}
