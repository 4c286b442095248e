/*
 * --status: what allocq sees and why a query would fail, as a table or JSON;
 * the exit status is the one a query would get.
 */
#ifndef ALLOCQ_STATUS_H
#define ALLOCQ_STATUS_H

#include "query.h"

int status_run(const struct query *q);

#endif
