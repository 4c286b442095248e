/*
 * --watch: the query again every interval, each sample one consistent
 * read, with each row's change since the first sample and its rate over
 * the last interval. On a terminal a full-screen view (watch_tty.c), else
 * a stream of whole samples in the chosen format.
 */
#ifndef ALLOCQ_WATCH_H
#define ALLOCQ_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "pipeline.h"
#include "query.h"
#include "sink.h"

struct watch {
	struct query q;			/* a copy: the view can change its sort */
	struct reading *rd;
	struct record_list first;	/* the rows of the first sample */
	struct record_list prev;	/* of the previous one */
	struct record_list rows;	/* of this one, sorted, not limited */
	struct total total;
	double first_time, time;	/* Unix seconds: the first sample, this one */
	double tick;			/* monotonic seconds of this sample */
	double interval;
	unsigned long sample;
};

int watch_run(const struct query *q, struct reading *rd);
/* Takes the next sample into @w->rows. */
void watch_sample(struct watch *w);
/* Sorts @w->rows again by @w->q's order. */
void watch_resort(struct watch *w);
/* Seconds by @clock. */
double watch_clock(clockid_t clock);
/* When the sample after the one due at @due is due (monotonic seconds). */
double watch_next(const struct watch *w, double due);

/* The terminal view (watch_tty.c): runs until the user quits; 0 or the exit status. */
int watch_tty(struct watch *w, volatile sig_atomic_t *stop);

#endif
