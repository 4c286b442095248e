/*
 * The terminal view of --watch, drawn with curses: a header line, then the
 * table the table sink prints (so the columns, sizes and escaping are the
 * one-shot table's), as many rows as fit, the sort column marked. Keys: q
 * quits, b c d sort by bytes, calls, change, r reverses, space samples
 * now, ? shows the keys. The terminal is given back however it ends.
 */
#define _GNU_SOURCE
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "output.h"
#include "sink.h"
#include "watch.h"

static bool active;

static void tty_end(void)
{
	if (active) {
		endwin();
		active = false;
	}
}

static void tty_start(void)
{
	setlocale(LC_ALL, "");
	if (!initscr())
		die(EXIT_RUNTIME, "cannot start the terminal view (TERM=%s): use --format table "
		    "through a pipe, or set TERM", getenv("TERM") ? getenv("TERM") : "");
	active = true;
	die_cleanup(tty_end);	/* an error is said after the screen is gone */
	atexit(tty_end);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
}

/* The name of the sort key's column in the table header. */
static const char *sort_header(const struct query *q)
{
	switch (q->sort) {
	case SORT_BYTES: return "BYTES";
	case SORT_CALLS: return "CALLS";
	case SORT_DELTA: return "DELTA-BYTES";
	case SORT_SITES: return "SITES";
	case SORT_FILE: return q->group == GROUP_DIR ? "DIR" : "FILE";
	case SORT_FUNC: return "FUNCTION";
	case SORT_MODULE: return "MODULE";
	case SORT_LINE: return "LINE";
	}
	return "";
}

/* Where the whole word @word starts in @line, or -1. */
static int word_at(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return (int)(p - line);
	return -1;
}

static void draw_line(int y, const char *line, size_t len, int attr)
{
	attron(attr);
	mvaddnstr(y, 0, line, (int)len < COLS ? (int)len : COLS);
	attroff(attr);
}

static const char *first_sample_time(const struct watch *w)
{
	static char buf[16];
	time_t t = (time_t)w->first_time;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	return buf;
}

static void draw_header(const struct watch *w, size_t shown)
{
	count_t change = w->total.bytes - w->total.old_bytes;
	char when[16], total[32], delta[32], *line;
	time_t t = (time_t)w->time;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	format_size(total, sizeof(total), w->total.bytes, "");
	format_size(delta, sizeof(delta), change, "+");
	line = xasprintf("%s  %s  every %gs  %zu of %zu rows  total %s (%s since %s)", when,
			 w->rd->source->name, w->interval, shown, w->rows.n, total, delta,
			 first_sample_time(w));
	draw_line(0, line, strlen(line), A_BOLD);
	free(line);
}

/* The sort column of the header line @line (@n bytes), shown underlined. */
static void mark_sort_column(const struct query *q, const char *line, size_t n)
{
	char *copy = strndup(line, n);
	const char *name = sort_header(q);
	int x = copy ? word_at(copy, name) : -1;

	if (x >= 0 && x < COLS)
		mvchgat(2, x, (int)strlen(name), A_REVERSE | A_BOLD | A_UNDERLINE, 0, NULL);
	free(copy);
}

/* The table of the rows that fit, from the table sink, into the screen. */
static void draw(const struct watch *w)
{
	struct record_list shown = w->rows;
	/* the header, a blank line, the column names, the rows, the keys */
	size_t fit = LINES > 4 ? (size_t)LINES - 4 : 0, len = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);
	struct query q = w->q;
	int y = 2;

	if (!f)
		die(EXIT_RUNTIME, "out of memory: free some memory or narrow the query");
	if (q.has_limit && q.limit < fit)
		fit = (size_t)q.limit;
	if (shown.n > fit)
		shown.n = fit;
	q.out.total = false;
	q.out.no_headings = false;	/* line 2 is the column names */
	output_print(&q, w->rd->source->name, &shown, &w->total, NULL, f);
	fclose(f);

	erase();
	draw_header(w, shown.n);
	for (const char *p = text; *p && y < LINES - 1; y++) {
		size_t n = strcspn(p, "\n");

		draw_line(y, p, n, y == 2 ? A_REVERSE : A_NORMAL);
		if (y == 2)
			mark_sort_column(&q, p, n);
		p += n + (p[n] == '\n');
	}
	free(text);
	mvaddstr(LINES - 1, 0, "q quit  b c d sort by bytes, calls, change  r reverse  "
		 "space now  ? keys");
	refresh();
}

static void show_keys(void)
{
	static const char *const keys[] = {
		"q, Ctrl-C   quit",
		"b           sort by bytes",
		"c           sort by calls",
		"d           sort by the change since the first sample",
		"r           reverse the order",
		"space       take a sample now",
		"?           these keys (any key goes back)",
	};

	erase();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		mvaddstr((int)i + 1, 2, keys[i]);
	refresh();
	timeout(-1);
	getch();
}

static void set_sort(struct watch *w, enum sort_key key)
{
	w->q.sort = key;
	watch_resort(w);
}

/* Milliseconds until @due (monotonic seconds). */
static int due_in(double due)
{
	double left = due - watch_clock(CLOCK_MONOTONIC);

	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

int watch_tty(struct watch *w, volatile sig_atomic_t *stop)
{
	double due;

	/* the first sample before the screen: its notes go to the terminal as it is */
	watch_sample(w);
	tty_start();
	due = watch_next(w, w->tick);
	draw(w);
	while (!*stop) {
		int key;

		timeout(due_in(due));
		key = getch();
		if (key == ERR) {
			if (*stop || due_in(due))
				continue;
			/* --count: the last sample stays one interval on the screen */
			if (w->q.count && w->sample >= w->q.count)
				break;
			watch_sample(w);
			due = watch_next(w, due);
		} else if (key == 'q') {
			break;
		} else if (key == 'b') {
			set_sort(w, SORT_BYTES);
		} else if (key == 'c') {
			set_sort(w, SORT_CALLS);
		} else if (key == 'd') {
			set_sort(w, SORT_DELTA);
		} else if (key == 'r') {
			w->q.reverse = !w->q.reverse;
			watch_resort(w);
		} else if (key == ' ') {
			watch_sample(w);
		} else if (key == '?') {
			show_keys();
		}
		draw(w);	/* also after KEY_RESIZE */
	}
	tty_end();
	return 0;
}
