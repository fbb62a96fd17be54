"""Host-native peer benchmark: mmkit's generated allocators against glibc
malloc, jemalloc, mimalloc and tcmalloc, in one run, on the same workloads.

Each allocator becomes one program: tests/host/bench/driver.c (the
workloads and the timing) linked with one peer_*.c, built by the Ninja
targets `hostbench` and `hostbench-peers` of a variant's build.ninja
(kit/hostbench_programs.py).  For mmkit, one variant per allocator mode
(and per page allocator) found among the presets, each in <base>/<preset>,
so a new mode's preset is measured as soon as it exists.  Programs run one
after another; figures are nanoseconds per operation (medians over
repetitions) and ratios, and only ever come from this benchmark.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import procs
from .errors import KitError
from .fsutil import write_atomic
from .hostbench_programs import PEERS

PREFIX = "HOSTBENCH "


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


TARGETS = (
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
    from . import config, fragments, generate
    kconf = config.from_preset(name)
    values = config.resolved(kconf)
    mode = next((m for sym, m in generate.MODES.items() if values.get(sym)), "?")
    pages = next((p for sym, p in generate.PAGE_ALLOCS.items() if values.get(sym)), "?")
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


def run_program(exe: Path, name: str, iterations: int, reps: int, seed: int,
                timeout: float, log: Path) -> dict:
    """One program's run, its output kept in ``log``, its figures parsed."""
    try:
        proc = procs.run([str(exe), str(iterations), str(reps), str(seed)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise KitError(f"hostbench: {name} did not finish within {timeout:g} s") from exc
    write_atomic(log, proc.stdout + proc.stderr)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise KitError(f"hostbench: {name} exited with status {proc.returncode}: {detail}")
    return parse_output(proc.stdout, name)


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


def evaluate(target: Target, results: dict[str, dict], variants: list[Measured]) -> dict:
    """{"target", "status": met | not met | absent, "detail"} from measured medians."""
    def candidates() -> list[Measured]:
        return [v for v in variants
                if (target.mode is None or v.mode == target.mode)
                and (target.page_alloc is None or v.page_alloc == target.page_alloc)
                and (target.pcp is None or v.pcp == target.pcp)
                and target.figure in results[v.peer]["figures"]]

    row = {"target": target.text, "figure": target.figure}
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

def run(base: Path, iterations: int, reps: int, seed: int, presets: list[str] | None,
        jobs: int, timeout: float = 600) -> dict:
    variants = choose_variants(presets)
    exes = build(base, variants, jobs)
    results = {}
    for name, exe in exes.items():   # one at a time: they must not compete for the CPU
        results[name] = run_program(exe, name, iterations, reps, seed, timeout,
                                    base / f"{name}.log")
    for v in variants:   # say what mmkit's own figures measure in each variant
        for key, figure in results[v.peer]["figures"].items():
            label = what(key, v)
            if label:
                figure["what"] = label
    doc = {
        "v": 1,
        "iterations": iterations, "reps": reps, "seed": seed,
        "unit": "ns per operation (median over repetitions), host wall clock",
        "peers": [p.name for p in PEERS],
        "variants": [{"peer": v.peer, "preset": v.preset, "mode": v.mode,
                      "page_alloc": v.page_alloc, "pcp": v.pcp} for v in variants],
        "results": results,
        "ratios": ratios(results, variants),
        "targets": [evaluate(t, results, variants) for t in TARGETS],
    }
    write_atomic(base / "hostbench.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    write_atomic(base / "hostbench.md", "\n".join(markdown(doc)) + "\n")
    return doc


def _md(head: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
            + ["| " + " | ".join(r) + " |" for r in rows])


def markdown(doc: dict) -> list[str]:
    names = [v["peer"] for v in doc["variants"]] + doc["peers"]
    results = doc["results"]
    keys = list(dict.fromkeys(k for n in names for k in results[n]["figures"]))
    lines = ["# mmkit host benchmark", "",
             f"{doc['unit']}; {doc['iterations']} iterations, {doc['reps']} repetitions, "
             f"seed {doc['seed']}.", "",
             "Allocators: " + "; ".join(f"{n} {results[n]['version']}" for n in names) + ".", "",
             "## Nanoseconds per operation (median)", ""]
    lines += _md(["operation"] + names,
                 [[k] + [f"{results[n]['figures'][k]['median_ns']:.1f}"
                         if k in results[n]["figures"] else "-" for n in names] for k in keys])
    for v in doc["variants"]:
        table = doc["ratios"][v["peer"]]
        lines += ["", f"## {v['peer']} ({v['mode']}, {v['page_alloc']} pages) / peer "
                      "(below 1: mmkit is faster)", ""]
        lines += _md(["operation"] + doc["peers"],
                     [[k] + [f"{table[k][p]:.2f}" if p in table[k] else "-"
                             for p in doc["peers"]] for k in table])
    measured = [[k, v["peer"], results[v["peer"]]["figures"][k]["what"]]
                for k in keys for v in doc["variants"]
                if "what" in results[v["peer"]]["figures"].get(k, {})]
    if measured:
        lines += ["", "## What mmkit's own figures measure", ""]
        lines += _md(["operation", "variant", "measures"], measured)
    lines += ["", "## Targets", ""]
    lines += _md(["target", "status", "measured"],
                 [[t["target"], t["status"].upper() if t["status"] != "absent" else "absent",
                   t["detail"]] for t in doc["targets"]])
    return lines
