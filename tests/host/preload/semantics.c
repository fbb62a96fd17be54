/*
 * semantics.c - checks that libmmkit.so behaves as glibc's malloc where a
 * program can tell: run it with LD_PRELOAD=<out>/preload/libmmkit.so
 * (tests/test_preload.py builds it with the host's compiler and runs it
 * under each variant).  Not part of the library.
 *
 *     semantics api       the API's documented semantics, threads, fork(),
 *                         dlopen(); last line "semantics: N checks passed"
 *     semantics misuse    free() of a pointer nobody allocated, then a double
 *                         free: the program goes on, the reports are on
 *                         stderr (the test reads them)
 *     semantics quiet     a few allocations left live at exit (the test
 *                         checks stderr stays empty unless MMKIT_LEAK_REPORT)
 *
 * A failed check prints "FAIL file:line: expression" and the run exits 1.
 * The library's own figures come from mmkit_preload_stats(), found with
 * dlsym(): without it the program is not running on mmkit and says so.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmkit_preload.h"

#define PAGE 4096u

static unsigned int checks, failures;

#define CHECK(expr) do {                                                        \
		checks++;                                                       \
		if (!(expr)) {                                                  \
			failures++;                                             \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr);  \
		}                                                               \
	} while (0)

typedef size_t (*stats_fn)(struct mmkit_preload_stats *, size_t);
static stats_fn stats_of;

static struct mmkit_preload_stats stats(void)
{
	struct mmkit_preload_stats st;

	stats_of(&st, sizeof(st));
	return st;
}

static int filled(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return 0;
	}
	return 1;
}

/* Values the compiler cannot see through, so that no call is folded away. */
static volatile size_t opaque_zero, huge = SIZE_MAX;

static void check_zero_and_null(void)
{
	void *a = malloc(opaque_zero), *b = malloc(opaque_zero);
	void *c;

	/* malloc(0): a unique pointer, freeable, not NULL. */
	CHECK(a && b && a != b);
	free(a);
	free(b);
	free(NULL);
	CHECK(malloc_usable_size(NULL) == 0);
	/* realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL. */
	c = realloc(NULL, 40);
	CHECK(c != NULL);
	CHECK(realloc(c, opaque_zero) == NULL);
	c = calloc(opaque_zero, 8);
	CHECK(c != NULL);
	free(c);
}

static void check_failures(void)
{
	size_t n = huge, above_ptrdiff = n / 2 + 1;
	void *p = malloc(16), *q;

	errno = 0;
	CHECK(malloc(n) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc(above_ptrdiff) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc(n / 2, 3) == NULL && errno == ENOMEM);   /* the product overflows */
	errno = 0;
	/* A failed realloc leaves the block as it was. */
	q = realloc(p, n);
	CHECK(q == NULL && errno == ENOMEM);
	if (!q)
		free(p);
	/* free() keeps errno. */
	p = malloc(100);
	errno = 1234;
	free(p);
	CHECK(errno == 1234);
}

static void check_alignment_and_sizes(void)
{
	/* Every request of more than 8 bytes is 16-aligned, as glibc's on 64-bit. */
	for (size_t n = 1; n <= 3 * PAGE; n += (n < 300 ? 1 : 37)) {
		unsigned char *p = malloc(n);
		size_t usable = malloc_usable_size(p);

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK((uintptr_t)p % (n > 8 ? 16 : 8) == 0);
		CHECK(usable >= n);
		memset(p, 0xa5, usable);   /* all of it is the program's */
		free(p);
	}
	/* calloc() is zero even over a block that was dirty when freed. */
	for (size_t n = 8; n <= 64 * 1024; n *= 2) {
		unsigned char *d = malloc(n), *z;

		memset(d, 0xff, n);
		free(d);
		z = calloc(1, n);
		CHECK(z && filled(z, n, 0));
		free(z);
	}
}

static void check_realloc(void)
{
	unsigned char *p = malloc(10);

	for (size_t i = 0; i < 10; i++)
		p[i] = (unsigned char)i;
	/* Grow through every kind of block: small, page-sized, past a direct mapping. */
	for (size_t n = 17; n <= (size_t)stats().direct_threshold * 2; n = n * 3 + 1) {
		p = realloc(p, n);
		CHECK(p != NULL);
		if (!p)
			return;
		for (size_t i = 0; i < 10; i++)
			CHECK(p[i] == (unsigned char)i);
	}
	p = realloc(p, 5);
	CHECK(p != NULL);
	if (!p)
		return;
	for (size_t i = 0; i < 5; i++)
		CHECK(p[i] == (unsigned char)i);
	free(p);
}

static void check_aligned(void)
{
	struct mmkit_preload_stats before = stats(), after;
	void *p;

	/* Bad alignments: EINVAL. */
	CHECK(posix_memalign(&p, 24, 100) == EINVAL);
	CHECK(posix_memalign(&p, 4, 100) == EINVAL);   /* not a multiple of sizeof(void *) */
	CHECK(posix_memalign(&p, 0, 100) == EINVAL);
	errno = 0;
	CHECK(aligned_alloc(3, 100) == NULL && errno == EINVAL);
	/* Good ones, up to far above a page (aligned page runs, then direct mappings). */
	for (size_t a = sizeof(void *); a <= 1u << 24; a *= 2) {
		size_t sizes[] = { 1, a / 2 + 1, a, 3 * a + 5 };

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			void *q = NULL;

			CHECK(posix_memalign(&q, a, sizes[i]) == 0);
			CHECK(q && (uintptr_t)q % a == 0);
			if (!q)
				continue;
			CHECK(malloc_usable_size(q) >= sizes[i]);
			memset(q, 1, sizes[i]);
			free(q);
			q = aligned_alloc(a, sizes[i]);
			CHECK(q && (uintptr_t)q % a == 0);
			free(q);
		}
	}
	after = stats();
	CHECK(after.page_runs > before.page_runs);
	CHECK(after.page_runs_live == before.page_runs_live);
	/* memalign() rounds an alignment up to a power of two, as glibc does. */
	p = memalign(48, 10);
	CHECK(p && (uintptr_t)p % 64 == 0);
	free(p);
	p = valloc(1);
	CHECK(p && (uintptr_t)p % PAGE == 0);
	free(p);
	p = pvalloc(PAGE + 1);
	CHECK(p && (uintptr_t)p % PAGE == 0 && malloc_usable_size(p) >= 2 * PAGE);
	free(p);
}

