"""The GitHub Actions workflow, .github/workflows/mmkit.yml, generated from
the matrix file (ci/matrix.toml).

Jobs, each in a debian:12 container (the toolchain facts the kit relies on
hold there), each installing only its ci/setup.sh groups:

    tests       .ci/run: the whole pytest suite, as on a developer's machine
    host        every preset's suites natively under ASan+UBSan, and the SMP
                preset under TSan (ci/host-sanitizers.sh)
    cell        one job per matrix cell (strategy.matrix generated from the
                matrix file, fail-fast off): build, test and bench through
                `build.py matrix --cell`, then the cell's coverage; its
                result, coverage and logs are uploaded
    merge       gathers the cells: the matrix report with a comparison
                against the default branch's last results (kept as the
                artifact "baseline"), merged coverage and its gate, and the
                cell table and regressions in the run's step summary
    long        what the default test run leaves out (tests marked long,
                MMKIT_LONG=1), on a schedule and by hand

The file is never edited by hand: `./build.py workflow` rewrites it and
`--check` says whether it is in sync (tests/test_github_workflow.py runs
the check and reads the file as GitHub would).
"""
from __future__ import annotations

import re
from pathlib import Path

from . import paths
from .matrix_file import Cell, Matrix

DEFAULT_OUTPUT = paths.ROOT / ".github" / "workflows" / "mmkit.yml"
PY = "/usr/bin/python3"
CONTAINER = "debian:12"
ARTIFACT_DAYS = 14
BASELINE = "baseline"
# Actions used, at their major versions.
CHECKOUT = "actions/checkout@v4"
UPLOAD = "actions/upload-artifact@v4"
DOWNLOAD = "actions/download-artifact@v4"
# Downloads an artifact of another run (the default branch's last): the
# official download-artifact reaches only the current run without a run id.
DOWNLOAD_OTHER_RUN = "dawidd6/action-download-artifact@v6"


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


def job_id(cell: Cell) -> str:
    """A name usable in artifact names and paths for a cell."""
    return "cell_" + re.sub(r"[^A-Za-z0-9_-]", "_", cell.name)


def cell_groups(cell: Cell) -> str:
    """The ci/setup.sh groups a cell's job needs."""
    return f"base {cell.arch} coverage"


def _setup(groups: str) -> list[dict]:
    return [{"uses": CHECKOUT},
            {"name": "Install host packages", "run": f"sh ci/setup.sh {groups}".rstrip()}]


def _upload(name: str, path: str, when: str = "always()") -> dict:
    return {"name": f"Keep {name}", "if": when, "uses": UPLOAD,
            "with": {"name": name, "path": path, "if-no-files-found": "ignore",
                     "retention-days": ARTIFACT_DAYS}}


def _container_job(name: str, groups: str, minutes: int, steps: list[dict]) -> dict:
    return {"name": name, "runs-on": "ubuntu-latest", "container": CONTAINER,
            "timeout-minutes": minutes, "steps": _setup(groups) + steps}


def _tests_job() -> dict:
    return _container_job(".ci/run (every test suite)", "", 45, [
        {"name": "Test suite", "run": "sh .ci/run"},
    ])


def _host_job() -> dict:
    return _container_job("Host suites under ASan+UBSan and TSan", "base", 30, [
        {"name": "Every preset natively", "run": "sh ci/host-sanitizers.sh"},
        _upload("host-logs", "build/host/*/host*-test.log"),
    ])


def _cell_job(matrix: Matrix, matrix_arg: str) -> dict:
    include = [{"cell": c.name, "preset": c.preset, "arch": c.arch,
                "set": "".join(f" --set {s}" for s in c.settings),
                "packages": cell_groups(c)} for c in matrix.cells]
    cov = "build/coverage/${{ matrix.cell }}"
    job = _container_job("${{ matrix.cell }}", "${{ matrix.packages }}", 30, [
        {"name": "Build, test and benchmark",
         "run": f"{PY} build.py matrix{matrix_arg} --cell ${{{{ matrix.cell }}}}"},
        {"name": "Coverage", "if": "always()",
         "run": f"{PY} build.py defconfig ${{{{ matrix.preset }}}} --arch ${{{{ matrix.arch }}}}"
                f"${{{{ matrix.set }}}} -O {cov}\n"
                f"{PY} build.py coverage -O {cov}\n"},
        _upload("cell-${{ matrix.cell }}", "build/matrix/${{ matrix.cell }}/cell.json"),
        _upload("cov-${{ matrix.cell }}", f"{cov}/coverage/lcov.info"),
        _upload("logs-${{ matrix.cell }}",
                "build/matrix/${{ matrix.cell }}/**/*.log\n" + f"{cov}/*.log\n"),
    ])
    job["strategy"] = {"fail-fast": False, "matrix": {"include": include}}
    return job


MERGE_SCRIPT = """\
for d in artifacts/cell-*; do [ -d "$d" ] || continue
  n=${d#artifacts/cell-}; mkdir -p build/matrix/$n; cp "$d"/cell.json build/matrix/$n/; done
for d in artifacts/cov-*; do [ -d "$d" ] || continue
  n=${d#artifacts/cov-}; mkdir -p build/coverage/$n; cp "$d"/lcov.info build/coverage/$n/; done
"""

