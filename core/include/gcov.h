/*
 * gcov.h - the kernel's own gcov runtime (core/lib/gcov.c), linked only into
 * the coverage image (kernel-cov, Kconfig COVERAGE).
 *
 * Code compiled with GCC's --coverage describes itself in one struct
 * gcov_info per object and calls __gcov_init(&info) from a constructor in
 * .init_array.00100; kmain() runs the constructors (init_array_run()).  The
 * counters themselves live in .bss, which the arch entry code clears before
 * any C runs.  At the end of the run gcov_dump() serialises every registered
 * object as a .gcda file and sends it over the console in a framed,
 * checksummed, line-based encoding that kit/gcov_dump.py reconstructs:
 *
 *     mmkit-gcov: begin v1
 *     mmkit-gcov: file <bytes> <crc32, 8 hex digits> <path of the .gcda>
 *     mmkit-gcov: data <base64 of at most 48 bytes>
 *     ...                       (data lines until <bytes> are sent)
 *     mmkit-gcov: end <number of files>
 *
 * A problem the kernel detects itself is one "mmkit-gcov: error <text>"
 * line, after which no end marker follows.
 *
 * The structures below mirror what GCC 12 emits for an LP64 target (checked
 * with _Static_assert in gcov.c).  They are an ABI with the compiler, not a
 * design choice: change them only with the compiler.
 */
#ifndef MMKIT_GCOV_H
#define MMKIT_GCOV_H

#include <stdint.h>

/* Version of the dump framing above; the host refuses any other. */
#define GCOV_DUMP_FORMAT 1
#define GCOV_DUMP_PREFIX "mmkit-gcov: "

/* Counter kinds GCC 12 knows (gcov-counter.def); only arcs come from --coverage. */
#define GCOV_COUNTERS 8
#define GCOV_COUNTER_ARCS 0

typedef uint32_t gcov_unsigned_t;
typedef int64_t gcov_type;

/* One counter array of one function: @num counters of the kind of its slot. */
struct gcov_ctr_info {
	gcov_unsigned_t num;
	gcov_type *values;
};

struct gcov_info;

/*
 * One function.  @key points back to the object's gcov_info; when it does
 * not, the function was a discarded COMDAT copy and carries no data.
 * @ctrs has one entry per counter kind whose merge function is set in the
 * object's gcov_info, in kind order.
 */
struct gcov_fn_info {
	const struct gcov_info *key;
	gcov_unsigned_t ident;
	gcov_unsigned_t lineno_checksum;
	gcov_unsigned_t cfg_checksum;
	struct gcov_ctr_info ctrs[];
};

typedef void (*gcov_merge_fn)(gcov_type *counters, gcov_unsigned_t n);

/* One compiled object (one .gcda file). */
struct gcov_info {
	gcov_unsigned_t version;        /* the compiler's, e.g. "B22*" for 12.2 */
	struct gcov_info *next;         /* the runtime's list link */
	gcov_unsigned_t stamp;          /* also in the .gcno: pairs the two */
	gcov_unsigned_t checksum;       /* new in GCC 12 */
	const char *filename;           /* the .gcda path, absolute at compile time */
	gcov_merge_fn merge[GCOV_COUNTERS];   /* NULL: kind not used */
	unsigned int n_functions;
	const struct gcov_fn_info *const *functions;
};

/* Called by the instrumented code itself; the names are GCC's. */
void __gcov_init(struct gcov_info *info);
void __gcov_exit(void);
void __gcov_merge_add(gcov_type *counters, gcov_unsigned_t n);

/*
 * Send every registered object's data over the console (format above).
 * Called once at the end of the run (kernel_exit() in the coverage image);
 * later calls do nothing, so a destructor calling __gcov_exit() after it
 * cannot send a second, conflicting dump.
 */
void gcov_dump(void);

#endif /* MMKIT_GCOV_H */
