/*
 * gcov.c - the gcov runtime of the coverage image.
 *
 * A freestanding kernel has no libgcov that works (Debian's riscv64 one is
 * built without a C library: its __gcov_init does nothing) and no file
 * system to write .gcda files to.  So this runtime keeps the list of
 * instrumented objects itself and, at the end of the run, turns each into
 * the bytes of a GCC 12 .gcda file and sends them over the console in the
 * framing described in gcov.h.  The host (kit/gcov_dump.py, kit/gcda.py)
 * writes them beside the .gcno files and runs lcov.
 *
 * This file is never instrumented itself (the build compiles it without
 * --coverage): its own counters would change while it reads them.
 *
 * .gcda layout written here (GCC 12; all words 32-bit little endian, the
 * byte order of both targets; gcov detects the order from the magic):
 *
 *     magic "gcda", version, stamp, checksum
 *     OBJECT_SUMMARY: tag, length 8, runs, sum_max
 *     per function:   tag FUNCTION, length 12, ident, lineno_checksum,
 *                     cfg_checksum (length 0 and nothing else for a
 *                     discarded COMDAT copy)
 *       per counter kind in use: tag, length = 8 * num, num 64-bit values
 *                     as low word then high word; all-zero arrays are
 *                     written as length -(8 * num) with no values, as
 *                     GCC 12's own runtime does
 *     a zero word ending the records
 *
 * Record lengths are in bytes since GCC 12 (they were words before).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gcov.h"
#include "printk.h"

/* The layout is the compiler's ABI: refuse to build if it ever differs. */
_Static_assert(sizeof(void *) == 8, "gcov.h describes the LP64 layout of gcov_info");
_Static_assert(offsetof(struct gcov_info, next) == 8, "gcov_info.next");
_Static_assert(offsetof(struct gcov_info, stamp) == 16, "gcov_info.stamp");
_Static_assert(offsetof(struct gcov_info, checksum) == 20, "gcov_info.checksum");
_Static_assert(offsetof(struct gcov_info, filename) == 24, "gcov_info.filename");
_Static_assert(offsetof(struct gcov_info, merge) == 32, "gcov_info.merge");
_Static_assert(offsetof(struct gcov_info, n_functions) == 96, "gcov_info.n_functions");
_Static_assert(offsetof(struct gcov_info, functions) == 104, "gcov_info.functions");
_Static_assert(offsetof(struct gcov_fn_info, ctrs) == 24, "gcov_fn_info.ctrs");

#define GCOV_DATA_MAGIC 0x67636461u        /* "gcda" */
#define GCOV_TAG_FUNCTION 0x01000000u
#define GCOV_TAG_FUNCTION_LENGTH 12u
#define GCOV_TAG_COUNTER_BASE 0x01a10000u
#define GCOV_TAG_OBJECT_SUMMARY 0xa1000000u
#define GCOV_TAG_SUMMARY_LENGTH 8u

/*
 * Every object is serialised before the first byte is sent: printing runs
 * instrumented code (printk, format, the UART driver), and counters read
 * after that would count the dump itself.  The simpleheap test image
 * sends about 15 KiB; 128 KiB leaves room for much larger variants, and
 * a dump that does not fit says so instead of sending part of the data.
 */
#define GCOV_ARENA_SIZE (128u * 1024u)

/* Bytes of payload per data line: 48 bytes are 64 base64 characters. */
#define GCOV_LINE_BYTES 48u

static struct gcov_info *gcov_head;
static struct gcov_info *gcov_tail;
static unsigned int gcov_count;
static int gcov_dumped;
static uint8_t gcov_arena[GCOV_ARENA_SIZE] __attribute__((aligned(8)));

/*
 * Constructors run in link order; appending keeps the dump in that order,
 * so two runs of one image produce the same byte stream.
 */
void __gcov_init(struct gcov_info *info)
{
	info->next = NULL;
	if (gcov_tail)
		gcov_tail->next = info;
	else
		gcov_head = info;
	gcov_tail = info;
	gcov_count++;
}

/*
 * GCC's destructors call this to write the data of a hosted program at
 * exit.  The kernel never runs destructors (x86_64 even discards
 * .fini_array), but if one ever did, this is the right thing for it to do;
 * gcov_dump() makes a second call harmless.
 */
