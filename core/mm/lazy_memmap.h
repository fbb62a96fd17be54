/*
 * lazy_memmap.h - start-up page metadata written as memory is first used.
 *
 * Host preload build only (tests/host/preload/, kit/preload_programs.py
 * passes -DLAZY_MEMMAP_CHUNK_PAGES=N); every kernel image and every other
 * host build leaves it 0, and then nothing below changes what they do.
 *
 * As libmmkit.so, RAM is an arena reserved with mmap and committed by the
 * host kernel page by page as touched.  Boot writes one struct page per
 * frame and releases every frame to the strategy (buddy: a PA_TAIL in each
 * descriptor), so a program that uses 1 MiB of heap would still carry 16
 * bytes per arena page of RSS.  With a chunk size N:
 *
 *   - the metadata memory is known to start zeroed (a fresh anonymous
 *     mapping): the boot writes of zero (descriptors PA_RESERVED, the page
 *     debug records) are skipped, which leaves those pages untouched;
 *   - page_alloc_init() releases each zone's first N frames only, and a
 *     request that finds no zone above its low watermark first releases
 *     the next N frames of its zone (page_alloc.c: lazy_grow()), writing
 *     their descriptors then.  Linux does the same at boot with
 *     deferred_grow_zone() (CONFIG_DEFERRED_STRUCT_PAGE_INIT).
 *
 * A zone's managed pages and watermarks follow what has been released.
 */
#ifndef MMKIT_LAZY_MEMMAP_H
#define MMKIT_LAZY_MEMMAP_H

#ifndef LAZY_MEMMAP_CHUNK_PAGES
#define LAZY_MEMMAP_CHUNK_PAGES 0
#endif

/* A constant: the compiler drops every lazy path from a build that leaves it 0. */
#define LAZY_MEMMAP (LAZY_MEMMAP_CHUNK_PAGES != 0)

#endif /* MMKIT_LAZY_MEMMAP_H */