COVERAGE_SCRIPT = """\
set -- $(find build/coverage -mindepth 2 -name lcov.info | sort)
[ $# -gt 0 ] || { echo "no cell produced coverage"; exit 1; }
args=''; for f in "$@"; do args="$args -a $f"; done
lcov --quiet --rc lcov_branch_coverage=1 $args -o build/coverage/lcov.info
genhtml --quiet --branch-coverage --rc lcov_branch_coverage=1 -o build/coverage/html build/coverage/lcov.info
"""


def _merge_job(matrix_arg: str) -> dict:
    on_default = "github.ref_name == github.event.repository.default_branch"
    job = _container_job("Merge results and coverage", "base coverage", 20, [
        {"name": "Gather the cells' results", "uses": DOWNLOAD,
         "with": {"path": "artifacts", "pattern": "c*-*"}},
        {"name": "Put them where the report expects them", "run": MERGE_SCRIPT},
        {"name": "The default branch's last results (the baseline)",
         "uses": DOWNLOAD_OTHER_RUN, "continue-on-error": True,
         "with": {"workflow": "mmkit.yml",
                  "branch": "${{ github.event.repository.default_branch }}",
                  "name": BASELINE, "path": BASELINE, "if_no_artifact_found": "warn",
                  "search_artifacts": True}},
        {"name": "Matrix report (fails if any cell failed or regressed)",
         "run": f"if [ -f {BASELINE}/results.json ]; then\n"
                f"  {PY} build.py matrix{matrix_arg} --report-only "
                f"--baseline {BASELINE}/results.json\n"
                "else\n"
                f"  {PY} build.py matrix{matrix_arg} --report-only\n"
                "fi\n"},
        {"name": "Step summary: the cell table and any regression", "if": "always()",
         "run": "[ -f build/matrix/report.md ] && cat build/matrix/report.md "
                ">> \"$GITHUB_STEP_SUMMARY\" || echo 'no matrix report' "
                ">> \"$GITHUB_STEP_SUMMARY\"\n"},
        {"name": "Merge coverage", "if": "always()", "run": COVERAGE_SCRIPT},
        {"name": "Coverage gate (core/mm lines)", "if": "always()",
         "run": f"{PY} build.py coverage --info build/coverage/lcov.info --enforce-gate "
                "| tee build/coverage/gate.txt\n"
                "{ echo '```'; cat build/coverage/gate.txt; echo '```'; } "
                ">> \"$GITHUB_STEP_SUMMARY\"\n"},
        _upload("matrix-report", "build/matrix/report.md\nbuild/matrix/report.html\n"
                "build/matrix/results.json\nbuild/matrix/*.svg\nbuild/coverage/lcov.info\n"
                "build/coverage/html\n"),
        {"name": "Keep these results as the next runs' baseline",
         "if": f"success() && {on_default}", "uses": UPLOAD,
         "with": {"name": BASELINE, "path": "build/matrix/results.json",
                  "retention-days": 90}},
    ])
    job["needs"] = ["cell"]
    job["if"] = "always()"
    return job


def _long_job() -> dict:
    return _container_job("Long runs (MMKIT_LONG=1)", "", 180, [
        {"name": "Tests marked long", "env": {"MMKIT_LONG": "1"},
         "run": f"{PY} -m pytest -q -m long tests"},
    ]) | {"if": "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"}


def document(matrix: Matrix) -> dict:
    """The workflow as data (what a YAML reader gives back from the file)."""
    default = matrix.path.resolve() == (paths.ROOT / "ci" / "matrix.toml").resolve()
    matrix_arg = "" if default else f" --matrix-file {_rel(matrix.path)}"
    return {
        "name": "mmkit",
        "on": {"push": {"branches": ["main"]}, "pull_request": {},
               "schedule": [{"cron": "17 3 * * 1"}], "workflow_dispatch": {}},
        # Read the code; read other runs' artifacts (the baseline).
        "permissions": {"contents": "read", "actions": "read"},
        "concurrency": {"group": "${{ github.workflow }}-${{ github.ref }}",
                        "cancel-in-progress": True},
        "jobs": {"tests": _tests_job(), "host": _host_job(),
                 "cell": _cell_job(matrix, matrix_arg), "merge": _merge_job(matrix_arg),
                 "long": _long_job()},
    }


# --- a small YAML writer: block mappings and sequences, literal blocks for
# multi-line text, and every other string quoted (so that "on", "y" or a
# "${{ }}" expression mean what they say) -----------------------------------

def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) and key not in ("on", "y", "n",
                                                                              "yes", "no") \
        else _scalar(key)


def _emit(value, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{_key(k)}:")
                lines += _emit(v, indent + 2)
            elif isinstance(v, dict):
                lines.append(f"{pad}{_key(k)}: {{}}")
            elif isinstance(v, str) and "\n" in v:
                lines.append(f"{pad}{_key(k)}: |")
                lines += [f"{pad}  {ln}" if ln else "" for ln in v.rstrip("\n").split("\n")]
            else:
                lines.append(f"{pad}{_key(k)}: {_scalar(v)}")
    else:
        for item in value:
            sub = _emit(item, indent + 2) if isinstance(item, (dict, list)) else \
                [f"{pad}  {_scalar(item)}"]
            lines.append(f"{pad}- {sub[0].lstrip()}")
            lines += sub[1:]
    return lines


def render(matrix: Matrix) -> str:
    head = [f"# generated from {_rel(matrix.path)} by `./build.py workflow` -- do not edit;",
            "# `./build.py workflow --check` (run by tests/test_github_workflow.py) fails",
            "# when it is out of date.  kit/workflow.py says what each job does."]
    return "\n".join(head + _emit(document(matrix), 0)) + "\n"
