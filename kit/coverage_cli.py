"""build.py coverage: one variant's kernel-cov run and report, or (--matrix)
every preset on every arch as a matrix run (kit/matrix.py, coverage steps)
with one merged report."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import paths
from .errors import KitError

GATE_HELP = "exit 1 when core/mm line coverage is below 90%% (the gate is always printed)"


def _coverage_on():
    from .fragments import Assignment
    return Assignment("COVERAGE", "y", "coverage")


def _refuse_coverage_off(assignments: list) -> None:
    if any(a.name == "COVERAGE" and a.value != "y" for a in assignments):
        raise KitError("the coverage command needs COVERAGE=y")


def print_report(files: dict, label: str) -> bool:
    """The summary and the gate; whether the gate is met."""
    from . import coverage_report
    for line in coverage_report.summary(files, label):
        print(line)
    met, lines = coverage_report.gate(files)
    for line in lines:
        print(line)
    return met


def cmd_coverage(args: argparse.Namespace) -> int:
    from . import cli, lcov
    if args.info:
        return gate_only(args)
    if args.matrix:
        return coverage_matrix(args)
    if args.preset:
        raise KitError("--preset selects matrix variants: use it with --matrix")
    extra = cli.overrides(args)
    _refuse_coverage_off(extra)
    variant = cli.variant_of(args)
    if variant.kconfig().syms["COVERAGE"].str_value != "y":
        extra.append(_coverage_on())
        print(f"coverage: COVERAGE was off in {variant.config_path}: turned it on "
              "(adds the kernel-cov image to the build)")
    if extra:
        variant.reconfigure(extra)
    variant.build(["coverage"], args.jobs)
    label = variant.arch.name
    run = variant.coverage(label)
    status = cli.report(f"coverage run ({label})", run.boot, run.verdict, args.verbose)
    if run.info is None:
        raise KitError(f"coverage: {run.error}")
    print(f"coverage: {label}: {run.info} and {run.info.parent / 'html' / 'index.html'}")
    met = print_report(lcov.load_info(run.info), label)
    return 1 if status or (args.enforce_gate and not met) else 0


def gate_only(args: argparse.Namespace) -> int:
    """--info FILE: the summary and the gate of an lcov.info made elsewhere
    (CI merges its cells' files with lcov), nothing built or booted."""
    from . import lcov
    if args.matrix or args.preset or args.arch or args.set:
        raise KitError("--info reports on an existing lcov.info: it takes no --matrix, "
                       "--preset, --arch or --set")
    path = Path(args.info)
    if not path.is_file():
        raise KitError(f"--info {args.info}: no such file")
    try:
        files = lcov.load_info(path)
    except (OSError, ValueError) as exc:
        raise KitError(f"--info {args.info}: not an lcov tracefile ({exc})") from None
    if not files:
        raise KitError(f"--info {args.info}: no source file in it")
    met = print_report(files, path.name)
    return 1 if args.enforce_gate and not met else 0


def coverage_matrix(args: argparse.Namespace) -> int:
    """Every preset (or --preset) on every arch (or --arch) as a matrix run,
    each cell in DIR/<preset>-<arch>; one merged report, DIR/reach.md."""
    from . import archs, coverage_report, fragments, lcov, matrix
    from .fsutil import write_atomic
    from .matrix_file import Cell
    base = Path(args.out).resolve() if args.out else paths.BUILD / "coverage"
    chosen = args.preset or list(fragments.presets())
    for name in chosen:
        fragments.preset(name)  # an unknown name fails before anything is built
    arches = [args.arch] if args.arch else list(archs.ARCHES)
    settings = args.set or []
    _refuse_coverage_off(fragments.parse_set(settings))
    cells = [Cell(f"{p}-{a}", p, a, tuple(settings)) for p in chosen for a in arches]
    jobs = args.jobs or os.cpu_count() or 1
    print(f"coverage: {len(cells)} variant(s), up to {jobs} at a time, in {base}")
    results = matrix.Runner(base, jobs, rerun=True, steps=matrix.COVERAGE_STEPS,
                            extra=[_coverage_on()]).run(cells)
    infos = {r.name: Path(r.coverage) for r in results if r.coverage}
    failed = {r.name: f"{r.step}: {r.reason}" for r in results if not r.passed}
    if not infos:
        raise KitError("coverage --matrix: no variant produced coverage data")
    merged = lcov.merge(list(infos.values()), base / "lcov.info")
    index = lcov.html(merged, base / "html", "mmkit coverage: " + ", ".join(infos))
    reach = base / "reach.md"
    write_atomic(reach, coverage_report.reach_table(
        {label: lcov.load_info(info) for label, info in infos.items()},
        {k: v for k, v in failed.items() if k not in infos}))
    print(f"coverage: merged {len(infos)} variants: {merged}, {index}, {reach}")
    met = print_report(lcov.load_info(merged), "merged")
    if failed:
        problems = "; ".join(f"{k}: {v}" for k, v in failed.items())
        print(f"build.py: coverage --matrix: FAILED: {problems}")
        return 1
    return 1 if args.enforce_gate and not met else 0


def register(add, common: argparse.ArgumentParser, settable: argparse.ArgumentParser) -> None:
    """Add the coverage command with cli.parser()'s ``add(name, func, help, parents)``."""
    cov = add("coverage", cmd_coverage,
              "build and boot the instrumented test image (kernel-cov); lcov report and HTML",
              [common, settable])
    cov.add_argument("--matrix", action="store_true",
                     help="every preset on every arch, each in DIR/<preset>-<arch> (DIR: -O, "
                          "default build/coverage), in parallel up to -j; one merged report "
                          "and DIR/reach.md")
    cov.add_argument("--preset", action="append", metavar="NAME",
                     help="with --matrix: only this preset (repeatable); --arch limits the arches")
    cov.add_argument("--enforce-gate", action="store_true", help=GATE_HELP)
    cov.add_argument("--info", metavar="LCOV_INFO",
                     help="only report on (and gate) this lcov.info, e.g. one merged from "
                          "CI cells; nothing is built")
    cov.add_argument("-v", "--verbose", action="store_true", help="print the guest's console")
