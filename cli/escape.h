/*
 * Names come from snapshots, and snapshots come from bug reports: what a
 * terminal shows must never carry its control sequences. Control characters,
 * bytes that are not UTF-8 and the backslash itself are shown as \xNN, as
 * util-linux shows them; printable UTF-8 passes.
 */
#ifndef ALLOCQ_ESCAPE_H
#define ALLOCQ_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * The length of the next UTF-8 character of @s that can be shown as it is,
 * or 0 when its first byte must be escaped (a control character, a byte that
 * is not UTF-8, a backslash) or @s is at its end.
 */
size_t escape_printable(const char *s);
/*
 * @s with only the bytes that are not UTF-8 shown as \xNN, for formats that
 * escape the rest themselves (JSON, Prometheus); malloc'd.
 */
char *escape_not_utf8(const char *s);
/*
 * @s with the bytes that are not UTF-8 and the backslash shown as \xNN: no
 * two names give the same text (Prometheus label values); malloc'd.
 */
char *escape_label(const char *s);
/* Writes @s to @out escaped. */
void escape_put(const char *s, FILE *out);
/* Columns @s takes on a terminal once escaped: one a character. */
size_t escape_width(const char *s);

#endif
