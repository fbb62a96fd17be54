/*
 * gcov.h - the coverage image's dump (core/lib/gcov.c), linked only into
 * kernel-cov (Kconfig COVERAGE).
 *
 * Code compiled with GCC's --coverage -fprofile-info-section puts a pointer
 * to each object's gcov_info in the section .gcov_info (the arch linker
 * scripts bound it with __gcov_info_start and __gcov_info_end) instead of
 * registering it from a constructor.  The counters live in .bss, which the
 * arch entry code clears before any C runs.  At the end of the run (or in
 * panic()) gcov_dump() has libgcov's own __gcov_info_to_gcda() serialise
 * every object as the .gcda bytes of the compiler that built it, and sends
 * them over the console in a framed, checksummed, line-based encoding that
 * kit/gcov_dump.py reconstructs:
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
 * struct gcov_info stays opaque: its layout is the compiler's business and
 * libgcov's, which come as a pair, so nothing here changes with GCC.
 */
#ifndef MMKIT_GCOV_H
#define MMKIT_GCOV_H

/* Version of the dump framing above; the host refuses any other. */
#define GCOV_DUMP_FORMAT 1
#define GCOV_DUMP_PREFIX "mmkit-gcov: "

/*
 * Serialise and send every object's counters, once (a second call does
 * nothing): from kernel_exit() before the end-of-run marker, and from
 * panic().  Other CPUs must be stopped.  It prints through the console
 * directly, not printk(), so a panic inside printk() still gets its dump.
 */
void gcov_dump(void);

#endif /* MMKIT_GCOV_H */
