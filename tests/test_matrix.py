"""The preset matrix: running it, its report, baseline regressions, and the
GitHub Actions workflow generated from the matrix file."""
import copy
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import baseline, matrix_file, workflow
from kit.errors import KitError

# One preset on both arches, plus a cell with a deliberately failing test.
# Small bench settings keep the boots short; the figures are not checked here.
SMALL_MATRIX = """\
version = 1
presets = ["simpleheap"]
arches = ["riscv64", "x86_64"]
set = ["BENCH_REPS=3", "BENCH_STRESS_OPS=2000", "BENCH_MIXED_OPS=128"]
threshold = 2.0

[[cell]]
name = "failing"
preset = "simpleheap"
arches = ["riscv64"]
set = ["TEST_FAILING_CASE=y"]
"""
GOOD = ["simpleheap-riscv64", "simpleheap-x86_64"]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("matrix")
    mfile = base / "matrix.toml"
    mfile.write_text(SMALL_MATRIX)
    out = base / "out"
    proc = kit("matrix", "--matrix-file", str(mfile), "-O", str(out), "-j", "2")
    return {"file": mfile, "out": out, "proc": proc}


def run_again(small: dict, *extra: str, env: dict | None = None):
    return kit("matrix", "--matrix-file", str(small["file"]), "-O", str(small["out"]), *extra,
               env=env)


def test_failing_cell_fails_the_run_and_is_named(small: dict):
    proc = small["proc"]
    assert proc.returncode == 1, proc.stdout + proc.stderr
    verdict = proc.stdout.strip().splitlines()[-1]
    assert verdict.startswith("build.py: matrix: FAILED: 1 of 3 cell(s): failing-riscv64")
    assert "ktest_self.deliberate_failure" in verdict
    for name in GOOD:
        assert re.search(rf"^\[\d/3\] PASS {name}: ", proc.stdout, re.M), proc.stdout
    assert re.search(r"^\[\d/3\] FAIL failing-riscv64: test: ", proc.stdout, re.M)


def test_a_run_builds_what_its_steps_boot_and_says_what_it_cost(small: dict):
    """A cell builds the test and bench images (and compile_commands.json),
    not the run image no step boots; the run ends with its CPU time, and
    records each cell's cost for the next run's order."""
    proc, out = small["proc"], small["out"]
    for name in GOOD:
        cell = out / name
        booted = {"riscv64": "kernel-{}.elf", "x86_64": "kernel-{}.elf32"}[name.rsplit("-", 1)[1]]
        assert (cell / booted.format("test")).exists() and (cell / booted.format("bench")).exists()
        assert not (cell / "kernel-run.elf").exists()
        assert (cell / "compile_commands.json").exists()
        assert float((cell / "cost").read_text()) > 0
    m = re.search(r"^matrix: 3 cell\(s\) in (\d+) s, (\d+) CPU-seconds ", proc.stdout, re.M)
    assert m and int(m.group(2)) > 0, proc.stdout


def test_longest_cells_start_first(tmp_path: Path):
    from kit import matrix
    cells = [matrix_file.Cell(f"c{i}", "simpleheap", "riscv64", ()) for i in range(4)]
    for name, cost in (("c0", "3.5"), ("c2", "40"), ("c3", "12")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "cost").write_text(cost + "\n")
    # c1 never ran: first; then by last cost, longest first.
    assert [c.name for c in matrix.schedule(tmp_path, cells)] == ["c1", "c2", "c3", "c0"]
    (tmp_path / "c1").mkdir()
    (tmp_path / "c1" / "cost").write_text("garbage\n")     # unreadable: as if never run
    assert matrix.schedule(tmp_path, cells)[0].name == "c1"


