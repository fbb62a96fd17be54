/*
 * lz4.c - the LZ4 block codec of lz4.h: a greedy single-pass compressor
 * and a decoder that is safe on any input.
 *
 * Freestanding: no allocation, no writable static data, no library calls the
 * compiler cannot inline (the kernel's memcpy/memset are byte loops, so
 * every copy here is written out in 8- and 16-byte chunks).  Multi-byte
 * values are read and written through __builtin_memcpy of a fixed small
 * size, or byte by byte: no pointer is cast to a wider type, so there is
 * no unaligned access and no aliasing question; the compiler emits a
 * plain load or store where the target allows unaligned ones (x86_64) and
 * byte accesses where it does not (riscv64 as the kit builds it).
 *
 * Pointer arithmetic stays inside [buffer start, buffer end]: every
 * length is compared with the room left (an end pointer minus a cursor,
 * which cannot overflow) before the cursor moves, never by forming
 * "cursor + length" first.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "kerrno.h"
#include "lz4.h"

/* Multi-byte fields are little-endian in the format; loads here are native. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lz4.c assumes a little-endian target (both mmkit arches are)"
#endif

/* The search steps one byte further after every 2^SKIP_TRIGGER misses. */
#define SKIP_TRIGGER 6

/* Bytes a wide copy may write past the end of what it copies. */
#define WILD 16

typedef uint8_t u8;

/* --- loads, stores and copies --------------------------------------------- */

/*
 * Where unaligned loads and stores are single instructions, a fixed-size
 * __builtin_memcpy becomes one.  Elsewhere (riscv64 as built here) GCC
 * assembles a multi-byte memcpy through a stack slot; shifting the bytes
 * together in registers is fewer instructions, and is the format's
 * little-endian order by construction.
 */
#if defined(__x86_64__) || defined(__aarch64__)
#define UNALIGNED_OK 1
#else
#define UNALIGNED_OK 0
#endif

static inline uint16_t load16(const u8 *p)
{
#if UNALIGNED_OK
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
#else
	return (uint16_t)(p[0] | p[1] << 8);
#endif
}

static inline uint32_t load32(const u8 *p)
{
#if UNALIGNED_OK
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
#else
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

static inline uint64_t load64(const u8 *p)
{
#if UNALIGNED_OK
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
#else
	return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32;
#endif
}

static inline void store16(u8 *p, uint16_t v)
{
#if UNALIGNED_OK
	__builtin_memcpy(p, &v, sizeof(v));
#else
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
#endif
}

static inline void store64(u8 *p, uint64_t v)
{
#if UNALIGNED_OK
	__builtin_memcpy(p, &v, sizeof(v));
#else
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
	p[4] = (u8)(v >> 32);
	p[5] = (u8)(v >> 40);
	p[6] = (u8)(v >> 48);
	p[7] = (u8)(v >> 56);
#endif
}

/* Fixed-size copies between regions that do not overlap (callers show why). */
static inline void copy8(u8 *d, const u8 *s)
{
	__builtin_memcpy(d, s, 8);
}

static inline void copy16(u8 *d, const u8 *s)
{
#if UNALIGNED_OK
	__builtin_memcpy(d, s, 16);   /* one vector move where unaligned ones are cheap */
#else
	/* Without unaligned access GCC calls memcpy for 16 bytes (the
	 * kernel's is a byte loop) but expands 8 inline. */
	copy8(d, s);
	copy8(d + 8, s + 8);
#endif
}

/*
 * Exactly @len bytes from @s to @d (no overlap): 8 at a time, then the
 * tail byte by byte.  Nothing outside [d, d + len) is written.
 */
static inline void copy_exact(u8 *d, const u8 *s, size_t len)
{
	for (; len >= 8; len -= 8, d += 8, s += 8)
		copy8(d, s);
	while (len--)
		*d++ = *s++;
}

/*
 * @len bytes from @s to @d (no overlap), where @s has @s_room readable
 * bytes and @d has @d_room writable bytes (both >= @len).  With 16 bytes to
 * spare on both sides the copy goes in 16-byte chunks: the last chunk
 * reads and writes at most 15 bytes past @len, inside the room.  Else it
 * is exact.
 */
static inline void copy_literals(u8 *d, const u8 *s, size_t len, size_t s_room, size_t d_room)
{
	if (likely(s_room - len >= WILD && d_room - len >= WILD)) {
		u8 *const end = d + len;

		do {
			copy16(d, s);
			d += 16;
			s += 16;
		} while (d < end);
		return;
	}
	copy_exact(d, s, len);
}

/* --- the compressor --------------------------------------------------------- */

/* Knuth's multiplicative hash of 4 bytes, to LZ4_HASH_LOG bits. */
static inline uint32_t hash4(uint32_t seq)
{
	return (seq * 2654435761u) >> (32 - LZ4_HASH_LOG);
}

/* Index of the lowest non-zero byte of @x (!= 0): the first byte that differs. */
static inline unsigned int first_set_byte(uint64_t x)
{
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv_zbb)
	return (unsigned int)__builtin_ctzll(x) >> 3;
#else
	/* Without a count-trailing-zeros instruction GCC calls libgcc's
	 * __ctzdi2, which the kernel does not link.  The lowest set bit alone
	 * is a power of two; its byte is how many byte boundaries it is past. */
	uint64_t bit = x & (0 - x);

	return (bit > 0xffull) + (bit > 0xffffull) + (bit > 0xffffffull) +
	       (bit > 0xffffffffull) + (bit > 0xffffffffffull) +
	       (bit > 0xffffffffffffull) + (bit > 0xffffffffffffffull);
#endif
}

