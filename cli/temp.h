/*
 * Temporary files that are renamed into place once whole (--output-file's,
 * the name cache's). Until then every fatal path removes them: die(), and
 * the signals that would end allocq (SIGHUP, SIGINT, SIGQUIT, SIGTERM,
 * SIGALRM, ...), where allocq has no handler of its own (--watch ends on
 * SIGINT and SIGTERM after a whole sample). SIGKILL cannot be caught: the
 * cache sweeps its own leftovers.
 */
#ifndef ALLOCQ_TEMP_H
#define ALLOCQ_TEMP_H

/*
 * Creates @name in @dir (O_EXCL, mode 0600, for writing) and removes it on
 * a fatal path until temp_done(); @name must live until then. An fd, or -1
 * (errno).
 */
int temp_create(int dir, const char *name);
/* @name is no longer removed on a fatal path: renamed, or removed already. */
void temp_done(const char *name);

#endif
