/*
 * Fuzz target: the allocinfo text parser through every stage and sink.
 *
 * The input is a snapshot as `allocq --input` reads it. Its records go
 * through the query shapes of allocq's pipeline (plain, --group-by,
 * --diff against the second half of the input, --total -b; the sort, the
 * limit, -o, -n and the size bounds vary with a hash of the input) and are
 * printed in every format that allows the shape. Then:
 *   - JSON parses back (jansson), with one object per row, each with one
 *     member per column, and the numbers and valid UTF-8 names of the row;
 *   - CSV parses back (RFC 4180) into a header and one line per row (and
 *     the total), each with as many fields as the header, the values and
 *     names of the rows;
 *   - the allocinfo format parses back into the very records printed;
 *   - the table is UTF-8 without control characters but the newline (names
 *     come from bug reports: no terminal escapes), one line per row;
 *   - Prometheus is UTF-8, two comment lines and one sample per row in each
 *     family, and no label set twice in a family.
 */
#include <inttypes.h>
#include <jansson.h>

#include "fuzz.h"

#include "diff.h"
#include "group.h"
#include "match.h"
#include "order.h"
#include "output.h"
#include "query.h"
#include "sink.h"

/* How much of an output a failed check shows. */
#define SHOWN(len) ((int)((len) < 600 ? (len) : 600))

static const char *const format_names[NFORMATS] = {
	"table", "csv", "json", "allocinfo", "prometheus",
};

enum shape { PLAIN, GROUP, GROUP_DIR2, DIFF, TOTAL_BYTES, NSHAPES };

struct input {
	struct record_list all;		/* the whole input */
	struct record_list cur, old;	/* its first half, and its second as OLD */
	uint64_t hash;
};

/* Bits of the input's hash, for the options that vary. */
static unsigned bits(uint64_t *h, unsigned n)
{
	unsigned v = (unsigned)(*h & ((1u << n) - 1));

	*h = *h >> n | *h << (64 - n);
	return v;
}

static void make_query(struct query *q, enum shape shape, enum format format, uint64_t h,
		       const struct input *in)
{
	static const enum group_key keys[] = { GROUP_MODULE, GROUP_FILE, GROUP_FUNCTION };
	enum sort_key sorts[8];
	size_t nsorts = 0;
	enum column all[NCOLUMNS];
	size_t nall;

	query_init(q);
	q->input = "-";
	q->out.format = format;
	switch (shape) {
	case PLAIN:
		break;
	case GROUP:
		q->group = keys[bits(&h, 2) % 3];
		break;
	case GROUP_DIR2:
		q->group = GROUP_DIR;
		q->dir_depth = bits(&h, 1) ? 2 : 1 + bits(&h, 6);
		break;
	case DIFF:
		q->diff = "OLD";
		if (bits(&h, 2) == 0 && format != FORMAT_ALLOCINFO)
			q->group = GROUP_FUNCTION;	/* a diff, grouped */
		break;
	case TOTAL_BYTES:
		q->out.total = true;
		q->out.exact_bytes = true;
		break;
	case NSHAPES:
		break;
	}
	if (bits(&h, 1))
		q->out.total = true;
	if (bits(&h, 1))
		q->out.exact_bytes = true;
	/* --sort KEY, valid for the shape; --diff sorts by the change by default */
	for (enum sort_key k = SORT_BYTES; k <= SORT_LINE; k++)
		sorts[nsorts++] = k;
	if (q->diff)
		sorts[nsorts++] = SORT_DELTA;
	if (q->group)
		sorts[nsorts++] = SORT_SITES;
	if (bits(&h, 1)) {
		q->sort = sorts[bits(&h, 3) % nsorts];
		q->sort_given = true;
	} else if (q->diff) {
		q->sort = SORT_DELTA;
	}
	q->reverse = bits(&h, 1);
	if (bits(&h, 2) == 0) {
		q->has_limit = true;
		q->limit = bits(&h, 3);
	}
	q->out.no_headings = bits(&h, 3) == 0;
	/* -o: a rotated subset of the shape's columns */
	nall = query_columns(q, all);
	if (bits(&h, 2) == 0) {
		unsigned mask = bits(&h, NCOLUMNS), start = bits(&h, 4);

		q->out.columns_given = true;
		for (size_t i = 0; i < nall; i++)
			if (mask & (1u << i))
				q->out.columns[q->out.ncolumns++] = all[(start + i) % nall];
		if (!q->out.ncolumns)
			q->out.columns[q->out.ncolumns++] = all[start % nall];
	}
	/* size bounds, and now and then a name filter */
	if (bits(&h, 2) == 0) {
		q->filter.has_min = true;
		q->filter.min = (uint64_t)1 << bits(&h, 6);
	}
	if (bits(&h, 2) == 0) {
		q->filter.has_max = true;
		q->filter.max = (uint64_t)1 << bits(&h, 6);
		if (q->filter.has_min && q->filter.min > q->filter.max)
			q->filter.has_min = false;
	}
	if (bits(&h, 3) == 0 && in->all.n) {
		const struct record *r = &in->all.v[bits(&h, 8) % in->all.n];

		switch (bits(&h, 2)) {
		case 0: strlist_add(&q->filter.files, basename_of(r->file)); break;
		case 1: strlist_add(&q->filter.funcs, r->function); break;
		case 2: if (r->module) strlist_add(&q->filter.modules, r->module); break;
		default: q->filter.builtin = true; break;
		}
	}
}

