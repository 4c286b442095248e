#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "allocinfo.h"
#include "errors.h"
#include "escape.h"
#include "output.h"
#include "sink.h"
#include "status.h"

struct status {
	struct utsname uts;
	char *path;
	bool present, readable, ioctl, have_id, counted, compressed;
	char format[16];
	enum profiling profiling;
	uint64_t content_id, sites;
	count_t bytes;
	struct record_list sites_seen;	/* one record a call site */
	struct record_index *seen;
	int exit_status;
	char *why;
};

static const char *const profiling_names[] = {
	[PROFILING_UNKNOWN] = NULL,
	[PROFILING_ON] = "on",
	[PROFILING_OFF] = "off",
	[PROFILING_NEVER] = "never",
};

/* sysctl.vm.mem_profiling=1,compressed on the kernel command line */
static bool compressed(void)
{
	char line[4096];
	char *p;

	if (!proc_read_line("cmdline", line, sizeof(line)))
		return false;
	p = strstr(line, "sysctl.vm.mem_profiling=");
	if (!p)
		return false;
	p[strcspn(p, " \t")] = '\0';
	return strstr(p, "compressed") != NULL;
}

/* "allocinfo - version: 2.0" */
static void read_format(int fd, char *buf, size_t size)
{
	char line[64];
	ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
	const char *v;

	buf[0] = '\0';
	if (n <= 0)
		return;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	v = strstr(line, "version: ");
	if (v)
		snprintf(buf, size, "%s", v + 9);
}

/* Call sites, not tags: the tags of one call site count once. */
static void count(const struct record *r, void *arg)
{
	struct status *s = arg;
	struct record site = { .file = intern(r->file), .line = r->line,
			       .module = intern(r->module), .function = intern(r->function) };

	if (record_index_put(s->seen, &site, s->sites_seen.n) == SIZE_MAX) {
		record_list_add(&s->sites_seen, &site);
		s->sites++;
	}
	s->bytes += r->bytes;
}

static void recount(void *arg)
{
	struct status *s = arg;

	record_index_free(s->seen);
	record_list_clear(&s->sites_seen);
	s->seen = record_index_new(&s->sites_seen);
	s->sites = 0;
	s->bytes = 0;
}

/* The call sites and bytes of the open allocinfo @fd; the first problem wins. */
static void count_sites(struct status *s, int fd)
{
	uint64_t id;
	char *why;
	int status;

	s->seen = record_index_new(&s->sites_seen);
	status = allocinfo_parse_text(fd, count, recount, s, &id, &why);
	record_index_free(s->seen);
	record_list_free(&s->sites_seen);
	s->counted = !status;
	if (status && !s->exit_status) {
		s->exit_status = status;
		s->why = why;
	} else {
		free(why);
	}
}

/*
 * Everything that can be seen, whatever the problem: a file that is there
 * but is no profile (disabled at boot) is still read, and a file that
 * cannot be parsed still has a header to show.
 */
static void look(struct status *s)
{
	int fd;

	uname(&s->uts);
	s->path = proc_path("allocinfo");
	s->profiling = allocinfo_profiling();
	s->compressed = compressed();
	s->present = access(s->path, F_OK) == 0;
	s->exit_status = allocinfo_problem(&fd, &s->why);
	if (fd < 0)
		return;
	s->readable = true;
	allocinfo_warn_off();
	read_format(fd, s->format, sizeof(s->format));
	s->ioctl = s->have_id = allocinfo_content_id(fd, &s->content_id);
	count_sites(s, fd);
}

static void row(FILE *out, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void row(FILE *out, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	fprintf(out, "%-11s ", key);
	escape_put(v ? v : "?", out);
	putc('\n', out);
	free(v);
}

static void print_table(const struct status *s, FILE *out)
{
	char bytes[COUNT_TEXT];

	row(out, "KERNEL", "%s", s->uts.release);
	row(out, "ALLOCINFO", "%s: %s", s->path, !s->present ? "missing" :
	    s->readable ? "readable" : "not readable");
	row(out, "FORMAT", "%s", s->format[0] ? s->format : "-");
	row(out, "PROFILING", "%s%s", profiling_names[s->profiling] ?
	    profiling_names[s->profiling] : "-", s->compressed ? ", compressed" : "");
	row(out, "IOCTL", "%s", s->readable ? (s->ioctl ? "yes" : "no") : "-");
	if (s->have_id)
		row(out, "CONTENT ID", "%" PRIu64, s->content_id);
	else
		row(out, "CONTENT ID", "-");
	if (s->counted) {
		row(out, "CALL SITES", "%" PRIu64, s->sites);
		row(out, "BYTES", "%s", count_text(s->bytes, bytes));
	} else {
		row(out, "CALL SITES", "-");
		row(out, "BYTES", "-");
	}
	row(out, "STATUS", "%d", s->exit_status);
	row(out, "ERROR", "%s", s->why ? s->why : "-");
}

static void json_str(FILE *out, const char *key, const char *v)
{
	fprintf(out, ", \"%s\": ", key);
	if (v)
		json_put_string(v, out);
	else
		fputs("null", out);
}

static void print_json(const struct status *s, FILE *out)
{
	char bytes[COUNT_TEXT];

	fputs("{\"schema\": 1", out);
	json_str(out, "kernel", s->uts.release);
	json_str(out, "allocinfo", s->path);
	fprintf(out, ", \"present\": %s, \"readable\": %s", s->present ? "true" : "false",
		s->readable ? "true" : "false");
	json_str(out, "format", s->format[0] ? s->format : NULL);
	json_str(out, "profiling", profiling_names[s->profiling]);
	fprintf(out, ", \"compressed\": %s", s->compressed ? "true" : "false");
	if (s->readable)
		fprintf(out, ", \"ioctl\": %s", s->ioctl ? "true" : "false");
	else
		fputs(", \"ioctl\": null", out);
	if (s->have_id)
		fprintf(out, ", \"content_id\": %" PRIu64, s->content_id);
	else
		fputs(", \"content_id\": null", out);
	if (s->counted)
		fprintf(out, ", \"sites\": %" PRIu64 ", \"bytes\": %s", s->sites,
			count_text(s->bytes, bytes));
	else
		fputs(", \"sites\": null, \"bytes\": null", out);
	fprintf(out, ", \"status\": %d", s->exit_status);
	json_str(out, "error", s->why);
	fputs("}\n", out);
}

int status_run(const struct query *q)
{
	struct status s = { 0 };
	FILE *out;

	look(&s);
	out = output_open(&q->out);
	if (q->out.format == FORMAT_JSON)
		print_json(&s, out);
	else
		print_table(&s, out);
	output_close(out, &q->out);
	if (s.why)
		complain("%s", s.why);
	free(s.path);
	free(s.why);
	return s.exit_status;
}
