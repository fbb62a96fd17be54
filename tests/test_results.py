"""Per-run choices and machine-readable results: --filter reaches the guest
on its command line (no rebuild, nothing saved), --list-tests, --json in the
shape kunit.py --json writes, --junit as a JUnit parser from Debian reads
it, and `build.py parse` of a saved console log."""
import json
import re
from pathlib import Path

import pytest

from conftest import kit
from kit import config, verdict as verdict_mod

junitparser = pytest.importorskip("junitparser", reason="python3-junitparser (ci/setup.sh)")

# The fields kunit.py's kunit_json.py writes for every test group, and in
# "misc" (Linux tools/testing/kunit/kunit_json.py).
GROUP_KEYS = {"name", "sub_groups", "test_cases", "misc", "arch", "defconfig",
              "build_environment", "lab_name", "kernel", "job", "git_branch"}
MISC_KEYS = {"tests", "passed", "failed", "crashed", "skipped", "errors"}
STATUSES = {"PASS", "FAIL", "SKIP", "ERROR"}
TOTALS_RE = re.compile(r"^Ran (\d+) cases: passed (\d+), failed (\d+), skipped (\d+)$", re.M)


def totals(stdout: str) -> tuple[int, int, int, int]:
    m = TOTALS_RE.search(stdout)
    assert m, stdout
    return tuple(int(g) for g in m.groups())


def check_group(group: dict, depth: int = 0) -> tuple[int, int, int, int]:
    """Check one kunit.py test group; returns its (tests, passed, failed, skipped)
    counted from its cases and sub-groups, which must agree with its misc."""
    assert set(group) == GROUP_KEYS, sorted(group)
    assert set(group["misc"]) == MISC_KEYS
    n = [0, 0, 0, 0]
    for case in group["test_cases"]:
        assert set(case) == {"name", "status"} and case["status"] in STATUSES, case
        n[0] += 1
        n[1] += case["status"] == "PASS"
        n[2] += case["status"] == "FAIL"
        n[3] += case["status"] == "SKIP"
    for sub in group["sub_groups"]:
        assert sub["arch"] == group["arch"]
        for i, v in enumerate(check_group(sub, depth + 1)):
            n[i] += v
    misc = group["misc"]
    assert (misc["tests"], misc["passed"], misc["failed"], misc["skipped"]) == tuple(n), group
    return tuple(n)


