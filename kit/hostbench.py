"""Host-native peer benchmark: mmkit's generated allocators against glibc
malloc, jemalloc, mimalloc and tcmalloc, in one run, on the same workloads.

Each allocator becomes one program: tests/host/bench/driver.c (the
workloads and the timing) linked with one peer_*.c, built by the Ninja
targets `hostbench` and `hostbench-peers` of a variant's build.ninja
(kit/hostbench_programs.py).  For mmkit, one variant per allocator mode
(and per page allocator) found among the presets, each in <base>/<preset>,
so a new mode's preset is measured as soon as it exists.

Timing is interleaved: a run is ROUNDS rounds (at least 7), and each round
runs every program once, one after another (A B C D, then B C D A, ...),
so that a slow spell of the shared machine falls on all allocators alike
instead of on whichever ran then.  A figure's value in a round is the
fastest of that program's repetitions (--reps): the machine can only slow a
repetition down (a preemption, another engineer's build), never speed it
up, so the fastest is the one least disturbed.  The report gives the
minimum, median and maximum of those values over the rounds, in
nanoseconds per operation; the targets about time use the median.

Instructions are counted apart, exactly, with callgrind (kit/callgrind.py):
each program once more in its count mode, for the pair loops.  The targets
about instructions are judged on those counts, the ones about time on the
interleaved medians; the host CPU is recorded with the figures.

Fragmentation is measured apart too: each program runs the kernel bench's
stress patterns (FRAG_PATTERNS), one process each, and reports Johnstone
and Wilson's #4 (peak held / peak live bytes requested), held by the
allocator's own account and by resident pages (driver.c's frag mode).
"""
from __future__ import annotations

import json
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import callgrind, procs
from .errors import KitError
from .fsutil import write_atomic
from .hostbench_programs import PEERS
from .lz4bench import cpu_model

PREFIX = "HOSTBENCH "
MIN_ROUNDS, MAX_ROUNDS = 7, 101
MAX_REPS = 101    # driver.c's HB_MAX_REPS
LOOP = "loop"     # driver.c's count of the pair loop without the allocator
FRAG_PATTERNS = ("fixed", "increasing", "random")   # driver.c's frag mode


@dataclass(frozen=True)
class Measured:
    """A preset whose allocators are measured, with what tells it apart."""
    preset: str
    mode: str
    page_alloc: str
    pcp: bool                 # single pages through the per-CPU page list
    assignments: int

    @property
    def peer(self) -> str:
        return f"mmkit-{self.preset}"


@dataclass(frozen=True)
class Target:
    """A goal stated in the issue, checked against measured medians."""
    text: str
    figure: str
    mode: str | None = None            # the variant's mode that must meet it
    page_alloc: str | None = None      # ... or its page allocator
    versus_mode: str | None = None     # speedup over this mode's figure
    factor: float = 1.0
    reference_ns: float | None = None  # beat this by ``factor``
    versus_peers: bool = False         # no slower than the fastest peer
    pcp: bool | None = None            # the variant must (not) have the per-CPU page list
    instructions: float | None = None  # at most this many instructions per op (callgrind)


TARGETS = (
    # Issue 13: counted exactly, so a small gain is not lost in timing noise.
    Target("TwoTier small-object pair (64 B) in at most 64 instructions (callgrind; "
           "jemalloc and tcmalloc: 76)", "pair size=64", mode="twotier", instructions=64),
    Target("TwoTier small-object pair (64 B) at least 3x faster than SimpleHeap",
           "pair size=64", mode="twotier", versus_mode="simpleheap", factor=3),
    Target("TwoTier small-object pair (64 B) no slower than the fastest peer",
           "pair size=64", mode="twotier", versus_peers=True),
    Target("slab alloc (64 B) 5x faster than ~50 ns", "slab_alloc size=64",
           factor=5, reference_ns=50),
    # Order 0 is what the per-CPU page list serves (Kconfig PCP): the figure
    # is a list pop, the buddy allocator is met only at a refill.
    Target("single-page alloc (order 0) through the per-CPU page list, refilled from the "
           "buddy allocator, 5x faster than ~300 ns", "page_alloc order=0",
           page_alloc="buddy", pcp=True, factor=5, reference_ns=300),
    # No hugepage pool exists: a 2 MiB block is an order-9 buddy allocation,
    # which is also where Linux's transparent hugepages come from.
    Target("2 MiB alloc, a buddy order-9 block (no hugepage pool), 5x faster than ~500 ns",
           "page_alloc order=9", page_alloc="buddy", factor=5, reference_ns=500),
)