static bool allowed(enum shape shape, enum format format, const struct query *q)
{
	(void)shape;
	if (format == FORMAT_ALLOCINFO && (q->group || q->diff))
		return false;	/* options.c refuses these */
	if (format == FORMAT_PROMETHEUS && q->diff)
		return false;
	return true;
}

static const struct filter *site_filter;

static bool selected(const struct record *r, const void *arg)
{
	(void)arg;
	return filter_matches(site_filter, r);
}

/* main.c's pipeline from the records read to the rows printed. */
static void run_stages(const struct query *q, const struct input *in,
		       struct record_list *rows, struct total *total)
{
	struct filter sites = query_site_filter(q);
	struct record_list old = { 0 };
	size_t before;

	site_filter = &sites;
	fuzz_copy_list(rows, q->diff ? &in->cur : &in->all);
	record_list_keep(rows, selected, NULL);
	if (q->diff) {
		fuzz_copy_list(&old, &in->old);
		record_list_keep(&old, selected, NULL);
		diff_sites(rows, &old);
		for (size_t i = 0; i < rows->n; i++)
			CHECK(rows->v[i].change != CHANGE_NONE, "an unchanged row after the diff");
	}
	if (q->group)
		group_rows(rows, q->group, q->dir_depth);
	else if (q->out.format == FORMAT_PROMETHEUS)
		record_list_merge_sites(rows);
	before = rows->n;
	order_rows(q, rows, total);
	CHECK(rows->n <= before, "order_rows added rows");
	CHECK(!q->has_limit || rows->n <= q->limit, "more rows than --limit");
	record_list_free(&old);
}

/* ---------------------------------------------------------------- CSV */

struct csv {
	char ***rows;		/* rows of NULL-terminated fields */
	size_t *nfields;
	size_t n;
};

static void csv_free(struct csv *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->nfields[i]; j++)
			free(c->rows[i][j]);
		free(c->rows[i]);
	}
	free(c->rows);
	free(c->nfields);
}

/* RFC 4180, with LF or CRLF line ends; false on a malformed text. */
static bool csv_parse(const char *s, size_t len, struct csv *c)
{
	size_t i = 0;

	*c = (struct csv){ 0 };
	while (i < len) {
		char **fields = NULL;
		size_t nf = 0;

		for (;;) {
			char *field = malloc(len - i + 1);
			size_t fl = 0;

			if (i < len && s[i] == '"') {
				for (i++;; i++) {
					if (i >= len) {
						free(field);
						free(fields);
						return false;	/* unterminated quote */
					}
					if (s[i] == '"') {
						if (i + 1 < len && s[i + 1] == '"') {
							field[fl++] = '"';
							i++;
							continue;
						}
						i++;
						break;
					}
					field[fl++] = s[i];
				}
			} else {
				while (i < len && s[i] != ',' && s[i] != '\n' &&
				       !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
					if (s[i] == '"') {
						free(field);
						free(fields);
						return false;	/* a quote in an unquoted field */
					}
					field[fl++] = s[i++];
				}
			}
			field[fl] = '\0';
			fields = realloc(fields, (nf + 1) * sizeof(*fields));
			fields[nf++] = field;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
			if (i < len && s[i] == '\r')
				i++;
			if (i < len && s[i] != '\n') {
				for (size_t j = 0; j < nf; j++)
					free(fields[j]);
				free(fields);
				return false;	/* text after a closing quote */
			}
			i++;
			break;
		}
		c->rows = realloc(c->rows, (c->n + 1) * sizeof(*c->rows));
		c->nfields = realloc(c->nfields, (c->n + 1) * sizeof(*c->nfields));
		c->rows[c->n] = fields;
		c->nfields[c->n++] = nf;
	}
	return true;
}