def test_report_files_describe_every_cell(small: dict):
    out = small["out"]
    results = json.loads((out / "results.json").read_text())
    cells = {c["name"]: c for c in results["cells"]}
    assert set(cells) == set(GOOD) | {"failing-riscv64"}
    assert results["failed"] == ["failing-riscv64"]
    for name in GOOD:
        assert cells[name]["status"] == "pass"
        assert cells[name]["bench"]["ops"] and cells[name]["bench"]["frag"]
        assert (out / name / ".config").exists()          # build/matrix/<preset>-<arch>
    assert "ktest_self.deliberate_failure" in cells["failing-riscv64"]["reason"]
    # Per-case results: every case of every suite, the failed one with its diagnostic.
    for name, c in cells.items():
        suites = {s["name"]: s for s in c["tests"]["suites"]}
        cases = [case for s in suites.values() for case in s["cases"]]
        assert len(cases) == c["tests"]["passed"] + c["tests"]["failed"] + c["tests"]["skipped"]
        assert {case["status"] for case in cases} <= {"pass", "fail", "skip"}
        assert all(case.get("skip_reason") for case in cases if case["status"] == "skip")
    self_test = {c["name"]: c for c in next(
        s for s in cells["failing-riscv64"]["tests"]["suites"] if s["name"] == "ktest_self")["cases"]}
    failed = self_test["deliberate_failure"]
    assert failed["status"] == "fail" and failed["diagnostics"], failed
    assert cells["failing-riscv64"]["log"] == "test.log"
    assert (out / "failing-riscv64" / "test.log").exists()
    assert {s["status"] for s in cells[GOOD[0]]["tests"]["suites"]} == {"pass"}

    md = (out / "report.md").read_text()
    assert "FAILED: failing-riscv64" in md
    assert "## Instructions per operation: riscv64" in md and "| pair size=64 |" in md
    assert "## Fragmentation and overhead after aging" in md
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 3 and "failing-riscv64" in html
    for svg, series in (("plot-pair-cost-riscv64.svg", "simpleheap-riscv64"),
                        ("plot-page-cost-x86_64.svg", "simpleheap-x86_64"),
                        ("plot-frag.svg", "simpleheap-x86_64")):
        text = (out / svg).read_text()
        assert text.startswith("<svg") and series in text, svg