/*
 * How many bytes at @p equal those at @q, counting no further than
 * @limit.  @q < @p, so whatever is in bounds for @p is for @q.  8 bytes at
 * a time while 8 are left before @limit, then byte by byte.
 */
static inline size_t count_equal(const u8 *p, const u8 *q, const u8 *limit)
{
	const u8 *const start = p;

	while ((size_t)(limit - p) >= 8) {
		uint64_t diff = load64(p) ^ load64(q);

		if (diff)
			return (size_t)(p - start) + first_set_byte(diff);
		p += 8;
		q += 8;
	}
	while (p < limit && *p == *q) {
		p++;
		q++;
	}
	return (size_t)(p - start);
}

/* Extension bytes a length needs after its 4-bit token field. */
static inline size_t ext_bytes(size_t len)
{
	return len < 15 ? 0 : (len - 15) / 255 + 1;
}

/* Write the extension of @len (>= 15): 255s, then the remainder. */
static inline u8 *put_ext(u8 *op, size_t len)
{
	len -= 15;
	for (; len >= 255; len -= 255)
		*op++ = 255;
	*op++ = (u8)len;
	return op;
}

/*
 * Zero the hash table, so that the output depends on the input alone.
 * 16 KiB in aligned 8-byte stores.  The empty asm (a compiler barrier)
 * keeps GCC from turning the loop into a call to memset: in the kernel
 * that is a byte loop, eight times the instructions.
 */
static void clear_table(struct lz4_state *st)
{
#if defined(__clang__)
	/* clang 14 crashes compiling __builtin_assume_aligned under
	 * -fsanitize=alignment (the libFuzzer build); it only builds for the
	 * host here, where unaligned stores are as fast. */
	u8 *const p = (u8 *)st->table;
#else
	/* GCC does not infer the member's alignment through the cast. */
	u8 *const p = __builtin_assume_aligned(st->table, 8);
#endif
	const uint64_t zero = 0;

	/* Eight aligned 8-byte stores per step, written out: GCC leaves a
	 * loop over them rolled up, at two more instructions per store. */
	for (size_t i = 0; i < sizeof(st->table); i += 64) {
		__builtin_memcpy(p + i, &zero, 8);
		__builtin_memcpy(p + i + 8, &zero, 8);
		__builtin_memcpy(p + i + 16, &zero, 8);
		__builtin_memcpy(p + i + 24, &zero, 8);
		__builtin_memcpy(p + i + 32, &zero, 8);
		__builtin_memcpy(p + i + 40, &zero, 8);
		__builtin_memcpy(p + i + 48, &zero, 8);
		__builtin_memcpy(p + i + 56, &zero, 8);
		__asm__ __volatile__("" ::: "memory");
	}
}

