"""What libmmkit.so is made of: the Ninja target `preload` of a variant's
build.ninja (kit/generate.py renders it;
`./build.py preload` builds it and prints its path).

    preload     preload/libmmkit.so: the variant's core/mm (its kmalloc
                front included) and tests/host/preload/ (the malloc API,
                its arch layer, lock, own blocks and exit report),
                position-independent at -O2 without sanitizers, every
                symbol hidden but the C library's allocation functions
                and mmkit_preload_stats

Objects get the same per-symbol dependencies as the kernel's (fixdep).
"""
from __future__ import annotations

from pathlib import Path

from . import native_build, paths

SRC = paths.ROOT / "tests" / "host" / "preload"
# The library's own files (the directory also holds the semantics check program).
LIB_SOURCES = ("malloc.c", "own_blocks.c", "preload_lock.c", "arch_preload.c",
               "arch_preload_smp.c", "exit_report.c")
# The arch.h functions every host build shares (counters, CPU id), and
# those of a build that maps nothing.
COMMON = [paths.ROOT / "tests" / "host" / n for n in ("arch_host_common.c", "arena/arch_no_paging.c")]
LAZY_CHUNK_PAGES = 4096
CFLAGS = ["-std=c11", "-O2", "-g", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror",
          "-fno-omit-frame-pointer",
          # Loaded at start (LD_PRELOAD): its thread-locals (the CPU id, the
          # lock's re-entry flag) are in the static TLS block, no __tls_get_addr.
          "-ftls-model=initial-exec",
          # The library defines malloc: GCC must not turn a malloc + memset into calloc().
          "-fno-builtin-malloc", "-fno-builtin-calloc", "-fno-builtin-realloc",
          "-fno-builtin-free",
          # The arena's page metadata is written as memory is first used
          # (core/mm/lazy_memmap.h): 16 MiB of frames at a time, 64 KiB of
          # descriptors each, so a small program's RSS stays small.
          f"-DLAZY_MEMMAP_CHUNK_PAGES={LAZY_CHUNK_PAGES}"]
# -z now: no lazy binding inside malloc (resolving a symbol may take the loader's
# locks); -z defs: a core function the host lacks is a link error, not a crash.
LDFLAGS = ["-shared", "-Wl,-z,now", "-Wl,-z,defs", "-Wl,-soname,libmmkit.so"]
LIBRARY = "preload/libmmkit.so"


def ninja_context(out: Path, core: list[Path], obj) -> dict:
    """build.ninja.j2's 'preload': compiles (object -> source), flags and the link.

    ``core`` are the variant's core sources that run on the host (its
    kmalloc front among them), ``obj(prefix, src)`` names an object.
    """
    flags, compiles = native_build.flags_and_compiles(
        out, SRC, core + [SRC / n for n in LIB_SOURCES] + COMMON, "preload/obj", obj)
    return {
        "cflags": " ".join(CFLAGS),
        "flags": flags,
        "ldflags": " ".join(LDFLAGS),
        "compiles": compiles,
        "library": LIBRARY,
    }


# --- the variants the kit runs real programs on ----------------------------------

# A real program needs more than a test kernel's defaults: an arena of
# RAM_MB (reserved, committed only as touched; what page_alloc_init()
# writes at start is 16 bytes per 4 KiB page, 2 MiB here), and in
# SimpleHeap and TLSF mode a region that is the whole kmalloc arena (the 4 MiB
# default runs python3 out of memory).  Hybrid keeps its fallback region.
HOST_RAM_MB = 512
# A debugging preset's region-mode blocks carry a 48-byte owner track and a
# red zone: CPython's test_unicode (a string of 1.1 million characters built
# one at a time, 182 MB at its peak under glibc) ran tlsf-debug out of a 256
# MiB region (MemoryError); a 384 MiB one holds it.  Such a region is
# poisoned whole at start, so the larger one costs each process 0.1 to 0.2 s
# more and 384 MiB of RSS: only those presets get it.
HOST_DEBUG_HEAP_RAM_MB = 768


def host_settings(preset: str) -> list[str]:
    """--set assignments for ``preset`` as the kit preloads it."""
    from . import config
    values = config.resolved(config.from_preset(preset))
    ram_mb = HOST_RAM_MB
    if values.get("HUGEPAGES"):
        # A hugepage pool may reserve at most half of RAM (config.check_hugepages):
        # twotier-huge's 8 x 2 MiB and 1 GiB keep the preset's own RAM_MB, which
        # costs address space only (the metadata is written as memory is used).
        need_mb = int(values["HUGEPAGES_2M"]) * 2 + int(values["HUGEPAGES_1G"]) * 1024
        if need_mb > ram_mb // 2:
            ram_mb = int(values["RAM_MB"])
    region_mode = bool(values.get("HEAP_REGION") and not values.get("SLAB")
                       or values.get("TLSF_REGION"))
    if region_mode and (values.get("DEBUG_OWNER") or values.get("DEBUG_REDZONE")):
        ram_mb = HOST_DEBUG_HEAP_RAM_MB
    settings = [f"RAM_MB={ram_mb}"]
    # The region is half of RAM, the most Kconfig allows.
    if values.get("HEAP_REGION") and not values.get("SLAB"):
        settings.append(f"SIMPLEHEAP_SIZE_KB={ram_mb * 1024 // 2}")
    if values.get("TLSF_REGION"):
        settings.append(f"TLSF_SIZE_KB={ram_mb * 1024 // 2}")
    return settings


def build_library(preset: str, base: Path, jobs: int | None = None) -> Path:
    """libmmkit.so of ``preset`` with host_settings(), in <base>/<preset>; its path."""
    from .variant import Variant
    variant = Variant.configure(preset, settings=host_settings(preset), out=base / preset)
    variant.build(["preload"], jobs, log=variant.log("preload-build"))
    return variant.out / LIBRARY