def _size(nbytes: int) -> str:
    return f"{nbytes >> 20} MiB" if nbytes >= 1 << 20 else f"{nbytes >> 10} KiB"


def what(figure: str, m: Measured) -> str | None:
    """What one of mmkit's own figures measures in variant ``m`` (None for the
    workloads every peer runs, which driver.c describes)."""
    name, _, param = figure.partition(" ")
    key, _, value = param.partition("=")
    if name in ("page_alloc", "page_free") and key == "order":
        order = int(value)
        call = f"{'alloc_pages' if name == 'page_alloc' else 'free_pages'}({order})"
        if order == 0 and m.pcp:
            return (f"{call}: one page, from the per-CPU page list (PCP); the {m.page_alloc} "
                    "allocator is met only when the list is refilled or drained, in batches")
        if order == 0:
            return f"{call}: one page, from the {m.page_alloc} allocator (no PCP)"
        block = (f"a buddy order-{order} block" if m.page_alloc == "buddy"
                 else f"a run of {1 << order} pages from the bitmap allocator")
        return (f"{call}: {_size(4096 << order)}, {block}"
                + (" (no hugepage pool)" if order == 9 else ""))
    if name in ("slab_alloc", "slab_free") and key == "size":
        return (f"kmem_cache_{name[5:]}: one {value}-byte object of a slab cache, "
                "no kmalloc size lookup")
    return None


# --- which mmkit variants ---------------------------------------------------------

def resolve(name: str) -> Measured:
    """What a preset selects (Kconfig resolves it; nothing is written)."""
    from . import allocators, config, fragments
    kconf = config.from_preset(name)
    values = config.resolved(kconf)
    mode = next((m for sym, m in allocators.table(kconf, "front").items() if values.get(sym)),
                "?")
    pages = next((p for sym, p in allocators.table(kconf, "pages").items() if values.get(sym)),
                 "?")
    return Measured(name, mode, pages, bool(values.get("PCP")),
                    len(fragments.parse_fragment(fragments.preset(name).path)))


def choose_variants(requested: list[str] | None = None) -> list[Measured]:
    """One preset per allocator mode and per page allocator (or ``requested``).

    For each, the preset named after it if there is one, else the one with
    the fewest assignments (the plainest), so debug presets are left out.
    """
    from .fragments import presets
    if requested:
        return [resolve(name) for name in requested]
    resolved = [resolve(name) for name in presets()]
    chosen: list[Measured] = []
    for attr in ("mode", "page_alloc"):
        for value in dict.fromkeys(getattr(v, attr) for v in resolved):
            if any(getattr(c, attr) == value for c in chosen):
                continue
            group = [v for v in resolved if getattr(v, attr) == value]
            chosen.append(min(group, key=lambda v: (v.preset != value, v.assignments, v.preset)))
    return chosen


# --- building ----------------------------------------------------------------------

def build(base: Path, measured: list[Measured], jobs: int) -> dict[str, Path]:
    """Each measured preset a Variant in <base>/<preset>, its programs built by
    Ninja; the peers' programs come from the first.  Peer name -> program."""
    from .variant import Variant
    programs: dict[str, Path] = {}
    for i, m in enumerate(measured):
        variant = Variant.configure(m.preset, out=base / m.preset)
        targets = ["hostbench"] + (["hostbench-peers"] if i == 0 else [])
        try:
            variant.build(targets, jobs, log=variant.log("hostbench-build"))
        except KitError as exc:
            packages = ", ".join(p.package for p in PEERS)
            raise KitError(f"hostbench: {exc} (the peers need the Debian packages {packages}: "
                           "ci/setup.sh installs them)") from None
        programs[m.peer] = variant.out / "hostbench" / "bench-mmkit"
        if i == 0:
            programs.update({p.name: variant.out / p.program for p in PEERS})
    return programs


# --- running and parsing -----------------------------------------------------------

_OP_FIELDS = {"peer": str, "name": str, "reps": int, "ops": int, "failures": int,
              "min_ps": int, "median_ps": int, "max_ps": int}
_OP_PARAMS = ("pattern", "size", "order", "max_size")


