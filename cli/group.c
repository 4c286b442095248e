#include <string.h>

#include "group.h"

/*
 * dirname(1) of @file, or its first @depth components (fs/xfs/libxfs/x.c:
 * depth 1 is fs, depth 2 fs/xfs; /a/b/c.c: depth 1 is /a); a file without a
 * directory is in ".".
 */
static const char *dir_of(const char *file, unsigned depth)
{
	const char *end = strrchr(file, '/'), *p = file + (file[0] == '/');

	if (!end || end == file)
		return intern(end ? "/" : ".");
	for (unsigned i = 0; depth && i < depth; i++) {
		const char *slash = strchr(p, '/');

		if (!slash || slash >= end)
			break;
		p = slash + 1;
		if (i + 1 == depth)
			end = slash;
	}
	return intern_n(file, (size_t)(end - file));
}

static struct record key_of(const struct record *site, enum group_key key, unsigned depth)
{
	struct record g = { .accurate = true };

	switch (key) {
	case GROUP_MODULE:
		g.module = site->module;
		break;
	case GROUP_FILE:
		g.file = site->file;
		break;
	case GROUP_FUNCTION:
		g.function = site->function;
		break;
	case GROUP_DIR:
		g.file = dir_of(site->file, depth);
		break;
	case GROUP_NONE:
		break;
	}
	return g;
}

void group_rows(struct record_list *rows, enum group_key key, unsigned dir_depth)
{
	struct record_list groups = { 0 };
	struct record_index *ix = record_index_new(&groups);

	record_list_merge_sites(rows);	/* a call site counts once */
	for (size_t i = 0; i < rows->n; i++) {
		const struct record *site = &rows->v[i];
		struct record g = key_of(site, key, dir_depth);
		size_t at = record_index_put(ix, &g, groups.n);
		struct record *sum;

		if (at == SIZE_MAX) {
			record_list_add(&groups, &g);
			at = groups.n - 1;
		}
		sum = &groups.v[at];
		record_add_counts(sum, site);
		sum->sites++;
	}
	record_index_free(ix);
	record_list_free(rows);
	*rows = groups;
}
