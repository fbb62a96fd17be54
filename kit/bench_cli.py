"""build.py's measuring commands: bench, matrix, workflow, hostbench,
lz4bench, selfbench.

kit/cli.py calls register() to add them to its parser; the work is done in
kit/bench.py, kit/matrix.py, kit/report.py, kit/workflow.py,
kit/hostbench.py, kit/lz4bench.py and kit/selfbench.py.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from . import paths
from .cli_args import any_int, positive_int
from .errors import KitError


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench, cli
    variant = cli.built(args, ["kernel"])
    run = cli.run_options(args)
    if run["gdb"]:
        cli.announce_gdb(variant, "bench", run["gdb"])
    result = variant.bench(echo=args.verbose or bool(run["gdb"]), **run)
    for line in bench.table(result.data, result.data["counter"]):
        print(line)
    print(f"build.py: bench: figures in {variant.out / 'bench.json'}, console in "
          f"{variant.log('bench')}")
    if not result.ok:
        print(f"build.py: bench: FAILED: {result.reason}")
        return 1
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from . import baseline, matrix, matrix_file, report
    from .fsutil import write_atomic
    m = matrix_file.load(Path(args.matrix_file) if args.matrix_file else None)
    base = Path(args.out).resolve() if args.out else paths.BUILD / "matrix"
    cells = m.select(args.cell)
    threshold = args.threshold if args.threshold is not None else m.threshold
    old = baseline.load(Path(args.baseline)) if args.baseline else None  # before overwriting
    if args.report_only:
        results = [matrix.load_cell(base, c) for c in cells]
    else:
        # One cell more than cores: while a cell's kit, Ninja or QEMU waits
        # (files, boot, teardown) the cores stay busy.  A cold matrix on 2
        # cores: 398 s with 2 cells at a time, 364 s with 3 (637 and 657
        # CPU-seconds).
        jobs = args.jobs or (os.cpu_count() or 1) + 1
        print(f"matrix: {len(cells)} cell(s) from {_rel(m.path)}, up to {jobs} at a time, "
              f"in {base}")
        start, cpu = time.monotonic(), matrix.cpu_seconds()
        results = matrix.Runner(base, jobs, args.rerun).run(cells)
        print(f"matrix: {len(cells)} cell(s) in {time.monotonic() - start:.0f} s, "
              f"{matrix.cpu_seconds() - cpu:.0f} CPU-seconds (user+sys of the kit and "
              f"everything it ran: compilers, Ninja, QEMU)")
    regressions = baseline.compare([asdict(r) for r in results], old, threshold) if old else []
    doc = matrix.results_document(m.path, results, threshold, regressions, args.baseline)
    write_atomic(base / "results.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    report.write(doc, base)
    print(f"matrix: report: {base / 'report.md'}, {base / 'report.html'}, "
          f"{base / 'results.json'}")
    for r in regressions:
        print(f"REGRESSION {r['cell']}: {r['figure']}: {r['old']} -> {r['new']} ({r['change']})")
    failed = [r for r in results if not r.passed]
    status = 0
    if failed:
        print(f"build.py: matrix: FAILED: {len(failed)} of {len(results)} cell(s): "
              + "; ".join(f"{r.name} ({r.step}: {r.reason})" for r in failed))
        status = 1
    if regressions:
        print(f"build.py: matrix: {len(regressions)} regression(s) beyond {threshold:g}% "
              f"against {args.baseline}")
        status = 1
    if not status:
        print(f"build.py: matrix: PASSED: {len(results)} cell(s)")
    return status


def cmd_workflow(args: argparse.Namespace) -> int:
    from . import matrix_file, workflow
    from .fsutil import write_if_changed
    m = matrix_file.load(Path(args.matrix_file) if args.matrix_file else None)
    target = Path(args.output).resolve() if args.output else workflow.DEFAULT_OUTPUT
    text = workflow.render(m)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            raise KitError(f"{_rel(target)} is out of date with {_rel(m.path)}: "
                           "run ./build.py workflow")
        print(f"workflow: {_rel(target)} is in sync with {_rel(m.path)} "
              f"({len(m.cells)} cells in its strategy.matrix)")
        return 0
    changed = write_if_changed(target, text)
    print(f"workflow: {_rel(target)} {'written' if changed else 'already up to date'} "
          f"({len(m.cells)} cells in its strategy.matrix)")
    return 0


def cmd_hostbench(args: argparse.Namespace) -> int:
    from . import hostbench
    base = Path(args.out).resolve() if args.out else paths.BUILD / "hostbench"
    hostbench.run(base, args.iterations, args.reps, args.rounds, args.seed, args.preset,
                  args.jobs or os.cpu_count() or 1,
                  None if args.no_count else args.count_iterations,
                  progress=lambda line: print(line, flush=True))
    print((base / "hostbench.md").read_text(encoding="utf-8"), end="")
    print(f"build.py: hostbench: {base / 'hostbench.json'}, {base / 'hostbench.md'}, "
          f"{base / 'hostbench.html'}")
    return 0


def cmd_realbench(args: argparse.Namespace) -> int:
    from . import realbench
    base = Path(args.out).resolve() if args.out else paths.BUILD / "realbench"
    if not 0 < args.scale <= 10:
        raise KitError(f"--scale {args.scale:g}: must be above 0 and at most 10")
    if not 1 <= args.reps <= 101:
        raise KitError(f"--reps {args.reps}: must be 1..101")
    if args.record:
        for path in realbench.record(base, args.workload, args.scale, args.jobs):
            print(f"build.py: realbench: recorded {path}")
        return 0
    doc = realbench.run(base, args.preset, args.workload, args.reps, args.scale, args.jobs)
    for line in realbench.markdown(doc):
        print(line)
    print(f"build.py: realbench: {base / 'realbench.json'}, {base / 'realbench.md'}")
    if doc["mismatches"]:
        print(f"build.py: realbench: FAILED: {len(doc['mismatches'])} run(s) whose output "
              "differs from glibc's")
        return 1
    return 0


def cmd_lz4bench(args: argparse.Namespace) -> int:
    from . import lz4bench
    base = Path(args.out).resolve() if args.out else paths.BUILD / "lz4bench"
    doc = lz4bench.run(base, args.corpus_kib, args.rounds, args.block)
    for line in lz4bench.markdown(doc):
        print(line)
    print(f"build.py: lz4bench: {base / 'lz4bench.json'}, {base / 'lz4bench.md'}")
    return 0


def cmd_selfbench(args: argparse.Namespace) -> int:
    from . import selfbench
    from .variant import Variant
    if args.out:
        out = Path(args.out).resolve()
    else:
        out = Variant.configure(selfbench.PRESET, out=paths.BUILD / "selfbench").out
    print(selfbench.report(selfbench.measure(out, args.runs)))
    return 0


def register(add, common: argparse.ArgumentParser, settable: argparse.ArgumentParser) -> None:
    """Add the commands with cli.parser()'s ``add(name, func, help, parents)``."""
    from .cli import booting_options
    b = add("bench", cmd_bench, "build and boot the bench image under -icount: instructions "
            "per operation and fragmentation figures, <out>/bench.json and a table",
            [common, settable, booting_options()])
    b.add_argument("-v", "--verbose", action="store_true", help="print the guest's console")

    m = add("matrix", cmd_matrix, "build, test and benchmark every preset x arch cell of the "
            "matrix file; report.md, report.html, results.json in build/matrix", [])
    m.add_argument("-O", "--out", metavar="DIR", help="matrix directory (default: build/matrix)")
    m.add_argument("-j", "--jobs", type=positive_int, metavar="N",
                   help="cells run in parallel (default: one more than the number of CPUs)")
    m.add_argument("--matrix-file", metavar="FILE", help="the matrix (default: ci/matrix.toml)")
    m.add_argument("--cell", action="append", metavar="NAME",
                   help="only this cell, e.g. simpleheap-riscv64 (repeatable)")
    m.add_argument("--baseline", metavar="RESULTS_JSON",
                   help="flag regressions against an earlier results.json (exit status 1)")
    m.add_argument("--threshold", type=float, metavar="PCT",
                   help="regression threshold: percent more instructions per op, or "
                        "percentage points of a fragmentation ratio (default: the matrix "
                        "file's 'threshold', else 2)")
    m.add_argument("--report-only", action="store_true",
                   help="run nothing: report the cells' recorded cell.json (CI's merge job)")
    m.add_argument("--rerun", action="store_true",
                   help="boot again even when nothing a cell's result depends on changed "
                        "(.config, images, kit code, QEMU version)")

    w = add("workflow", cmd_workflow,
            "write the GitHub Actions workflow generated from the matrix file", [])
    w.add_argument("--matrix-file", metavar="FILE", help="the matrix (default: ci/matrix.toml)")
    w.add_argument("--output", metavar="FILE", help="default: .github/workflows/mmkit.yml")
    w.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if the workflow is not in sync with the matrix")

    s = add("selfbench", cmd_selfbench, "time the kit itself: a no-op ./build.py build, "
            "best and median of several runs (target: under 0.1 s)", [])
    s.add_argument("-O", "--out", metavar="DIR",
                   help="a configured variant to build (default: build/selfbench, simpleheap)")
    s.add_argument("--runs", type=positive_int, default=10, metavar="N",
                   help="timed runs after one untimed build (default 10)")

    h = add("hostbench", cmd_hostbench, "time mmkit's allocators natively against glibc "
            "malloc, jemalloc, mimalloc and tcmalloc in interleaved rounds (ns/op min, median, "
            "max), count their instructions with callgrind, judge the targets", [])
    h.add_argument("-O", "--out", metavar="DIR", help="output directory (default: build/hostbench)")
    h.add_argument("-j", "--jobs", type=positive_int, metavar="N", help="parallel compiles")
    h.add_argument("--iterations", type=positive_int, default=20000, metavar="N",
                   help="operations per repetition of a pair or mixed figure (default 20000)")
    h.add_argument("--reps", type=positive_int, default=5, metavar="N",
                   help="repetitions per figure in each round, the fastest counts, 1..101 "
                        "(default 5)")
    h.add_argument("--rounds", type=positive_int, default=11, metavar="N",
                   help="interleaved rounds, every program once each, 7..101 (default 11)")
    h.add_argument("--count-iterations", type=positive_int, default=100000, metavar="N",
                   help="pairs per figure counted by callgrind (default 100000)")
    h.add_argument("--no-count", action="store_true",
                   help="do not count instructions (no valgrind needed)")
    h.add_argument("--seed", type=any_int, default=1, help="seed of the random workloads")
    h.add_argument("--preset", action="append", metavar="NAME",
                   help="measure this preset (repeatable; default: one per mode and page allocator)")

    r = add("realbench", cmd_realbench, "run real programs (python3, sqlite3, gcc, jq, lua5.4, "
            "xz) on preloaded mmkit variants and on glibc, jemalloc, mimalloc and tcmalloc: "
            "outputs compared, wall time and peak RSS", [])
    r.add_argument("-O", "--out", metavar="DIR", help="output directory (default: build/realbench)")
    r.add_argument("-j", "--jobs", type=positive_int, metavar="N", help="parallel compiles")
    r.add_argument("--reps", type=positive_int, default=5, metavar="N",
                   help="interleaved repetitions, 1..101 (default 5)")
    r.add_argument("--scale", type=float, default=1.0, metavar="X",
                   help="input size factor (default 1: a few seconds per run under glibc)")
    r.add_argument("--preset", action="append", metavar="NAME",
                   help="measure this preset (repeatable; default: one per mode and page "
                        "allocator but SimpleHeap, whose first fit takes hours on python3)")
    r.add_argument("--workload", action="append", metavar="NAME",
                   help="only this workload (repeatable): python, sqlite3, gcc, jq, lua, xz")
    r.add_argument("--record", action="store_true",
                   help="time nothing: record each workload's allocation trace (under glibc) "
                        "into tests/bench/traces/, which the bench image replays")

    z = add("lz4bench", cmd_lz4bench, "time mmkit's LZ4 codec against liblz4 natively on "
            "the same corpus (MB/s min/median/max, ratios, targets)", [])
    z.add_argument("-O", "--out", metavar="DIR", help="output directory (default: build/lz4bench)")
    z.add_argument("--corpus-kib", type=any_int, default=8192, metavar="N",
                   help="corpus size in KiB, cut from system files (default 8192)")
    z.add_argument("--rounds", type=any_int, default=11, metavar="N",
                   help="interleaved rounds, 7..101 (default 11)")
    z.add_argument("--block", type=any_int, default=4096, metavar="BYTES",
                   help="block size, 1..65536 (default 4096, a page)")
