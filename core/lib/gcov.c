/*
 * gcov.c - the coverage image's dump: libgcov serialises, this file frames.
 *
 * GCC's documented path for a freestanding target: compile with
 * -fprofile-info-section, so each object's gcov_info is reachable from the
 * section .gcov_info with no constructor and no file system, and hand each
 * to libgcov's __gcov_info_to_gcda(), which produces the .gcda bytes of the
 * compiler that built the object (its format, its version, its checksums:
 * nothing here knows the layout).  This file collects those bytes for every
 * object before sending the first line, then sends them framed and CRC-32
 * checked (gcov.h) through the console.  The host (kit/gcov_dump.py,
 * kit/gcda.py) writes them beside the .gcno files and runs lcov.
 *
 * This file is never instrumented itself (kit/coverage.py leaves it out):
 * its own counters would change while it reads them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "gcov.h"
#include "irq.h"
#include "kstring.h"
#include "panic.h"
#include "printk.h"

struct gcov_info;

/* libgcov (GCC's gcov.h declares it the same way). */
void __gcov_info_to_gcda(const struct gcov_info *info,
			 void (*filename_fn)(const char *name, void *arg),
			 void (*dump_fn)(const void *data, unsigned int n, void *arg),
			 void *(*allocate_fn)(unsigned int n, void *arg), void *arg);

/* The linker scripts' bounds of .gcov_info: one pointer per object. */
extern const struct gcov_info *const __gcov_info_start[];
extern const struct gcov_info *const __gcov_info_end[];

/*
 * Every object is serialised before the first byte is sent: printing runs
 * instrumented code (format, the UART driver), and counters read after
 * that would count the dump itself.  The test images send 15-60 KiB;
 * 256 KiB leaves room, and a dump that does not fit says so instead of
 * sending part of the data.
 */
#define GCOV_ARENA_SIZE (256u * 1024u)

/* Bytes of payload per data line: 48 bytes are 64 base64 characters. */
#define GCOV_LINE_BYTES 48u

static int gcov_dumped;
static uint8_t gcov_arena[GCOV_ARENA_SIZE] __attribute__((aligned(8)));

/* One object in the arena: its .gcda path, then @size bytes of .gcda. */
struct gcda_record {
	const char *path;
	uint32_t size;
	uint32_t pad;
	uint8_t data[];
};

struct collector {
	uint8_t *pos;                   /* the next record */
	struct gcda_record *cur;        /* the one being filled */
	bool overflow;
	bool bad_path;
	unsigned int files;
};

static size_t room(const struct collector *c)
{
	return (size_t)(gcov_arena + sizeof(gcov_arena) - c->pos);
}

/* A path with a line break would break the line framing. */
static bool printable_path(const char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			return false;
	return true;
}

/* libgcov: the object's .gcda path, before its data. */
static void gcda_filename(const char *name, void *arg)
{
	struct collector *c = arg;

	c->cur = NULL;
	if (c->overflow)
		return;
	if (room(c) < sizeof(struct gcda_record)) {
		c->overflow = true;
		return;
	}
	c->bad_path = c->bad_path || !printable_path(name);
	c->cur = (struct gcda_record *)c->pos;
	c->cur->path = name;
	c->cur->size = 0;
	c->pos += sizeof(struct gcda_record);
	c->files++;
}

/* libgcov: the next @n bytes of that .gcda. */
static void gcda_data(const void *data, unsigned int n, void *arg)
{
	struct collector *c = arg;

	if (c->overflow || !c->cur)
		return;
	if (room(c) < n) {
		c->overflow = true;
		return;
	}
	memcpy(c->pos, data, n);
	c->pos += n;
	c->cur->size += n;
}

/*
 * libgcov asks for memory only to write top-N value profiles, which
 * --coverage does not make: refusing is the right answer if it ever asks.
 */
static void *gcda_allocate(unsigned int n, void *arg)
{
	(void)n;
	(void)arg;
	return NULL;
}

/*
 * The hosted x86_64 libgcov (Debian's gcc) names abort() and mmap() for its
 * top-N writer's allocation; --coverage never reaches them.  The riscv64
 * libgcov, built without a C library, names neither.
 */
_Noreturn void abort(void);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);

_Noreturn void abort(void)
{
	panic("gcov: libgcov called abort()");
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	(void)addr, (void)prot, (void)flags, (void)fd, (void)off;
	panic("gcov: libgcov asked for %zu bytes (top-N profiles are not supported)", len);
}