void __gcov_exit(void)
{
	gcov_dump();
}

/*
 * libgcov's merge adds the counters of the .gcda already on disk to this
 * run's, so that runs accumulate.  The kernel has no earlier .gcda: merging
 * with nothing leaves the counters as they are.  Runs are merged on the
 * host instead (lcov -a).  The compiler only needs the symbol, as the
 * marker that arc counters are in use.
 */
void __gcov_merge_add(gcov_type *counters, gcov_unsigned_t n)
{
	(void)counters;
	(void)n;
}

/* Counters may be updated atomically (-fprofile-update=atomic): read them so. */
static uint64_t counter(const struct gcov_ctr_info *ctr, gcov_unsigned_t i)
{
	return (uint64_t)__atomic_load_n(&ctr->values[i], __ATOMIC_RELAXED);
}

static bool all_zero(const struct gcov_ctr_info *ctr)
{
	for (gcov_unsigned_t i = 0; i < ctr->num; i++)
		if (counter(ctr, i))
			return false;
	return true;
}

static bool fn_has_data(const struct gcov_info *info, const struct gcov_fn_info *fn)
{
	return fn && fn->key == info;
}

/*
 * Bytes of one object's .gcda.  Only arrays whose values are all zero have
 * a data-dependent size; the size is computed on the same counters the
 * writer reads, and nothing instrumented runs in between.
 */
static size_t gcda_size(const struct gcov_info *info)
{
	size_t size = 4 * 4 + (8 + GCOV_TAG_SUMMARY_LENGTH) + 4;

	for (unsigned int f = 0; f < info->n_functions; f++) {
		const struct gcov_fn_info *fn = info->functions[f];
		const struct gcov_ctr_info *ctr;

		size += 8;
		if (!fn_has_data(info, fn))
			continue;
		size += GCOV_TAG_FUNCTION_LENGTH;
		ctr = fn->ctrs;
		for (unsigned int t = 0; t < GCOV_COUNTERS; t++) {
			if (!info->merge[t])
				continue;
			size += 8;
			if (!all_zero(ctr))
				size += (size_t)ctr->num * 8;
			ctr++;
		}
	}
	return size;
}

/* The largest arc counter of the run: the summary's sum_max. */
static uint64_t run_max(void)
{
	uint64_t max = 0;

	for (const struct gcov_info *info = gcov_head; info; info = info->next) {
		if (!info->merge[GCOV_COUNTER_ARCS])
			continue;
		for (unsigned int f = 0; f < info->n_functions; f++) {
			const struct gcov_fn_info *fn = info->functions[f];

			if (!fn_has_data(info, fn))
				continue;
			/* Arcs are the first kind, so their array is ctrs[0]. */
			for (gcov_unsigned_t i = 0; i < fn->ctrs[0].num; i++)
				if (counter(&fn->ctrs[0], i) > max)
					max = counter(&fn->ctrs[0], i);
		}
	}
	return max;
}

/*
 * Writes into the arena, never past @end.  The sizes computed beforehand
 * make an overflow impossible while one CPU runs; the check keeps a
 * counter that another CPU turns from zero to non-zero between sizing and
 * writing from ever corrupting memory.
 */
struct writer {
	uint8_t *pos;
	uint8_t *end;
	bool overflow;
};

