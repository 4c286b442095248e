/*
 * The cache: one file per tag set, names-BOOTID-CONTENTID, in
 * $ALLOCQ_CACHE_DIR or ${XDG_CACHE_HOME:-$HOME/.cache}/allocq:
 *
 *   allocq-names 2
 *   boot BOOTID
 *   content CONTENTID
 *   file arch/x86/events/rapl.c
 *   func init_rapl_pmus
 *   module xfs
 *   long LINE MODULE|- FILE FUNCTION
 *   end
 *
 * The names are those of a root-only file, and the file name is easy to
 * guess, so a cache is only trusted in a directory that is no symbolic link,
 * is owned by the user running allocq and writable by nobody else, and only
 * from a regular file of that user with mode 0600. It is written to a new
 * file, synced, then renamed into place; the new file goes on every fatal
 * path (temp.h), and one left over by SIGKILL at the next write. Anything unexpected in it (a
 * truncated file, a name no kernel prints, a cached name the kernel does
 * not have) means "collect the names again": the cache can make allocq
 * faster, never wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allocinfo.h"
#include "errors.h"
#include "match.h"
#include "names.h"
#include "parse.h"
#include "stream.h"
#include "temp.h"

#define CACHE_MAGIC "allocq-names 2"

/* Interned names, sorted and distinct once finished. */
struct name_set {
	const char **v;
	size_t n, cap;
};

struct names {
	struct name_set set[NAME_KINDS];
	struct record_list long_tags;	/* tags with a name of NAME_TAIL+ chars */
	bool cached;
};

static void set_add(struct name_set *s, const char *name)
{
	if (s->n && s->v[s->n - 1] == name)
		return;		/* cheap: a file's tags are mostly adjacent */
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = name;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void set_finish(struct name_set *s)
{
	size_t kept = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_names);
	for (size_t i = 0; i < s->n; i++)
		if (!kept || s->v[kept - 1] != s->v[i])
			s->v[kept++] = s->v[i];
	s->n = kept;
}

struct names *names_new(void)
{
	struct names *names = xmalloc(sizeof(*names));

	*names = (struct names){ 0 };
	return names;
}

static bool is_long(const struct record *r)
{
	return strlen(r->file) >= NAME_TAIL || strlen(r->function) >= NAME_TAIL;
}

void names_add(struct names *names, const struct record *r)
{
	set_add(&names->set[NAME_FILE], intern(r->file));
	set_add(&names->set[NAME_FUNCTION], intern(r->function));
	if (r->module)
		set_add(&names->set[NAME_MODULE], intern(r->module));
	if (is_long(r))
		record_list_add(&names->long_tags, r);
}

void names_finish(struct names *names)
{
	for (int k = 0; k < NAME_KINDS; k++)
		set_finish(&names->set[k]);
}

static void names_clear(void *arg)
{
	struct names *names = arg;

	for (int k = 0; k < NAME_KINDS; k++)
		names->set[k].n = 0;
	record_list_clear(&names->long_tags);
}

void names_free(struct names *names)
{
	if (!names)
		return;
	for (int k = 0; k < NAME_KINDS; k++)
		free(names->set[k].v);
	record_list_free(&names->long_tags);
	free(names);
}

bool names_cached(const struct names *names)
{
	return names->cached;
}

static void collect(const struct record *r, void *arg)
{
	names_add(arg, r);
}

static struct names *names_from_text(uint64_t *id)
{
	struct names *names = names_new();

	*id = allocinfo_read_text(collect, names_clear, names);
	names_finish(names);
	return names;
}

/* The boot id, if it is a plain UUID (it becomes part of a file name). */
static bool read_boot_id(char *buf, size_t size)
{
	return proc_read_line("sys/kernel/random/boot_id", buf, size) && *buf &&
	       !buf[strspn(buf, "0123456789abcdefABCDEF-")];
}

static char *cache_dir_path(void)
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

/* A directory on the way to the cache: this user's or root's, shared only if sticky. */
static bool trusted_on_the_way(const struct stat *st)
{
	return (st->st_uid == geteuid() || st->st_uid == 0) &&
	       (!(st->st_mode & 022) || (st->st_mode & S_ISVTX));
}

/*
 * The cache directory, opened one component at a time from the root (or
 * the working directory), never following a symbolic link, creating what
 * is missing with mode 0700 (the names are those of a root-only file). It
 * is trusted only if no directory on the way can be changed by another
 * user, and it is this user's and writable by nobody else. Else -1, and a
 * warning when it exists but is not safe: the cache is skipped, never
 * followed elsewhere.
 */
