/*
 * main.c - the portable half of boot: from a working console to the image.
 *
 * The arch code has set up a stack, cleared .bss and brought up the
 * console.  From here everything is the same on every machine: run the
 * constructors (GCC's coverage instrumentation registers itself through
 * them), bring up memory management from the firmware's memory map, say
 * what this variant is, start the other CPUs (Kconfig SMP), run the image
 * on this one and report how it ended.
 */
#include "arch.h"
#include "gcov.h"
#include "kernel.h"
#include "mm.h"
#include "printk.h"
#include "smp.h"

static const char *status_word(int status)
{
	switch (status) {
	case EXIT_PASS: return "pass";
	case EXIT_FAIL: return "fail";
	case EXIT_PANIC: return "panic";
	default: return "error";
	}
}

_Noreturn void kernel_exit(int status)
{
	const char *word = status_word(status);
	unsigned int running;

	/*
	 * The other CPUs stop first: nothing may change the counters while
	 * they are sent, nor print after the end-of-run marker.
	 */
	running = smp_stop_others(false);
	if (running)
		printk("mmkit: %u CPU(s) did not stop\n", running);
#ifdef MMKIT_COVERAGE_IMAGE
	/*
	 * The coverage image sends its counters here: after the image has
	 * run and before the end-of-run marker, so the host sees a complete
	 * dump exactly when the run ended normally.  What runs after this
	 * call is not counted, hence the status word first.
	 */
	gcov_dump();
#endif
	printk(EXIT_MARKER "%d (%s)\n", status, word);
	arch_exit(status);
}

static void print_banner(void)
{
	struct page_alloc_stats st;
	struct zone_stats zs[MAX_ZONES];
	size_t nz = page_alloc_get_zone_stats(zs, MAX_ZONES);

	page_alloc_get_stats(&st);
	printk("mmkit: %s, mode %s, page allocator %s, RAM %llu MiB, managing %zu KiB (%zu pages)\n",
	       arch_name, mm_mode_name(), st.strategy,
	       (unsigned long long)(arch_ram_size() >> 20),
	       st.total_pages * (PAGE_SIZE / 1024), st.total_pages);
	/* Each zone's physical span and watermarks, lowest first. */
	for (size_t i = 0; i < nz; i++) {
		if (!zs[i].managed) {
			printk("mmkit: zone %s: empty\n", zs[i].name);
			continue;
		}
		printk("mmkit: zone %s: [0x%llx, 0x%llx) %zu pages managed, watermarks min %zu "
		       "low %zu high %zu\n", zs[i].name, (unsigned long long)zs[i].start,
		       (unsigned long long)zs[i].end, zs[i].managed, zs[i].min, zs[i].low,
		       zs[i].high);
	}
}

_Noreturn void kmain(void)
{
	/* The host looks for this line: everything before it is firmware. */
	printk("\nmmkit: boot\n");
	init_array_run();
	mm_init();
	print_banner();
	smp_init();
	kernel_exit(image_main());
}
