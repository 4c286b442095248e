#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "record.h"

/* Open addressing over FNV-1a hashes; the strings live in big chunks. */
struct interned {
	const char **slot;
	size_t cap, n;
	char *chunk;
	size_t chunk_left;
};

static struct interned pool;

static uint64_t hash_bytes(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

static const char *store(const char *s, size_t n)
{
	char *copy;

	if (n + 1 > pool.chunk_left) {
		size_t size = n + 1 > 65536 ? n + 1 : 65536;

		pool.chunk = xmalloc(size);	/* kept until exit */
		pool.chunk_left = size;
	}
	copy = pool.chunk;
	memcpy(copy, s, n);
	copy[n] = '\0';
	pool.chunk += n + 1;
	pool.chunk_left -= n + 1;
	return copy;
}

static void grow_pool(void)
{
	size_t cap = pool.cap ? 2 * pool.cap : 4096;
	const char **slot = xreallocarray(NULL, cap, sizeof(*slot));

	memset(slot, 0, cap * sizeof(*slot));
	for (size_t i = 0; i < pool.cap; i++) {
		const char *s = pool.slot[i];
		size_t j;

		if (!s)
			continue;
		j = hash_bytes(s, strlen(s), HASH_SEED) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = s;
	}
	free(pool.slot);
	pool.slot = slot;
	pool.cap = cap;
}

const char *intern_n(const char *s, size_t n)
{
	size_t i;

	if (2 * (pool.n + 1) > pool.cap)
		grow_pool();
	i = hash_bytes(s, n, HASH_SEED) & (pool.cap - 1);
	for (; pool.slot[i]; i = (i + 1) & (pool.cap - 1))
		if (!strncmp(pool.slot[i], s, n) && !pool.slot[i][n])
			return pool.slot[i];
	pool.n++;
	return pool.slot[i] = store(s, n);
}

const char *intern(const char *s)
{
	return s ? intern_n(s, strlen(s)) : NULL;
}

void record_list_add(struct record_list *list, const struct record *r)
{
	struct record *copy;

	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 256;
		list->v = xreallocarray(list->v, list->cap, sizeof(*list->v));
	}
	copy = &list->v[list->n++];
	*copy = *r;
	copy->file = intern(r->file);
	copy->function = intern(r->function);
	copy->module = intern(r->module);
}

void record_list_keep(struct record_list *list,
		      bool (*keep)(const struct record *r, const void *arg),
		      const void *arg)
{
	size_t kept = 0;

	for (size_t i = 0; i < list->n; i++)
		if (keep(&list->v[i], arg))
			list->v[kept++] = list->v[i];
	list->n = kept;
}

void record_list_clear(struct record_list *list)
{
	list->n = 0;
}

void record_list_assign(struct record_list *dst, const struct record_list *src)
{
	if (dst->cap < src->n) {
		dst->cap = src->n;
		dst->v = xreallocarray(dst->v, dst->cap, sizeof(*dst->v));
	}
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	dst->n = src->n;
}