/*
 * Greedy parse, one pass.  Invariants:
 *   anchor <= ip: [anchor, ip) are literals not yet emitted;
 *   every table entry is 0 or a position already passed, so a candidate
 *   is always before ip, at most 65535 bytes back (positions are < n <=
 *   64 KiB), and always has 4 readable bytes (it is before ip, and ip
 *   never passes mflimit = iend - 12 when it is hashed);
 *   matches start at or before mflimit and end at or before matchlimit =
 *   iend - 5: the end-of-block rules hold by construction.
 */
static int compress_block(const u8 *const base, size_t n, u8 *const ostart, size_t cap,
			  int acceleration, struct lz4_state *st)
{
	const u8 *const iend = base + n;
	const u8 *ip = base, *anchor = base;
	u8 *const oend = ostart + cap;
	u8 *op = ostart;
	size_t lit, need;

	if (n >= LZ4_MIN_MATCH_INPUT) {
		const u8 *const mflimit = iend - LZ4_MFLIMIT;
		const u8 *const matchlimit = iend - LZ4_LASTLITERALS;
		uint16_t *const table = st->table;
		/* < 2^23: (LZ4_ACCELERATION_MAX << 6) + n tries fits 32 bits. */
		const uint32_t first_try = (uint32_t)acceleration << SKIP_TRIGGER;

		clear_table(st);
		table[hash4(load32(ip))] = 0;
		ip++;
		for (;;) {
			const u8 *ref;
			uint32_t tries = first_try;

			/* Find a 4-byte match, stepping further the longer none turns up. */
			for (;;) {
				uint32_t seq, h;
				size_t step;

				seq = load32(ip);
				h = hash4(seq);
				ref = base + table[h];
				table[h] = (uint16_t)(ip - base);
				if (load32(ref) == seq)
					break;
				step = tries++ >> SKIP_TRIGGER;
				if (step > (size_t)(mflimit - ip))
					goto last_literals;
				ip += step;
			}
			/* The match may start earlier: take pending literals back into it. */
			while (ip > anchor && ref > base && ip[-1] == ref[-1]) {
				ip--;
				ref--;
			}

			/* Emit [anchor, ip) and the match at ip; again while the
			 * position right after a match matches at once (runs). */
			for (;;) {
				size_t off = (size_t)(ip - ref);
				size_t ml = LZ4_MINMATCH + count_equal(ip + LZ4_MINMATCH,
								       ref + LZ4_MINMATCH, matchlimit);
				u8 *token;
				uint32_t h;

				lit = (size_t)(ip - anchor);
				/* Exactly what this sequence takes: the output fails only
				 * if the finished block would not fit. */
				need = 1 + ext_bytes(lit) + lit + 2 + ext_bytes(ml - LZ4_MINMATCH);
				if (need > (size_t)(oend - op))
					return KERR_NOSPC;
				token = op++;
				*token = (u8)((lit < 15 ? lit : 15) << 4);
				if (lit >= 15)
					op = put_ext(op, lit);
				/* Wide only with room: near the end of src (the
				 * last 12 bytes) or of dst, the exact copy. */
				copy_literals(op, anchor, lit, (size_t)(iend - anchor),
					      (size_t)(oend - op));
				op += lit;
				store16(op, (uint16_t)off);
				op += 2;
				if (ml - LZ4_MINMATCH >= 15) {
					*token |= 15;
					op = put_ext(op, ml - LZ4_MINMATCH);
				} else {
					*token |= (u8)(ml - LZ4_MINMATCH);
				}

				ip += ml;
				anchor = ip;
				if (ip > mflimit)
					goto last_literals;
				/* Positions inside the match were never hashed; one
				 * near its end gives later data something recent to
				 * match against. */
				table[hash4(load32(ip - 2))] = (uint16_t)(ip - 2 - base);
				h = hash4(load32(ip));
				ref = base + table[h];
				table[h] = (uint16_t)(ip - base);
				if (load32(ref) != load32(ip))
					break;
			}
			ip++;
			if (ip > mflimit)
				goto last_literals;
		}
	}

last_literals:
	lit = (size_t)(iend - anchor);
	need = 1 + ext_bytes(lit) + lit;
	if (need > (size_t)(oend - op))
		return KERR_NOSPC;
	*op++ = (u8)((lit < 15 ? lit : 15) << 4);
	if (lit >= 15)
		op = put_ext(op, lit);
	copy_exact(op, anchor, lit);
	op += lit;
	return (int)(op - ostart);
}