/*
 * Each gcov_info names the function that merges a kind of counter with the
 * .gcda already on disk, so that runs accumulate; only libgcov's file
 * writer (__gcov_dump) calls it, never __gcov_info_to_gcda().  The kernel
 * has no earlier .gcda (runs are merged on the host, lcov -a), and the
 * hosted x86_64 libgcov's merge reads files with stdio: this empty one
 * keeps that out of the image.
 */
void __gcov_merge_add(int64_t *counters, unsigned int n);

void __gcov_merge_add(int64_t *counters, unsigned int n)
{
	(void)counters;
	(void)n;
}

/* CRC-32 as in zlib, gzip and PNG (reflected, polynomial 0xEDB88320). */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void base64(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (; n >= 3; n -= 3, in += 3) {
		uint32_t v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];

		*out++ = digits[v >> 18];
		*out++ = digits[(v >> 12) & 63];
		*out++ = digits[(v >> 6) & 63];
		*out++ = digits[v & 63];
	}
	if (n) {
		uint32_t v = (uint32_t)in[0] << 16 | (n == 2 ? (uint32_t)in[1] << 8 : 0);

		*out++ = digits[v >> 18];
		*out++ = digits[(v >> 12) & 63];
		*out++ = n == 2 ? digits[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/*
 * Straight to the console, not printk(): the dump may run in panic(),
 * perhaps from inside printk() with its lock held.
 */
static void emit(const char *s)
{
	while (*s)
		arch_console_putc(*s++);
}

static void send_file(const struct gcda_record *r)
{
	char line[(GCOV_LINE_BYTES / 3) * 4 + 1];

	ksnprintf(line, sizeof(line), GCOV_DUMP_PREFIX "file %u %08x ", (unsigned int)r->size,
		  (unsigned int)crc32(r->data, r->size));
	emit(line);
	emit(r->path);
	emit("\n");
	for (size_t off = 0; off < r->size; off += GCOV_LINE_BYTES) {
		size_t n = r->size - off < GCOV_LINE_BYTES ? r->size - off : GCOV_LINE_BYTES;

		emit(GCOV_DUMP_PREFIX "data ");
		base64(line, r->data + off, n);
		emit(line);
		emit("\n");
	}
}

void gcov_dump(void)
{
	struct collector c = { gcov_arena, NULL, false, false, 0 };
	unsigned long flags;
	char line[160];

	if (__atomic_exchange_n(&gcov_dumped, 1, __ATOMIC_ACQ_REL))
		return;

	/*
	 * Snapshot every object before the first line is sent.  Interrupts
	 * stay off meanwhile: nothing may count during the snapshot, and the
	 * x86_64 libgcov is hosted code that keeps data in the red zone below
	 * its stack pointer, which an interrupt on the kernel stack would
	 * overwrite.
	 */
	flags = irq_save();
	for (const struct gcov_info *const *p = __gcov_info_start; p < __gcov_info_end; p++) {
		__gcov_info_to_gcda(*p, gcda_filename, gcda_data, gcda_allocate, &c);
		/* Records stay 8-byte aligned for the next one's path pointer. */
		while (!c.overflow && ((uintptr_t)c.pos & 7u)) {
			if (room(&c) == 0)
				c.overflow = true;
			else
				*c.pos++ = 0;
		}
	}
	irq_restore(flags);

	ksnprintf(line, sizeof(line), GCOV_DUMP_PREFIX "begin v%d\n", GCOV_DUMP_FORMAT);
	emit(line);
	if (c.bad_path) {
		emit(GCOV_DUMP_PREFIX "error a .gcda path contains a line break\n");
		return;
	}
	if (c.overflow) {
		ksnprintf(line, sizeof(line), GCOV_DUMP_PREFIX "error the coverage data of %zu "
			  "objects do not fit the %zu-byte buffer (GCOV_ARENA_SIZE in core/lib/gcov.c)\n",
			  (size_t)(__gcov_info_end - __gcov_info_start), sizeof(gcov_arena));
		emit(line);
		return;
	}
	for (const uint8_t *pos = gcov_arena; pos < c.pos;) {
		const struct gcda_record *r = (const struct gcda_record *)pos;

		send_file(r);
		pos += sizeof(*r) + ((r->size + 7u) & ~7u);
	}
	ksnprintf(line, sizeof(line), GCOV_DUMP_PREFIX "end %u\n", c.files);
	emit(line);
}
