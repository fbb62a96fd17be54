/*
 * compiler.h - hints to the compiler for the allocators' fast paths, named
 * as in Linux.
 *
 * A fast path is the few instructions every kmalloc()/kfree() runs; what
 * it rarely needs (a new slab, a damaged freelist, a report) goes out of
 * line, so that the common call saves no registers it does not use.
 */
#ifndef MMKIT_COMPILER_H
#define MMKIT_COMPILER_H

#include <stdint.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __noinline __attribute__((noinline))
/*
 * IS_ENABLED(CONFIG_X): 1 when gen/autoconf.h defines CONFIG_X as 1 (a
 * bool option set), else 0, as an integer constant expression, so that
 * debug hooks are ordinary C that the compiler drops when the option is
 * off (Linux's kconfig.h trick: a defined option pastes to a placeholder
 * that shifts the 1 into place).
 */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __is_defined(option)
/*
 * The address the current function returns to: who called it, for
 * failure reports.  Allocator entry points with an inline fast path read
 * it in their slow path, which they reach by a tail call, so that it is
 * the entry's caller: read in the entry itself it would cost the fast
 * path a stack frame (x86_64 keeps frame pointers) or a spill of ra
 * (riscv64).  Tail calls need optimisation (-O2 in the kernel, -O1
 * -foptimize-sibling-calls on the host); at -O0, in the coverage image,
 * such a report names the entry point instead.
 */
#define _RET_IP_ ((uintptr_t)__builtin_return_address(0))

/*
 * MMKIT_TAIL_CALLS: whether the entry points tail-call their slow paths,
 * so that _RET_IP_ there names the entry point's caller.  Not at -O0 (the
 * coverage image), and not under ThreadSanitizer, whose exit hook runs
 * after every call.
 */
#if defined(MMKIT_COVERAGE_IMAGE) || defined(__SANITIZE_THREAD__)
#define MMKIT_TAIL_CALLS 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMKIT_TAIL_CALLS 0
#endif
#endif
#ifndef MMKIT_TAIL_CALLS
#define MMKIT_TAIL_CALLS 1
#endif
/* The host's C library (host tests, hostbench) may define it already, the same way. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#endif /* MMKIT_COMPILER_H */