def parse_output(text: str, expect_peer: str) -> dict:
    """HOSTBENCH lines of one program -> {"version", "figures": {key: {...}}}."""
    version, figures, ended = None, {}, False
    for line in text.splitlines():
        if not line.startswith(PREFIX):
            continue
        try:
            obj = json.loads(line[len(PREFIX):])
        except ValueError as exc:
            raise KitError(f"hostbench: {expect_peer}: bad line {line[:60]!r}: {exc}") from exc
        if not isinstance(obj, dict) or obj.get("v") != 1 or obj.get("peer") != expect_peer:
            raise KitError(f"hostbench: {expect_peer}: unexpected line {line[:80]!r}")
        if obj.get("kind") == "meta":
            version = str(obj.get("version"))
        elif obj.get("kind") == "end":
            ended = True
        elif obj.get("kind") == "frag":
            for key in ("pattern", "peak_requested", "peak_held", "peak_rss", "failures"):
                if key not in obj:
                    raise KitError(f"hostbench: {expect_peer}: frag line lacks '{key}': "
                                   f"{line[:80]!r}")
            figures[f"frag pattern={obj['pattern']}"] = {
                k: obj[k] for k in ("peak_requested", "peak_held", "peak_rss", "failures",
                                    "ops", "slots", "max_size") if k in obj}
        elif obj.get("kind") == "op":
            for key, typ in _OP_FIELDS.items():
                if not isinstance(obj.get(key), typ):
                    raise KitError(f"hostbench: {expect_peer}: op line lacks '{key}': {line[:80]!r}")
            key = " ".join([obj["name"]] + [f"{p}={obj[p]}" for p in _OP_PARAMS
                                            if p in obj and p != "max_size"])
            figures[key] = {"median_ns": obj["median_ps"] / 1000, "min_ns": obj["min_ps"] / 1000,
                            "max_ns": obj["max_ps"] / 1000, "reps": obj["reps"],
                            "ops": obj["ops"], "failures": obj["failures"]}
        else:
            raise KitError(f"hostbench: {expect_peer}: unknown line kind {obj.get('kind')!r}")
    if version is None or not ended:
        raise KitError(f"hostbench: {expect_peer}: the run did not complete")
    return {"version": version, "figures": figures}


