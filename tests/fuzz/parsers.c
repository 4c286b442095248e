/*
 * Fuzz target: the parsers of option values, parse_u64, parse_size and
 * parse_columns, on any string (the input up to its first NUL), each
 * checked against a model written apart from query.c:
 *   - parse_u64 takes exactly the decimal numbers up to 2^64 - 1, and
 *     gives their value;
 *   - parse_size takes such a number with no suffix or one of K, k, KiB,
 *     M, m, MiB, G, g, GiB, T, t, TiB, and gives the number times 1024^N
 *     when that fits (so "NK" is 1024 * N), and refuses it otherwise;
 *   - parse_columns takes exactly the comma-separated lists of distinct
 *     column names, and otherwise points at the first bad name.
 * The input also makes a column list of its bytes (one column per byte,
 * some of them unknown or repeated), which reaches the valid lists more
 * often than raw bytes do.
 */
#include <inttypes.h>

#include "fuzz.h"

#include "query.h"

/* The model: @s[0..@n) as a decimal number, if it is one that fits. */
static bool model_u64(const char *s, size_t n, uint64_t *v)
{
	unsigned __int128 x = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
		if (x > UINT64_MAX)
			return false;
	}
	*v = (uint64_t)x;
	return true;
}

static void check_u64(const char *s)
{
	uint64_t got = 0, want = 0;
	bool ok = parse_u64(s, &got), model = model_u64(s, strlen(s), &want);

	CHECK(ok == model, "parse_u64('%.200s') says %d", s, ok);
	if (ok)
		CHECK(got == want, "parse_u64('%.200s') = %" PRIu64 ", not %" PRIu64, s, got, want);
}

static int model_shift(const char *suffix)
{
	static const char *const units[4][3] = {
		{ "K", "k", "KiB" }, { "M", "m", "MiB" }, { "G", "g", "GiB" }, { "T", "t", "TiB" },
	};

	if (!*suffix)
		return 0;
	for (int u = 0; u < 4; u++)
		for (int i = 0; i < 3; i++)
			if (!strcmp(suffix, units[u][i]))
				return 10 * (u + 1);
	return -1;
}

static void check_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	int shift = model_shift(s + digits);
	uint64_t got = 0, n = 0;
	bool ok = parse_size(s, &got);
	bool model = shift >= 0 && model_u64(s, digits, &n) &&
		     (!shift || n <= UINT64_MAX >> shift);

	CHECK(ok == model, "parse_size('%.200s') says %d", s, ok);
	if (ok)
		CHECK(got == n << shift, "parse_size('%.200s') = %" PRIu64 ", not %" PRIu64, s, got,
		      n << shift);
}

/* parse_size of @digits (digits only) + each suffix agrees with parse_u64 of them. */
static void check_suffixes(const char *digits)
{
	static const struct {
		const char *suffix;
		int shift;
	} suffixes[] = {
		{ "", 0 }, { "K", 10 }, { "k", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "g", 30 }, { "T", 40 }, { "TiB", 40 }, { "P", -1 }, { "KB", -1 },
		{ "kib", -1 }, { " K", -1 }, { "K ", -1 },
	};
	uint64_t n;
	bool number;
	char buf[64];

	if (strlen(digits) > 40 || digits[strspn(digits, "0123456789")])
		return;
	number = parse_u64(digits, &n);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		int shift = suffixes[i].shift;
		uint64_t got = 0;
		bool ok;

		snprintf(buf, sizeof(buf), "%s%s", digits, suffixes[i].suffix);
		ok = parse_size(buf, &got);
		if (!number || shift < 0 || (shift && n > UINT64_MAX >> shift)) {
			CHECK(!ok, "parse_size('%.200s') takes it", buf);
			continue;
		}
		CHECK(ok, "parse_size('%.200s') refuses it", buf);
		CHECK(got == n << shift, "parse_size('%.200s') = %" PRIu64, buf, got);
	}
}

static int model_column(const char *name, size_t len)
{
	for (int c = 0; c < NCOLUMNS; c++)
		if (strlen(column_names[c]) == len && !memcmp(column_names[c], name, len))
			return c;
	return -1;
}

static void check_columns(const char *list)
{
	struct output out = { 0 };
	const char *bad = NULL, *p = list;
	bool seen[NCOLUMNS] = { false };
	size_t n = 0;
	bool ok = parse_columns(list, &out, &bad);

	CHECK(out.ncolumns <= NCOLUMNS, "parse_columns('%.200s'): %zu columns", list, out.ncolumns);
	CHECK(out.columns_given, "parse_columns('%.200s') does not mark -o given", list);
	for (;;) {
		size_t len = strcspn(p, ",");
		int c = model_column(p, len);

		if (c < 0 || seen[c]) {
			CHECK(!ok, "parse_columns('%.200s') takes it", list);
			CHECK(bad == p, "parse_columns('%.200s') points at '%.200s', not '%.200s'", list,
			      bad ? bad : "(null)", p);
			return;
		}
		seen[c] = true;
		CHECK(n < out.ncolumns && out.columns[n] == (enum column)c,
		      "parse_columns('%.200s'): column %zu", list, n);
		n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	CHECK(ok, "parse_columns('%.200s') refuses it", list);
	CHECK(out.ncolumns == n, "parse_columns('%.200s'): %zu columns, not %zu", list,
	      out.ncolumns, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	char *list = malloc(size * 16 + 1), *p = list;

	CHECK(s && list, "out of memory");
	check_u64(s);
	check_size(s);
	{
		char *digits = strndup(s, strspn(s, "0123456789"));

		check_suffixes(digits);
		free(digits);
	}
	check_columns(s);
	/* a column list made of the bytes: NCOLUMNS and over is an unknown name */
	for (size_t i = 0; i < size && i < 32; i++) {
		unsigned c = data[i] % (NCOLUMNS + 2);

		p += sprintf(p, "%s%s", i ? "," : "",
			     c < NCOLUMNS ? column_names[c] : c == NCOLUMNS ? "" : "nope");
	}
	*p = '\0';
	check_columns(list);
	free(list);
	free(s);
	return 0;
}
