/* The text source: /proc/allocinfo as the kernel formats it, filtered here. */
#include "allocinfo.h"
#include "source.h"

static void restart(void *arg)
{
	struct selection *sel = arg;

	record_list_clear(sel->out);
	if (sel->known) {
		names_free(sel->known);
		sel->known = names_new();
	}
}

static struct names *seen;

static void read_text(const struct query *q, const struct filter *f,
		      struct record_list *out)
{
	struct selection sel = { f, out, filter_has_names(f) ? names_new() : NULL };

	(void)q;
	allocinfo_read_text(select_record, restart, &sel);
	if (sel.known)
		names_finish(sel.known);
	names_free(seen);
	seen = sel.known;
}

static struct names *text_names(void)
{
	return seen;
}

const struct source source_text = {
	.name = "text",
	.read = read_text,
	.names = text_names,
};