def junit_counts(path: Path) -> tuple[int, int, int, int, list[str]]:
    """(tests, passed, failures, skipped, failed case names) as junitparser reads the file."""
    xml = junitparser.JUnitXml.fromfile(str(path))
    tests = passed = failures = skipped = 0
    failed = []
    for suite in xml:
        for case in suite:
            tests += 1
            kinds = {type(r).__name__ for r in case.result}
            if "Failure" in kinds:
                failures += 1
                failed.append(f"{case.classname}.{case.name}")
            elif "Skipped" in kinds:
                skipped += 1
            elif not kinds:
                passed += 1
    return tests, passed, failures, skipped, failed


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    """One riscv64 run with a failing case and skipped cases, results written."""
    tmp = tmp_path_factory.mktemp("results")
    out = tmp / "v"
    kit("defconfig", "simpleheap", "--set", "TEST_FAILING_CASE=y", "-O", str(out), check=True)
    proc = kit("test", "-O", str(out), "--filter", "ktest_self,heap,cmdline",
               "--json", str(tmp / "r.json"), "--junit", str(tmp / "r.xml"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return tmp, out, proc


def test_junit_reads_back_with_the_same_counts(failing_run):
    tmp, _, proc = failing_run
    ran, passed, failed, skipped = totals(proc.stdout)
    assert failed == 1 and skipped > 0 and passed > 0
    assert junit_counts(tmp / "r.xml") == (ran, passed, failed, skipped,
                                           ["ktest_self.deliberate_failure"])
    xml = junitparser.JUnitXml.fromfile(str(tmp / "r.xml"))
    assert xml.tests == ran and xml.failures == failed and xml.skipped == skipped
    assert xml.errors == 0


def test_json_has_kunit_fields_and_nesting(failing_run):
    tmp, out, proc = failing_run
    doc = json.loads((tmp / "r.json").read_text())
    ran, passed, failed, skipped = totals(proc.stdout)
    assert check_group(doc) == (ran, passed, failed, skipped)
    assert doc["test_cases"] == []           # cases sit in their suite's group
    assert [g["name"] for g in doc["sub_groups"]] == ["ktest_self", "cmdline", "heap"] or \
        {g["name"] for g in doc["sub_groups"]} == {"ktest_self", "cmdline", "heap"}
    assert doc["arch"] == "riscv64" and doc["build_environment"] == str(out)
    self_group = next(g for g in doc["sub_groups"] if g["name"] == "ktest_self")
    assert {"name": "deliberate_failure", "status": "FAIL"} in self_group["test_cases"]


def test_parse_of_the_saved_log_gives_the_same_results(failing_run):
    tmp, out, proc = failing_run
    parsed = kit("parse", str(out / "test.log"), "--json", str(tmp / "p.json"),
                 "--junit", str(tmp / "p.xml"))
    assert parsed.returncode == 1, parsed.stdout + parsed.stderr
    assert totals(parsed.stdout) == totals(proc.stdout)
    assert "ktest_self.deliberate_failure" in parsed.stdout
    run_doc = json.loads((tmp / "r.json").read_text())
    parse_doc = json.loads((tmp / "p.json").read_text())
    for doc in (run_doc, parse_doc):
        doc.pop("defconfig"), doc.pop("build_environment")
        for g in doc["sub_groups"]:
            g.pop("defconfig"), g.pop("build_environment")
    assert parse_doc == run_doc
    assert junit_counts(tmp / "p.xml") == junit_counts(tmp / "r.xml")


def test_a_run_cut_short_is_an_error_in_both_files(failing_run, tmp_path: Path):
    """A log that stops inside a suite with a panic: the open case is ERROR
    (kunit.py's crashed) and the run itself is an error, never a clean file."""
    _, out, _ = failing_run
    log = (out / "test.log").read_text()
    cut = log[:log.index("    # Subtest: heap") if "    # Subtest: heap" in log
              else log.index("# Subtest: heap")]
    cut += "    # Subtest: heap\n    KTAP version 1\n    1..3\n    ok 1 first\n" \
           "PANIC: deliberate (test_results)\n"
    saved = tmp_path / "cut.log"
    saved.write_text(cut)
    proc = kit("parse", str(saved), "--json", str(tmp_path / "c.json"),
               "--junit", str(tmp_path / "c.xml"))
    assert proc.returncode == 1
    assert "panic: deliberate (test_results)" in proc.stdout
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["misc"]["errors"] >= 1
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "c.xml"))
    assert xml.errors >= 1


def test_parse_refuses_a_missing_log(tmp_path: Path):
    proc = kit("parse", str(tmp_path / "nope.log"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("build.py: error: cannot read")


@pytest.mark.parametrize("arch", config.ARCHES)
def test_filter_reaches_the_guest_without_a_rebuild(arch: str, tmp_path: Path):
    out = tmp_path / arch
    kit("defconfig", "simpleheap", "--arch", arch, "-O", str(out), check=True)
    kit("build", "-O", str(out), check=True)
    dot_config = (out / ".config").read_text()
    images = {p: p.stat().st_mtime_ns for p in out.glob("kernel-test*")}
    assert images
    proc = kit("test", "-O", str(out), "--filter", "cmdline.*quote*,string.memcmp*")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no work to do" in proc.stdout
    assert totals(proc.stdout) == (2, 2, 0, 0)
    assert 'ktest: filter "cmdline.*quote*,string.memcmp*" (kernel command line)' in \
        (out / "test.log").read_text()
    assert {p: p.stat().st_mtime_ns for p in out.glob("kernel-test*")} == images
    assert (out / ".config").read_text() == dot_config       # nothing saved
    listed = kit("test", "-O", str(out), "--list-tests", "--filter", "cmdline")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    names = [ln for ln in listed.stdout.splitlines() if ln.startswith("cmdline.")]
    assert "cmdline.quotes_and_last_wins" in names and len(names) >= 5
    none = kit("test", "-O", str(out), "--filter", "no_such_suite")
    assert none.returncode == 1
    assert '--filter "no_such_suite" matches no suite or case' in none.stdout


def test_a_bad_filter_is_one_line(tmp_path: Path):
    proc = kit("test", "-O", str(tmp_path / "none"), "--filter", "heap; rm -rf /")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "--filter" in proc.stderr.strip().splitlines()[-1]


def test_from_log_without_a_marker_is_a_crash():
    v = verdict_mod.from_log("mmkit: riscv64, boot\nKTAP version 1\n1..1\n")
    assert v.outcome == "crash" and not v.passed
