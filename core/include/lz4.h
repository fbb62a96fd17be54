/*
 * lz4.h - an LZ4 block codec: compress a buffer into one LZ4 block, and
 * decompress a block safely, whatever its bytes.
 *
 * The block format (LZ4's lz4_Block_format.md; interoperable both ways with
 * the reference liblz4's LZ4_compress_* and LZ4_decompress_safe):
 *
 *   A block is a series of sequences.  A sequence is a token byte, an
 *   optional literal length extension, the literals, then a match: a 2-byte
 *   little-endian offset and an optional match length extension.
 *
 *   token      high 4 bits: literal count 0..14, or 15 = "15 plus the
 *              extension"; low 4 bits: match length - 4, 0..14, or 15 =
 *              "19 plus the extension".
 *   extension  bytes added to the length, each 0..255; a 255 means another
 *              byte follows, anything less ends it (15 literals are written
 *              as 15 then a 0 byte).
 *   offset     how far back the match's source starts in the output, 1 ..
 *              65535.  0 is invalid.  The source may overlap the bytes being
 *              written (offset < match length): the copy is then defined
 *              byte by byte, so offset 1 repeats the last byte.
 *   match      at least 4 bytes (MINMATCH); there is no upper bound.
 *
 *   The last sequence has literals only and no offset: the block ends
 *   right after its literals, and its token's match field is 0.  An empty
 *   input is the single byte 0x00.
 *   End-of-block rules: the last 5 bytes of the output are literals
 *   (LZ4_LASTLITERALS), and the last match starts at least 12 bytes before
 *   the end of the output (LZ4_MFLIMIT).  So an input of fewer than 13
 *   bytes (LZ4_MIN_MATCH_INPUT) is all literals: a match needs a byte
 *   before it to refer to and 12 after its start.
 *
 * Sizes: lz4_compress() takes at most LZ4_MAX_INPUT bytes (64 KiB, so that
 * every position and offset fits 16 bits; the compressed page store uses
 * 4 KiB pages).  lz4_decompress() takes blocks of any size.
 *
 * Guarantees of the decoder, on ANY input bytes:
 *   - it reads only src[0, n) and writes only dst[0, cap): every length and
 *     offset is checked against the room left in both buffers before a
 *     byte moves (lz4.c proves each copy's bounds where it happens);
 *   - it refuses offset 0 and any offset reaching before dst (KERR_CORRUPT)
 *     rather than copy bytes that are not this block's output;
 *   - overlapping matches (offset < length) decode as the format defines;
 *   - a malformed block (truncated anywhere inside a sequence, a block that
 *     ends after a match, a last token announcing a match, a broken
 *     end-of-block rule) is refused with KERR_CORRUPT, and one whose output
 *     would not fit dst with KERR_NOSPC, never with a partial "success".
 * A block accepted here is accepted by LZ4_decompress_safe() with the same
 * capacity, with the same bytes.  The reverse holds except where liblz4 is
 * lenient: it decodes offset 0 (as zeroes), checks the end-of-block rules
 * against the capacity rather than the actual end, and ignores the last
 * token's match field unless the capacity is 0; all three are refused
 * here (no LZ4 writer produces them).
 *
 * The format has no end marker, so a block cut short right after a
 * literal run is itself a well-formed, shorter block: a caller that knows
 * the decompressed size (a 4 KiB page) must check the returned size.
 *
 * Bytes of dst past the returned size may have been overwritten (the
 * decoder copies in 8- and 16-byte chunks where the room allows): their
 * contents are unspecified, but only ever bytes of src or of the output.
 *
 * The compressor is greedy and single-pass: a hash of the next 4 bytes
 * looks up the last position that had the same hash, and a candidate that
 * really matches is extended backwards over pending literals and forwards
 * as far as it goes.  @acceleration trades ratio for speed as liblz4's
 * LZ4_compress_fast() does: after every 64 positions without a match the
 * search steps over one more byte per try, starting at @acceleration bytes.
 * Its output obeys the end-of-block rules, is a pure function of the input
 * and @acceleration (the state's previous contents never matter), and
 * never exceeds lz4_compress_bound(n).
 *
 * No allocation and no writable static data: the hash table is the
 * caller's struct lz4_state (16 KiB: too big for the kernel stack), which
 * may be reused for any number of calls but not by two calls at once.
 */
#ifndef MMKIT_LZ4_H
#define MMKIT_LZ4_H

#include <stddef.h>
#include <stdint.h>

#define LZ4_MINMATCH 4            /* shortest match the format can express */
#define LZ4_LASTLITERALS 5        /* the last 5 output bytes are literals */
#define LZ4_MFLIMIT 12            /* the last match starts >= 12 bytes before the end */
#define LZ4_MIN_MATCH_INPUT 13    /* shorter inputs compress to literals only */
#define LZ4_MAX_OFFSET 65535      /* offsets are 16 bits, and 0 is invalid */

/* Largest input lz4_compress() takes. */
#define LZ4_MAX_INPUT 65536u

/* @acceleration: below 1 means 1 (the best ratio); above this, this. */
#define LZ4_ACCELERATION_DEFAULT 1
#define LZ4_ACCELERATION_MAX 65537

/* log2 of the hash table's entries (8192 16-bit positions). */
#define LZ4_HASH_LOG 13

struct lz4_state {
	/* hash -> last position in src; 8-aligned so that clearing it takes
	 * aligned 8-byte stores (riscv64 splits unaligned ones into bytes) */
	_Alignas(8) uint16_t table[1u << LZ4_HASH_LOG];
};

/*
 * Largest block lz4_compress() can produce from @n bytes (the same formula
 * as liblz4's LZ4_COMPRESSBOUND: all literals plus the length bytes, with
 * room to spare); 0 when @n > LZ4_MAX_INPUT.  A destination of this size
 * can never make lz4_compress() fail for lack of room.
 */
static inline size_t lz4_compress_bound(size_t n)
{
	return n > LZ4_MAX_INPUT ? 0 : n + n / 255 + 16;
}

/*
 * Compress @src[0, n) into one block at @dst[0, cap).  Returns the block's
 * size (>= 1), or:
 *   KERR_INVAL  @n > LZ4_MAX_INPUT, @st is NULL, or a NULL buffer with a
 *               non-zero size;
 *   KERR_NOSPC  the block does not fit @cap (checked exactly: it fails if
 *               and only if the block is longer than @cap).
 * Nothing is ever written past dst[cap]; bytes past the returned size (or
 * all of dst, on failure) may have been overwritten.  @src and @dst must
 * not overlap.  The compressed page store takes KERR_NOSPC with cap < n as
 * "incompressible".
 */
int lz4_compress(const void *src, size_t n, void *dst, size_t cap, int acceleration,
		 struct lz4_state *st);

/*
 * Decompress the block @src[0, n) into @dst[0, cap).  Returns the number
 * of bytes decoded (0 .. cap), or:
 *   KERR_INVAL    a NULL buffer with a non-zero size;
 *   KERR_CORRUPT  a malformed block (see above), including n == 0;
 *   KERR_NOSPC    a literal run or match would run past dst[cap].
 */
int lz4_decompress(const void *src, size_t n, void *dst, size_t cap);

#endif /* MMKIT_LZ4_H */