def test_unchanged_cells_are_reused(small: dict):
    cell = small["out"] / GOOD[0]
    before = {f: (cell / f).stat().st_mtime_ns for f in (".config", "build.ninja")}
    # PYTHONPROFILEIMPORTTIME lists every module the run imports (stderr).
    proc = run_again(small, "--cell", GOOD[0], env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"PASS {GOOD[0]}" in proc.stdout and "(cached)" in proc.stdout
    # Nothing changed, so nothing was configured again: no Kconfiglib, the
    # same files (kit/matrix.py configure_stamp()).
    assert "kconfiglib" not in proc.stderr
    assert (cell / "configured.stamp").is_file()
    assert {f: (cell / f).stat().st_mtime_ns for f in before} == before


def test_another_qemu_version_runs_the_cell_again(small: dict, tmp_path: Path):
    """Same .config and images, but QEMU reports another version: not reused."""
    wrapper = tmp_path / "bin" / "qemu-system-riscv64"
    wrapper.parent.mkdir()
    real = shutil.which("qemu-system-riscv64")
    wrapper.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo "QEMU emulator version '
                       f'99.0.0"; exit 0; }}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    env = {"PATH": f"{wrapper.parent}:{os.environ['PATH']}"}
    other = run_again(small, "--cell", GOOD[0], env=env)
    assert other.returncode == 0, other.stdout + other.stderr
    assert f"PASS {GOOD[0]}" in other.stdout and "(cached)" not in other.stdout
    assert "(cached)" in run_again(small, "--cell", GOOD[0], env=env).stdout
    back = run_again(small, "--cell", GOOD[0])
    assert "(cached)" not in back.stdout


def test_cache_key_covers_the_kit_code(small: dict, tmp_path: Path):
    """A change to the kit (a parser, a derived figure) changes every cell's key."""
    from kit import matrix
    from kit.variant import Variant
    copy = tmp_path / "kit"
    shutil.copytree(ROOT / "kit", copy, ignore=shutil.ignore_patterns("__pycache__"))
    variant = Variant(small["out"] / GOOD[0])
    same = matrix.cache_key(variant, matrix.kit_fingerprint(copy))
    assert same == matrix.cache_key(variant, matrix.kit_fingerprint())
    bench_py = copy / "bench.py"
    bench_py.write_text(bench_py.read_text() + "\n# a changed parser\n")
    assert matrix.cache_key(variant, matrix.kit_fingerprint(copy)) != same


def test_baseline_flags_regressions_beyond_the_threshold(small: dict, tmp_path: Path):
    results = json.loads((small["out"] / "results.json").read_text())
    cell = next(c for c in results["cells"] if c["name"] == GOOD[0])
    op = next(o for o in cell["bench"]["ops"] if o["key"] == "pair size=64")

    def baseline_with(median: float) -> Path:
        doc = copy.deepcopy(results)
        for c in doc["cells"]:
            for o in (c["bench"] or {}).get("ops", []):
                if c["name"] == GOOD[0] and o["key"] == "pair size=64":
                    o["median"] = median
        path = tmp_path / f"baseline-{median}.json"
        path.write_text(json.dumps(doc))
        return path

    only_good = [a for name in GOOD for a in ("--cell", name)] + ["--report-only"]
    same = run_again(small, *only_good, "--baseline", str(baseline_with(op["median"])))
    assert same.returncode == 0, same.stdout
    assert "REGRESSION" not in same.stdout

    # Now 1% more than the baseline: within the 2% threshold, beyond 0.5%.
    lower = baseline_with(op["median"] / 1.01)
    within = run_again(small, *only_good, "--baseline", str(lower))
    assert within.returncode == 0, within.stdout
    beyond = run_again(small, *only_good, "--baseline", str(lower), "--threshold", "0.5")
    assert beyond.returncode == 1
    assert f"REGRESSION {GOOD[0]}: pair size=64" in beyond.stdout
    assert "1 regression(s) beyond 0.5%" in beyond.stdout
    assert "## Regressions" in (small["out"] / "report.md").read_text()


def test_compare_ratio_figures_in_points():
    def cell(rate: float) -> dict:
        return {"name": "c", "status": "pass", "bench": {"ops": [], "frag": [
            {"pattern": "random", "derived": {"failure_rate": rate}}]}}
    old = {"v": 1, "cells": [cell(0.10)]}
    assert baseline.compare([cell(0.115)], old, 2.0) == []
    found = baseline.compare([cell(0.125)], old, 2.0)
    assert [f["figure"] for f in found] == ["random failure_rate"]
    assert baseline.compare([dict(cell(0.5), status="fail")], old, 2.0) == []


# --- the matrix file and the workflow ---------------------------------------------------

def test_ci_matrix_lists_every_preset_on_every_arch():
    m = matrix_file.load()
    from kit import config
    assert {(c.preset, c.arch) for c in m.cells} >= \
        {(p, a) for p in config.presets() for a in config.ARCHES}


@pytest.mark.parametrize("text, complaint", [
    ('presets = ["nosuch"]', "unknown presets nosuch"),
    ('colour = 1', "unknown key(s) colour"),
    ('exclude = ["nosuch-riscv64"]', "'exclude' names no cell: nosuch-riscv64"),
    ('set = ["NOT AN ASSIGNMENT"]', "expected SYM=VALUE"),
    ('version = 3', "version 3 is not supported"),
    ('presets = [', "matrix.toml"),
])
def test_bad_matrix_files_are_one_line_errors(tmp_path: Path, text: str, complaint: str):
    path = tmp_path / "matrix.toml"
    path.write_text(text + "\n")
    with pytest.raises(KitError) as err:
        matrix_file.load(path)
    assert complaint in str(err.value) and "\n" not in str(err.value)


# The workflow's structure and sync: tests/test_github_workflow.py.


def test_workflow_check_fails_when_out_of_date(small: dict, tmp_path: Path):
    target = tmp_path / "wf.yml"
    args = ["workflow", "--matrix-file", str(small["file"]), "--output", str(target)]
    assert kit(*args, "--check").returncode == 1          # missing
    assert kit(*args).returncode == 0
    assert kit(*args, "--check").returncode == 0
    text = target.read_text()
    assert 'cell: "failing-riscv64"' in text and '--set TEST_FAILING_CASE=y"' in text
    target.write_text(text.replace("failing-riscv64", "stale-riscv64"))
    proc = kit(*args, "--check")
    assert proc.returncode == 1 and "out of date" in proc.stderr
