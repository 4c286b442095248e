#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "record.h"

void record_list_add(struct record_list *list, const struct record *r)
{
	struct record *copy;

	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 256;
		list->v = xreallocarray(list->v, list->cap, sizeof(*list->v));
	}
	copy = &list->v[list->n++];
	*copy = *r;
	copy->file = xstrdup(r->file);
	copy->function = xstrdup(r->function);
	copy->module = r->module ? xstrdup(r->module) : NULL;
}

static void record_free(struct record *r)
{
	free(r->file);
	free(r->function);
	free(r->module);
}

void record_list_keep(struct record_list *list,
		      bool (*keep)(const struct record *r, const void *arg),
		      const void *arg)
{
	size_t kept = 0;

	for (size_t i = 0; i < list->n; i++) {
		if (keep(&list->v[i], arg))
			list->v[kept++] = list->v[i];
		else
			record_free(&list->v[i]);
	}
	list->n = kept;
}

void record_list_clear(struct record_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		record_free(&list->v[i]);
	list->n = 0;
}

void record_list_free(struct record_list *list)
{
	record_list_clear(list);
	free(list->v);
	list->v = NULL;
	list->cap = 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_s64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/* Built-in code (no module) sorts as the empty module name: first. */
static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const struct record *a, const struct record *b,
		   enum sort_key key)
{
	switch (key) {
	case SORT_BYTES:
		return cmp_s64(b->bytes, a->bytes);	/* largest first */
	case SORT_CALLS:
		return cmp_u64(b->calls, a->calls);	/* largest first */
	case SORT_FILE:
		return cmp_str(a->file, b->file);
	case SORT_FUNC:
		return cmp_str(a->function, b->function);
	case SORT_MODULE:
		return cmp_str(a->module, b->module);
	case SORT_LINE:
		return cmp_u64(a->line, b->line);
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
