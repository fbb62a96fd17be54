"""./build.py realbench: real programs (kit/workloads.py) timed on each
mmkit variant and on glibc, jemalloc, mimalloc and tcmalloc, every one of
them preloaded the same way (glibc: nothing preloaded).

Each allocator first runs each workload once and its output is compared
byte for byte with glibc's; then every repetition runs every workload
under every allocator, in an order rotated by one allocator per
repetition, so that a change in the machine's load falls on all of them.
Each run goes through tests/realbench/measure.c (static, allocates
nothing): wall time from fork to wait4, and wait4's peak resident set of
the program and its waited-for children.  Figures are min / median / max
over repetitions, and ratios of medians against each peer.
"""
from __future__ import annotations

import json
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import hostbench, paths, preload_programs, procs, workloads
from .errors import KitError
from .fsutil import write_atomic

MEASURE_SRC = paths.ROOT / "tests" / "realbench" / "measure.c"
PREFIX = "MEASURE "
LIBDIR = Path("/usr/lib/x86_64-linux-gnu")


@dataclass(frozen=True)
class Peer:
    name: str
    library: str | None      # preloaded; None: glibc's own malloc
    package: str


PEERS = (
    Peer("glibc", None, "libc6"),
    Peer("jemalloc", "libjemalloc.so.2", "libjemalloc2"),
    Peer("mimalloc", "libmimalloc.so.2", "libmimalloc2.0"),
    Peer("tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4"),
)

# The targets, for the release TwoTier preset.
TARGET_PRESET = "twotier"
TARGET_WALL = 1.05      # median wall time at most this times glibc's, every workload
TARGET_RSS = 1.2        # peak RSS at most this times the smallest peer's


def default_variants() -> list:
    """hostbench's choice (one preset per mode and page allocator) but SimpleHeap:
    its first-fit list makes python3 some 200 times slower than glibc (measured
    at scale 0.05), hours at scale 1.  --preset simpleheap asks for it."""
    return [v for v in hostbench.choose_variants(None) if v.mode != "simpleheap"]


def peer_libraries() -> dict[str, str | None]:
    found = {}
    for p in PEERS:
        if p.library and not (LIBDIR / p.library).exists():
            raise KitError(f"realbench: {LIBDIR / p.library} not found: install the Debian "
                           f"package {p.package} (ci/setup.sh does)")
        found[p.name] = str(LIBDIR / p.library) if p.library else None
    return found


def build_measure(base: Path) -> Path:
    exe = base / "measure"
    if exe.exists() and exe.stat().st_mtime >= MEASURE_SRC.stat().st_mtime:
        return exe
    base.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-static",
                           str(MEASURE_SRC), "-o", str(exe)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise KitError(f"realbench: building {MEASURE_SRC.name} failed: "
                       f"{(proc.stdout.strip().splitlines() or ['?'])[-1]}")
    return exe


