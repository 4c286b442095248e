#define _GNU_SOURCE
#include <errno.h>
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
	off_t at;		/* mapped: where the window starts in the file */
	char *window;
	size_t len, pos;
	char buffer[STREAM_BUFFER];	/* stdio's */
};

/*
 * allocq reads one file at a time: one stream, nothing allocated that a
 * die() could lose (and zeroed: its buffer takes no room in the binary).
 * Should a second be opened meanwhile, it gets plain stdio.
 */
static struct stream one;
static char *bus_line;		/* what to say on SIGBUS */
static size_t bus_len;

static void on_sigbus(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, bus_line, bus_len);
	(void)n;
	_exit(EXIT_RUNTIME);
}

static void unmap(struct stream *s)
{
	if (s->window)
		munmap(s->window, s->len);
	s->window = NULL;
	s->len = s->pos = 0;
}

/* Maps the next window: 1, or 0 at the end of the file, or -1 (errno). */
static int next_window(struct stream *s)
{
	struct stat st;

	s->at += s->len;
	unmap(s);
	/* the size now: the file may have grown since the last window */
	if (fstat(s->fd, &st))
		return -1;
	if (st.st_size <= s->at)
		return 0;
	s->len = st.st_size - s->at < STREAM_WINDOW ? st.st_size - s->at : STREAM_WINDOW;
	s->window = mmap(NULL, s->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, s->fd, s->at);
	if (s->window != MAP_FAILED)
		return 1;
	s->window = NULL;
	s->len = 0;
	return -1;
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
	memcpy(buf, s->window + s->pos, n);
	s->pos += n;
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
	s->open = false;
	return ret;
}

static void catch_sigbus(const char *label)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	free(bus_line);
	bus_line = die_line("cannot read %s: the file was cut short while allocq read it: "
			    "check the file", label);
	bus_len = strlen(bus_line);
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
	one.at = 0;
	one.window = NULL;
	one.len = one.pos = 0;
	if (one.mapped)
		catch_sigbus(label);
	f = fopencookie(&one, "r", io);
	if (!f) {
		one.open = false;
		return NULL;
	}
	setvbuf(f, one.buffer, _IOFBF, sizeof(one.buffer));
	return f;
}
