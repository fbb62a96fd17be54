/*
 * model.h - the LZ4 block format as a test oracle: a decoder written for
 * obviousness, not speed (indices, one byte at a time, every rule checked
 * where the format states it), that also says WHY it refuses a block.
 *
 * The fuzz harness and the misuse tests hold mmkit's decoder to it (same
 * verdict, same bytes), and use the reason to judge a disagreement with
 * liblz4: where liblz4 accepts a block and the format forbids it, the
 * reason must be one liblz4 is known to tolerate (offset 0, an
 * end-of-block rule, a match length in the last token), anything else is
 * a finding.
 */
#ifndef MMKIT_TEST_LZ4_MODEL_H
#define MMKIT_TEST_LZ4_MODEL_H

#include <stddef.h>

enum model_verdict {
	MODEL_OK = 0,
	MODEL_EMPTY,            /* no bytes at all: not even a token */
	MODEL_TRUNCATED,        /* input ends inside a sequence */
	MODEL_ENDS_WITH_MATCH,  /* input ends right after a match */
	MODEL_NOSPC,            /* literals or a match run past the capacity */
	MODEL_OFFSET_ZERO,
	MODEL_OFFSET_BEFORE,    /* offset reaches before the output's start */
	MODEL_END_RULE,         /* last literals < 5, or last match < 12 from the end */
	MODEL_FINAL_TOKEN,      /* the last token's match length field is not 0 */
};

/* Decode @in[0, n) into @out[0, cap); *@outlen = bytes decoded when MODEL_OK. */
enum model_verdict model_decode(const unsigned char *in, size_t n, unsigned char *out,
				size_t cap, size_t *outlen);

const char *model_verdict_name(enum model_verdict v);

#endif
