/*
 * trace.c - libmmtrace.so: records a program's allocation pattern, for
 * ./build.py realbench --record (kit/traces.py).  glibc's malloc still
 * serves every call (through its __libc_* entry points); the library only
 * writes down what was asked.
 *
 * The trace is the first TRACE_MAX_OPS operations: "a SLOT SIZE" (an
 * allocation, calloc and the aligned forms included), "f SLOT" (a free),
 * "r SLOT SIZE" (a realloc that keeps its slot).  A slot is a small
 * number standing for a live block: the lowest one free when it was
 * allocated, so the replay needs only as many slots as were ever live at
 * once.  Frees of blocks the trace never saw (allocated before the
 * library started, or after the limit) are left out.
 *
 * At exit each process writes its own file, $MMKIT_TRACE_OUT.<pid>: gcc
 * forks cc1 and as, and the kit keeps the process with the most
 * operations.  Everything here runs inside malloc: no stdio, no malloc;
 * the tables are mmap()ed.  One lock: threads' operations go in the order
 * they took it.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TRACE_MAX_OPS 20000
#define TABLE 65536          /* pointer -> slot hash, a power of two above 2 * TRACE_MAX_OPS */
#define PUBLIC __attribute__((visibility("default")))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

struct op {
	char kind;           /* 'a', 'f', 'r' */
	uint32_t slot;
	uint64_t size;
};

struct entry {
	uintptr_t ptr;       /* 0: empty */
	uint32_t slot;
};

static struct op *ops;
static size_t nr_ops;
static struct entry *table;
static uint8_t *slot_used;
static int lock_word;

static void lock(void)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

static int ready(void)
{
	if (ops)
		return 1;
	ops = mmap(NULL, sizeof(*ops) * TRACE_MAX_OPS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	table = mmap(NULL, sizeof(*table) * TABLE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slot_used = mmap(NULL, TRACE_MAX_OPS, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ops == MAP_FAILED || table == MAP_FAILED || slot_used == MAP_FAILED) {
		ops = NULL;
		return 0;
	}
	return 1;
}

static size_t hash(uintptr_t p)
{
	return (size_t)(((uint64_t)p >> 4) * 0x9e3779b97f4a7c15ull >> 40) & (TABLE - 1);
}

static struct entry *find(uintptr_t p)
{
	for (size_t i = hash(p);; i = (i + 1) & (TABLE - 1)) {
		if (table[i].ptr == p || !table[i].ptr)
			return &table[i];
	}
}

/* Remove @e, keeping every other entry reachable (backward shift). */
static void erase(struct entry *e)
{
	size_t hole = (size_t)(e - table), i = hole;

	table[hole].ptr = 0;
	for (;;) {
		size_t home;

		i = (i + 1) & (TABLE - 1);
		if (!table[i].ptr)
			return;
		home = hash(table[i].ptr);
		if (hole <= i ? (home <= hole || home > i) : (home <= hole && home > i)) {
			table[hole] = table[i];
			table[i].ptr = 0;
			hole = i;
		}
	}
}

static void record_alloc(void *p, size_t size)
{
	struct entry *e;
	uint32_t s = 0;

	if (!p)
		return;
	lock();
	if (ready() && nr_ops < TRACE_MAX_OPS) {
		while (slot_used[s])
			s++;
		slot_used[s] = 1;
		e = find((uintptr_t)p);
		e->ptr = (uintptr_t)p;
		e->slot = s;
		ops[nr_ops++] = (struct op){ 'a', s, size };
	}
	unlock();
}

static void record_free(void *p)
{
	struct entry *e;

	if (!p)
		return;
	lock();
	if (ops && nr_ops < TRACE_MAX_OPS) {
		e = find((uintptr_t)p);
		if (e->ptr) {
			slot_used[e->slot] = 0;
			ops[nr_ops++] = (struct op){ 'f', e->slot, 0 };
			erase(e);
		}
	}
	unlock();
}

/* realloc(@old) gave @q: the same slot, moved or not. */
static void record_realloc(void *old, void *q, size_t size)
{
	struct entry *e;
	uint32_t s;

	lock();
	if (ops && nr_ops < TRACE_MAX_OPS) {
		e = find((uintptr_t)old);
		if (e->ptr) {
			s = e->slot;
			erase(e);
			e = find((uintptr_t)q);
			e->ptr = (uintptr_t)q;
			e->slot = s;
			ops[nr_ops++] = (struct op){ 'r', s, size };
		}
	}
	unlock();
}

PUBLIC void *malloc(size_t n)
{
	void *p = __libc_malloc(n);

	record_alloc(p, n);
	return p;
}

PUBLIC void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);

	record_alloc(p, n * size);
	return p;
}

PUBLIC void free(void *p)
{
	record_free(p);
	__libc_free(p);
}

PUBLIC void *realloc(void *p, size_t n)
{
	void *q;

	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	q = __libc_realloc(p, n);
	if (q)
		record_realloc(p, q, n);
	return q;
}

PUBLIC void *memalign(size_t align, size_t n)
{
	void *p = __libc_memalign(align, n);

	record_alloc(p, n);
	return p;
}

PUBLIC void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

PUBLIC int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

PUBLIC void *valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

/* ---- writing the trace at exit ------------------------------------------------ */

static char buf[1 << 16];
static size_t len;

static void flush(int fd)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	len = 0;
}

static void put(int fd, const char *s)
{
	while (*s) {
		if (len == sizeof(buf))
			flush(fd);
		buf[len++] = *s++;
	}
}

static void put_u64(int fd, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(fd, tmp + i);
}

__attribute__((destructor)) static void write_trace(void)
{
	const char *base = getenv("MMKIT_TRACE_OUT");
	char path[4096];
	size_t n;
	int fd;

	if (!base || !ops)
		return;
	n = strlen(base);
	if (n > sizeof(path) - 32)
		return;
	memcpy(path, base, n);
	len = 0;
	/* $MMKIT_TRACE_OUT.<pid>: the digits written backwards, then reversed. */
	path[n++] = '.';
	for (pid_t pid = getpid(), start = (pid_t)n; ; ) {
		path[n++] = (char)('0' + pid % 10);
		pid /= 10;
		if (!pid) {
			for (size_t a = (size_t)start, b = n - 1; a < b; a++, b--) {
				char t = path[a];

				path[a] = path[b];
				path[b] = t;
			}
			break;
		}
	}
	path[n] = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	lock();
	for (size_t i = 0; i < nr_ops; i++) {
		char kind[3] = { ops[i].kind, ' ', 0 };

		put(fd, kind);
		put_u64(fd, ops[i].slot);
		if (ops[i].kind != 'f') {
			put(fd, " ");
			put_u64(fd, ops[i].size);
		}
		put(fd, "\n");
	}
	unlock();
	flush(fd);
	close(fd);
}
