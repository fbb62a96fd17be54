/*
 * fuzz_main.c - mmkit-fuzz: the allocator fuzz harness's command line.
 *
 *   mmkit-fuzz run SEED OPS [plant=KIND]     the seeded stream's first OPS operations
 *   mmkit-fuzz replay FILE [plant=KIND]      the operations of FILE (a tests/fuzz/ case)
 *   mmkit-fuzz gen SEED OPS                  print the stream's first OPS operations
 *
 * Built per variant under ASan and UBSan (Ninja target `fuzz`; run by
 * ./build.py fuzz, kit/fuzz.py).  The last line says what happened:
 *
 *   FUZZ OK ops=N allocs=... frees=... expected_failures=... txns=... ...
 *   FUZZ FAIL op=K (NAME): what was wrong
 *
 * op=K is the index of the operation that found it (counted from 0;
 * OPS for the end-of-run comparison), so that `gen SEED K+1` lists the
 * operations up to it.  A sanitizer report, a kernel panic or anything
 * the kernel prints after start-up (a misuse report, a failure warning)
 * is a finding too.
 *
 * plant=leak and plant=stray make the harness itself wrong on purpose -
 * it skips the kfree() of objects of some sizes, or writes into them
 * behind the model's back - so that tests/test_fuzz.py can show that
 * such a defect is reported and minimised.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz_ops.h"

enum fuzz_plant fuzz_plant;

static uint64_t current_op;
static const char *current_name = "start";

_Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	printf("FUZZ FAIL op=%" PRIu64 " (%s): ", current_op, current_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	_Exit(1);
}

/* A sanitizer is about to end the process: name the operation it happened in. */
static void sanitizer_died(void)
{
	printf("FUZZ FAIL op=%" PRIu64 " (%s): sanitizer report (above)\n", current_op,
	       current_name);
	fflush(stdout);
}

static _Noreturn void usage(const char *msg)
{
	fprintf(stderr, "mmkit-fuzz: error: %s (usage: mmkit-fuzz run SEED OPS [plant=leak|stray] | "
		"replay FILE [plant=...] | gen SEED OPS)\n", msg);
	exit(2);
}

static uint64_t number(const char *text, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || *text == '-')
		usage(what);
	return v;
}

static void plant_arg(int argc, char **argv, int at)
{
	if (argc <= at)
		return;
	if (argc > at + 1)
		usage("too many arguments");
	if (!strcmp(argv[at], "plant=leak"))
		fuzz_plant = PLANT_LEAK;
	else if (!strcmp(argv[at], "plant=stray"))
		fuzz_plant = PLANT_STRAY;
	else
		usage("the last argument may only be plant=leak or plant=stray");
}

static void run_one(const struct fuzz_op *op)
{
	current_name = fuzz_op_names[op->kind];
	fuzz_model_run(op);
	current_op++;
}

static void finish(void)
{
	current_name = "end";
	fuzz_model_finish();
	printf("FUZZ OK ops=%" PRIu64 " allocs=%" PRIu64 " frees=%" PRIu64
	       " expected_failures=%" PRIu64 " txns=%" PRIu64 " bytes_checked=%" PRIu64
	       " live_peak=%" PRIu64 "\n", fuzz_totals.ops, fuzz_totals.allocs, fuzz_totals.frees,
	       fuzz_totals.failures_expected, fuzz_totals.txns, fuzz_totals.bytes_checked,
	       fuzz_totals.live_peak);
}

/* Start the allocators; from here on the kernel has nothing to say (arch_fuzz.c). */
void fuzz_arch_arm(void);

int main(int argc, char **argv)
{
	struct fuzz_op op;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		usage("no command");
	if (!strcmp(argv[1], "gen")) {
		uint64_t seed, n;

		if (argc != 4)
			usage("gen takes SEED OPS");
		seed = number(argv[2], "SEED is not a whole number");
		n = number(argv[3], "OPS is not a whole number");
		fuzz_gen_init(seed);
		for (uint64_t i = 0; i < n; i++) {
			fuzz_gen_next(&op);
			fuzz_op_print(stdout, &op);
			putchar('\n');
		}
		return 0;
	}
	if (!strcmp(argv[1], "run")) {
		uint64_t seed, n;

		if (argc < 4)
			usage("run takes SEED OPS");
		seed = number(argv[2], "SEED is not a whole number");
		n = number(argv[3], "OPS is not a whole number");
		plant_arg(argc, argv, 4);
		__sanitizer_set_death_callback(sanitizer_died);
		fuzz_model_init();
		fuzz_arch_arm();
		fuzz_gen_init(seed);
		for (uint64_t i = 0; i < n; i++) {
			fuzz_gen_next(&op);
			run_one(&op);
		}
		finish();
		return 0;
	}
	if (!strcmp(argv[1], "replay")) {
		char line[256], err[128];
		unsigned long lineno = 0;
		FILE *f = fopen(argv[2], "r");

		if (!f) {
			fprintf(stderr, "mmkit-fuzz: error: cannot read %s: %s\n", argv[2],
				strerror(errno));
			return 2;
		}
		plant_arg(argc, argv, 3);
		__sanitizer_set_death_callback(sanitizer_died);
		fuzz_model_init();
		fuzz_arch_arm();
		while (fgets(line, sizeof(line), f)) {
			int r = fuzz_op_parse(line, &op, err, sizeof(err));

			lineno++;
			if (r < 0) {
				fprintf(stderr, "mmkit-fuzz: error: %s:%lu: %s\n", argv[2], lineno, err);
				return 2;
			}
			if (r)
				run_one(&op);
		}
		fclose(f);
		finish();
		return 0;
	}
	usage("unknown command");
}