void record_list_free(struct record_list *list)
{
	free(list->v);
	*list = (struct record_list){ 0 };
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_count(count_t a, count_t b)
{
	return (a > b) - (a < b);
}

/* Built-in code (no module) sorts as the empty module name: first. */
static int cmp_str(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const struct record *a, const struct record *b,
		   enum sort_key key)
{
	switch (key) {
	case SORT_BYTES:
		return cmp_count(b->bytes, a->bytes);	/* largest first */
	case SORT_CALLS:
		return cmp_count(b->calls, a->calls);	/* largest first */
	case SORT_FILE:
		return cmp_str(a->file, b->file);
	case SORT_FUNC:
		return cmp_str(a->function, b->function);
	case SORT_MODULE:
		return cmp_str(a->module, b->module);
	case SORT_LINE:
		return cmp_u64(a->line, b->line);
	case SORT_DELTA:
		return cmp_count(delta_bytes(b), delta_bytes(a));	/* growth first */
	case SORT_SITES:
		return cmp_u64(b->sites, a->sites);
	}
	return 0;
}

struct order {
	enum sort_key key;
	bool reverse;
};

/*
 * A total order, so that every source prints the same records in the same
 * order: the chosen key, then every other field.
 */
static int compare(const void *pa, const void *pb, void *arg)
{
	static const enum sort_key ties[] = {
		SORT_FILE, SORT_LINE, SORT_FUNC, SORT_MODULE, SORT_BYTES, SORT_CALLS,
		SORT_DELTA, SORT_SITES,
	};
	const struct record *a = pa, *b = pb;
	const struct order *order = arg;
	int c = cmp_key(a, b, order->key);

	for (size_t i = 0; !c && i < sizeof(ties) / sizeof(ties[0]); i++)
		c = cmp_key(a, b, ties[i]);
	if (!c)
		c = (int)a->accurate - (int)b->accurate;
	return order->reverse ? -c : c;
}

void record_list_sort(struct record_list *list, enum sort_key key, bool reverse)
{
	struct order order = { key, reverse };

	if (list->n)
		qsort_r(list->v, list->n, sizeof(*list->v), compare, &order);
}

/*
 * Open addressing over the positions of a list's records: a slot is a
 * position and a hash (8 bytes), the key itself is read from the list.
 */
struct record_index {
	const struct record_list *list;
	struct slot {
		uint32_t pos;		/* UINT32_MAX: empty */
		uint32_t hash;
	} *slot;
	size_t cap, n;
};

#define EMPTY UINT32_MAX

struct record_index *record_index_new(const struct record_list *list)
{
	struct record_index *ix = xmalloc(sizeof(*ix));

	*ix = (struct record_index){ .list = list };
	return ix;
}

void record_index_free(struct record_index *ix)
{
	if (ix)
		free(ix->slot);
	free(ix);
}

static uint32_t key_hash(const struct record *r)
{
	const void *p[3] = { r->file, r->module, r->function };

	return (uint32_t)hash_bytes((const char *)p, sizeof(p),
				    hash_bytes((const char *)&r->line, sizeof(r->line), HASH_SEED));
}

static bool same_key(const struct record *a, const struct record *b)
{
	return a->file == b->file && a->module == b->module && a->function == b->function &&
	       a->line == b->line;
}

/* The slot of @r's key, or the empty one where it would go. */
static struct slot *find_slot(const struct record_index *ix, const struct record *r,
			      uint32_t hash)
{
	size_t i = hash & (ix->cap - 1);

	for (; ix->slot[i].pos != EMPTY; i = (i + 1) & (ix->cap - 1))
		if (ix->slot[i].hash == hash && same_key(&ix->list->v[ix->slot[i].pos], r))
			break;
	return &ix->slot[i];
}

static void grow_index(struct record_index *ix)
{
	struct slot *old = ix->slot;
	size_t old_cap = ix->cap;

	ix->cap = ix->cap ? 2 * ix->cap : 1024;
	ix->slot = xreallocarray(NULL, ix->cap, sizeof(*ix->slot));
	memset(ix->slot, 0xff, ix->cap * sizeof(*ix->slot));	/* all EMPTY */
	for (size_t i = 0; i < old_cap; i++) {
		size_t j;

		if (old[i].pos == EMPTY)
			continue;
		for (j = old[i].hash & (ix->cap - 1); ix->slot[j].pos != EMPTY;
		     j = (j + 1) & (ix->cap - 1))
			;
		ix->slot[j] = old[i];
	}
	free(old);
}

size_t record_index_put(struct record_index *ix, const struct record *r, size_t pos)
{
	uint32_t hash = key_hash(r);
	struct slot *s;

	if (2 * (ix->n + 1) > ix->cap)
		grow_index(ix);
	s = find_slot(ix, r, hash);
	if (s->pos != EMPTY)
		return s->pos;
	*s = (struct slot){ .pos = (uint32_t)pos, .hash = hash };
	ix->n++;
	return SIZE_MAX;
}

size_t record_index_get(const struct record_index *ix, const struct record *r)
{
	const struct slot *s;

	if (!ix->cap)
		return SIZE_MAX;
	s = find_slot(ix, r, key_hash(r));
	return s->pos == EMPTY ? SIZE_MAX : s->pos;
}

void record_add_counts(struct record *dst, const struct record *src)
{
	dst->bytes += src->bytes;
	dst->calls += src->calls;
	dst->old_bytes += src->old_bytes;
	dst->old_calls += src->old_calls;
}

void record_list_merge_sites(struct record_list *list)
{
	struct record_index *ix = record_index_new(list);
	size_t kept = 0;

	for (size_t i = 0; i < list->n; i++) {
		struct record *r = &list->v[i];
		size_t at = record_index_put(ix, r, kept);

		if (at == SIZE_MAX) {
			list->v[kept++] = *r;
			continue;
		}
		record_add_counts(&list->v[at], r);
		list->v[at].accurate = list->v[at].accurate && r->accurate;
	}
	list->n = kept;
	record_index_free(ix);
}
