/*
 * The stages from the source to the rows: source -> diff -> group. main
 * runs them once, --watch once a sample; order and a sink come after.
 */
#ifndef ALLOCQ_PIPELINE_H
#define ALLOCQ_PIPELINE_H

#include "names.h"
#include "query.h"
#include "record.h"
#include "source.h"

struct reading {
	const struct source *source;
	struct record_list rows;	/* call sites, then what the stages made of them */
	struct record_list old;		/* --diff's OLD */
	const char *old_path;
	struct names *old_names;	/* its names, once asked for */
	bool quiet;			/* no more notes of unknown names (--watch) */
};

/*
 * Reads the call sites @q selects from @rd->source (and --diff's OLD file),
 * warns about names no call site has, and turns them into the rows: the
 * changes, the groups, or call sites that are one row each where a row
 * needs a unique key (Prometheus series, --watch).
 */
void pipeline_read(const struct query *q, struct reading *rd);
void pipeline_free(struct reading *rd);

#endif
