"""The allocator fuzz harness (./build.py fuzz): build mmkit-fuzz for each
fuzzed preset, run a seeded stream of operations against the shadow model
(tests/host/fuzz/), and turn a finding into a minimised regression case.

A run is deterministic: the same seed gives the same operations, drawn
without looking at the allocator, so the operations up to a finding
(``mmkit-fuzz gen SEED K+1``) replay it.  Minimisation is delta debugging
(Zeller and Hildebrandt's ddmin) over that list: any sub-list is a valid
list (fuzz_ops.h), and a candidate still fails when it fails in the same
operation with the same message, numbers aside.  The result is written to
tests/fuzz/ (``--cases``), where tests/test_fuzz.py replays every case on
every fuzzed preset.
"""
from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from . import paths, procs
from .errors import KitError
from .fsutil import write_atomic
from .fragments import presets
from .fuzz_programs import PROGRAM

# The presets fuzzed by default: every preset of configs/ (each kmalloc
# mode, both page allocators, the slab check levels, pools, SMP on one CPU,
# zones, the vmap area, hugepages, the compressed store, the debugging
# presets and full), so that a new preset is fuzzed from the start.
PRESETS = tuple(presets())
CASES = paths.ROOT / "tests" / "fuzz"
PLANTS = ("leak", "stray")
DEFAULT_OPS = 1_000_000
# The stream keeps a few MiB live (tests/host/fuzz/fuzz_gen.c): RAM and a
# SimpleHeap region with room to spare, so that no expected success may
# fail for want of memory, whatever the preset's test-sized defaults.  The
# region is one buddy block (kit/config.py), so a buddy preset with a region
# gets blocks of 2^14 pages.  A preset with a hugepage pool gets twice the
# pool more RAM (twotier-huge: 2592 MiB), which the pool must stay under
# half of.
RAM_MB = 512
HEAP_KB = 64 * 1024
HEAP_BUDDY_ORDER = 14
_RESULT = re.compile(r"^FUZZ (OK|FAIL) (.*)$", re.M)
_FAIL = re.compile(r"op=(\d+) \((\w+)\): (.*)")


@dataclass(frozen=True)
class Result:
    ok: bool
    op: int | None           # the finding's operation (None: passed)
    where: str                # its name ("end": the final comparison)
    message: str
    output: str               # everything the program printed
    seconds: float

    @property
    def signature(self) -> tuple[str, str]:
        """What a minimised list must still produce: the place and the
        message with its numbers (addresses, sizes, counts) left out."""
        return self.where, re.sub(r"0x[0-9a-f]+|\d+", "#", self.message)

    def figure(self, name: str) -> int:
        m = re.search(rf"\b{name}=(\d+)", self.message)
        return int(m.group(1)) if m else 0


def settings(preset: str) -> list[str]:
    """--set assignments for ``preset`` as the harness runs it."""
    from . import config
    values = config.resolved(config.from_preset(preset))
    ram = RAM_MB
    if values.get("HUGEPAGES"):
        # The hugepage pool is reserved at boot and must stay under half of
        # RAM (kit/config.py): RAM_MB beside it, as the stream needs.
        ram += 2 * (int(values["HUGEPAGES_2M"]) * 2 + int(values["HUGEPAGES_1G"]) * 1024)
    extra = [f"RAM_MB={ram}"]
    if values.get("HEAP_REGION"):
        extra.append(f"SIMPLEHEAP_SIZE_KB={HEAP_KB}")
        if values.get("PAGE_ALLOC_BUDDY") and int(values["BUDDY_MAX_ORDER"]) < HEAP_BUDDY_ORDER:
            extra.append(f"BUDDY_MAX_ORDER={HEAP_BUDDY_ORDER}")
    return extra


def build(preset: str, base: Path, jobs: int | None = None) -> Path:
    """mmkit-fuzz of ``preset`` in <base>/<preset>; its path."""
    from .variant import Variant
    variant = Variant.configure(preset, settings=settings(preset), out=base / preset)
    variant.build(["fuzz"], jobs, log=variant.log("fuzz-build"))
    return variant.out / PROGRAM


