/*
 * bench.c - the bench image's harness: counting, summarising, printing.
 *
 * See bench.h for what a figure is.  Everything is integer arithmetic; the
 * host turns counts into ratios.
 */
#include "arch.h"
#include "bench.h"
#include "kernel.h"
#include "printk.h"

static uint64_t counter_overhead;
static unsigned int lines_printed;

uint64_t bench_now(void)
{
	return arch_instret();
}

void bench_init(void)
{
	uint64_t best = UINT64_MAX;

	/* The smallest back-to-back delta: what one measurement adds. */
	for (int i = 0; i < 16; i++) {
		uint64_t a = bench_now();
		uint64_t b = bench_now();

		best = MIN(best, b - a);
	}
	counter_overhead = best;
}

uint64_t bench_counter_overhead(void)
{
	return counter_overhead;
}

unsigned int bench_reps(void)
{
	return MIN((unsigned int)CONFIG_BENCH_REPS, (unsigned int)BENCH_MAX_REPS);
}

void bench_samples_reset(struct bench_samples *s)
{
	s->reps = 0;
	s->ops = 0;
	s->failures = 0;
}

void bench_record(struct bench_samples *s, uint64_t delta, uint64_t ops)
{
	if (s->reps >= BENCH_MAX_REPS || ops == 0)
		return;
	delta = delta > counter_overhead ? delta - counter_overhead : 0;
	s->per_op[s->reps++] = delta / ops;
	s->ops = ops;
}

/* The samples in ascending order, into @sorted (insertion sort: n <= 101). */
static void sorted_copy(const struct bench_samples *s, uint64_t *sorted)
{
	for (unsigned int i = 0; i < s->reps; i++) {
		uint64_t v = s->per_op[i];
		unsigned int j = i;

		for (; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
}

uint64_t bench_median(const struct bench_samples *s)
{
	uint64_t sorted[BENCH_MAX_REPS];

	if (!s->reps)
		return 0;
	sorted_copy(s, sorted);
	/* Lower median for an even count: always a measured value. */
	return sorted[(s->reps - 1) / 2];
}

uint64_t bench_min(const struct bench_samples *s)
{
	uint64_t m = s->reps ? UINT64_MAX : 0;

	for (unsigned int i = 0; i < s->reps; i++)
		m = MIN(m, s->per_op[i]);
	return m;
}

uint64_t bench_max(const struct bench_samples *s)
{
	uint64_t m = 0;

	for (unsigned int i = 0; i < s->reps; i++)
		m = MAX(m, s->per_op[i]);
	return m;
}

/* --- BENCH lines ----------------------------------------------------------- */

static void append(struct bench_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append(struct bench_line *l, const char *fmt, ...)
{
	size_t room = sizeof(l->buf) - l->len;
	va_list ap;
	int n;

	if (l->cut)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		l->cut = true;
		return;
	}
	l->len += (size_t)n;
}

/* Strings go into JSON unescaped, so only characters that need no escape. */
static bool plain(const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
		      c == '/' || c == ' ' || c == '+'))
			return false;
	}
	return true;
}

static void append_key(struct bench_line *l, const char *key)
{
	append(l, ",\"%s\":", plain(key) ? key : "bad_key");
}

void bench_line_begin(struct bench_line *l, const char *kind)
{
	l->len = 0;
	l->cut = false;
	append(l, "{\"v\":%d", BENCH_FORMAT_VERSION);
	bench_line_str(l, "kind", kind);
}

void bench_line_str(struct bench_line *l, const char *key, const char *val)
{
	append_key(l, key);
	append(l, "\"%s\"", plain(val) ? val : "?");
}

void bench_line_u64(struct bench_line *l, const char *key, uint64_t val)
{
	append_key(l, key);
	append(l, "%llu", (unsigned long long)val);
}

void bench_line_array(struct bench_line *l, const char *key, const size_t *v, size_t n)
{
	append_key(l, key);
	append(l, "[");
	for (size_t i = 0; i < n; i++)
		append(l, i ? ",%zu" : "%zu", v[i]);
	append(l, "]");
}

void bench_line_end(struct bench_line *l)
{
	append(l, "}");
	lines_printed++;
	if (l->cut) {
		/* Never print half an object: say what went wrong instead. */
		printk("BENCH {\"v\":%d,\"kind\":\"error\",\"message\":\"line longer than %d bytes\"}\n",
		       BENCH_FORMAT_VERSION, BENCH_LINE_MAX);
		return;
	}
	printk("BENCH %s\n", l->buf);
}

void bench_op_begin(struct bench_line *l, const char *name)
{
	bench_line_begin(l, "op");
	bench_line_str(l, "name", name);
}

void bench_op_end(struct bench_line *l, const struct bench_samples *s)
{
	bench_line_u64(l, "reps", s->reps);
	bench_line_u64(l, "ops", s->ops);
	bench_line_u64(l, "failures", s->failures);
	bench_line_u64(l, "min", bench_min(s));
	bench_line_u64(l, "median", bench_median(s));
	bench_line_u64(l, "max", bench_max(s));
	bench_line_end(l);
}

unsigned int bench_lines(void)
{
	return lines_printed;
}

/* --- random numbers ---------------------------------------------------------- */

void bench_rng_seed(struct bench_rng *r, uint64_t seed)
{
	/* splitmix64 of the seed: any seed, 0 included, gives a non-zero state. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	r->state = z ? z : 1;
}

uint64_t bench_rng_next(struct bench_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t bench_rng_below(struct bench_rng *r, uint64_t n)
{
	/* The high bits are the good ones; the modulo bias is irrelevant here. */
	return (bench_rng_next(r) >> 11) % n;
}
