/* Seccomp run-time cost: ns per getppid() call, median of 5 runs of N calls. Built static and
 * run inside containers by bench/run.sh (with and without a filter). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	double r[5];
	for (int k = 0; k < 5; k++) {
		double t0 = now();
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		r[k] = (now() - t0) / n;
	}
	qsort(r, 5, sizeof r[0], cmp);
	printf("%.1f\n", r[2]);
	return 0;
}
