// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptime: run a command, or a pipeline of commands separated by "|"
 * arguments, with no shell in between; print what its processes cost.
 *
 *   ptime [-r ROOT] [-o FILE] CMD [ARG...] [ "|" CMD [ARG...] ]...
 *
 * With -r, ptime first chroots to ROOT (the benchmark runs its commands
 * from a tmpfs, where nothing has to be paged in over 9p). stdin is
 * /dev/null. The last command's stdout goes to FILE, or by default into a
 * pipe that ptime reads and discards, as a terminal or a pager would: not
 * to /dev/null, where GNU grep stops at the first match. stderr is
 * inherited. On stdout, one line:
 *
 *   SYS_US USER_US WALL_US MAXRSS_KIB STATUS
 *
 * SYS and USER are the sums over the pipeline's processes (getrusage of
 * each child, from wait4), WALL runs from the first fork to the last exit,
 * MAXRSS is the largest ru_maxrss of them, STATUS is the last non-zero exit
 * status (128 + signal for a signal), 0 if every command succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STAGES 8

static long long us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

static void fail(const char *what)
{
	fprintf(stderr, "ptime: %s: %s\n", what, strerror(errno));
	exit(125);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	char **stage[MAX_STAGES];
	pid_t pid[MAX_STAGES];
	int nstage = 0, i = 1, in, drain = -1, status_out = 0;
	long long sys = 0, user = 0, maxrss = 0;
	struct timespec t0, t1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-o")) {
			out = argv[i + 1];
		} else if (!strcmp(argv[i], "-r")) {
			if (chroot(argv[i + 1]) < 0 || chdir("/") < 0)
				fail(argv[i + 1]);
		} else {
			break;
		}
	}
	if (i >= argc || argv[i][0] == '-' || !strcmp(argv[i], "|")) {
		fprintf(stderr, "usage: ptime [-r ROOT] [-o FILE] CMD [ARG...] [\"|\" CMD [ARG...]]...\n");
		return 125;
	}
	stage[nstage++] = &argv[i];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "|"))
			continue;
		argv[i] = NULL;
		if (i + 1 >= argc || nstage == MAX_STAGES) {
			fprintf(stderr, "ptime: empty command or too many stages\n");
			return 125;
		}
		stage[nstage++] = &argv[i + 1];
	}

	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		fail("/dev/null");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int s = 0; s < nstage; s++) {
		int p[2], outfd;

		if (s + 1 < nstage || !out) {
			if (pipe2(p, O_CLOEXEC) < 0)
				fail("pipe");
			outfd = p[1];
		} else {
			outfd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (outfd < 0)
				fail(out);
		}
		pid[s] = fork();
		if (pid[s] < 0)
			fail("fork");
		if (pid[s] == 0) {
			if (dup2(in, 0) < 0 || dup2(outfd, 1) < 0)
				_exit(126);
			execvp(stage[s][0], stage[s]);
			fprintf(stderr, "ptime: %s: %s\n", stage[s][0], strerror(errno));
			_exit(127);
		}
		close(in);
		close(outfd);
		if (s + 1 < nstage)
			in = p[0];
		else if (!out)
			drain = p[0];
	}
	if (drain >= 0) {
		static char buf[1 << 16];
		ssize_t got;

		while ((got = read(drain, buf, sizeof(buf))) != 0)
			if (got < 0 && errno != EINTR)
				fail("read");
		close(drain);
	}
	for (int s = 0; s < nstage; s++) {
		struct rusage ru;
		int st;

		if (wait4(pid[s], &st, 0, &ru) < 0)
			fail("wait4");
		sys += us(ru.ru_stime);
		user += us(ru.ru_utime);
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (WIFEXITED(st) && WEXITSTATUS(st))
			status_out = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			status_out = 128 + WTERMSIG(st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %lld %lld %lld %d\n", sys, user,
	       (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000,
	       maxrss, status_out);
	return 0;
}
