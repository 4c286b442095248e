#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "stream.h"

struct stream {
	bool open;
	int fd;
	bool mapped;
	char *label;		/* the file's name in messages */
	off_t size;		/* mapped: the file's size when opened, its end */
	off_t at;		/* mapped: where the window starts in the file */
	char *window;
	size_t len, pos;
	char buffer[STREAM_BUFFER];	/* stdio's */
};

/*
 * allocq reads one file at a time: one stream, nothing allocated that a
 * die() could lose but its label (and zeroed: its buffer takes no room in
 * the binary). Should a second be opened meanwhile, it gets plain stdio.
 */
static struct stream one;

/* While a window is copied from: where SIGBUS goes (a page the file lost). */
static sigjmp_buf bus_jump;
static volatile sig_atomic_t copying;

static void on_sigbus(int sig)
{
	if (copying)
		siglongjmp(bus_jump, 1);
	/* a fault elsewhere (or a kill): what it would have done unhandled */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Through die(), as every fatal error: its cleanups run (--output-file's temporary). */
static _Noreturn void cut_short(const struct stream *s)
{
	die(EXIT_RUNTIME, "cannot read %s: the file was cut short while allocq read it: "
	    "check the file", s->label);
}

static void unmap(struct stream *s)
{
	if (s->window)
		munmap(s->window, s->len);
	s->window = NULL;
	s->len = s->pos = 0;
}

/*
 * Maps the next window: 1, or 0 at the end of the file, or -1 (errno).
 * The end is where the file ended when opened, not where it ends now: a
 * file cut short meanwhile must not end at a window's edge as if whole.
 */
static int next_window(struct stream *s)
{
	s->at += s->len;
	unmap(s);
	if (s->size <= s->at)
		return 0;
	s->len = s->size - s->at < STREAM_WINDOW ? s->size - s->at : STREAM_WINDOW;
	s->window = mmap(NULL, s->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, s->fd, s->at);
	if (s->window != MAP_FAILED)
		return 1;
	s->window = NULL;
	s->len = 0;
	return -1;
}

/*
 * @n bytes of the window into @buf. A page past the file's end raises
 * SIGBUS; but the page the file now ends in reads as zeros past its end,
 * and so would whole windows, had the file been cut short: it is checked
 * once the bytes are taken, so that none of them comes from after a cut.
 */
static void copy_out(struct stream *s, char *buf, size_t n)
{
	struct stat st;

	if (sigsetjmp(bus_jump, 0)) {
		copying = 0;
		cut_short(s);
	}
	copying = 1;
	memcpy(buf, s->window + s->pos, n);
	copying = 0;
	if (fstat(s->fd, &st) == 0 && st.st_size < s->size)
		cut_short(s);
	s->pos += n;
}

static ssize_t stream_read(void *cookie, char *buf, size_t size)
{
	struct stream *s = cookie;
	size_t n;

	if (!s->mapped) {
		ssize_t got;

		while ((got = read(s->fd, buf, size)) < 0 && errno == EINTR)
			;
		return got;
	}
	if (s->pos == s->len) {
		int got = next_window(s);

		if (got <= 0)
			return got;
	}
	n = s->len - s->pos < size ? s->len - s->pos : size;
	copy_out(s, buf, n);
	return (ssize_t)n;
}

/* Back to the start (rewind), the only seek the parser makes. */
static int stream_seek(void *cookie, off64_t *offset, int whence)
{
	struct stream *s = cookie;

	if (whence != SEEK_SET || *offset != 0) {
		errno = ESPIPE;
		return -1;
	}
	if (!s->mapped)
		return lseek(s->fd, 0, SEEK_SET) < 0 ? -1 : 0;
	unmap(s);
	s->at = 0;
	return 0;
}

static int stream_close(void *cookie)
{
	struct stream *s = cookie;
	int ret;

	unmap(s);
	ret = close(s->fd);
	free(s->label);
	s->label = NULL;
	s->open = false;
	return ret;
}

static void catch_sigbus(void)
{
	/* SA_NODEFER: the jump out of the handler leaves SIGBUS unblocked */
	struct sigaction sa = { .sa_handler = on_sigbus, .sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

FILE *stream_open(int fd, const char *label)
{
	static const cookie_io_functions_t io = {
		.read = stream_read, .seek = stream_seek, .close = stream_close,
	};
	struct stat st;
	FILE *f;

	if (one.open)
		return fdopen(fd, "r");
	/* a /proc file is regular too, but of size 0 */
	/* field by field: a compound literal would copy the buffer too */
	one.open = true;
	one.fd = fd;
	one.mapped = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
	one.label = strdup(label);
	one.size = one.mapped ? st.st_size : 0;
	one.at = 0;
	one.window = NULL;
	one.len = one.pos = 0;
	if (one.mapped)
		catch_sigbus();
	f = one.label ? fopencookie(&one, "r", io) : NULL;
	if (!f) {
		free(one.label);
		one.label = NULL;
		one.open = false;
		return NULL;
	}
	setvbuf(f, one.buffer, _IOFBF, sizeof(one.buffer));
	return f;
}
