/*
 * model.c - see model.h.  Deliberately the plainest reading of
 * lz4_Block_format.md: sizes are indices into the two arrays, every byte is
 * moved on its own, and each check sits where the format says the value
 * appears.
 */
#include "model.h"

/*
 * Add the length extension starting at in[*i] to *len.  A length beyond
 * @room (what is left of the output) cannot fit; saying so at once also
 * keeps the sum small.
 */
static int read_ext(const unsigned char *in, size_t n, size_t *i, size_t *len, size_t room)
{
	unsigned char b;

	do {
		if (*i >= n)
			return MODEL_TRUNCATED;
		b = in[(*i)++];
		*len += b;
		if (*len > room)
			return MODEL_NOSPC;
	} while (b == 255);
	return MODEL_OK;
}

enum model_verdict model_decode(const unsigned char *in, size_t n, unsigned char *out,
				size_t cap, size_t *outlen)
{
	size_t i = 0, o = 0, last_match = 0, lit;
	int have_match = 0, err;

	if (n == 0)
		return MODEL_EMPTY;
	for (;;) {
		unsigned char token;
		size_t off, ml;

		if (i >= n)
			return MODEL_ENDS_WITH_MATCH;
		token = in[i++];
		lit = token >> 4;
		if (lit == 15 && (err = read_ext(in, n, &i, &lit, cap - o)))
			return (enum model_verdict)err;
		if (lit > cap - o)
			return MODEL_NOSPC;
		if (lit > n - i)
			return MODEL_TRUNCATED;
		for (size_t k = 0; k < lit; k++)
			out[o++] = in[i++];
		if (i == n) {                  /* the last sequence: literals only */
			if (token & 15)
				return MODEL_FINAL_TOKEN;
			break;
		}
		if (n - i < 2)
			return MODEL_TRUNCATED;
		off = (size_t)in[i] | (size_t)in[i + 1] << 8;
		i += 2;
		ml = token & 15;
		if (ml == 15 && (err = read_ext(in, n, &i, &ml, cap - o)))
			return (enum model_verdict)err;
		ml += 4;
		if (off == 0)
			return MODEL_OFFSET_ZERO;
		if (off > o)
			return MODEL_OFFSET_BEFORE;
		if (ml > cap - o)
			return MODEL_NOSPC;
		have_match = 1;
		last_match = o;
		for (size_t k = 0; k < ml; k++, o++)
			out[o] = out[o - off];
	}
	if (have_match && (lit < 5 || o - last_match < 12))
		return MODEL_END_RULE;
	*outlen = o;
	return MODEL_OK;
}

const char *model_verdict_name(enum model_verdict v)
{
	static const char *const names[] = {
		"ok", "empty", "truncated", "ends with a match", "no space", "offset 0",
		"offset before the output", "end-of-block rule", "last token announces a match",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