int lz4_compress(const void *src, size_t n, void *dst, size_t cap, int acceleration,
		 struct lz4_state *st)
{
	u8 none[1];   /* a valid address for a NULL buffer of size 0 */

	if (n > LZ4_MAX_INPUT || !st || (!src && n) || (!dst && cap))
		return KERR_INVAL;
	if (acceleration < LZ4_ACCELERATION_DEFAULT)
		acceleration = LZ4_ACCELERATION_DEFAULT;
	if (acceleration > LZ4_ACCELERATION_MAX)
		acceleration = LZ4_ACCELERATION_MAX;
	return compress_block(n ? (const u8 *)src : none, n, cap ? (u8 *)dst : none, cap,
			      acceleration, st);
}

/* --- the decoder ------------------------------------------------------------ */

/*
 * Read a length extension at *@ipp into *@len.  Each byte is read only
 * after checking it is before @iend.  The sum is refused once it exceeds
 * @room (the output it would need does not exist), which also keeps it
 * far from overflowing: it never exceeds room + 255.
 */
static inline int add_ext(const u8 **ipp, const u8 *iend, size_t *len, size_t room)
{
	const u8 *ip = *ipp;
	size_t l = *len;
	unsigned int b;

	do {
		if (unlikely(ip >= iend))
			return KERR_CORRUPT;
		b = *ip++;
		l += b;
		if (unlikely(l > room))
			return KERR_NOSPC;
	} while (b == 255);
	*ipp = ip;
	*len = l;
	return 0;
}

/*
 * Match copies: write the @ml byte match at @op from @off bytes back
 * (1 <= off <= op - start of dst, ml <= oend - op): op[i] = op[i - off]
 * for i in [0, ml), in that order, so that an overlapping source (off <
 * ml) repeats the bytes just written.
 *
 * Chunks of C bytes (16, or 8) are copied while off >= C.  A chunk at op +
 * k reads [op + k - off, op + k - off + C), which ends at or before op +
 * k: every byte it reads is final (earlier output or an earlier chunk),
 * and the source and destination of one chunk never overlap.  For off < 8
 * the first 8 bytes go one at a time (a byte may read one written just
 * before); after that the output repeats with period off, so it also
 * repeats with any multiple of off: reading from dist = period8[off] >= 8
 * bytes back is again a chunk copy, and dist <= off + 7 keeps the source
 * at or after op - off, inside dst.
 */

/* For an offset below 8: the smallest multiple of it that is >= 8. */
static const u8 period8[8] = { 0, 8, 8, 9, 8, 10, 12, 14 };

/*
 * The match ends less than 16 bytes before oend (the last match of a page
 * ends 5 before it): chunks only while they start below oend - 16, so that
 * none ends past oend, then the rest one byte at a time from dist back.
 * Out of line: it runs about once a block, and keeps the common path short.
 */
static __noinline void copy_match_near_end(u8 *op, size_t off, size_t ml, u8 *const oend)
{
	u8 *const end = op + ml;
	size_t dist = off;

	if ((size_t)(oend - op) >= WILD) {
		u8 *const limit = oend - WILD;
		const u8 *match = op - off;

		if (off >= 16) {
			for (; op < limit; op += 16, match += 16)
				copy16(op, match);
		} else if (off >= 8) {
			for (; op < limit; op += 8, match += 8)
				copy8(op, match);
		} else if (off == 1) {
			const uint64_t v = 0x0101010101010101ull * match[0];

			for (; op < limit; op += 8)
				store64(op, v);
		} else {
			for (unsigned int i = 0; i < 8; i++)
				op[i] = match[i];
			dist = period8[off];
			match = op + 8 - dist;
			for (op += 8; op < limit; op += 8, match += 8)
				copy8(op, match);
		}
	}
	for (; op < end; op++)
		*op = *(op - dist);
}

/* The common case: 16 bytes of room after the match, so the last chunk
 * (ending before end + C <= end + 16) stays inside dst. */
