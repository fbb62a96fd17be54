/*
 * kernel.h - the kernel's life cycle, as seen by arch code and by images.
 *
 * Arch code calls kmain() once the console works and .bss is clear.  kmain()
 * brings up memory management, runs the image's main (run, test or bench
 * image, whichever was linked) and leaves through kernel_exit(), which prints
 * the end-of-run marker the host requires before it believes an exit status.
 */
#ifndef MMKIT_KERNEL_H
#define MMKIT_KERNEL_H

/* Guest exit statuses; the host (kit/qemu.py) maps QEMU's rc back to these. */
#define EXIT_PASS 0     /* the image did its job; all tests passed */
#define EXIT_FAIL 1     /* at least one test failed */
#define EXIT_PANIC 2    /* panic(): corrupted state or an unhandled trap */

/* The end-of-run marker: "mmkit: exit status=N (word)".  kit/qemu.py parses it. */
#define EXIT_MARKER "mmkit: exit status="

_Noreturn void kmain(void);

/*
 * Run the constructors in .init_array, in priority order (core/kernel/
 * init_array.c).  On the host the C runtime has already run them, so the
 * host arch provides an empty one.
 */
void init_array_run(void);

/* Defined once per image: the run, test or bench entry.  Returns a status. */
int image_main(void);

/* Print the end-of-run marker and leave the machine with @status. */
_Noreturn void kernel_exit(int status);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* MMKIT_KERNEL_H */
