#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "errors.h"
#include "temp.h"

/* At most one file each for --output-file and the name cache at a time. */
#define TEMPS 2

/* Read by the signal handler: a slot is whole once its name is set. */
static struct {
	int dir;
	const char *volatile name;
} temps[TEMPS];

/* The signals whose default action ends allocq, but for faults (and SIGKILL). */
static const int fatal[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
};

#define NFATAL (sizeof(fatal) / sizeof(fatal[0]))

/* unlinkat() only: safe in a signal handler. */
static void remove_all(void)
{
	for (size_t i = 0; i < TEMPS; i++)
		if (temps[i].name)
			unlinkat(temps[i].dir, temps[i].name, 0);
}

/* The files go, then the signal does its work. */
static void on_fatal(int sig)
{
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool any(void)
{
	for (size_t i = 0; i < TEMPS; i++)
		if (temps[i].name)
			return true;
	return false;
}

/* on_fatal for the signals that would end allocq, or back to their default. */
static void guard(bool on)
{
	for (size_t i = 0; i < NFATAL; i++) {
		struct sigaction old;

		sigaction(fatal[i], NULL, &old);
		if (on && old.sa_handler == SIG_DFL)
			signal(fatal[i], on_fatal);
		else if (!on && old.sa_handler == on_fatal)
			signal(fatal[i], SIG_DFL);
	}
}

/* Blocks the signals on_fatal handles; *old is the mask to restore. */
static void block_fatal(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < NFATAL; i++)
		sigaddset(&set, fatal[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

int temp_create(int dir, const char *name)
{
	sigset_t old;
	size_t i;
	int fd, err;

	for (i = 0; i < TEMPS && temps[i].name; i++)
		;
	if (i == TEMPS)
		abort();	/* a slot more is needed: a bug */
	die_cleanup(remove_all);
	guard(true);
	/* the file and its slot at once: no signal comes in between */
	block_fatal(&old);
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = errno;
	if (fd >= 0) {
		temps[i].dir = dir;
		temps[i].name = name;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!any())
		guard(false);
	errno = err;
	return fd;
}

void temp_done(const char *name)
{
	for (size_t i = 0; i < TEMPS; i++)
		if (temps[i].name == name)
			temps[i].name = NULL;
	if (!any())
		guard(false);
}
