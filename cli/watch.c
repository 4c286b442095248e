#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "order.h"
#include "output.h"
#include "watch.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

double watch_clock(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Schedules and rates go by the monotonic clock: a clock step changes neither. */
static double now(void)
{
	return watch_clock(CLOCK_MONOTONIC);
}

/* @x rounded half away from zero, within the range of int64_t */
static int64_t round_rate(double x)
{
	if (x >= 0x1p63)
		return INT64_MAX;
	if (x <= -0x1p63)
		return INT64_MIN;
	return (int64_t)(x < 0 ? x - 0.5 : x + 0.5);
}

/* Bytes per second since the previous sample; a row new since then started at 0. */
static void set_rates(struct record_list *rows, const struct record_list *prev, double secs)
{
	struct record_index *ix = record_index_new(prev);

	for (size_t i = 0; i < prev->n; i++)
		record_index_put(ix, &prev->v[i], i);
	for (size_t i = 0; i < rows->n; i++) {
		struct record *r = &rows->v[i];
		size_t at = record_index_get(ix, r);
		count_t before = at == SIZE_MAX ? 0 : prev->v[at].bytes;
		double d = (double)(r->bytes - before);

		r->rate = secs > 0 ? round_rate(d / secs) : 0;
	}
	record_index_free(ix);
}

void watch_sample(struct watch *w)
{
	struct query all = w->q;
	/* one instant for both clocks: the printed times and the rates agree */
	double t = now(), wall = watch_clock(CLOCK_REALTIME);

	pipeline_read(&w->q, w->rd);
	w->rd->quiet = true;	/* names no call site has: said once */
	if (w->sample == 0) {
		record_list_assign(&w->first, &w->rd->rows);
		w->first_time = wall;
		w->tick = t;
	}
	diff_fill_old(&w->rd->rows, &w->first);
	set_rates(&w->rd->rows, &w->prev, w->sample ? t - w->tick : 0);
	record_list_assign(&w->prev, &w->rd->rows);
	w->tick = t;
	w->time = wall;
	/* the view shows as many as fit: the limit is applied when printing */
	all.has_limit = false;
	record_list_assign(&w->rows, &w->rd->rows);
	order_rows(&all, &w->rows, &w->total);
	w->sample++;
}

void watch_resort(struct watch *w)
{
	record_list_sort(&w->rows, w->q.sort, w->q.reverse);
}

/* Sleeps until @until, or a signal; false when told to stop. */
static bool wait_until(double until)
{
	for (;;) {
		double left = until - now();
		struct timespec ts;

		if (stop)
			return false;
		if (left <= 0)
			return true;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
			return true;
	}
}

/*
 * The next time a sample is due after @due: one interval later, or the
 * next one still ahead when allocq was held up (stopped, a slow reader):
 * missed samples are skipped, not taken in a burst.
 */
double watch_next(const struct watch *w, double due)
{
	double t = now();

	due += w->interval;
	if (due < t)
		due += w->interval * (double)(long)((t - due) / w->interval + 1);
	return due;
}

/* Not a terminal: every sample printed whole, for scripts. */
static int stream(struct watch *w)
{
	double due = now();

	for (;;) {
		struct record_list shown;
		struct sample_info info;

		watch_sample(w);
		info = (struct sample_info){ w->sample - 1, w->time };
		shown = w->rows;
		if (w->q.has_limit && w->q.limit < shown.n)
			shown.n = (size_t)w->q.limit;
		if (!output_report(&w->q, w->rd->source->name, &shown, &w->total, &info))
			return 0;	/* the reader went away */
		due = watch_next(w, due);
		if ((w->q.count && w->sample >= w->q.count) || !wait_until(due))
			return 0;
	}
}

static bool on_terminal(const struct query *q)
{
	return q->out.format == FORMAT_TABLE && !q->out.file && isatty(STDOUT_FILENO) &&
	       isatty(STDIN_FILENO);
}

int watch_run(const struct query *q, struct reading *rd)
{
	struct watch w = { .q = *q, .rd = rd, .interval = q->watch };
	/*
	 * SA_RESTART: a write the signal interrupts goes on (the last sample
	 * is whole); the sleeps are not restarted, so the wait ends at once.
	 */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int status;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	status = on_terminal(q) ? watch_tty(&w, &stop) : stream(&w);
	record_list_free(&w.first);
	record_list_free(&w.prev);
	record_list_free(&w.rows);
	pipeline_free(rd);
	return status;
}
