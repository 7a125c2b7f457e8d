/* crypto: encrypts or decrypts a file, or standard input, through the
 * crypto service, and writes the result to standard output.
 *
 *   crypto [-d] -k KEY [FILE]        XOR with the bytes of KEY
 *   crypto [-d] -x HEXKEY [FILE]     XOR with a key given in hex
 *   crypto -c KEY:NONCE[:COUNTER] [FILE]
 *                                    ChaCha20 (RFC 8439): KEY is 64 hex
 *                                    digits, NONCE 24, COUNTER the first
 *                                    block's counter in decimal (1 if
 *                                    left out)
 *
 * -d asks for a DECRYPT request rather than ENCRYPT; both ciphers undo
 * themselves, so it only changes the label. Examples:
 *
 *   echo hello | crypto -k OS2024 | crypto -d -k OS2024
 *   crypto -c 000102...1f:000000000000004a00000000:1 letter > letter.enc
 *
 * The input goes through in chunks of CRYPTO_CHUNK bytes, one request
 * each, so a pipe of any length works: each chunk's request carries the
 * key rotated to where the previous chunk stopped (XOR), or the block
 * counter advanced by the blocks already done (ChaCha20; the chunk size
 * is a multiple of the 64-byte block). Exits 0, 1 on an error, 2 on bad
 * usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chacha20.h>
#include <crypto.h>
#include <mnemo.h>

#define CRYPTO_CHUNK (64 * 1024)

static void crypto_usage(void)
{
	fprintf(stderr, "usage: crypto [-d] -k KEY [FILE]\n"
			"       crypto [-d] -x HEXKEY [FILE]\n"
			"       crypto -c KEYHEX:NONCEHEX[:COUNTER] [FILE]\n"
			"Encrypts or decrypts FILE (or standard input) through the crypto\n"
			"service onto standard output: XOR with KEY (-k: its bytes, -x: in hex),\n"
			"or ChaCha20 (-c: 64 hex digits of key, 24 of nonce, decimal counter,\n"
			"1 by default). -d sends DECRYPT requests instead of ENCRYPT.\n");
	exit(2);
}

/* The value of one hex digit, or -1. */
static int crypto_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly n bytes from the 2n hex digits at hex, which must end
 * there or at a ':'. Returns 0 or -1. */
static int crypto_unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = crypto_hexval(hex[2 * i]),
		    lo = hi < 0 ? -1 : crypto_hexval(hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' || hex[2 * n] == ':' ? 0 : -1;
}

/* The cipher and key the arguments asked for. */
struct crypto_job {
	uint32_t type;
	uint8_t *key; /* XOR key, or ChaCha20's 32-byte key */
	size_t key_size;
	uint8_t nonce[CHACHA20_NONCE_SIZE];
	uint32_t counter;
};

/* -c KEY:NONCE[:COUNTER]. Returns 0 or -1. */
static int crypto_parse_chacha(const char *arg, struct crypto_job *job)
{
	const char *nonce = strchr(arg, ':'), *counter;
	char *end;

	job->key_size = CHACHA20_KEY_SIZE;
	job->key = malloc(CHACHA20_KEY_SIZE);
	if (!job->key || !nonce || crypto_unhex(arg, job->key, CHACHA20_KEY_SIZE) < 0 ||
	    crypto_unhex(nonce + 1, job->nonce, CHACHA20_NONCE_SIZE) < 0)
		return -1;
	counter = strchr(nonce + 1, ':');
	job->counter = 1;
	if (counter) {
		errno = 0;
		unsigned long v = strtoul(counter + 1, &end, 10);
		if (errno || end == counter + 1 || *end || v > 0xffffffffUL)
			return -1;
		job->counter = (uint32_t)v;
	}
	return 0;
}

/* -x HEXKEY. Returns 0 or -1. */
static int crypto_parse_hexkey(const char *arg, struct crypto_job *job)
{
	size_t len = strlen(arg);

	if (len == 0 || len % 2 || strchr(arg, ':'))
		return -1;
	job->key_size = len / 2;
	job->key = malloc(job->key_size);
	return job->key ? crypto_unhex(arg, job->key, job->key_size) : -1;
}

/* Fills the request at op for the chunk of n bytes that starts at byte
 * done of the stream; the data is already in place. */
