"""What the host benchmark's programs are made of: Ninja targets of a
variant's build.ninja (kit/generate.py renders them; kit/hostbench.py
builds and runs them).

    hostbench        hostbench/bench-mmkit: tests/host/bench/driver.c with
                     peer_mmkit.c, over the variant's core/mm (its kmalloc
                     front included), natively at -O2 without sanitizers
    hostbench-peers  hostbench/bench-<peer>: driver.c with peer_<peer>.c,
                     for glibc malloc, jemalloc, mimalloc and tcmalloc

Objects get the same per-symbol dependencies as the kernel's (fixdep), so
a configuration or source change rebuilds exactly what it touches.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths

BENCH_SRC = paths.ROOT / "tests" / "host" / "bench"
CFLAGS = ["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-fno-omit-frame-pointer"]
MMKIT_PROGRAM = "hostbench/bench-mmkit"


@dataclass(frozen=True)
class Peer:
    name: str
    source: str
    libs: tuple[str, ...]
    package: str             # the Debian package with its library

    @property
    def program(self) -> str:
        return f"hostbench/bench-{self.name}"


PEERS = (
    Peer("glibc", "peer_glibc.c", (), "libc6-dev"),
    Peer("jemalloc", "peer_jemalloc.c", ("-ljemalloc",), "libjemalloc-dev"),
    Peer("mimalloc", "peer_mimalloc.c", ("-lmimalloc",), "libmimalloc-dev"),
    Peer("tcmalloc", "peer_tcmalloc.c", ("-ltcmalloc_minimal",), "libgoogle-perftools-dev"),
)


def peer_name(out: Path) -> str:
    """The name the mmkit program reports: after the variant's directory
    (kit/hostbench.py puts each measured preset in <base>/<preset>)."""
    return f"mmkit-{out.name}"


def ninja_context(out: Path, core: list[Path], has_slab: bool, obj) -> dict:
    """build.ninja.j2's 'hostbench': compiles (object -> source, flags) and links.

    ``core`` are the variant's core sources that run on the host (its
    kmalloc front among them), ``obj(prefix, src)`` names an object.
    """
    gen = out / "gen"
    ours = [BENCH_SRC / n for n in ("driver.c", "peer_mmkit.c", "arch_bench.c")] + \
        [paths.ROOT / "tests" / "host" / n for n in ("arch_host_common.c", "arena/arch_no_paging.c")]
    defines = [f'-DHOSTBENCH_VARIANT=\\"{out.name}\\"'] + (["-DHOSTBENCH_SLAB"] if has_slab else [])
    includes = [paths.ROOT / "core" / "include", paths.ROOT / "core" / "mm", gen, BENCH_SRC]
    mmkit_flags = " ".join([f"-I{d}" for d in includes]
                           + ["-include", str(gen / "autoconf.h"), *defines])
    mmkit = {obj("hostbench/mmkit", s): str(s) for s in core + ours}
    driver = obj("hostbench/peers", BENCH_SRC / "driver.c")
    peers = []
    compiles = {driver: str(BENCH_SRC / "driver.c")}
    for p in PEERS:
        o = obj("hostbench/peers", BENCH_SRC / p.source)
        compiles[o] = str(BENCH_SRC / p.source)
        peers.append({"program": p.program, "objs": [driver, o], "libs": " ".join(p.libs)})
    return {
        "cflags": " ".join(CFLAGS),
        "mmkit_flags": mmkit_flags,
        "mmkit_compiles": mmkit,
        "mmkit_program": MMKIT_PROGRAM,
        "peer_flags": f"-I{BENCH_SRC}",
        "peer_compiles": compiles,
        "peers": peers,
    }
