/*
 * The last stage before a sink: the size bounds where they apply to the
 * printed rows (groups, changes), the total of what was selected, the sort
 * and the limit.
 */
#ifndef ALLOCQ_ORDER_H
#define ALLOCQ_ORDER_H

#include "query.h"
#include "record.h"
#include "sink.h"

/* Bounds, sums, sorts and limits @rows; @rows->n is then what is printed. */
void order_rows(const struct query *q, struct record_list *rows, struct total *total);

#endif