def _judge(proc_out: str, rc: int | None, seconds: float) -> Result:
    found = _RESULT.findall(proc_out)
    if found and found[-1][0] == "OK" and rc == 0:
        return Result(True, None, "", found[-1][1], proc_out, seconds)
    if found and found[-1][0] == "FAIL":
        m = _FAIL.match(found[-1][1])
        if m:
            return Result(False, int(m.group(1)), m.group(2), m.group(3), proc_out, seconds)
    tail = proc_out.strip().splitlines()[-1:] or ["no output"]
    why = "timed out" if rc is None else f"exit status {rc}"
    return Result(False, None, "unknown", f"{why}: {tail[0]}", proc_out, seconds)


def _run(cmd: list[str], timeout: float) -> Result:
    env = {"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:exitcode=99",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=98",
           "PATH": "/usr/bin:/bin"}
    start = time.monotonic()
    try:
        proc = procs.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=timeout, env=env)
        out, rc = proc.stdout.decode("utf-8", errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as exc:
        out, rc = (exc.stdout or b"").decode("utf-8", errors="replace"), None
    if rc == 2 and "mmkit-fuzz: error:" in out:
        raise KitError(out.strip().splitlines()[-1].partition("error: ")[2])
    return _judge(out, rc, time.monotonic() - start)


def run(program: Path, seed: int, ops: int, plant: str | None = None,
        timeout: float = 3600) -> Result:
    return _run([str(program), "run", str(seed), str(ops), *_plant(plant)], timeout)


def replay(program: Path, case: Path, plant: str | None = None, timeout: float = 600) -> Result:
    return _run([str(program), "replay", str(case), *_plant(plant)], timeout)


def _plant(plant: str | None) -> list[str]:
    if plant is None:
        return []
    if plant not in PLANTS:
        raise KitError(f"unknown planted defect '{plant}' (valid: {', '.join(PLANTS)})")
    return [f"plant={plant}"]


def operations(program: Path, seed: int, count: int) -> list[str]:
    """The stream's first ``count`` operations, as text lines."""
    proc = procs.run([str(program), "gen", str(seed), str(count)], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, timeout=600)
    if proc.returncode:
        raise KitError(f"{program} gen: {proc.stdout.decode(errors='replace').strip()}")
    return proc.stdout.decode().splitlines()


def minimise(program: Path, ops: list[str], failure: Result, work: Path,
             plant: str | None = None, max_runs: int = 2000) -> list[str]:
    """ddmin: the smallest sub-list found (1-minimal unless max_runs ran
    out) that still fails with ``failure``'s signature."""
    work.mkdir(parents=True, exist_ok=True)
    candidate = work / "candidate.ops"
    runs = 0

    def fails(lines: list[str]) -> bool:
        nonlocal runs
        runs += 1
        write_atomic(candidate, "".join(f"{line}\n" for line in lines))
        r = replay(program, candidate, plant)
        return not r.ok and r.signature == failure.signature

    n = 2
    while len(ops) >= 2 and runs < max_runs:
        size = len(ops) / n
        chunks = [ops[round(i * size):round((i + 1) * size)] for i in range(n)]
        reduced = False
        for i, chunk in enumerate(chunks):           # a chunk alone
            if chunk and len(chunks) > 1 and fails(chunk):
                ops, n, reduced = chunk, 2, True
                break
        if not reduced:
            for i in range(len(chunks)):              # everything but a chunk
                rest = [line for j, c in enumerate(chunks) if j != i for line in c]
                if rest != ops and fails(rest):
                    ops, n, reduced = rest, max(n - 1, 2), True
                    break
        if not reduced:
            if n >= len(ops):
                break
            n = min(len(ops), 2 * n)
    if len(ops) == 1 and runs < max_runs and fails([]):
        ops = []
    candidate.unlink(missing_ok=True)
    return ops


def save_case(cases: Path, preset: str, seed: int, total: int, failure: Result,
              ops: list[str]) -> Path:
    """Write the minimised list as tests/fuzz/<preset>-seed<S>-op<K>.ops."""
    cases.mkdir(parents=True, exist_ok=True)
    path = cases / f"{preset}-seed{seed}-op{failure.op}.ops"
    header = [f"# Found by ./build.py fuzz --preset {preset} --seed {seed} --ops {total}",
              f"# at operation {failure.op} ({failure.where}): {failure.message}",
              f"# minimised to {len(ops)} operation(s); replayed on every fuzzed preset "
              "by tests/test_fuzz.py"]
    write_atomic(path, "\n".join(header + ops) + "\n")
    return path


def cases(directory: Path = CASES) -> list[Path]:
    return sorted(directory.glob("*.ops"))
