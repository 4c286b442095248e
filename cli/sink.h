/*
 * A sink prints records in one format: a table of print operations per
 * format, picked once by main. The source is only known by its name.
 */
#ifndef ALLOCQ_SINK_H
#define ALLOCQ_SINK_H

#include <stddef.h>

#include "query.h"
#include "record.h"

struct sink {
	/* Before any record; @recs[0..@n) are the records that will follow. */
	void (*begin)(const struct output *out, const char *source,
		      const struct record *recs, size_t n);
	void (*record)(const struct record *r);
	void (*end)(void);
};

extern const struct sink sink_table;	/* sink_table.c */
extern const struct sink sink_csv;	/* sink_csv.c */
extern const struct sink sink_json;	/* sink_json.c */

#endif