static void expect_cell_text(const struct record *r, enum column c, const char *got,
			     const char *format)
{
	struct cell v = cell_of(r, c);
	char want[COUNT_TEXT], num[COUNT_TEXT];

	switch (v.kind) {
	case CELL_COUNT:
		snprintf(want, sizeof(want), "%s", count_text(v.n, num));
		break;
	case CELL_UNSIGNED:
		snprintf(want, sizeof(want), "%" PRIu64, v.u);
		break;
	case CELL_BOOL:
		snprintf(want, sizeof(want), "%s", v.b ? "true" : "false");
		break;
	case CELL_TEXT:
		CHECK(!strcmp(got, v.text ? v.text : ""), "%s column %s: '%.200s', not '%.200s'",
		      format, column_names[c], got, v.text ? v.text : "");
		return;
	}
	CHECK(!strcmp(got, want), "%s column %s: '%.200s', not '%.200s'", format, column_names[c], got,
	      want);
}

static void check_csv(const struct report *rep, const char *out, size_t len)
{
	const struct query *q = rep->q;
	size_t head = !q->out.no_headings, want = head + rep->n + q->out.total;
	struct csv c;

	CHECK(csv_parse(out, len, &c), "CSV that does not parse (%zu bytes):\n%.*s", len,
	      SHOWN(len), out);
	CHECK(c.n == want, "%zu CSV lines for %zu rows (headings %zu, total %d)", c.n, rep->n,
	      head, q->out.total);
	for (size_t i = 0; i < c.n; i++)
		CHECK(c.nfields[i] == rep->ncols, "CSV line %zu has %zu fields, not %zu", i + 1,
		      c.nfields[i], rep->ncols);
	if (head)
		for (size_t j = 0; j < rep->ncols; j++)
			CHECK(!strcmp(c.rows[0][j], column_names[rep->cols[j]]),
			      "CSV header field %zu is '%.200s'", j, c.rows[0][j]);
	for (size_t i = 0; i < rep->n; i++)
		for (size_t j = 0; j < rep->ncols; j++)
			expect_cell_text(&rep->rows[i], rep->cols[j], c.rows[head + i][j], "CSV");
	csv_free(&c);
}

/* ---------------------------------------------------------------- JSON */

static void check_member(const struct record *r, enum column c, json_t *m)
{
	struct cell v = cell_of(r, c);
	char num[COUNT_TEXT];

	CHECK(m != NULL, "JSON: no member %s", column_names[c]);
	switch (v.kind) {
	case CELL_COUNT:
		CHECK(json_is_real(m) && json_real_value(m) == (double)v.n,
		      "JSON %s is not %s", column_names[c], count_text(v.n, num));
		break;
	case CELL_UNSIGNED:
		CHECK(json_is_real(m) && json_real_value(m) == (double)v.u,
		      "JSON %s is not %" PRIu64, column_names[c], v.u);
		break;
	case CELL_BOOL:
		CHECK(json_is_boolean(m) && json_boolean_value(m) == v.b, "JSON %s is not %d",
		      column_names[c], v.b);
		break;
	case CELL_TEXT:
		if (!v.text) {
			CHECK(json_is_null(m), "JSON %s is not null", column_names[c]);
			break;
		}
		CHECK(json_is_string(m), "JSON %s is not a string", column_names[c]);
		if (fuzz_utf8_ok((const unsigned char *)v.text, strlen(v.text), true))
			CHECK(!strcmp(json_string_value(m), v.text),
			      "JSON %s is '%.200s', not '%.200s'", column_names[c],
			      json_string_value(m), v.text);
		break;
	}
}

static void check_json(const struct report *rep, const char *out, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb(out, len, JSON_DECODE_INT_AS_REAL, &err);
	json_t *rows, *total;

	CHECK(root != NULL, "JSON does not parse: %s (line %d, column %d; %zu bytes):\n%.*s",
	      err.text, err.line, err.column, len, SHOWN(len), out);
	CHECK(json_is_object(root), "JSON is not an object");
	rows = json_object_get(root, rep->q->group ? "groups" : "allocations");
	CHECK(json_is_array(rows), "JSON has no array of rows");
	CHECK(json_array_size(rows) == rep->n, "%zu JSON rows for %zu", json_array_size(rows),
	      rep->n);
	for (size_t i = 0; i < rep->n; i++) {
		json_t *o = json_array_get(rows, i);

		CHECK(json_is_object(o) && json_object_size(o) == rep->nall,
		      "JSON row %zu: %zu members for %zu columns", i, json_object_size(o),
		      rep->nall);
		for (size_t j = 0; j < rep->nall; j++)
			check_member(&rep->rows[i], rep->all[j],
				     json_object_get(o, column_names[rep->all[j]]));
	}
	total = json_object_get(root, "total");
	CHECK(json_is_object(total), "JSON has no total");
	check_member(&(struct record){ .bytes = rep->total.bytes }, COL_BYTES,
		     json_object_get(total, "bytes"));
	json_decref(root);
}