static void crypto_prepare(struct crypto_op *op, const struct crypto_job *job, uint64_t done,
			   size_t n)
{
	uint8_t *field = op->payload;

	op->type = job->type;
	op->state = CRYPTO_OP_STATE_INIT;
	op->data_size = n;
	if (job->type == CRYPTO_OP_TYPE_CHACHA20) {
		/* The counter wraps only for a stream over 256 GiB; the
		 * server then refuses the chunk. */
		uint32_t counter = job->counter + (uint32_t)(done / CHACHA20_BLOCK_SIZE);

		op->key_size = CRYPTO_CHACHA20_KEY_SIZE;
		memcpy(field, job->key, CHACHA20_KEY_SIZE);
		memcpy(field + CHACHA20_KEY_SIZE, job->nonce, CHACHA20_NONCE_SIZE);
		for (int i = 0; i < 4; i++)
			field[CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE + i] =
			    (uint8_t)(counter >> (8 * i));
		return;
	}
	/* Rotate the key so that its byte done % key_size comes first. */
	size_t at = done % job->key_size;
	op->key_size = job->key_size;
	memcpy(field, job->key + at, job->key_size - at);
	memcpy(field + job->key_size - at, job->key, at);
}

/* Runs the whole stream from fd through the service. Returns 0 or 1. */
static int crypto_stream(int fd, const struct crypto_job *job)
{
	size_t key_field =
	    job->type == CRYPTO_OP_TYPE_CHACHA20 ? CRYPTO_CHACHA20_KEY_SIZE : job->key_size;
	struct crypto_op *op = malloc(CRYPTO_OP_HEADER_SIZE + key_field + CRYPTO_CHUNK);
	uint64_t done = 0;
	long n;

	if (!op) {
		fprintf(stderr, "crypto: out of memory\n");
		return 1;
	}
	uint8_t *data = op->payload + key_field;
	while ((n = read_full(fd, data, CRYPTO_CHUNK)) > 0) {
		crypto_prepare(op, job, done, (size_t)n);
		if (crypto_op(op, CRYPTO_OP_HEADER_SIZE + key_field + (uint64_t)n) < 0) {
			fprintf(stderr, "crypto: crypto_op: %s\n", strerror(errno));
			return 1;
		}
		if (crypto_wait(op) != CRYPTO_OP_STATE_DONE) {
			fprintf(stderr, "crypto: the server refused the request at byte %llu\n",
				(unsigned long long)done);
			return 1;
		}
		if (write_all(1, data, (size_t)n) < 0) {
			fprintf(stderr, "crypto: write: %s\n", strerror(errno));
			return 1;
		}
		done += (uint64_t)n;
	}
	if (n < 0) {
		fprintf(stderr, "crypto: read: %s\n", strerror(errno));
		return 1;
	}
	free(op);
	return 0;
}

int main(int argc, char *argv[])
{
	struct crypto_job job = {.type = CRYPTO_OP_TYPE_ENCRYPT};
	int decrypt = 0, i = 1, fd = 0, bad = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "-d") == 0) {
			decrypt = 1;
			continue;
		}
		if (job.key || i + 1 == argc || strlen(opt) != 2)
			crypto_usage();
		const char *arg = argv[++i];
		switch (opt[1]) {
		case 'k':
			job.key_size = strlen(arg);
			job.key = (uint8_t *)strdup(arg);
			bad = job.key_size == 0;
			break;
		case 'x':
			bad = crypto_parse_hexkey(arg, &job) < 0;
			break;
		case 'c':
			job.type = CRYPTO_OP_TYPE_CHACHA20;
			bad = crypto_parse_chacha(arg, &job) < 0;
			break;
		default:
			crypto_usage();
		}
		if (bad || !job.key) {
			fprintf(stderr, "crypto: bad key for %s: %s\n", opt, arg);
			crypto_usage();
		}
	}
	if (!job.key || argc - i > 1)
		crypto_usage();
	if (decrypt && job.type == CRYPTO_OP_TYPE_ENCRYPT)
		job.type = CRYPTO_OP_TYPE_DECRYPT;
	if (i < argc && (fd = open(argv[i], O_RDONLY)) < 0) {
		fprintf(stderr, "crypto: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	return crypto_stream(fd, &job);
}
