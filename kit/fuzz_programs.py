"""What the allocator fuzz harness is made of: the Ninja target `fuzz` of a
variant's build.ninja (kit/generate.py renders it; kit/fuzz.py builds and
runs it).

    fuzz    fuzz/mmkit-fuzz: tests/host/fuzz/ (the operations, their seeded
            stream, the shadow model, the command line, its arch layer)
            over the variant's core/mm (its kmalloc front included),
            natively under ASan and UBSan at -O1, as the host test build

Objects get the same per-symbol dependencies as the kernel's (fixdep).
"""
from __future__ import annotations

from pathlib import Path

from . import native_build, paths

SRC = paths.ROOT / "tests" / "host" / "fuzz"
SOURCES = ("fuzz_main.c", "fuzz_ops.c", "fuzz_gen.c", "fuzz_model.c", "arch_fuzz.c")
# The arch.h functions every host build shares (counters, CPU id), and
# those of a build that maps nothing.
COMMON = [paths.ROOT / "tests" / "host" / n for n in ("arch_host_common.c", "arena/arch_no_paging.c")]
# As the host test build (templates/build.ninja.j2: host_cflags), whose -O1
# GCC compiles without the false maybe-uninitialized warnings ASan brings at -O2.
CFLAGS = ["-std=c11", "-O1", "-foptimize-sibling-calls", "-g", "-Wall", "-Wextra", "-Werror",
          "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
PROGRAM = "fuzz/mmkit-fuzz"


def ninja_context(out: Path, core: list[Path], obj) -> dict:
    """build.ninja.j2's 'fuzz': compiles (object -> source), flags and the link.

    ``core`` are the variant's core sources that run on the host (its
    kmalloc front among them), ``obj(prefix, src)`` names an object.
    """
    flags, compiles = native_build.flags_and_compiles(
        out, SRC, core + [SRC / n for n in SOURCES] + COMMON, "fuzz/obj", obj)
    return {
        "cflags": " ".join(CFLAGS),
        "flags": flags,
        "compiles": compiles,
        "program": PROGRAM,
    }
