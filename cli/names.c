/*
 * Cache file ($ALLOCQ_CACHE_DIR or ${XDG_CACHE_HOME:-$HOME/.cache}/allocq,
 * names-BOOTID-CONTENTID), written atomically (temp file + rename):
 *
 *   allocq-names 1
 *   boot BOOTID
 *   content CONTENTID
 *   file arch/x86/events/rapl.c
 *   func some_function_name_of_at_least_63_characters...
 *   end
 *
 * Anything unexpected (unreadable, truncated, other key) means "collect the
 * names again": the cache can make allocq faster, never wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "names.h"
#include "proc.h"
#include "source.h"

#define CACHE_MAGIC "allocq-names 1"

struct name_list {
	char **v;
	size_t n, cap;
};

struct names {
	struct name_list files;		/* every distinct file name */
	struct name_list functions;	/* distinct names of NAME_TAIL+ chars */
};

static void name_list_add(struct name_list *list, const char *s)
{
	if (list->n && !strcmp(list->v[list->n - 1], s))
		return;		/* cheap: a file's tags are mostly adjacent */
	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 64;
		list->v = xreallocarray(list->v, list->cap, sizeof(*list->v));
	}
	list->v[list->n++] = xstrdup(s);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void name_list_sort_unique(struct name_list *list)
{
	size_t kept = 0;

	if (list->n)
		qsort(list->v, list->n, sizeof(*list->v), cmp_names);
	for (size_t i = 0; i < list->n; i++) {
		if (kept && !strcmp(list->v[kept - 1], list->v[i]))
			free(list->v[i]);
		else
			list->v[kept++] = list->v[i];
	}
	list->n = kept;
}

static void name_list_free(struct name_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	*list = (struct name_list){ 0 };
}

void names_free(struct names *names)
{
	if (!names)
		return;
	name_list_free(&names->files);
	name_list_free(&names->functions);
	free(names);
}

static void collect(const struct record *r, void *arg)
{
	struct names *names = arg;

	name_list_add(&names->files, r->file);
	if (strlen(r->function) >= NAME_TAIL)
		name_list_add(&names->functions, r->function);
}

static struct names *names_new(void)
{
	struct names *names = xmalloc(sizeof(*names));

	*names = (struct names){ 0 };
	return names;
}

static void clear_names(void *arg)
{
	struct names *names = arg;

	name_list_free(&names->files);
	name_list_free(&names->functions);
}

static struct names *names_from_text(void)
{
	struct names *names = names_new();

	allocinfo_text_parse(collect, clear_names, names);
	name_list_sort_unique(&names->files);
	name_list_sort_unique(&names->functions);
	return names;
}

/* The boot id, if it is a plain UUID (it becomes part of a file name). */
static bool read_boot_id(char *buf, size_t size)
{
	return proc_read_line("sys/kernel/random/boot_id", buf, size) && *buf &&
	       !buf[strspn(buf, "0123456789abcdefABCDEF-")];
}

static char *cache_dir(void)
{
	const char *dir = getenv("ALLOCQ_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (dir && *dir)
		return xstrdup(dir);
	if (xdg && *xdg == '/')
		return xasprintf("%s/allocq", xdg);
	if (home && *home == '/')
		return xasprintf("%s/.cache/allocq", home);
	return NULL;
}

/* mkdir -p, private: the names are those of a root-only file. */
static bool make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static bool load_entry(struct names *names, const char *line)
{
	if (!strncmp(line, "file ", 5) && line[5])
		name_list_add(&names->files, line + 5);
	else if (!strncmp(line, "func ", 5) && line[5])
		name_list_add(&names->functions, line + 5);
	else
		return false;
	return true;
}

/* Reads one cache file; NULL unless it is complete and for this key. */
static struct names *cache_load(const char *path, const char *boot, uint64_t id)
{
	struct names *names = names_new();
	FILE *f = fopen(path, "re");
	char *want = xasprintf(CACHE_MAGIC "\nboot %s\ncontent %" PRIu64 "\n", boot, id);
	char *line = NULL;
	size_t size = 0, header = 0;
	bool ended = false;

	while (f && !ended && getline(&line, &size, f) > 0) {
		size_t len = strlen(line);

		if (line[len - 1] != '\n')
			break;
		if (header < strlen(want)) {
			if (strncmp(want + header, line, len))
				break;
			header += len;
			continue;
		}
		line[len - 1] = '\0';
		ended = !strcmp(line, "end");
		if (!ended && !load_entry(names, line))
			break;
	}
	if (f)
		fclose(f);
	free(line);
	free(want);
	if (!ended) {
		names_free(names);
		return NULL;
	}
	name_list_sort_unique(&names->files);
	name_list_sort_unique(&names->functions);
	return names;
}

static bool write_entries(FILE *f, const char *tag, const struct name_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		if (fprintf(f, "%s %s\n", tag, list->v[i]) < 0)
			return false;
	return true;
}

static bool write_cache(FILE *f, const struct names *names, const char *boot,
			uint64_t id)
{
	return fprintf(f, CACHE_MAGIC "\nboot %s\ncontent %" PRIu64 "\n", boot, id) > 0 &&
	       write_entries(f, "file", &names->files) &&
	       write_entries(f, "func", &names->functions) &&
	       fputs("end\n", f) >= 0;
}

/* Cache files of other boots or tag sets are of no more use. */
static void remove_stale(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "names-", 6) && strcmp(e->d_name, keep))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_store(char *dir, const char *file, const struct names *names,
			const char *boot, uint64_t id)
{
	char *tmp = xasprintf("%s/.names-XXXXXX", dir);
	char *path = xasprintf("%s/%s", dir, file);
	int fd = make_dirs(dir) ? mkstemp(tmp) : -1;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool ok = f && write_cache(f, names, boot, id);

	if (f)
		ok = fclose(f) == 0 && ok;
	else if (fd >= 0)
		close(fd);
	if (ok && rename(tmp, path) == 0)
		remove_stale(dir, file);
	else if (fd >= 0)
		unlink(tmp);
	free(tmp);
	free(path);
}

struct names *names_get(uint64_t content_id)
{
	char boot[64];
	char *dir = cache_dir(), *file, *path;
	struct names *names;

	if (!dir || !read_boot_id(boot, sizeof(boot))) {
		free(dir);
		return names_from_text();
	}
	file = xasprintf("names-%s-%" PRIu64, boot, content_id);
	path = xasprintf("%s/%s", dir, file);
	names = cache_load(path, boot, content_id);
	if (!names) {
		names = names_from_text();
		cache_store(dir, file, names, boot, content_id);
	}
	free(path);
	free(file);
	free(dir);
	return names;
}

void names_paths_for_basename(const struct names *names, const char *base,
			      struct strlist *out)
{
	for (size_t i = 0; i < names->files.n; i++)
		if (name_matches(base, names->files.v[i], false, true))
			strlist_add(out, names->files.v[i]);
}

static const char *expand(const struct name_list *list, const char *tail)
{
	const char *found = NULL;

	for (size_t i = 0; i < list->n; i++) {
		if (strcmp(name_tail(list->v[i]), tail))
			continue;
		if (found)
			return NULL;	/* ambiguous */
		found = list->v[i];
	}
	return found;
}

const char *names_expand_file(const struct names *names, const char *tail)
{
	return expand(&names->files, tail);
}

const char *names_expand_function(const struct names *names, const char *tail)
{
	return expand(&names->functions, tail);
}
