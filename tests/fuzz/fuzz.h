/*
 * Shared by the libFuzzer targets of tests/fuzz (see tests/fuzz/run): the
 * fuzzer's bytes as a FILE, records parsed from text, and the checks.
 * Nothing here may call code that exits on bad input (die()): a target
 * that exits is a finding.
 */
#ifndef ALLOCQ_FUZZ_H
#define ALLOCQ_FUZZ_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "parse.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that does not hold: say which, and crash (libFuzzer keeps the input). */
__attribute__((format(printf, 3, 4), noreturn))
static void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: invariant violated: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			fuzz_fail(__FILE__, __LINE__, "(" #cond ") " __VA_ARGS__); \
	} while (0)

/* @data[0..@size) as a read-only stream; fmemopen wants at least one byte. */
static inline FILE *fuzz_open(const uint8_t *data, size_t size)
{
	static const char empty[1];
	FILE *f = fmemopen(size ? (void *)data : (void *)empty, size, "r");

	if (!f && !size)
		f = fopen("/dev/null", "r");
	CHECK(f != NULL, "fmemopen: %m");
	return f;
}

static inline void fuzz_add_record(const struct record *r, void *list)
{
	record_list_add(list, r);
}

/*
 * The records of the allocinfo text @data[0..@size) (with @prefix before
 * it, if any) into @out: as many as the parser got to, as allocq never
 * uses a failed parse's records but the stages must cope with any records.
 */
static inline bool fuzz_parse_text(const char *prefix, const uint8_t *data, size_t size,
				   struct record_list *out)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	uint8_t *buf = malloc(plen + size + 1);
	struct parse_error err;
	bool ok;
	FILE *f;

	CHECK(buf != NULL, "out of memory");
	if (plen)
		memcpy(buf, prefix, plen);
	if (size)
		memcpy(buf + plen, data, size);
	f = fuzz_open(buf, plen + size);
	ok = text_parse(f, fuzz_add_record, out, &err);
	fclose(f);
	free(buf);
	if (!ok)
		CHECK(err.kind == PARSE_EMPTY || err.kind == PARSE_HEADER ||
		      err.kind == PARSE_LINE, "a read error on a memory stream: kind %d",
		      (int)err.kind);
	return ok;
}

static inline void fuzz_copy_list(struct record_list *dst, const struct record_list *src)
{
	record_list_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		record_list_add(dst, &src->v[i]);
}

/* Whether @s[0..@n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static inline bool fuzz_utf8_ok(const unsigned char *s, size_t n, bool allow_controls)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			if (!allow_controls && ((c < 0x20 && c != '\n') || c == 0x7f))
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (!allow_controls && cp >= 0x80 && cp <= 0x9f)
			return false;	/* C1 controls: 0x9b is a CSI */
		i += len;
	}
	return true;
}

/* A call site's key, compared by pointer (names are interned). */
static inline bool fuzz_same_site(const struct record *a, const struct record *b)
{
	return a->file == b->file && a->line == b->line && a->module == b->module &&
	       a->function == b->function;
}

#endif
