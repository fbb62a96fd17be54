/*
 * measure.c - run one command and say how long it took and how much
 * memory it held at most: what ./build.py realbench times (kit/realbench.py).
 *
 *     measure COMMAND [ARG...]
 *
 * Runs COMMAND (found on PATH) with this process's environment, waits for
 * it, and prints one line on stderr, after whatever COMMAND printed:
 *
 *     MEASURE {"wall_ns":N,"maxrss_kib":N,"status":N}
 *
 * wall_ns is CLOCK_MONOTONIC from just before fork() to wait4()'s return.
 * maxrss_kib is wait4()'s ru_maxrss: the largest resident set of COMMAND
 * or of any descendant it waited for (gcc's cc1 and as).  The kernel
 * counts the child's resident set before exec() as well, so this program
 * is linked statically and allocates nothing: a Python parent would add
 * its own ten MiB to every figure.  status is the exit status, or 128 + the
 * signal that ended it.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	struct rusage ru;
	int status, code;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: measure COMMAND [ARG...]\n");
		return 2;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("measure: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("measure: wait4");
		return 2;
	}
	t1 = now_ns();
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "MEASURE {\"wall_ns\":%llu,\"maxrss_kib\":%ld,\"status\":%d}\n",
		t1 - t0, ru.ru_maxrss, code);
	return 0;
}
