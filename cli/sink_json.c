/*
 * JSON, one object, stable from the first release (schema 1):
 * {"schema": 1, "source": "...", "allocations": [{"bytes": N, "calls": N,
 * "file": S, "line": N, "module": S|null, "function": S, "accurate": B}]}
 * Every field, in that order, numbers raw. Jansson keeps insertion order.
 */
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "sink.h"

static json_t *root, *allocations;

static json_t *check(json_t *j)
{
	if (!j)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
	return j;
}

/* Names come from files; JSON strings must be UTF-8: replace other bytes. */
static json_t *string(const char *s)
{
	json_t *j = json_string(s);
	char *ascii;

	if (j)
		return j;
	ascii = xstrdup(s);
	for (char *p = ascii; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = check(json_string(ascii));
	free(ascii);
	return j;
}

static void set(json_t *obj, const char *key, json_t *value)
{
	if (json_object_set_new(obj, key, check(value)) < 0)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
}

static void json_begin(const struct output *o, const char *source,
		       const struct record *recs, size_t n)
{
	(void)o;
	(void)recs;
	(void)n;
	root = check(json_object());
	allocations = check(json_array());
	set(root, "schema", json_integer(1));
	set(root, "source", string(source));
	set(root, "allocations", allocations);
}

/*
 * json_int_t is signed 64-bit: calls (u64) past 2^63-1, only seen when a
 * counter wrapped, come out as their signed reinterpretation, like bytes.
 */
static void json_record(const struct record *r)
{
	json_t *a = check(json_object());

	set(a, "bytes", json_integer((json_int_t)r->bytes));
	set(a, "calls", json_integer((json_int_t)r->calls));
	set(a, "file", string(r->file));
	set(a, "line", json_integer((json_int_t)r->line));
	set(a, "module", r->module ? string(r->module) : json_null());
	set(a, "function", string(r->function));
	set(a, "accurate", json_boolean(r->accurate));
	if (json_array_append_new(allocations, a) < 0)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
}

static void json_end(void)
{
	json_dumpf(root, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(root);
	root = allocations = NULL;
}

const struct sink sink_json = {
	.begin = json_begin,
	.record = json_record,
	.end = json_end,
};