static void put_u32(struct writer *w, uint32_t v)
{
	if (w->end - w->pos < 4) {
		w->overflow = true;
		return;
	}
	w->pos[0] = (uint8_t)v;
	w->pos[1] = (uint8_t)(v >> 8);
	w->pos[2] = (uint8_t)(v >> 16);
	w->pos[3] = (uint8_t)(v >> 24);
	w->pos += 4;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u64(struct writer *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void write_gcda(struct writer *w, const struct gcov_info *info, uint32_t sum_max)
{
	put_u32(w, GCOV_DATA_MAGIC);
	put_u32(w, info->version);
	put_u32(w, info->stamp);
	put_u32(w, info->checksum);
	put_u32(w, GCOV_TAG_OBJECT_SUMMARY);
	put_u32(w, GCOV_TAG_SUMMARY_LENGTH);
	put_u32(w, 1);                  /* runs: this boot */
	put_u32(w, sum_max);

	for (unsigned int f = 0; f < info->n_functions; f++) {
		const struct gcov_fn_info *fn = info->functions[f];
		const struct gcov_ctr_info *ctr;

		put_u32(w, GCOV_TAG_FUNCTION);
		if (!fn_has_data(info, fn)) {
			put_u32(w, 0);
			continue;
		}
		put_u32(w, GCOV_TAG_FUNCTION_LENGTH);
		put_u32(w, fn->ident);
		put_u32(w, fn->lineno_checksum);
		put_u32(w, fn->cfg_checksum);
		/*
		 * Every kind in use is a plain array of sums: the only merge
		 * function this runtime provides is __gcov_merge_add, so code
		 * using the other kinds (top-N, indirect call, ior, time
		 * profile) would not link against it.
		 */
		ctr = fn->ctrs;
		for (unsigned int t = 0; t < GCOV_COUNTERS; t++) {
			uint32_t bytes;

			if (!info->merge[t])
				continue;
			bytes = ctr->num * 8u;
			put_u32(w, GCOV_TAG_COUNTER_BASE + ((uint32_t)t << 17));
			if (all_zero(ctr)) {
				put_u32(w, (uint32_t)0 - bytes);
			} else {
				put_u32(w, bytes);
				for (gcov_unsigned_t i = 0; i < ctr->num; i++)
					put_u64(w, counter(ctr, i));
			}
			ctr++;
		}
	}
	put_u32(w, 0);
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

/* A path with a line break would break the line framing. */
static bool printable_path(const char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			return false;
	return true;
}

static void send_file(const char *path, const uint8_t *data, size_t size)
{
	char line[(GCOV_LINE_BYTES / 3) * 4 + 1];

	printk(GCOV_DUMP_PREFIX "file %zu %08x %s\n", size, (unsigned int)crc32(data, size), path);
	for (size_t off = 0; off < size; off += GCOV_LINE_BYTES) {
		size_t n = size - off < GCOV_LINE_BYTES ? size - off : GCOV_LINE_BYTES;

		base64(line, data + off, n);
		printk(GCOV_DUMP_PREFIX "data %s\n", line);
	}
}

void gcov_dump(void)
{
	struct writer w = { gcov_arena, gcov_arena + sizeof(gcov_arena), false };
	const uint8_t *pos;
	size_t need = 0;
	bool paths_ok = true;

	if (__atomic_exchange_n(&gcov_dumped, 1, __ATOMIC_ACQ_REL))
		return;

	/*
	 * Snapshot every object before the first line is printed: from then
	 * on printk and the console driver, themselves instrumented, count
	 * the dump's own lines.  Each file goes into the arena behind its
	 * length (4 bytes).
	 */
	for (const struct gcov_info *info = gcov_head; info; info = info->next) {
		need += 4 + gcda_size(info);
		paths_ok = paths_ok && printable_path(info->filename);
	}
	if (paths_ok && need <= sizeof(gcov_arena)) {
		uint64_t max = run_max();
		uint32_t sum_max = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;

		for (const struct gcov_info *info = gcov_head; info; info = info->next) {
			uint8_t *len = w.pos;

			put_u32(&w, 0);
			write_gcda(&w, info, sum_max);
			if (!w.overflow) {
				struct writer fix = { len, len + 4, false };

				put_u32(&fix, (uint32_t)(w.pos - len - 4));
			}
		}
	}

	printk(GCOV_DUMP_PREFIX "begin v%d\n", GCOV_DUMP_FORMAT);
	if (!paths_ok) {
		printk(GCOV_DUMP_PREFIX "error a .gcda path contains a line break\n");
		return;
	}
	if (need > sizeof(gcov_arena) || w.overflow) {
		printk(GCOV_DUMP_PREFIX "error %zu bytes of coverage data do not fit the %zu-byte "
		       "buffer (GCOV_ARENA_SIZE in core/lib/gcov.c)\n", need, sizeof(gcov_arena));
		return;
	}
	pos = gcov_arena;
	for (const struct gcov_info *info = gcov_head; info; info = info->next) {
		uint32_t size = get_u32(pos);

		send_file(info->filename, pos + 4, size);
		pos += 4 + size;
	}
	printk(GCOV_DUMP_PREFIX "end %u\n", gcov_count);
}