def _run(exe: Path, label: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """One run of a program with ``args``; a timeout or a failure is a KitError
    naming ``label`` and the program's last line of complaint."""
    try:
        proc = procs.run([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise KitError(f"hostbench: {label} did not finish within {timeout:g} s") from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise KitError(f"hostbench: {label} exited with status {proc.returncode}: {detail}")
    return proc


def run_program(exe: Path, name: str, iterations: int, reps: int, seed: int,
                timeout: float) -> tuple[str, dict]:
    """One run of one program: (its output, its figures parsed)."""
    proc = _run(exe, name, [str(iterations), str(reps), str(seed)], timeout)
    return proc.stdout + proc.stderr, parse_output(proc.stdout, name)


def frag_program(exe: Path, name: str, seed: int, timeout: float) -> tuple[str, dict]:
    """The stress patterns, one process each: (their output, pattern -> figures,
    with "held" and "rss" as Johnstone and Wilson's #4)."""
    text, found = "", {}
    for pattern in FRAG_PATTERNS:
        proc = _run(exe, f"{name} frag {pattern}", ["frag", pattern, str(seed)], timeout)
        text += proc.stdout + proc.stderr
        fig = parse_output(proc.stdout, name)["figures"].get(f"frag pattern={pattern}")
        if fig is None or not fig["peak_requested"]:
            raise KitError(f"hostbench: {name} frag {pattern} reported no peak")
        held = fig["peak_held"]   # None: the allocator keeps no account of what it holds
        found[pattern] = {**fig, "held": None if held is None else
                          round(held / fig["peak_requested"], 3),
                          "rss": round(fig["peak_rss"] / fig["peak_requested"], 3)}
    return text, found


def combine_rounds(runs: list[dict]) -> dict:
    """One program's runs, one per round, as one result: per figure the
    rounds' values (each the fastest of that run's repetitions) and their
    minimum, median and maximum.  The median is the lower middle value
    (statistics.median_low), so it is always a measured value."""
    figures: dict[str, dict] = {}
    for run in runs:
        for key, fig in run["figures"].items():
            got = figures.setdefault(key, {"rounds_ns": [], "failures": 0, "reps": fig["reps"],
                                           "ops": fig["ops"]})
            got["rounds_ns"].append(fig["min_ns"])
            got["failures"] += fig["failures"]
    for fig in figures.values():
        values = fig["rounds_ns"]
        fig.update(min_ns=min(values), median_ns=statistics.median_low(values),
                   max_ns=max(values), rounds=len(values))
    return {"version": runs[0]["version"], "figures": figures}


def count_program(exe: Path, name: str, iterations: int, workdir: Path, timeout: float,
                  log: Path) -> dict:
    """Instructions per operation of the program's pair loops under callgrind:
    {figure: {"per_op", "loop_per_op", "instructions", "ops"}}; per_op is
    the loop's count less the bare loop's (driver.c's "loop"), per pair."""
    _, found = callgrind.counts([str(exe), "count", str(iterations)], workdir, name,
                                timeout, log)
    if LOOP not in found:
        raise KitError(f"callgrind: {name} did not count the bare loop (see {log})")
    loop = found.pop(LOOP)
    return {key: {"instructions": ir, "ops": iterations,
                  "per_op": round((ir - loop) / iterations, 2),
                  "loop_per_op": round(loop / iterations, 2)}
            for key, ir in found.items()}


def schedule(names: list[str], rounds: int) -> list[list[str]]:
    """The programs of each round: all of them, each round starting one
    further on (A B C D, B C D A, ...), so none always runs first."""
    return [names[r % len(names):] + names[:r % len(names)] for r in range(rounds)]


# --- ratios and targets --------------------------------------------------------------

def ratios(results: dict[str, dict], variants: list[Measured]) -> dict[str, dict[str, dict]]:
    """variant peer -> figure -> peer -> mmkit median / peer median (< 1: mmkit faster)."""
    out: dict[str, dict[str, dict]] = {}
    for v in variants:
        mine = results[v.peer]["figures"]
        table: dict[str, dict] = {}
        for key, fig in mine.items():
            row = {p.name: fig["median_ns"] / results[p.name]["figures"][key]["median_ns"]
                   for p in PEERS if key in results[p.name]["figures"]
                   and results[p.name]["figures"][key]["median_ns"] > 0}
            if row:
                table[key] = row
        out[v.peer] = table
    return out


def _fastest_peer(results: dict[str, dict], figure: str) -> tuple[str, float] | None:
    found = [(results[p.name]["figures"][figure]["median_ns"], p.name) for p in PEERS
             if figure in results[p.name]["figures"]]
    return (min(found)[1], min(found)[0]) if found else None


def _evaluate_instructions(target: Target, results: dict[str, dict],
                           have: list[Measured]) -> dict:
    """An instruction target, on the callgrind counts (not on time)."""
    counted = [v for v in have if target.figure in results[v.peer].get("instructions", {})]
    if not counted:
        why = ("instructions were not counted (--no-count)" if have else
               f"no measured {target.mode or target.page_alloc or ''} variant has "
               f"'{target.figure}'")
        return {"status": "absent", "detail": why}
    v = min(counted, key=lambda c: results[c.peer]["instructions"][target.figure]["per_op"])
    mine = results[v.peer]["instructions"][target.figure]["per_op"]
    peers = ", ".join(f"{p.name} {results[p.name]['instructions'][target.figure]['per_op']:g}"
                      for p in PEERS
                      if target.figure in results[p.name].get("instructions", {}))
    return {"status": "met" if mine <= target.instructions else "not met",
            "detail": f"{v.peer} {mine:g} instructions per op (needs <= {target.instructions:g})"
                      + (f"; peers: {peers}" if peers else "")}


def evaluate(target: Target, results: dict[str, dict], variants: list[Measured]) -> dict:
    """{"target", "status": met | not met | absent, "detail"} from measured medians."""
    def candidates() -> list[Measured]:
        return [v for v in variants
                if (target.mode is None or v.mode == target.mode)
                and (target.page_alloc is None or v.page_alloc == target.page_alloc)
                and (target.pcp is None or v.pcp == target.pcp)
                and target.figure in results[v.peer]["figures"]]

    row = {"target": target.text, "figure": target.figure}
    if target.instructions is not None:
        return {**row, **_evaluate_instructions(target, results, candidates())}
    have = candidates()
    if not have:
        if target.mode and not any(v.mode == target.mode for v in variants):
            why = f"no preset selects the {target.mode} mode"
        elif target.page_alloc and not any(v.page_alloc == target.page_alloc for v in variants):
            why = f"no preset uses the {target.page_alloc} page allocator"
        elif target.pcp is not None and not any(v.pcp == target.pcp for v in variants):
            why = f"no measured preset has PCP={'y' if target.pcp else 'n'}"
        else:
            why = f"no measured variant has the figure '{target.figure}'"
        return {**row, "status": "absent", "detail": why}
    # The best variant that qualifies: the target asks whether mmkit can do it.
    v = min(have, key=lambda c: results[c.peer]["figures"][target.figure]["median_ns"])
    ns = results[v.peer]["figures"][target.figure]["median_ns"]
    if target.versus_mode:
        base = [b for b in variants if b.mode == target.versus_mode
                and target.figure in results[b.peer]["figures"]]
        if not base:
            return {**row, "status": "absent",
                    "detail": f"no {target.versus_mode} variant measured to compare with"}
        base_ns = results[base[0].peer]["figures"][target.figure]["median_ns"]
        speedup = base_ns / ns if ns else float("inf")
        return {**row, "status": "met" if speedup >= target.factor else "not met",
                "detail": f"{v.peer} {ns:.1f} ns vs {base[0].peer} {base_ns:.1f} ns: "
                          f"{speedup:.2f}x (needs {target.factor:g}x)"}
    if target.versus_peers:
        fastest = _fastest_peer(results, target.figure)
        if fastest is None:
            return {**row, "status": "absent", "detail": "no peer measured this figure"}
        return {**row, "status": "met" if ns <= fastest[1] else "not met",
                "detail": f"{v.peer} {ns:.1f} ns vs fastest peer {fastest[0]} {fastest[1]:.1f} ns"}
    limit = (target.reference_ns or 0) / target.factor
    return {**row, "status": "met" if ns <= limit else "not met",
            "detail": f"{v.peer} {ns:.1f} ns (needs <= {limit:g} ns)"}


# --- the whole run -------------------------------------------------------------------

def run(base: Path, iterations: int, reps: int, rounds: int, seed: int,
        presets: list[str] | None, jobs: int, count_iterations: int | None = 100000,
        timeout: float = 600, progress: Callable[[str], None] = print) -> dict:
    """Build, time in interleaved rounds, count with callgrind (unless
    ``count_iterations`` is None), judge; hostbench.json, .md and .html."""
    from . import hostbench_report
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise KitError(f"hostbench: --rounds must be {MIN_ROUNDS}..{MAX_ROUNDS}, not {rounds}")
    if not 1 <= reps <= MAX_REPS:
        raise KitError(f"hostbench: --reps must be 1..{MAX_REPS}, not {reps}")
    valgrind = callgrind.version() if count_iterations else None   # fail before timing
    variants = choose_variants(presets)
    progress(f"hostbench: building {len(variants)} mmkit variant(s) and {len(PEERS)} peers")
    exes = build(base, variants, jobs)
    names = list(exes)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    logs: dict[str, list[str]] = {n: [] for n in names}
    order = schedule(names, rounds)
    for r, programs in enumerate(order):
        t0 = time.monotonic()
        for name in programs:   # one at a time: they must not compete for the CPU
            text, parsed = run_program(exes[name], name, iterations, reps, seed, timeout)
            runs[name].append(parsed)
            logs[name].append(f"# round {r + 1} of {rounds}\n{text}")
        progress(f"hostbench: round {r + 1}/{rounds} timed ({time.monotonic() - t0:.1f} s): "
                 + " ".join(programs))
    results = {n: combine_rounds(runs[n]) for n in names}
    for i, name in enumerate(names):
        t0 = time.monotonic()
        text, results[name]["frag"] = frag_program(exes[name], name, seed, timeout)
        logs[name].append(f"# stress patterns\n{text}")
        progress(f"hostbench: stress patterns {i + 1}/{len(names)} "
                 f"({time.monotonic() - t0:.1f} s): {name}")
    for name in names:
        write_atomic(base / f"{name}.log", "".join(logs[name]))
    if count_iterations:
        for i, name in enumerate(names):
            t0 = time.monotonic()
            results[name]["instructions"] = count_program(
                exes[name], name, count_iterations, base / "callgrind" / name, timeout * 4,
                base / f"{name}.callgrind.log")
            progress(f"hostbench: instructions counted {i + 1}/{len(names)} "
                     f"({time.monotonic() - t0:.1f} s): {name}")
    for v in variants:   # say what mmkit's own figures measure in each variant
        for key, figure in results[v.peer]["figures"].items():
            label = what(key, v)
            if label:
                figure["what"] = label
    doc = {
        "v": 2,
        "iterations": iterations, "reps": reps, "rounds": rounds, "seed": seed,
        "count_iterations": count_iterations,
        "cpu": cpu_model(), "valgrind": valgrind,
        "unit": "ns per operation, host wall clock: each round's fastest repetition; "
                "min, median and max over the rounds",
        "frag_patterns": list(FRAG_PATTERNS),
        "order": "interleaved: each round runs every program once, one after another, "
                 "each round starting one program further on",
        "schedule": order,
        "peers": [p.name for p in PEERS],
        "variants": [{"peer": v.peer, "preset": v.preset, "mode": v.mode,
                      "page_alloc": v.page_alloc, "pcp": v.pcp} for v in variants],
        "results": results,
        "ratios": ratios(results, variants),
        "targets": [evaluate(t, results, variants) for t in TARGETS],
    }
    write_atomic(base / "hostbench.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    hostbench_report.write(doc, base)
    return doc