def measure_once(measure: Path, w: workloads.Workload, inputs: Path, preload: str | None,
                 out: Path, timeout: float) -> dict:
    """One timed run: {"wall_ns", "maxrss_kib", "status"}."""
    out.unlink(missing_ok=True)
    stdin = open(inputs / w.stdin, "rb") if w.stdin else subprocess.DEVNULL
    try:
        proc = procs.run_group([str(measure)] + workloads.command(w, inputs, out),
                               stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=workloads.environment(w, preload), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise KitError(f"realbench: {w.name} did not finish within {timeout:g} s"
                       + (f" (LD_PRELOAD={preload})" if preload else "")) from None
    finally:
        if w.stdin:
            stdin.close()
    lines = proc.stderr.decode(errors="replace").splitlines()
    if not lines or not lines[-1].startswith(PREFIX):
        raise KitError(f"realbench: {w.name}: no {PREFIX.strip()} line from measure")
    fig = json.loads(lines[-1][len(PREFIX):])
    if fig["status"] != 0:
        raise KitError(f"realbench: {w.name} exited with status {fig['status']}"
                       + (f" (LD_PRELOAD={preload})" if preload else ""))
    return fig


def summary(runs: list[dict]) -> dict:
    walls = [r["wall_ns"] / 1e9 for r in runs]
    rss = [r["maxrss_kib"] for r in runs]
    return {"wall_s": {"min": min(walls), "median": statistics.median(walls), "max": max(walls)},
            "rss_kib": {"min": min(rss), "median": statistics.median(rss), "max": max(rss)},
            "reps": len(runs)}


def record(base: Path, names: list[str] | None, scale: float, jobs: int | None) -> list[Path]:
    """./build.py realbench --record: the workloads' traces (kit/traces.py)."""
    from . import traces
    chosen = workloads.names(names)
    workloads.require(chosen)
    gen_variant = hostbench.choose_variants(None)[0].preset
    preload_programs.build_library(gen_variant, base / "variants", jobs)   # gen/ for gcc's input
    inputs = workloads.prepare(base / f"inputs-{scale:g}", scale,
                               base / "variants" / gen_variant / "gen")
    return traces.record(chosen, inputs, base, scale)


def run(base: Path, presets: list[str] | None, names: list[str] | None, reps: int,
        scale: float, jobs: int | None, timeout: float = 900, progress=print) -> dict:
    chosen = workloads.names(names)
    workloads.require(chosen)
    libs = peer_libraries()
    variants = default_variants() if not presets else hostbench.choose_variants(presets)
    allocators: dict[str, str | None] = {}
    for v in variants:
        allocators[f"mmkit-{v.preset}"] = str(preload_programs.build_library(
            v.preset, base / "variants", jobs))
    allocators.update(libs)
    measure = build_measure(base)
    inputs = workloads.prepare(base / f"inputs-{scale:g}", scale,
                               base / "variants" / variants[0].preset / "gen")
    scratch = base / "scratch.out"

    # Correctness first: a figure of a program that went wrong means nothing.
    mismatches = []
    for w in chosen:
        reference = workloads.run(w, inputs, None, scratch, timeout)
        if reference.status != 0:
            raise KitError(f"realbench: {w.name} fails under glibc (status {reference.status})")
        for name, lib in allocators.items():
            if lib is None:
                continue
            diff = workloads.Output.differences(workloads.run(w, inputs, lib, scratch, timeout),
                                                reference)
            if diff:
                mismatches.append({"workload": w.name, "allocator": name, "diff": diff})
                progress(f"realbench: {w.name} under {name}: output differs from glibc's: "
                         f"{'; '.join(diff)}")
    bad = {(m["workload"], m["allocator"]) for m in mismatches}

    names_order = list(allocators)
    raw: dict[str, dict[str, list]] = {w.name: {n: [] for n in names_order} for w in chosen}
    for rep in range(reps):
        order = names_order[rep % len(names_order):] + names_order[:rep % len(names_order)]
        for w in chosen:
            for name in order:
                if (w.name, name) in bad:
                    continue
                raw[w.name][name].append(measure_once(measure, w, inputs, allocators[name],
                                                      scratch, timeout))
        progress(f"realbench: repetition {rep + 1}/{reps} done")

    results = {w.name: {n: summary(r) for n, r in raw[w.name].items() if r} for w in chosen}
    doc = {
        "v": 1, "reps": reps, "scale": scale,
        "unit": "wall seconds (min / median / max over repetitions) and peak RSS in KiB "
                "(median), host; one run at a time",
        "workloads": [{"name": w.name, "what": w.what} for w in chosen],
        "peers": [p.name for p in PEERS],
        "variants": [{"name": f"mmkit-{v.preset}", "preset": v.preset, "mode": v.mode,
                      "page_alloc": v.page_alloc,
                      "settings": preload_programs.host_settings(v.preset)} for v in variants],
        "results": results,
        "mismatches": mismatches,
        "ratios": ratios(results, [f"mmkit-{v.preset}" for v in variants]),
        "targets": targets(results, variants),
    }
    base.mkdir(parents=True, exist_ok=True)
    write_atomic(base / "realbench.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    write_atomic(base / "realbench.md", "\n".join(markdown(doc)) + "\n")
    return doc


def ratios(results: dict, mine: list[str]) -> dict:
    """workload -> variant -> peer -> {"wall": median / peer median, "rss": ...}."""
    out: dict = {}
    for w, per in results.items():
        out[w] = {}
        for v in mine:
            if v not in per:
                continue
            out[w][v] = {p.name: {
                "wall": per[v]["wall_s"]["median"] / per[p.name]["wall_s"]["median"],
                "rss": per[v]["rss_kib"]["median"] / per[p.name]["rss_kib"]["median"]}
                for p in PEERS if p.name in per}
    return out


def targets(results: dict, variants) -> list[dict]:
    name = f"mmkit-{TARGET_PRESET}"
    if not any(v.preset == TARGET_PRESET for v in variants):
        return [{"target": "release twotier targets", "status": "absent",
                 "detail": f"preset {TARGET_PRESET} not measured"}]
    rows = []
    for w, per in results.items():
        if name not in per or "glibc" not in per:
            rows.append({"target": f"{w}: wall <= {TARGET_WALL}x glibc", "status": "absent",
                         "detail": "output differed or not measured"})
            continue
        wall = per[name]["wall_s"]["median"] / per["glibc"]["wall_s"]["median"]
        rows.append({"target": f"{w}: median wall time <= {TARGET_WALL}x glibc's",
                     "status": "met" if wall <= TARGET_WALL else "not met",
                     "detail": f"{per[name]['wall_s']['median']:.3f} s vs "
                               f"{per['glibc']['wall_s']['median']:.3f} s: {wall:.3f}x"})
        peers = [(per[p.name]["rss_kib"]["median"], p.name) for p in PEERS if p.name in per]
        smallest = min(peers)
        rss = per[name]["rss_kib"]["median"] / smallest[0]
        rows.append({"target": f"{w}: peak RSS <= {TARGET_RSS}x the smallest peer's",
                     "status": "met" if rss <= TARGET_RSS else "not met",
                     "detail": f"{per[name]['rss_kib']['median']:.0f} KiB vs {smallest[1]} "
                               f"{smallest[0]:.0f} KiB: {rss:.3f}x"})
    return rows


def _md(head: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
            + ["| " + " | ".join(r) + " |" for r in rows])


def markdown(doc: dict) -> list[str]:
    md = _md
    names = [v["name"] for v in doc["variants"]] + doc["peers"]
    lines = ["# mmkit real programs (realbench)", "",
             f"{doc['unit']}; {doc['reps']} repetitions, interleaved; input scale "
             f"{doc['scale']:g}.", "",
             "mmkit variants (preloaded libmmkit.so): "
             + "; ".join(f"{v['name']} ({v['mode']}, {v['page_alloc']} pages, "
                         f"{' '.join(v['settings'])})" for v in doc["variants"]) + ".", "",
             "Workloads:", ""]
    lines += [f"- `{w['name']}`: {w['what']}" for w in doc["workloads"]]
    if doc["mismatches"]:
        lines += ["", "## Output differing from glibc's (not timed)", ""]
        lines += md(["workload", "allocator", "difference"],
                    [[m["workload"], m["allocator"], "; ".join(m["diff"])]
                     for m in doc["mismatches"]])
    res = doc["results"]
    lines += ["", "## Wall time, seconds (min / median / max)", ""]
    lines += md(["workload"] + names,
                [[w] + [(lambda f: f"{f['min']:.3f} / {f['median']:.3f} / {f['max']:.3f}")(
                    res[w][n]["wall_s"]) if n in res[w] else "-" for n in names] for w in res])
    lines += ["", "## Peak RSS, KiB (median)", ""]
    lines += md(["workload"] + names,
                [[w] + [f"{res[w][n]['rss_kib']['median']:.0f}" if n in res[w] else "-"
                        for n in names] for w in res])
    for v in doc["variants"]:
        lines += ["", f"## {v['name']} / peer, median wall time and peak RSS "
                      "(below 1: mmkit is faster / smaller)", ""]
        lines += md(["workload"] + [f"{p} wall" for p in doc["peers"]]
                    + [f"{p} RSS" for p in doc["peers"]],
                    [[w] + [f"{doc['ratios'][w][v['name']][p]['wall']:.3f}"
                            if p in doc["ratios"][w].get(v["name"], {}) else "-"
                            for p in doc["peers"]]
                     + [f"{doc['ratios'][w][v['name']][p]['rss']:.3f}"
                        if p in doc["ratios"][w].get(v["name"], {}) else "-"
                        for p in doc["peers"]] for w in res])
    lines += ["", "## Targets (release twotier)", ""]
    lines += md(["target", "status", "measured"],
                [[t["target"], t["status"].upper() if t["status"] != "absent" else "absent",
                  t["detail"]] for t in doc["targets"]])
    return lines
