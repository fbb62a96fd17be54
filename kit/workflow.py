"""The GitHub Actions workflow, generated from the matrix file.

One job per matrix cell (build, test, bench through `build.py matrix --cell`,
then the cell's coverage through `build.py coverage`), and a final job that
gathers every cell's cell.json and lcov.info, writes the matrix report and
the merged coverage report, and fails when any cell failed.  The file is
never edited by hand: `./build.py workflow` rewrites it, `--check` says
whether it is in sync with the matrix file (a test runs the check).
"""
from __future__ import annotations

import re
from pathlib import Path

from . import paths
from .matrix_file import Cell, Matrix

DEFAULT_OUTPUT = paths.ROOT / "ci" / "github-workflow.yml"
PY = "/usr/bin/python3"
CONTAINER = "debian:12"


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


def job_id(cell: Cell) -> str:
    return "cell_" + re.sub(r"[^A-Za-z0-9_-]", "_", cell.name)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _setup_steps() -> list[str]:
    return ["      - uses: actions/checkout@v4",
            "      - name: Install host packages",
            "        run: sh ci/setup.sh"]


def _cell_job(cell: Cell, matrix_arg: str) -> list[str]:
    cov_dir = f"build/coverage/{cell.name}"
    sets = "".join(f" --set {s}" for s in cell.settings)
    settings = f" ({', '.join(cell.settings)})" if cell.settings else ""
    return [
        f"  {job_id(cell)}:",
        f"    name: {_quote(f'{cell.preset} / {cell.arch}{settings}')}",
        "    runs-on: ubuntu-latest",
        f"    container: {CONTAINER}",
        "    timeout-minutes: 30",
        "    steps:",
        *_setup_steps(),
        "      - name: Build, test and benchmark",
        f"        run: {PY} build.py matrix{matrix_arg} --cell {cell.name}",
        "      - name: Coverage",
        "        if: always()",
        "        run: |",
        f"          {PY} build.py defconfig {cell.preset} --arch {cell.arch}{sets} -O {cov_dir}",
        f"          {PY} build.py coverage -O {cov_dir}",
        "      - name: Keep the cell's result",
        "        if: always()",
        "        uses: actions/upload-artifact@v4",
        "        with:",
        f"          name: cell-{cell.name}",
        f"          path: build/matrix/{cell.name}/cell.json",
        "          if-no-files-found: ignore",
        "      - name: Keep the cell's coverage",
        "        if: always()",
        "        uses: actions/upload-artifact@v4",
        "        with:",
        f"          name: cov-{cell.name}",
        f"          path: {cov_dir}/coverage/lcov.info",
        "          if-no-files-found: ignore",
    ]


def _merge_job(matrix: Matrix, matrix_arg: str) -> list[str]:
    needs = ", ".join(job_id(c) for c in matrix.cells)
    return [
        "  merge:",
        "    name: Merge results and coverage",
        f"    needs: [{needs}]",
        "    if: always()",
        "    runs-on: ubuntu-latest",
        f"    container: {CONTAINER}",
        "    steps:",
        *_setup_steps(),
        "      - name: Gather the cells' results",
        "        uses: actions/download-artifact@v4",
        "        with:",
        "          path: artifacts",
        "      - name: Put them where the report expects them",
        "        run: |",
        "          for d in artifacts/cell-*; do [ -d \"$d\" ] || continue; "
        "n=${d#artifacts/cell-}; mkdir -p build/matrix/$n; cp $d/cell.json build/matrix/$n/; done",
        "          for d in artifacts/cov-*; do [ -d \"$d\" ] || continue; "
        "n=${d#artifacts/cov-}; mkdir -p build/coverage/$n; cp $d/lcov.info build/coverage/$n/; done",
        "      - name: Merge coverage",
        "        run: |",
        "          set -- $(find build/coverage -mindepth 2 -name lcov.info | sort)",
        '          if [ $# -gt 0 ]; then',
        "            args=''; for f in \"$@\"; do args=\"$args -a $f\"; done",
        "            lcov --quiet --rc lcov_branch_coverage=1 $args -o build/coverage/lcov.info",
        "            genhtml --quiet --branch-coverage --rc lcov_branch_coverage=1 "
        "-o build/coverage/html build/coverage/lcov.info",
        "          fi",
        "      - name: Matrix report (fails if any cell failed)",
        f"        run: {PY} build.py matrix{matrix_arg} --report-only",
        "      - name: Keep the reports",
        "        if: always()",
        "        uses: actions/upload-artifact@v4",
        "        with:",
        "          name: matrix-report",
        "          path: |",
        "            build/matrix/report.md",
        "            build/matrix/report.html",
        "            build/matrix/results.json",
        "            build/matrix/*.svg",
        "            build/coverage/lcov.info",
        "            build/coverage/html",
        "          if-no-files-found: ignore",
    ]


def render(matrix: Matrix) -> str:
    default = matrix.path.resolve() == (paths.ROOT / "ci" / "matrix.toml").resolve()
    matrix_arg = "" if default else f" --matrix-file {_rel(matrix.path)}"
    lines = [
        f"# generated from {_rel(matrix.path)} by `./build.py workflow` -- do not edit.",
        "# One job per matrix cell, then a job that merges results and coverage.",
        "# To enable it, copy it to .github/workflows/; `./build.py workflow --check`",
        "# (run by tests/test_matrix.py) fails when it is out of date.",
        "name: mmkit matrix",
        "on:",
        "  push:",
        "  pull_request:",
        "jobs:",
    ]
    for cell in matrix.cells:
        lines += _cell_job(cell, matrix_arg)
    lines += _merge_job(matrix, matrix_arg)
    return "\n".join(lines) + "\n"
