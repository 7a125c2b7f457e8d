/* wc [file...]: counts the lines, words and bytes of each file (standard
 * input when none is named), and their totals when there are several. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct wc_counts {
	long lines, words, bytes;
};

static char wc_buf[4096];

static void wc_print(const struct wc_counts *c, const char *name)
{
	if (name)
		printf("%ld %ld %ld %s\n", c->lines, c->words, c->bytes, name);
	else
		printf("%ld %ld %ld\n", c->lines, c->words, c->bytes);
}

/* Counts what fd holds into *c. A word is a maximal run of non-space
 * bytes, so the state "inside a word" carries across reads.
 * Returns 0, or -1 with errno set. */
static int wc_fd(int fd, struct wc_counts *c)
{
	int in_word = 0;
	ssize_t n;

	while ((n = read(fd, wc_buf, sizeof(wc_buf))) > 0) {
		c->bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)wc_buf[i];
			if (ch == '\n')
				c->lines++;
			if (isspace(ch)) {
				in_word = 0;
			} else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
	return n < 0 ? -1 : 0;
}

int main(int argc, char *argv[])
{
	struct wc_counts total = {0, 0, 0};
	int status = 0;

	if (argc < 2) {
		if (wc_fd(0, &total) < 0) {
			fprintf(stderr, "wc: stdin: %s\n", strerror(errno));
			return 1;
		}
		wc_print(&total, NULL);
		return 0;
	}

	for (int i = 1; i < argc; i++) {
		struct wc_counts c = {0, 0, 0};
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0 || wc_fd(fd, &c) < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		wc_print(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc > 2)
		wc_print(&total, "total");
	return status;
}
