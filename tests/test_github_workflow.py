"""The GitHub Actions workflow (.github/workflows/mmkit.yml), read as GitHub
reads it and walked as a run would: its structure, its matrix against
ci/matrix.toml, and every command each job runs, checked to exist in the
repository (build.py command lines are parsed by build.py's own parser,
scripts must exist, setup groups must be defined)."""
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import cli, matrix_file, workflow

yaml = pytest.importorskip("yaml", reason="python3-yaml (ci/setup.sh)")

WORKFLOW = ROOT / ".github" / "workflows" / "mmkit.yml"
ALLOWED_ACTIONS = {"actions/checkout@v4", "actions/upload-artifact@v4",
                   "actions/download-artifact@v4", "dawidd6/action-download-artifact@v6"}
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(scope="module")
def doc() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def setup_groups() -> set[str]:
    text = (ROOT / "ci" / "setup.sh").read_text()
    return set(re.findall(r"^    ([a-z0-9_]+)\) echo", text, re.M))


def test_workflow_is_in_sync_with_the_matrix_file(doc):
    proc = kit("workflow", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # What the file says is what the generator means (quoting included).
    assert doc == workflow.document(matrix_file.load())


def test_top_level(doc):
    assert set(doc["on"]) >= {"push", "pull_request", "workflow_dispatch", "schedule"}
    assert doc["permissions"] == {"contents": "read", "actions": "read"}
    assert doc["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in doc["concurrency"]["group"]
    assert set(doc["jobs"]) == {"tests", "host", "cell", "merge", "long"}


def test_every_job_runs_in_debian_12_with_only_its_packages(doc):
    groups = setup_groups()
    assert groups == {"base", "riscv64", "x86_64", "coverage", "tests", "hostbench"}
    for name, job in doc["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest" and job["container"] == "debian:12", name
        assert 0 < job["timeout-minutes"] <= 180, name
        steps = job["steps"]
        assert steps[0] == {"uses": "actions/checkout@v4"}, name
        if name == "cell":      # per cell: test_cell_matrix_is_the_matrix_file
            assert steps[1]["run"] == "sh ci/setup.sh ${{ matrix.packages }}"
        words = shlex.split(steps[1]["run"])
        assert words[:2] == ["sh", "ci/setup.sh"], name
        assert name == "cell" or set(words[2:]) <= groups, name
        for step in steps:
            assert "uses" in step or "run" in step, (name, step)
            if "uses" in step:
                assert step["uses"] in ALLOWED_ACTIONS, step["uses"]
    # Narrow jobs install narrowly; the suite (and long runs) take everything.
    assert doc["jobs"]["host"]["steps"][1]["run"] == "sh ci/setup.sh base"
    assert doc["jobs"]["tests"]["steps"][1]["run"] == "sh ci/setup.sh"


def test_cell_matrix_is_the_matrix_file(doc):
    job = doc["jobs"]["cell"]
    assert job["strategy"]["fail-fast"] is False
    include = job["strategy"]["matrix"]["include"]
    cells = matrix_file.load().cells
    assert [(e["cell"], e["preset"], e["arch"]) for e in include] == \
        [(c.name, c.preset, c.arch) for c in cells]
    for e, c in zip(include, cells):
        assert e["packages"].split() == ["base", c.arch, "coverage"]
        assert set(e["packages"].split()) <= setup_groups()
        assert shlex.split(e["set"]) == [w for s in c.settings for w in ("--set", s)]
    # Each matrix key a step uses is defined for every cell.
    used = set(re.findall(r"matrix\.(\w+)", str(job)))
    assert used and all(used <= set(e) for e in include)


def test_logs_results_and_coverage_are_uploaded_and_merged(doc):
    cell = doc["jobs"]["cell"]["steps"]
    uploaded = [s["with"]["name"] for s in cell if s.get("uses", "").startswith(
        "actions/upload-artifact")]
    assert uploaded == ["cell-${{ matrix.cell }}", "cov-${{ matrix.cell }}",
                        "logs-${{ matrix.cell }}"]
    assert all(s["if"] == "always()" for s in cell if s.get("uses", "").startswith(
        "actions/upload-artifact"))
    merge = doc["jobs"]["merge"]
    assert merge["needs"] == ["cell"] and merge["if"] == "always()"
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith(
        "actions/download-artifact"))
    pattern = re.compile(download["with"]["pattern"].replace("*", ".*") + "$")
    assert pattern.match("cell-x") and pattern.match("cov-x") and not pattern.match("logs-x")
    runs = "\n".join(s.get("run", "") for s in merge["steps"])
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs
    assert "--baseline baseline/results.json" in runs
    assert "build.py coverage --info build/coverage/lcov.info --enforce-gate" in runs
    keep = next(s for s in merge["steps"] if s.get("with", {}).get("name") == "baseline"
                and s["uses"].startswith("actions/upload-artifact"))
    assert "default_branch" in keep["if"] and keep["with"]["path"] == "build/matrix/results.json"
    fetch = next(s for s in merge["steps"] if s["uses" if "uses" in s else "name"] ==
                 "dawidd6/action-download-artifact@v6")
    assert fetch["with"]["name"] == "baseline" and fetch["continue-on-error"] is True
    assert fetch["with"]["workflow"] == WORKFLOW.name


# Shell keywords, built-ins and the coreutils the scripts use.
SHELL_WORDS = {"for", "done", "fi", "if", "[", "continue", "mkdir", "cp", "set", "echo", "cat",
               "tee", "find", "exit", "}", "sort)"}


def expand(script: str, env: dict) -> str:
    """${{ matrix.X }} from ``env``; other expressions (github.*) as a word."""
    def sub(m: re.Match) -> str:
        expr = m.group(1)
        if expr.startswith("matrix."):
            return env[expr[len("matrix."):]]
        return "EXPR"
    return EXPR.sub(sub, script)


def commands(doc) -> list[tuple[str, list[str]]]:
    """(job, words) for every simple command of every run step, matrix expanded."""
    out = []
    for name, job in doc["jobs"].items():
        envs = job.get("strategy", {}).get("matrix", {}).get("include", [{}])
        for env in envs:
            for step in job["steps"]:
                for line in expand(step.get("run", ""), env).splitlines():
                    for part in re.split(r"&&|\|\||;|\||\bthen\b|\belse\b|\bdo\b", line):
                        words = shlex.split(part.strip().lstrip("{").strip(), comments=True)
                        if words:
                            out.append((name, words))
    return out


def test_every_command_exists(doc):
    parser = cli.parser()
    seen = set()
    for job, words in commands(doc):
        head = words[0]
        if head in ("/usr/bin/python3", "python3") and words[1:2] == ["build.py"]:
            argv = words[2:]
            try:
                parser.parse_args(argv)          # the command and its options exist
            except SystemExit as exc:
                pytest.fail(f"job {job}: build.py {' '.join(argv)}: refused ({exc})")
            seen.add(f"build.py {argv[0]}")
        elif head in ("/usr/bin/python3",) and words[1:3] == ["-m", "pytest"]:
            paths = [w for w in words[3:] if not w.startswith("-") and w != "long"]
            assert paths and all((ROOT / p).exists() for p in paths), (job, words)
            seen.add("pytest")
        elif head == "sh":
            assert (ROOT / words[1]).is_file(), (job, words)
            syntax = subprocess.run(["sh", "-n", str(ROOT / words[1])],
                                    stderr=subprocess.PIPE, text=True)
            assert syntax.returncode == 0, (words[1], syntax.stderr)
            seen.add(words[1])
        elif head in ("lcov", "genhtml"):
            assert "lcov" in (ROOT / "ci" / "setup.sh").read_text()
        else:
            # Shell built-ins and coreutils the scripts use.
            assert head in SHELL_WORDS or re.match(r"^[A-Za-z_]+=", head), (job, words)
    assert {"build.py matrix", "build.py defconfig", "build.py coverage", "pytest",
            ".ci/run", "ci/setup.sh", "ci/host-sanitizers.sh"} <= seen


def test_long_runs_are_a_job_of_their_own(doc):
    job = doc["jobs"]["long"]
    step = job["steps"][-1]
    assert step["env"] == {"MMKIT_LONG": "1"} and "-m long" in step["run"]
    assert "schedule" in job["if"] and "workflow_dispatch" in job["if"]


def test_coverage_info_refuses_a_missing_file(tmp_path: Path):
    proc = kit("coverage", "--info", str(tmp_path / "none.info"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"build.py: error: --info {tmp_path / 'none.info'}: no such file"


def test_coverage_info_gates_a_merged_file(tmp_path: Path):
    """The merge job's gate: an lcov.info with core/mm at 50% misses it."""
    info = tmp_path / "lcov.info"
    info.write_text(f"TN:\nSF:{ROOT}/core/mm/slab.c\nDA:10,1\nDA:11,0\nLF:2\nLH:1\n"
                    "end_of_record\n")
    proc = kit("coverage", "--info", str(info))
    assert proc.returncode == 0, proc.stdout + proc.stderr     # printed, not enforced
    assert "core/mm" in proc.stdout
    gated = kit("coverage", "--info", str(info), "--enforce-gate")
    assert gated.returncode == 1 and "Traceback" not in gated.stderr
    info.write_text(f"TN:\nSF:{ROOT}/core/mm/slab.c\nDA:10,1\nDA:11,3\nLF:2\nLH:2\n"
                    "end_of_record\n")
    assert kit("coverage", "--info", str(info), "--enforce-gate").returncode == 0
