/*
 * allocq: options -> query -> source -> diff -> group -> order -> sink
 * (pipeline.c, order.c, output.c); --watch repeats it (watch.c), --status
 * says why it would not work (status.c).
 */
#include <signal.h>

#include "options.h"
#include "order.h"
#include "output.h"
#include "pipeline.h"
#include "status.h"
#include "watch.h"

int main(int argc, char **argv)
{
	struct reading rd = { 0 };
	struct total total;
	struct query q;
	int status = 0;

	signal(SIGPIPE, SIG_IGN);
	options_parse(argc, argv, &q);
	if (q.status) {
		status = status_run(&q);
	} else if (rd.source = source_pick(&q), q.watch) {
		status = watch_run(&q, &rd);
	} else {
		pipeline_read(&q, &rd);
		order_rows(&q, &rd.rows, &total);
		output_report(&q, rd.source->name, &rd.rows, &total, NULL);
		pipeline_free(&rd);
	}
	query_free(&q);
	return status;
}
