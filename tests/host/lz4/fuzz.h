/* fuzz.h - what fuzz_decompress.c counts, for fuzz_driver.c to report. */
#ifndef MMKIT_TEST_LZ4_FUZZ_H
#define MMKIT_TEST_LZ4_FUZZ_H

#include <stdint.h>

struct fuzz_counts {
	uint64_t inputs;            /* inputs decoded (2 bytes or more) */
	uint64_t accepted;          /* ... that mmkit (and so liblz4) accepted */
	uint64_t lenient_offset0;   /* liblz4 accepted, mmkit refused: offset 0 */
	uint64_t lenient_end_rule;  /* ... an end-of-block rule */
	uint64_t lenient_final_token; /* ... the last token announces a match */
};

extern struct fuzz_counts fuzz_counts;

/* Called (when set) just before a finding abort()s: fuzz_driver.c saves the input. */
extern void (*fuzz_before_abort)(void);

#endif