static int cache_dir_open(void)
{
	char *path = cache_dir_path(), *copy, *save = NULL;
	const char *why = NULL;
	struct stat st;
	int fd;

	if (!path)
		return -1;
	copy = xstrdup(path);
	fd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (char *c = strtok_r(copy, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (fstat(fd, &st) < 0 || !trusted_on_the_way(&st)) {
			why = "a directory on its way is another user's, or others can write to it";
			break;
		}
		mkdirat(fd, c, 0700);
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && !fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
			why = "it is a symbolic link, or under one";
		close(fd);
		fd = next;
	}
	if (fd >= 0 && !why &&
	    (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)))
		why = "it is not owned by this user, or others can write to it";
	if (why) {
		warn("not using the name cache %s: %s: remove it, or set ALLOCQ_CACHE_DIR", path,
		     why);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(copy);
	free(path);
	return fd;
}

/* A name as the kernel prints it: no blanks, no control characters. */
static bool plausible(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool load_long(struct names *names, char *line)
{
	char *save = NULL, *num = strtok_r(line, " ", &save);
	char *module = strtok_r(NULL, " ", &save);
	char *file = strtok_r(NULL, " ", &save);
	char *function = strtok_r(NULL, " ", &save);
	struct record r = { .accurate = true };

	if (!function || strtok_r(NULL, " ", &save) || !parse_u64(num, &r.line) ||
	    !plausible(module) || !plausible(file) || !plausible(function))
		return false;
	r.module = strcmp(module, "-") ? module : NULL;
	r.file = file;
	r.function = function;
	if (!is_long(&r))
		return false;
	record_list_add(&names->long_tags, &r);
	return true;
}

static bool load_entry(struct names *names, char *line)
{
	static const char *const keys[NAME_KINDS] = {
		[NAME_FILE] = "file ", [NAME_FUNCTION] = "func ", [NAME_MODULE] = "module ",
	};

	if (!strncmp(line, "long ", 5))
		return load_long(names, line + 5);
	for (int k = 0; k < NAME_KINDS; k++) {
		size_t len = strlen(keys[k]);

		if (!strncmp(line, keys[k], len) && plausible(line + len)) {
			set_add(&names->set[k], intern(line + len));
			return true;
		}
	}
	return false;
}

struct names *names_read_cache(FILE *f, const char *boot, uint64_t id)
{
	struct names *names = names_new();
	char *want = xasprintf(CACHE_MAGIC "\nboot %s\ncontent %" PRIu64 "\n", boot, id);
	char *line = xmalloc(PARSE_LINE_MAX + 1);
	size_t len, header = 0, want_len = strlen(want);
	bool ended = false, ok = true;

	while (ok && !ended && read_line(f, line, &len) == LINE_OK) {
		if (header < want_len) {
			ok = len < want_len - header && !strncmp(want + header, line, len) &&
			     want[header + len] == '\n';
			header += len + 1;
			continue;
		}
		/* "end" cut from its newline is a cache cut short, maybe of lines */
		ended = !strcmp(line, "end") && !feof(f);
		ok = ended || load_entry(names, line);
	}
	free(line);
	free(want);
	if (!ended || !ok) {
		names_free(names);
		return NULL;
	}
	names_finish(names);
	names->cached = true;
	return names;
}

/* Only a regular file of this user that nobody else can read or write. */
static struct names *cache_load(int dir, const char *file, const char *boot, uint64_t id)
{
	int fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct names *names = NULL;
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0600 || !(f = stream_open(fd, file))) {
		close(fd);
		return NULL;
	}
	names = names_read_cache(f, boot, id);
	fclose(f);
	return names;
}

static bool write_set(FILE *f, const char *key, const struct name_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (fprintf(f, "%s %s\n", key, s->v[i]) < 0)
			return false;
	return true;
}

static bool write_cache(FILE *f, const struct names *names, const char *boot,
			uint64_t id)
{
	const struct record_list *l = &names->long_tags;

	if (fprintf(f, CACHE_MAGIC "\nboot %s\ncontent %" PRIu64 "\n", boot, id) < 0 ||
	    !write_set(f, "file", &names->set[NAME_FILE]) ||
	    !write_set(f, "func", &names->set[NAME_FUNCTION]) ||
	    !write_set(f, "module", &names->set[NAME_MODULE]))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (fprintf(f, "long %" PRIu64 " %s %s %s\n", l->v[i].line,
			    l->v[i].module ? l->v[i].module : "-", l->v[i].file,
			    l->v[i].function) < 0)
			return false;
	return fputs("end\n", f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
}

/* Whether all of @s (not empty) is made of @chars. */
static bool only(const char *s, const char *chars)
{
	return *s && !s[strspn(s, chars)];
}

/*
 * A name this cache gives its files (see fetch()): names-BOOTID-CONTENTID,
 * a boot id as read_boot_id() takes it, a decimal content id.
 */
static bool cache_file_name(const char *name)
{
	const char *rest = name + 6, *id = strrchr(name, '-');
	char boot[64];

	if (strncmp(name, "names-", 6) || id < rest || (size_t)(id - rest) >= sizeof(boot))
		return false;
	memcpy(boot, rest, (size_t)(id - rest));
	boot[id - rest] = '\0';
	return only(boot, "0123456789abcdefABCDEF-") && only(id + 1, "0123456789");
}

/* A name create_temp() gives: .names-, 16 hex digits. */
static bool temp_file_name(const char *name)
{
	return !strncmp(name, ".names-", 7) && strlen(name + 7) == 16 &&
	       only(name + 7, "0123456789abcdef");
}

/* A temporary file this old is a leftover (SIGKILL, a crash): writing takes far less. */
#define TEMP_LEFT_OVER 60

/*
 * Cache files of other boots or tag sets are of no more use, nor left-over
 * temporary files. The directory may be shared with other programs: only
 * files of the cache's own names, regular and of this user, are removed.
 */
static bool stale(int dir, const char *name, const char *keep, time_t now)
{
	bool cache = cache_file_name(name) && strcmp(name, keep);
	struct stat st;

	if ((!cache && !temp_file_name(name)) ||
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid())
		return false;
	return cache || st.st_mtime < now - TEMP_LEFT_OVER;
}

static void remove_stale(int dir, const char *keep)
{
	DIR *d = fdopendir(dup(dir));
	time_t now = time(NULL);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (stale(dir, e->d_name, keep, now))
			unlinkat(dir, e->d_name, 0);
	closedir(d);
}

/* A new file in @dir, O_EXCL, mode 0600, removed on a fatal path; its name in @tmp. */
static FILE *create_temp(int dir, char tmp[32])
{
	uint64_t r = 0;
	int fd;
	FILE *f;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r ^= (uint64_t)getpid() << 20;
	snprintf(tmp, 32, ".names-%016" PRIx64, r);
	fd = temp_create(dir, tmp);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlinkat(dir, tmp, 0);
		temp_done(tmp);
	}
	return f;
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_store(int dir, const char *file, const struct names *names,
			const char *boot, uint64_t id)
{
	char tmp[32];
	FILE *f = create_temp(dir, tmp);
	bool ok;

	if (!f)
		return;
	ok = write_cache(f, names, boot, id);
	ok = fclose(f) == 0 && ok;
	if (ok && renameat(dir, tmp, dir, file) == 0) {
		temp_done(tmp);
		fsync(dir);
		remove_stale(dir, file);
	} else {
		unlinkat(dir, tmp, 0);
		temp_done(tmp);
	}
}

static struct names *fetch(uint64_t content_id, bool use_cache)
{
	char boot[64];
	int dir = -1;
	char *file = NULL;
	struct names *names = NULL;
	uint64_t id;

	if (read_boot_id(boot, sizeof(boot)))
		dir = cache_dir_open();
	if (dir >= 0) {
		file = xasprintf("names-%s-%" PRIu64, boot, content_id);
		if (use_cache)
			names = cache_load(dir, file, boot, content_id);
	}
	if (!names) {
		names = names_from_text(&id);
		if (dir >= 0 && id == content_id)
			cache_store(dir, file, names, boot, content_id);
	}
	free(file);
	if (dir >= 0)
		close(dir);
	return names;
}

struct names *names_get(uint64_t content_id)
{
	return fetch(content_id, true);
}

struct names *names_reload(struct names *names, uint64_t content_id)
{
	names_free(names);
	return fetch(content_id, false);
}

void names_matching(const struct names *names, enum name_kind kind, const char *want,
		    struct strlist *out)
{
	const struct name_set *s = &names->set[kind];

	for (size_t i = 0; i < s->n; i++)
		if (name_matches(want, s->v[i], false, kind == NAME_FILE))
			strlist_add(out, s->v[i]);
}

static bool tail_is(const char *full, const char *tail)
{
	return !strcmp(name_tail(full), tail);
}

static const char *cut_name(const char *tail)
{
	char buf[sizeof(TRIM_MARK) + NAME_TAIL];

	snprintf(buf, sizeof(buf), TRIM_MARK "%s", tail);
	return intern(buf);
}

bool names_expand(const struct names *names, struct record *r)
{
	const struct record_list *l = &names->long_tags;
	const struct record *found = NULL;
	size_t candidates = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct record *t = &l->v[i];

		if (t->line == r->line && t->module == r->module &&
		    tail_is(t->file, r->file) && tail_is(t->function, r->function) &&
		    (!found || found->file != t->file || found->function != t->function)) {
			found = t;
			candidates++;
		}
	}
	if (candidates == 1) {
		r->file = found->file;
		r->function = found->function;
		return true;
	}
	/* none: the names are stale; several with the same tails: ambiguous */
	if (strlen(r->file) == NAME_TAIL) {
		r->file = cut_name(r->file);
		r->trimmed |= TRIMMED_FILE;
	}
	if (strlen(r->function) == NAME_TAIL) {
		r->function = cut_name(r->function);
		r->trimmed |= TRIMMED_FUNCTION;
	}
	return candidates > 1;
}

/* Edits (insert, delete, substitute, swap two neighbours) from @a to @b. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = xreallocarray(NULL, (la + 1) * (lb + 1), sizeof(*d));
	size_t result;

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);

			if (D(i - 1, j) + 1 < best)
				best = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	}
	result = D(la, lb);
#undef D
	free(d);
	return result;
}

#define SUGGESTIONS 3

/*
 * The known names closest to @want, as git's "did you mean": those at the
 * smallest distance, if it is small for the name's length. A --file value
 * without a '/' is compared with basenames, and basenames are suggested.
 */
static size_t closest(const struct names *names, enum name_kind kind, const char *want,
		      const char *out[SUGGESTIONS])
{
	const struct name_set *s = &names->set[kind];
	bool base = kind == NAME_FILE && !strchr(want, '/');
	size_t len = strlen(want), best = len / 3 > 2 ? len / 3 : 2, n = 0;

	if (len > 256)
		return 0;	/* the table above is quadratic */
	for (size_t i = 0; i < s->n; i++) {
		const char *name = base ? basename_of(s->v[i]) : s->v[i];
		size_t d;
		bool seen = false;

		if (strlen(name) > 256 || (d = distance(want, name)) > best)
			continue;
		if (d < best)
			n = 0, best = d;
		for (size_t j = 0; j < n; j++)
			seen = seen || !strcmp(out[j], name);
		if (!seen && n < SUGGESTIONS)
			out[n++] = name;
	}
	return n;
}

void names_report_unknown(const struct names *names, enum name_kind kind, const char *want)
{
	static const char *const what[NAME_KINDS] = {
		[NAME_FILE] = "file", [NAME_FUNCTION] = "function", [NAME_MODULE] = "module",
	};
	const char *near[SUGGESTIONS];
	size_t n = is_pattern(want) ? 0 : closest(names, kind, want, near);
	char *list;

	if (!n) {
		warn("no call site has a %s %s '%s'", what[kind],
		     is_pattern(want) ? "matching" : "named", want);
		return;
	}
	list = xasprintf("'%s'", near[0]);
	for (size_t i = 1; i < n; i++) {
		char *longer = xasprintf("%s%s'%s'", list, i + 1 < n ? ", " : " or ", near[i]);

		free(list);
		list = longer;
	}
	warn("no call site has a %s named '%s': did you mean %s?", what[kind], want, list);
	free(list);
}

static bool any_row_has(const struct record_list *rows, enum name_kind kind,
			const char *want)
{
	for (size_t i = 0; i < rows->n; i++) {
		const struct record *r = &rows->v[i];

		if (kind == NAME_FILE ? name_matches(want, r->file, r->trimmed & TRIMMED_FILE, true) :
		    kind == NAME_FUNCTION ?
		    name_matches(want, r->function, r->trimmed & TRIMMED_FUNCTION, false) :
		    r->module && name_matches(want, r->module, false, false))
			return true;
	}
	return false;
}

void names_warn_unmatched(const struct filter *f, const struct record_list *const rows[],
			  size_t nrows, struct names *(*get)(void *arg), void *arg)
{
	const struct strlist *wants[NAME_KINDS] = {
		[NAME_FILE] = &f->files, [NAME_FUNCTION] = &f->funcs,
		[NAME_MODULE] = &f->modules,
	};
	struct names *known = NULL;
	bool asked = false;

	for (int k = 0; k < NAME_KINDS; k++) {
		for (size_t i = 0; i < wants[k]->n; i++) {
			const char *want = wants[k]->v[i];
			struct strlist matched = { 0 };
			bool seen = false;

			for (size_t j = 0; j < nrows && !seen; j++)
				seen = any_row_has(rows[j], k, want);
			if (seen)
				continue;
			/* no row has it: now the names are worth their cost */
			if (!asked) {
				known = get(arg);
				asked = true;
			}
			if (!known)
				return;
			names_matching(known, k, want, &matched);
			if (!matched.n)
				names_report_unknown(known, k, want);
			strlist_free(&matched);
		}
	}
}

void names_merge(struct names *into, const struct names *from)
{
	for (int k = 0; k < NAME_KINDS; k++)
		for (size_t i = 0; i < from->set[k].n; i++)
			set_add(&into->set[k], from->set[k].v[i]);
	for (size_t i = 0; i < from->long_tags.n; i++)
		record_list_add(&into->long_tags, &from->long_tags.v[i]);
	names_finish(into);
}