static inline void copy_match(u8 *op, size_t off, size_t ml, u8 *const oend)
{
	const u8 *match = op - off;
	u8 *const end = op + ml;

	if (unlikely((size_t)(oend - end) < WILD)) {
		copy_match_near_end(op, off, ml, oend);
		return;
	}
	if (off >= 16) {
		do {
			copy16(op, match);
			op += 16;
			match += 16;
		} while (op < end);
	} else if (off >= 8) {
		do {
			copy8(op, match);
			op += 8;
			match += 8;
		} while (op < end);
	} else if (off == 1) {
		/* A run of one byte: store it 8 at a time. */
		const uint64_t v = 0x0101010101010101ull * match[0];

		do {
			store64(op, v);
			op += 8;
		} while (op < end);
	} else {
		for (unsigned int i = 0; i < 8; i++)
			op[i] = match[i];
		match = op + 8 - period8[off];
		for (op += 8; op < end; op += 8, match += 8)
			copy8(op, match);
	}
}

/*
 * One sequence per iteration.  The loop is entered, and re-entered, only
 * with input left (ip < iend), so the token read is in bounds.  Before any
 * byte moves, its count is checked against iend - ip and oend - op (both
 * >= 0 as cursors never pass their ends); lengths come from add_ext(),
 * which bounds them.  Offsets are checked against op - ostart.  The end
 * of the block is the end of a literal run that uses the input up
 * exactly; the end-of-block rules are checked against it there.
 */
int lz4_decompress(const void *src, size_t n, void *dst, size_t cap)
{
	u8 none[1];
	const u8 *ip = src;
	const u8 *iend;
	u8 *const ostart = cap ? (u8 *)dst : none;
	u8 *op = ostart;
	u8 *oend;
	const u8 *last_match = NULL;
	size_t lit;

	if ((!src && n) || (!dst && cap))
		return KERR_INVAL;
	if (n == 0)
		return KERR_CORRUPT;   /* even an empty output takes a token */
	/* The size is returned as an int. */
	if (cap > (size_t)__INT_MAX__)
		cap = (size_t)__INT_MAX__;
	iend = ip + n;
	oend = ostart + cap;

	for (;;) {
		unsigned int token = *ip++;
		size_t off, ml;
		int err;

		lit = token >> 4;
		if (likely(lit != 15 && (size_t)(iend - ip) >= WILD &&
			   (size_t)(oend - op) >= WILD)) {
			/* Short literal run with room: one 16-byte copy covers it
			 * (16 readable, 16 writable).  lit <= 14 leaves >= 2 input
			 * bytes, so this is not the last sequence and the offset
			 * is there. */
			copy16(op, ip);
			ip += lit;
			op += lit;
		} else {
			if (lit == 15) {
				err = add_ext(&ip, iend, &lit, (size_t)(oend - op));
				if (err)
					return err;
			}
			if (unlikely(lit > (size_t)(oend - op)))
				return KERR_NOSPC;
			if (unlikely(lit > (size_t)(iend - ip)))
				return KERR_CORRUPT;
			copy_literals(op, ip, lit, (size_t)(iend - ip), (size_t)(oend - op));
			ip += lit;
			op += lit;
			if (ip == iend) {
				/* The last sequence: literals only, so its token
				 * must not announce a match (liblz4 only checks
				 * this when cap is 0; a writer never sets it). */
				if (token & 15)
					return KERR_CORRUPT;
				break;
			}
			if (unlikely((size_t)(iend - ip) < 2))
				return KERR_CORRUPT;
		}

		off = load16(ip);
		ip += 2;
		ml = token & 15;
		if (ml == 15) {
			err = add_ext(&ip, iend, &ml, (size_t)(oend - op));
			if (err)
				return err;
		}
		ml += LZ4_MINMATCH;
		if (unlikely(off == 0 || off > (size_t)(op - ostart)))
			return KERR_CORRUPT;
		if (unlikely(ml > (size_t)(oend - op)))
			return KERR_NOSPC;
		last_match = op;
		copy_match(op, off, ml, oend);
		op += ml;
		if (unlikely(ip == iend))
			return KERR_CORRUPT;   /* a block never ends with a match */
	}

	/* End-of-block rules, against the real end of the output. */
	if (last_match && (lit < LZ4_LASTLITERALS || (size_t)(op - last_match) < LZ4_MFLIMIT))
		return KERR_CORRUPT;
	return (int)(op - ostart);
}
