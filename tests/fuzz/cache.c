/*
 * Fuzz target: the name cache reader, names_read_cache, on any bytes, for a
 * fixed boot id and content id (a valid file starts "allocq-names 2\nboot
 * BOOT\ncontent 42\n", see cli/names.c). When it takes the file:
 *   - every name it kept is one the file has on a "file", "func" or
 *     "module" line, and is plausible (no blank, no control character);
 *   - names_matching finds each known name by itself, and "*" finds all;
 *   - names_expand gives a record cut to the kernel's 63-character tails
 *     back a name with that tail, or marks it cut;
 *   - names_report_unknown (now and then: it prints) does not fail.
 */
#include <inttypes.h>

#include "fuzz.h"

#include "match.h"
#include "names.h"

#define BOOT "6c0a3e64-1b7d-4c4e-9d59-0d7a1f2b3c4d"
#define CONTENT_ID 42

/* Whether the file has a line "@key @name". */
static bool has_line(const uint8_t *data, size_t size, const char *key, const char *name)
{
	size_t kl = strlen(key), nl = strlen(name);

	for (size_t i = 0; i < size;) {
		const uint8_t *nl_at = memchr(data + i, '\n', size - i);
		size_t end = nl_at ? (size_t)(nl_at - data) : size;

		if (end - i == kl + 1 + nl && !memcmp(data + i, key, kl) && data[i + kl] == ' ' &&
		    !memcmp(data + i + kl + 1, name, nl))
			return true;
		i = end + 1;
	}
	return false;
}

static bool plausible(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static const char *const kind_keys[NAME_KINDS] = {
	[NAME_FILE] = "file", [NAME_FUNCTION] = "func", [NAME_MODULE] = "module",
};

static void check_names(const struct names *names, const uint8_t *data, size_t size,
			uint64_t hash)
{
	for (int k = 0; k < NAME_KINDS; k++) {
		struct strlist all = { 0 };

		names_matching(names, k, "*", &all);
		for (size_t i = 0; i < all.n; i++) {
			const char *name = all.v[i];

			CHECK(plausible(name), "an implausible cached name '%.200s'", name);
			if (!has_line(data, size, kind_keys[k], name)) {
				/* "long" lines add no names: only file/func/module lines do */
				CHECK(false, "a %s name '%.200s' the file does not have", kind_keys[k],
				      name);
			}
			if (i < 8 && !is_pattern(name)) {
				struct strlist one = { 0 };
				bool found = false;

				names_matching(names, k, name, &one);
				for (size_t j = 0; j < one.n; j++)
					found = found || !strcmp(one.v[j], name);
				CHECK(found, "names_matching does not find the %s name '%.200s'",
				      kind_keys[k], name);
				strlist_free(&one);
			}
		}
		if ((hash >> (8 * k) & 0xff) == 0) {
			names_report_unknown(names, k, all.n ? all.v[0] : "x");
			names_report_unknown(names, k, "rapl.c");
		}
		strlist_free(&all);
	}
}

/*
 * Each "long LINE MODULE FILE FUNCTION" line of the file, cut as the ioctl
 * cuts names, must expand back or be marked cut.
 */
static void check_expand(const struct names *names, const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *save = NULL, *line;
	unsigned tried = 0;

	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line && tried < 16;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *num, *module, *file, *function;
		struct record r = { .accurate = true };
		const char *ftail, *fntail;

		if (strncmp(line, "long ", 5))
			continue;
		num = strtok_r(line + 5, " ", &s2);
		module = strtok_r(NULL, " ", &s2);
		file = strtok_r(NULL, " ", &s2);
		function = strtok_r(NULL, " ", &s2);
		if (!function || !parse_u64(num, &r.line))
			continue;
		tried++;
		ftail = intern(name_tail(file));
		fntail = intern(name_tail(function));
		r.module = strcmp(module, "-") ? intern(module) : NULL;
		r.file = ftail;
		r.function = fntail;
		names_expand(names, &r);
		if (r.trimmed & TRIMMED_FILE)
			CHECK(!strncmp(r.file, TRIM_MARK, strlen(TRIM_MARK)) &&
			      !strcmp(r.file + strlen(TRIM_MARK), ftail), "a cut file '%.200s'", r.file);
		else
			CHECK(!strcmp(name_tail(r.file), ftail), "'%.200s' expanded to '%.200s'", ftail,
			      r.file);
		if (r.trimmed & TRIMMED_FUNCTION)
			CHECK(!strncmp(r.function, TRIM_MARK, strlen(TRIM_MARK)) &&
			      !strcmp(r.function + strlen(TRIM_MARK), fntail),
			      "a cut function '%.200s'", r.function);
		else
			CHECK(!strcmp(name_tail(r.function), fntail), "'%.200s' expanded to '%.200s'",
			      fntail, r.function);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fuzz_open(data, size);
	struct names *names = names_read_cache(f, BOOT, CONTENT_ID);
	uint64_t hash = 0xcbf29ce484222325ULL;

	fclose(f);
	if (!names)
		return 0;
	for (size_t i = 0; i < size; i++)
		hash = (hash ^ data[i]) * 0x100000001b3ULL;
	CHECK(names_cached(names), "a cache without the cached mark");
	check_names(names, data, size, hash);
	check_expand(names, data, size);
	names_free(names);
	return 0;
}
