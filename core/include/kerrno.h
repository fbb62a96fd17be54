/*
 * kerrno.h - error codes returned by the fallible allocation API, by frees
 * that detect misuse, by the LZ4 codec (lz4.h), and by the mapping and
 * probing calls of arch.h.  Negative, Linux style; 0 is success.
 */
#ifndef MMKIT_KERRNO_H
#define MMKIT_KERRNO_H

enum kerr {
	KERR_OK = 0,
	KERR_NOMEM = -1,       /* out of memory: the request could not be served */
	KERR_INVAL = -2,       /* invalid size or argument */
	KERR_ALIGN = -3,       /* invalid alignment (zero, not a power of two, too large) */
	KERR_DOUBLE_FREE = -4, /* the object or page is already free */
	KERR_BAD_PTR = -5,     /* not an object this allocator handed out */
	KERR_RANGE = -6,       /* outside the memory this allocator manages */
	KERR_WRONG_SIZE = -7,  /* freed with a size / order other than allocated */
	KERR_LIMIT = -8,       /* a fixed limit was reached (e.g. transaction records) */
	KERR_USE_AFTER_FREE = -9, /* freed memory was written (its poison is broken) */
	KERR_NOSPC = -10,      /* the output does not fit the destination buffer */
	KERR_CORRUPT = -11,    /* malformed input data (e.g. a damaged compressed block) */
	KERR_EXIST = -12,      /* already there (a mapping over a mapped page) */
	KERR_FAULT = -13,      /* the address is not mapped, or an access to it faulted */
	KERR_REDZONE = -14,    /* a write past the end of an allocation (its red zone is broken) */
	KERR_NOSYS = -15,      /* not implemented: a scaffolded allocator's stub (not_implemented.h) */
};

/* Short name of an error code, e.g. "ENOMEM"; "E?" for unknown codes. */
const char *kerr_name(int err);

#endif /* MMKIT_KERRNO_H */