/* ---------------------------------------------------------------- others */

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void check_table(const struct report *rep, const char *out, size_t len)
{
	size_t want = !rep->q->out.no_headings + rep->n + rep->q->out.total;

	CHECK(fuzz_utf8_ok((const unsigned char *)out, len, false),
	      "the table has a control character or is not UTF-8 (%zu bytes):\n%.*s",
	      len, SHOWN(len), out);
	CHECK(count_lines(out, len) == want, "%zu table lines, not %zu", count_lines(out, len),
	      want);
	CHECK(!len || out[len - 1] == '\n', "the table does not end with a newline");
}

static void check_allocinfo(const struct report *rep, const char *out, size_t len)
{
	struct record_list back = { 0 };

	CHECK(fuzz_parse_text(NULL, (const uint8_t *)out, len, &back),
	      "--format allocinfo does not parse back (%zu bytes):\n%.*s", len,
	      SHOWN(len), out);
	CHECK(back.n == rep->n, "%zu records read back for %zu printed", back.n, rep->n);
	for (size_t i = 0; i < back.n; i++) {
		const struct record *a = &rep->rows[i], *b = &back.v[i];

		CHECK(fuzz_same_site(a, b) && a->bytes == b->bytes && a->calls == b->calls &&
		      a->accurate == b->accurate, "record %zu reads back different", i);
	}
	record_list_free(&back);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_prometheus(const struct report *rep, const char *out, size_t len)
{
	size_t families = rep->q->group ? 3 : 2;
	char *copy = strndup(out, len), *save = NULL, *line;
	char **series = calloc(rep->n + 1, sizeof(*series));
	size_t nseries = 0;

	CHECK(fuzz_utf8_ok((const unsigned char *)out, len, true),
	      "Prometheus output that is not UTF-8");
	CHECK(count_lines(out, len) == families * (rep->n + 2), "%zu Prometheus lines, not %zu",
	      count_lines(out, len), families * (rep->n + 2));
	/* one family at a time: its samples' names and label sets are distinct */
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			qsort(series, nseries, sizeof(*series), cmp_strp);
			for (size_t i = 1; i < nseries; i++)
				CHECK(strcmp(series[i - 1], series[i]),
				      "a Prometheus series twice: %.300s", series[i]);
			nseries = 0;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7))
			continue;
		CHECK(nseries < rep->n, "more Prometheus samples than rows");
		CHECK(strrchr(line, ' '), "a Prometheus sample without a value: %.300s", line);
		*strrchr(line, ' ') = '\0';
		series[nseries++] = line;
	}
	qsort(series, nseries, sizeof(*series), cmp_strp);
	for (size_t i = 1; i < nseries; i++)
		CHECK(strcmp(series[i - 1], series[i]), "a Prometheus series twice: %.300s", series[i]);
	free(series);
	free(copy);
}

static void print_and_check(const struct query *q, const struct record_list *rows,
			    const struct total *total)
{
	struct report rep;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(f != NULL, "open_memstream: %m");
	output_prepare(&rep, q, "input", rows, total, NULL);
	output_write(&rep, f);
	CHECK(!ferror(f) && fclose(f) == 0, "%s: a write error on a memory stream",
	      format_names[q->out.format]);
	switch (q->out.format) {
	case FORMAT_TABLE: check_table(&rep, out, len); break;
	case FORMAT_CSV: check_csv(&rep, out, len); break;
	case FORMAT_JSON: check_json(&rep, out, len); break;
	case FORMAT_ALLOCINFO: check_allocinfo(&rep, out, len); break;
	case FORMAT_PROMETHEUS: check_prometheus(&rep, out, len); break;
	case NFORMATS: break;
	}
	free(out);
}

static uint64_t fnv(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .hash = fnv(data, size) };
	size_t half = size / 2;

	/* the first half (to a line's end) is the current snapshot, the rest OLD */
	while (half < size && data[half - (half > 0)] != '\n')
		half++;
	fuzz_parse_text(NULL, data, size, &in.all);
	fuzz_parse_text(NULL, data, half, &in.cur);
	fuzz_parse_text("allocinfo - version: 2.0\n", data + half, size - half, &in.old);
	for (enum shape s = PLAIN; s < NSHAPES; s++) {
		for (enum format fmt = FORMAT_TABLE; fmt < NFORMATS; fmt++) {
			struct record_list rows = { 0 };
			struct total total;
			struct query q;

			make_query(&q, s, fmt, in.hash ^ (s * 0x9e3779b97f4a7c15ULL), &in);
			if (allowed(s, fmt, &q)) {
				run_stages(&q, &in, &rows, &total);
				print_and_check(&q, &rows, &total);
			}
			record_list_free(&rows);
			query_free(&q);
		}
	}
	record_list_free(&in.all);
	record_list_free(&in.cur);
	record_list_free(&in.old);
	return 0;
}
