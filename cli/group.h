/*
 * The group stage (--group-by KEY): call sites added up by module, file,
 * function or directory. A group row carries its key in the record field of
 * that name (a directory in the file field), the sums of bytes and calls
 * (and of the old counters, after a diff), and how many call sites it has.
 */
#ifndef ALLOCQ_GROUP_H
#define ALLOCQ_GROUP_H

#include "query.h"
#include "record.h"

/* Replaces the call sites of @rows by their groups, in order of first occurrence. */
void group_rows(struct record_list *rows, enum group_key key, unsigned dir_depth);

#endif
