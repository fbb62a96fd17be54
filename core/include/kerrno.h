/*
 * kerrno.h - error codes returned by the fallible allocation API and by
 * frees that detect misuse.  Negative, Linux style; 0 is success.
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
};

/* Short name of an error code, e.g. "ENOMEM"; "E?" for unknown codes. */
const char *kerr_name(int err);

#endif /* MMKIT_KERRNO_H */
