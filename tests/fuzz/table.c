/* The call table: the entries of every group in one list, the --skip
 * words, and the weighted choice of the next call. */
#include <string.h>

#include "fuzz.h"

const struct fz_entry *fz_table[FZ_MAX_ENTRIES];
int fz_nentries;

/* Appends the n entries of one group. */
static void fz_table_add(const struct fz_entry *group, int n)
{
	for (int i = 0; i < n && fz_nentries < FZ_MAX_ENTRIES; i++)
		fz_table[fz_nentries++] = &group[i];
}

void fz_table_init(void)
{
	fz_nentries = 0;
	fz_table_add(fz_proc_calls, fz_nproc_calls);
	fz_table_add(fz_fs_calls, fz_nfs_calls);
	fz_table_add(fz_mem_calls, fz_nmem_calls);
	fz_table_add(fz_share_calls, fz_nshare_calls);
	fz_table_add(fz_crypto_calls, fz_ncrypto_calls);
	fz_table_add(fz_exec_calls, fz_nexec_calls);
	fz_table_add(fz_thread_calls, fz_nthread_calls);
}

/* Sets the skip bits of the entries one word names. Returns how many. */
static int fz_skip_word(struct fz_opts *o, const char *word, size_t len)
{
	int n = 0;

	for (int i = 0; i < fz_nentries; i++) {
		const struct fz_entry *e = fz_table[i];
		if ((strlen(e->name) == len && memcmp(e->name, word, len) == 0) ||
		    (strlen(e->group) == len && memcmp(e->group, word, len) == 0)) {
			o->skip |= 1ull << i;
			n++;
		}
	}
	return n;
}

int fz_skip_parse(struct fz_opts *o, const char *list)
{
	while (*list) {
		size_t len = strcspn(list, ",");
		if (len > 0 && fz_skip_word(o, list, len) == 0) {
			fz_say("fuzz: --skip: no call or group is named '%.*s'", (int)len, list);
			return -1;
		}
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

/* May p make entry i at all? Grandchildren make only the entries marked
 * for them (no descriptors, no forks, no exec). */
static bool fz_allowed(const struct fz_proc *p, int i)
{
	if (p->opts->skip & (1ull << i))
		return false;
	return p->slot < FZ_MAX_CHILDREN || fz_table[i]->kids;
}

const struct fz_entry *fz_pick_entry(struct fz_proc *p)
{
	long total = 0;

	for (int i = 0; i < fz_nentries; i++)
		if (fz_allowed(p, i))
			total += fz_table[i]->weight;
	if (total == 0)
		return NULL;
	long x = (long)fz_below(&p->rng, (uint64_t)total);
	for (int i = 0; i < fz_nentries; i++) {
		if (!fz_allowed(p, i))
			continue;
		x -= fz_table[i]->weight;
		if (x < 0)
			return fz_table[i];
	}
	return NULL;
}