static void check_direct(void)
{
	struct mmkit_preload_stats before = stats(), mid, after;
	size_t n = (size_t)before.direct_threshold + 1;
	unsigned char *p = malloc(n), *z;

	CHECK(p != NULL);
	if (!p)
		return;
	memset(p, 7, n);
	mid = stats();
	CHECK(mid.direct_maps == before.direct_maps + 1);
	CHECK(mid.direct_live == before.direct_live + 1);
	CHECK(malloc_usable_size(p) >= n);
	p = realloc(p, 3 * n);
	CHECK(p && filled(p, n, 7));
	free(p);
	z = calloc(1, 2 * n);
	CHECK(z && filled(z, 2 * n, 0));
	free(z);
	after = stats();
	CHECK(after.direct_live == before.direct_live);
	CHECK(after.direct_bytes == before.direct_bytes);
	CHECK(after.direct_peak_bytes >= 3 * n);
}

/* ---- threads and fork ----------------------------------------------------------- */

#define THREADS 4

static void *churn(void *arg)
{
	uintptr_t seed = (uintptr_t)arg * 2654435761u + 1;
	unsigned char *slot[64] = { 0 };
	size_t size[64] = { 0 };
	long bad = 0;

	for (int i = 0; i < 100000; i++) {
		unsigned int k;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (unsigned int)(seed >> 33) % 64;
		if (slot[k]) {
			bad += !filled(slot[k], size[k], (unsigned char)k);
			free(slot[k]);
			slot[k] = NULL;
		} else {
			size[k] = 1 + (seed >> 40) % ((seed & 1) ? 9000 : 200);
			slot[k] = malloc(size[k]);
			if (!slot[k])
				return (void *)1;
			memset(slot[k], (unsigned char)k, size[k]);
		}
	}
	for (int k = 0; k < 64; k++)
		free(slot[k]);
	return (void *)(uintptr_t)(bad != 0);
}

static void check_threads(void)
{
	uint64_t live = stats().kmalloc_live;
	pthread_t t[THREADS];
	void *ret;

	for (uintptr_t i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, churn, (void *)(i + 1)) == 0);
	for (int i = 0; i < THREADS; i++) {
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == NULL);   /* every block kept its contents */
	}
	/* What the threads allocated is freed; glibc keeps a few blocks per dead thread. */
	CHECK(stats().kmalloc_live <= live + 16 * THREADS);
}

static volatile int stop;

static void *allocate_until_stopped(void *arg)
{
	(void)arg;
	while (!stop)
		free(malloc(1 + (size_t)rand() % 5000));
	return NULL;
}

/* fork() while another thread allocates: the child's allocator works. */
static void check_fork(void)
{
	pthread_t t;
	int ok = 1;

	CHECK(pthread_create(&t, NULL, allocate_until_stopped, NULL) == 0);
	for (int i = 0; i < 50; i++) {
		int status = -1;
		pid_t pid = fork();

		if (pid == 0) {
			void *p = malloc(64), *q = malloc(20000);

			_exit(p && q ? 0 : 3);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			ok = 0;
	}
	stop = 1;
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(ok);
}

/* The dynamic loader allocates through the preloaded malloc: dlopen() works. */
static void check_dlopen(void)
{
	void *h = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
	double (*cosine)(double);

	CHECK(h != NULL);
	if (!h)
		return;
	*(void **)&cosine = dlsym(h, "cos");
	CHECK(cosine && cosine(0.0) == 1.0);
	CHECK(dlclose(h) == 0);
	CHECK(dlopen("libdoes-not-exist.so", RTLD_NOW) == NULL && dlerror() != NULL);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "api";

	*(void **)&stats_of = dlsym(RTLD_DEFAULT, "mmkit_preload_stats");
	if (!stats_of) {
		printf("semantics: mmkit_preload_stats not found: not running on libmmkit.so\n");
		return 2;
	}
	if (!strcmp(what, "misuse")) {
		char on_stack[32];
		uint64_t before = stats().misuse;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
		free(on_stack + 16);   /* the misuse under test */
#pragma GCC diagnostic pop
		{
			void *volatile p = malloc(40);

			free(p);
			free(p);   /* a double free, at once: every mode catches this one */
		}
		printf("misuse counted: %llu\n", (unsigned long long)(stats().misuse - before));
		return 0;
	}
	if (!strcmp(what, "quiet")) {
		static void *volatile kept[10];

		for (int i = 0; i < 10; i++)
			kept[i] = malloc(100);   /* left live on purpose */
		printf("quiet: done (%d kept)\n", kept[9] != NULL);
		return 0;
	}
	check_zero_and_null();
	check_failures();
	check_alignment_and_sizes();
	check_realloc();
	check_aligned();
	check_direct();
	check_threads();
	check_fork();
	check_dlopen();
	printf("semantics: %u checks, %u failed\n", checks, failures);
	if (!failures)
		printf("semantics: %u checks passed\n", checks);
	return failures ? 1 : 0;
}
