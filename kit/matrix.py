"""Run a matrix of variants: each cell a Variant (kit/variant.py), cells in
parallel, one line each as they finish.

A cell lives in <matrix dir>/<cell name>/ (build/matrix/ by default) and is
an ordinary variant directory, so `./build.py test -O build/matrix/<cell>`
works on it too.  Steps per cell, as the caller chooses them:

    configure  preset + arch + the cell's settings -> .config (rewritten
               only when it changes, so an up-to-date build stays up to date)
    build      Ninja (a no-op when nothing changed)
    test       boot the test image; KTAP must pass
    bench      boot the bench image under -icount; BENCH lines must be whole
    coverage   boot kernel-cov: its tests must pass, its lcov report is kept

`./build.py matrix` runs configure, build, test and bench (BENCH_STEPS);
`./build.py coverage --matrix` runs configure, build and coverage
(COVERAGE_STEPS) and merges the reports.

The outcome goes to <cell>/cell.json, with every suite's and case's KTAP
result (case_results(): name, pass/fail/skip, the skip reason, a failed
case's diagnostics) so that a report can say what each variant caught, the
log that explains a failure, and a key: a hash of the
.config, both images, the kit's own code (which parses the console and
derives the figures) and the QEMU version (which runs the images).  When
the key has not changed, the recorded outcome is reused instead of booting
again, because under -icount a boot of the same images by the same QEMU
gives the same figures, and the same kit reads them the same way.  A hang
is never reused.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import archs, ktap, paths, procs, qemu, toolchain, tools
from .errors import KitError
from .fsutil import write_atomic
from .matrix_file import Cell
from .variant import Variant

CELL_FILE = "cell.json"
RESULT_VERSION = 1
# Steps in order; a cell's 'step' says where it stopped ("done" if it did not).
BENCH_STEPS = ("configure", "build", "test", "bench")
COVERAGE_STEPS = ("configure", "build", "coverage")
# What each step boots (kit/archs.py boot_file()), so what the cell builds:
# the test and bench images, not the run image no step boots (`./build.py
# run -O <cell>` builds it when asked); kernel-cov ("coverage") for coverage.
IMAGES = {"test": "test", "bench": "bench"}
# Every cell's folder has its compile_commands.json, as any variant's has.
ALWAYS = ("compile_commands.json",)
# ./build.py randconfig: the tests only (kit/randconfig.py).
TEST_STEPS = ("configure", "build", "test")


@dataclass
class CellResult:
    name: str
    preset: str
    arch: str
    settings: list[str]
    status: str = "fail"             # "pass" or "fail"
    step: str = "configure"          # the step that failed, or "done"
    reason: str = ""                 # one line
    tests: dict = field(default_factory=dict)       # passed/failed/skipped/failed_cases,
                                                     # suites: case_results()
    bench: dict | None = None        # kit.bench.summary() + counter
    variant: dict = field(default_factory=dict)     # variant_facts() of gen/config.json
    log: str | None = None           # the log of the step that failed, relative to the cell
    coverage: str | None = None      # the cell's lcov.info (coverage step)
    seconds: float = 0.0
    cached: bool = False
    key: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


# KTAP statuses as results.json spells them.
CASE_STATUS = {ktap.OK: "pass", ktap.FAILED: "fail", ktap.SKIPPED: "skip",
               ktap.MISSING: "missing"}


def case_results(console: str) -> list[dict]:
    """Every suite of a test run's KTAP and every case in it:

        [{"name": suite, "status": ..., "cases": [{"name", "status",
          "skip_reason" (skipped), "diagnostics" (failed)}]}]

    status is pass, fail, skip or missing (the run stopped before the
    result).  A case nested below a suite's cases is named by its path
    ("case.param").  Only a failed case keeps its diagnostic lines, so that
    results.json stays small.
    """
    suites = []
    for suite in ktap.parse(console).root.children:
        cases = []
        for path, test in suite.leaves():
            case = {"name": path.split(".", 1)[1] if "." in path else path,
                    "status": CASE_STATUS[test.status]}
            if test.status == ktap.SKIPPED:
                case["skip_reason"] = test.skip_reason
            if test.status == ktap.FAILED:
                case["diagnostics"] = list(test.diagnostics)
            cases.append(case)
        suites.append({"name": suite.name, "status": CASE_STATUS[suite.status], "cases": cases})
    return suites


def variant_facts(generated: dict) -> dict:
    """What the report tells variants apart by, from gen/config.json: mode,
    page allocator, the slab check level (None without slab caches) and the
    debug options on (they cost instructions too)."""
    values = generated.get("config", {})
    level = next((name.lower() for name in ("FULL", "HARDENED", "OFF")
                  if values.get(f"SLAB_CHECKS_{name}") is True), None)
    return {"mode": generated["mode"], "page_alloc": generated["page_alloc"],
            "slab_checks": level,
            "debug": sorted(k for k, v in values.items() if k.startswith("DEBUG_") and v is True)}


def _digest(paths_: list[Path], extra: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256()
    for p in paths_:
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.exists() else b"(missing)")
    for text in extra:
        h.update(text.encode())
    return h.hexdigest()


def kit_fingerprint(kit_dir: Path = paths.KIT) -> str:
    """A hash of the kit's code: a change to a parser or a derived figure
    must not reuse results read by the old code."""
    return _digest(sorted(kit_dir.glob("*.py")))


_qemu_versions: dict[str, str] = {}
_qemu_lock = threading.Lock()


def qemu_version(arch: archs.Arch) -> str:
    """The first line of `qemu-system-<arch> --version` (asked once per run)."""
    with _qemu_lock:
        if arch.qemu not in _qemu_versions:
            proc = procs.run([tools.require(arch.qemu), "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
            _qemu_versions[arch.qemu] = (proc.stdout.splitlines() or ["(no version)"])[0]
        return _qemu_versions[arch.qemu]


# A cell's configure_stamp() as of its last configure.
CONFIGURED = "configured.stamp"
# How many seconds the cell's last run that did its work took (not one that
# reused its outcome): the next run starts the longest cells first.
COST_FILE = "cost"


def last_cost(out: Path) -> float | None:
    try:
        return float((out / COST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def schedule(base: Path, cells: list[Cell]) -> list[Cell]:
    """The order to start ``cells`` in: longest first, so that at the end of
    a run no long cell runs alone while the other cores wait (the run ends
    when its last cell does).  A cell never run (no cost recorded: a new
    preset, or a cold run, where it is likely to be among the longest)
    comes first, in the matrix file's order; the others by their last cost,
    longest first."""
    costs = {c.name: last_cost(base / c.name) for c in cells}
    return sorted(cells, key=lambda c: (costs[c.name] is not None, -(costs[c.name] or 0.0)))


# Every cell's settings start with these; its own come after and win.  No
# debug information: GCC generates the same instructions with or without
# -g (tests/test_build.py), nothing attaches a debugger to a cell, and -g
# is 6 to 20% of a cold cell's build (README, "Benchmarks and the matrix").
CELL_DEFAULTS = ("DEBUG_INFO=n",)


def cell_settings(cell: Cell) -> tuple[str, ...]:
    """What a cell is configured with after its preset: CELL_DEFAULTS, then
    its own settings (the only ones its results list)."""
    return (*CELL_DEFAULTS, *cell.settings)


def configure_stamp(cell: Cell, extra, kit: str) -> str:
    """Everything a cell's .config is made from: its preset's fragment, arch,
    settings and the run's extra assignments, every Kconfig file, the kit's
    code, and which file the configuration is ($KCONFIG_CONFIG)."""
    from .fragments import preset
    kconfigs = sorted({paths.KCONFIG, *paths.ROOT.joinpath("arch").glob("Kconfig*"),
                       *paths.ROOT.joinpath("core").rglob("Kconfig*"),
                       *paths.ROOT.joinpath("tests").glob("Kconfig*")})
    return _digest([preset(cell.preset).path, *kconfigs],
                   (cell.arch, *cell_settings(cell), *(f"{a.name}={a.value}" for a in extra), kit,
                    paths.config_name())) + "\n"


def cache_key(variant: Variant, kit: str) -> str:
    """What a cell's recorded outcome depends on (see the module's doc)."""
    return _digest([variant.config_path, variant.image("test"), variant.image("bench")],
                   (kit, qemu_version(variant.arch)))


class Runner:
    """Runs cells in parallel and keeps the progress display."""

    def __init__(self, base: Path, jobs: int, rerun: bool, steps=BENCH_STEPS, extra=(),
                 stream=None) -> None:
        self.base = base
        self.jobs = max(1, jobs)
        self.rerun = rerun
        self.steps = steps
        self.extra = list(extra)          # assignments after each cell's own (COVERAGE=y)
        self.kit = kit_fingerprint()
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.lock = threading.Lock()
        self.config_lock = threading.Lock()
        self.active: dict[str, str] = {}
        self.done = 0
        self.total = 0

    # --- progress -------------------------------------------------------------------

    def _status(self) -> None:
        if not self.tty:
            return
        running = ", ".join(f"{n} ({s})" for n, s in self.active.items())
        line = f"matrix: {self.done}/{self.total} done; {running}"
        width = max(20, os.get_terminal_size(self.stream.fileno()).columns - 1)
        self.stream.write("\r\033[K" + line[:width])
        self.stream.flush()

    def _step(self, cell: Cell, step: str) -> None:
        with self.lock:
            self.active[cell.name] = step
            self._status()

    def _finish(self, res: CellResult) -> None:
        with self.lock:
            self.active.pop(res.name, None)
            self.done += 1
            self.stream.write(("\r\033[K" if self.tty else "") + one_line(res, self.done,
                                                                          self.total) + "\n")
            self._status()
            self.stream.flush()

    # --- one cell -------------------------------------------------------------------

    def run_cell(self, cell: Cell) -> CellResult:
        start = time.monotonic()
        out = self.base / cell.name
        res = CellResult(cell.name, cell.preset, cell.arch, list(cell.settings))
        try:
            self._run_steps(cell, out, res)
        except KitError as exc:
            res.status, res.reason = "fail", str(exc)
        res.seconds = round(time.monotonic() - start, 2)
        if res.step != "configure":
            write_atomic(out / CELL_FILE, json.dumps(asdict(res), indent=2, sort_keys=True) + "\n")
            if not res.cached:
                write_atomic(out / COST_FILE, f"{res.seconds}\n")
        self._finish(res)
        return res

    def _configure(self, cell: Cell, out: Path) -> Variant:
        """The cell's .config from its preset, arch and settings, unless the
        last run made it from the same inputs (configure_stamp()): Kconfiglib
        costs a few tenths of a second per cell, most of a run with nothing
        to do, and would only write the same file again."""
        stamp = out / CONFIGURED
        wanted = configure_stamp(cell, self.extra, self.kit)
        try:
            if stamp.read_text(encoding="utf-8") == wanted and Variant(out).config_path.exists() \
                    and (out / "build.ninja").exists():
                return Variant(out)
        except OSError:
            pass
        with self.config_lock:  # Kconfiglib and the generator: one cell at a time
            variant = Variant.configure(cell.preset, cell.arch, cell_settings(cell), out=out,
                                        extra=self.extra)
            if not (out / "build.ninja").exists():
                # gen/toolchain first, as build() would write it: written
                # after build.ninja, it is newer than it, and Ninja would run
                # the whole generator again in a process of its own.
                toolchain.record(variant.out, variant.arch)
                variant.generate()   # later, Ninja's regen edge runs it in its own process
        write_atomic(stamp, wanted)
        return variant

    def _run_steps(self, cell: Cell, out: Path, res: CellResult) -> None:
        self._step(cell, "configure")
        variant = self._configure(cell, out)

        res.step, res.log = "build", "build.log"
        self._step(cell, "build")
        per_cell = max(1, (os.cpu_count() or 1) // self.jobs)
        targets = sorted({variant.arch.boot_file(IMAGES[s]) for s in self.steps if s in IMAGES}
                         | ({"coverage"} if "coverage" in self.steps else set()) | set(ALWAYS))
        variant.build(targets, jobs=per_cell, log=out / "build.log")
        res.variant = variant_facts(variant.generated())
        if "coverage" in self.steps:
            self._coverage_step(cell, variant, res)
            return
        res.key = cache_key(variant, self.kit)
        if self._reuse(out, res):
            return

        res.step, res.log = "test", "test.log"
        self._step(cell, "test")
        boot, verdict = variant.test()
        res.tests = dict(verdict.as_dict(), suites=case_results(boot.console))
        if verdict.outcome in (qemu.HANG, qemu.CRASH, qemu.PANIC):
            res.reason = verdict.reason
            return                       # the kernel itself is broken: no figures from it
        if "bench" not in self.steps:
            if verdict.passed:
                res.step, res.status, res.reason, res.log = "done", "pass", "pass", None
            else:
                res.reason = verdict.reason
            return
        self._step(cell, "bench")
        outcome = variant.bench()
        res.bench = outcome.data
        if not verdict.passed:
            res.reason = verdict.reason
            return
        if not outcome.ok:
            res.step, res.reason, res.log = "bench", f"bench: {outcome.reason}", "bench.log"
            return
        res.step, res.status, res.reason, res.log = "done", "pass", "pass", None

    def _coverage_step(self, cell: Cell, variant: Variant, res: CellResult) -> None:
        res.step, res.log = "coverage", "cov.log"
        self._step(cell, "coverage")
        run = variant.coverage(cell.name)
        res.tests = dict(run.verdict.as_dict(), suites=case_results(run.boot.console))
        if run.info is None:
            res.reason = f"{run.error} (tests: {run.verdict.reason})"
            return
        res.coverage = str(run.info)
        if not run.verdict.passed:
            res.reason = f"{run.verdict.reason} (coverage kept)"
            return
        res.step, res.status, res.reason, res.log = "done", "pass", "pass", None

    def _reuse(self, out: Path, res: CellResult) -> bool:
        """Take the recorded outcome when its key is unchanged."""
        if self.rerun:
            return False
        try:
            old = json.loads((out / CELL_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if old.get("key") != res.key or old.get("tests", {}).get("outcome") == qemu.HANG \
                or old.get("step") in ("configure", "build"):
            return False
        for name in ("status", "step", "reason", "tests", "bench", "log"):
            setattr(res, name, old.get(name))
        res.cached = True
        return True

    def run(self, cells: list[Cell]) -> list[CellResult]:
        self.total = len(cells)
        self.base.mkdir(parents=True, exist_ok=True)
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {c.name: pool.submit(self.run_cell, c) for c in schedule(self.base, cells)}
            results = [futures[c.name].result() for c in cells]      # in the matrix's order
        except BaseException:
            # Interrupted: end the cells' QEMU and Ninja runs, start no more.
            procs.stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
        if self.tty:
            self.stream.write("\r\033[K")
        return results


def cpu_seconds() -> float:
    """User+sys CPU time of this process and of every child it has waited for
    (with theirs: Ninja's compilers, ccache, QEMU): how much a run cost,
    which on a shared machine says more than its wall time."""
    import resource
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_line(res: CellResult, index: int, total: int) -> str:
    """The one-line result of a cell."""
    head = f"[{index}/{total}] {'PASS' if res.passed else 'FAIL'} {res.name}"
    if res.passed:
        t = res.tests
        detail = f"tests {t.get('passed', 0)} passed, {t.get('skipped', 0)} skipped; "
        if res.coverage:
            detail += f"coverage {res.coverage}"
        elif res.bench is None:
            detail = detail.rstrip("; ")
        else:
            figures = len(res.bench["ops"]) + len(res.bench["frag"]) if res.bench else 0
            detail += f"bench {figures} figures"
    else:
        detail = f"{res.step}: {res.reason}"
    note = " (cached)" if res.cached else f" ({res.seconds:.1f} s)"
    return f"{head}: {detail}{note}"


def load_cell(base: Path, cell: Cell) -> CellResult:
    """A cell's recorded outcome (for merging CI jobs); a failed cell when absent."""
    res = CellResult(cell.name, cell.preset, cell.arch, list(cell.settings))
    try:
        data = json.loads((base / cell.name / CELL_FILE).read_text(encoding="utf-8"))
    except OSError:
        res.reason = f"no result ({base / cell.name / CELL_FILE} is missing: the cell did not run)"
        return res
    except ValueError as exc:
        res.reason = f"unreadable {CELL_FILE}: {exc}"
        return res
    known = set(CellResult.__dataclass_fields__)
    return CellResult(**{k: v for k, v in data.items() if k in known})


def results_document(matrix_path: Path, results: list[CellResult], threshold: float,
                     regressions: list[dict], baseline: str | None) -> dict:
    """results.json: every cell's outcome and figures."""
    return {
        "v": RESULT_VERSION,
        "matrix_file": str(matrix_path),
        "threshold_percent": threshold,
        "baseline": baseline,
        "cells": [asdict(r) for r in results],
        "failed": [r.name for r in results if not r.passed],
        "regressions": regressions,
        "real_programs": realbench_summary(),
        "lz4": lz4bench_summary(),
    }


def lz4bench_summary() -> dict | None:
    """The last ./build.py lz4bench run (build/lz4bench/lz4bench.json): the
    codec against liblz4 on the host, for the report; None if there is none."""
    path = paths.BUILD / "lz4bench" / "lz4bench.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {"path": str(path), "rounds": doc["rounds"], "cpu": doc["cpu"],
                "results": {op: {c: doc["results"][op][c] for c in ("mmkit", "liblz4")}
                            for op in ("compress", "decompress")},
                "ratio": doc["ratio"], "targets": doc["targets"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def realbench_summary() -> dict | None:
    """The last ./build.py realbench run (build/realbench/realbench.json), for the
    report's real-program table; None if there is none.  The matrix runs no
    real program itself: host wall time is no cell's figure."""
    path = paths.BUILD / "realbench" / "realbench.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {"path": str(path), "reps": doc.get("reps"), "scale": doc.get("scale"),
            "variants": [v["name"] for v in doc.get("variants", [])],
            "peers": doc.get("peers", []), "results": doc.get("results", {}),
            "ratios": doc.get("ratios", {})}
