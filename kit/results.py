"""Machine-readable test results: a run's KTAP (kit/ktap.py) and verdict
(kit/verdict.py) as JSON in the shape Linux's `kunit.py --json` writes
(the KernelCI test API's test group), and as JUnit XML, as CI servers read it.

JSON: one group per KTAP level, nested as the KTAP is:

    {"name": ..., "arch": ..., "defconfig": ..., "build_environment": ...,
     "lab_name": null, "kernel": ..., "job": null, "git_branch": ...,
     "sub_groups": [<group per suite>, ...],
     "test_cases": [{"name": <case>, "status": "PASS"|"FAIL"|"SKIP"|"ERROR"}],
     "misc": {"tests", "passed", "failed", "crashed", "skipped", "errors"}}

A case with no result line (the run stopped inside it) is ERROR, as
kunit.py's crashed; "errors" counts KTAP structure errors and a run that
ended in a panic, hang or crash.

JUnit: <testsuites> with one <testsuite> per KTAP suite and one <testcase>
per case (classname = suite); a failed case carries <failure> with its
diagnostics, a skipped one <skipped>, one without a result <error>.  A run
that panicked, hung or crashed adds a "(run)" suite whose one case is an
<error> naming the reason, so the file never reads as clean.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from . import ktap, qemu
from .fsutil import write_atomic
from .verdict import Verdict

STATUS = {ktap.OK: "PASS", ktap.FAILED: "FAIL", ktap.SKIPPED: "SKIP", ktap.MISSING: "ERROR"}
ROOT_NAME = "mmkit Test Group"
RUN_BROKEN = (qemu.PANIC, qemu.HANG, qemu.CRASH)


def _counts(test: ktap.Test) -> dict:
    leaves = [t for _, t in test.leaves()] if test.children else []
    c = {s: sum(1 for t in leaves if t.status == s) for s in STATUS}
    return {"tests": len(leaves), "passed": c[ktap.OK], "failed": c[ktap.FAILED],
            "crashed": c[ktap.MISSING], "skipped": c[ktap.SKIPPED], "errors": 0}


def _group(test: ktap.Test, common: dict) -> dict:
    group = {"name": test.name, **common,
             "sub_groups": [_group(c, common) for c in test.children if c.children],
             "test_cases": [{"name": c.name, "status": STATUS[c.status]}
                            for c in test.children if not c.children],
             "misc": _counts(test)}
    return group


def to_json(verdict: Verdict, *, arch: str, defconfig: str | None,
            build_dir: str | None, git_branch: str | None = None) -> dict:
    """The run as kunit.py's --json document (a dict; json.dumps it)."""
    common = {"arch": arch, "defconfig": defconfig, "build_environment": build_dir,
              "lab_name": None, "kernel": "mmkit", "job": None, "git_branch": git_branch}
    doc = _group(verdict.parsed.root, common)
    doc["name"] = ROOT_NAME
    doc["misc"]["errors"] = len(verdict.parsed.errors) + (verdict.outcome in RUN_BROKEN)
    return doc


def to_junit(verdict: Verdict, *, name: str) -> ET.ElementTree:
    root = ET.Element("testsuites", name=name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in verdict.parsed.root.children:
        cases = suite.leaves() if suite.children else [(suite.name, suite)]
        el = ET.SubElement(root, "testsuite", name=suite.name)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for path, case in cases:
            classname, _, leaf = path.rpartition(".")
            tc = ET.SubElement(el, "testcase", classname=classname or suite.name,
                               name=leaf, time="0")
            counts["tests"] += 1
            detail = "\n".join(case.diagnostics)
            if case.status == ktap.FAILED:
                counts["failures"] += 1
                ET.SubElement(tc, "failure", message=(case.diagnostics[0].lstrip("# ")
                                                      if case.diagnostics else "failed"),
                              type="failure").text = detail
            elif case.status == ktap.SKIPPED:
                counts["skipped"] += 1
                ET.SubElement(tc, "skipped", message=case.skip_reason or "skipped")
            elif case.status == ktap.MISSING:
                counts["errors"] += 1
                ET.SubElement(tc, "error", message="no result: the run stopped in this case",
                              type="crashed").text = detail
        for key, value in counts.items():
            el.set(key, str(value))
            totals[key] += value
        el.set("time", "0")
    problems = list(verdict.parsed.errors)
    if verdict.outcome in RUN_BROKEN:
        problems.insert(0, verdict.reason)
    if problems:
        el = ET.SubElement(root, "testsuite", name="(run)", tests="1", failures="0",
                           errors="1", skipped="0", time="0")
        tc = ET.SubElement(el, "testcase", classname="(run)", name="boot", time="0")
        ET.SubElement(tc, "error", message=problems[0], type=verdict.outcome).text = \
            "\n".join(problems)
        totals["tests"] += 1
        totals["errors"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def write_json(path: Path, doc: dict) -> None:
    write_atomic(path, json.dumps(doc, indent=4) + "\n")


def write_junit(path: Path, tree: ET.ElementTree) -> None:
    text = ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=False)
    write_atomic(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
