/* The command line, parsed into a query (argp); usage errors exit 64. */
#ifndef ALLOCQ_OPTIONS_H
#define ALLOCQ_OPTIONS_H

#include "query.h"

void options_parse(int argc, char **argv, struct query *q);

#endif
