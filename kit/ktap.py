"""Parse KTAP v1 (nested by 4-space indentation) and summarise it.

Like KUnit's kunit_parser.py, but only what mmkit's framework emits and
what KTAP v1 allows: version lines, plans, "# Subtest:" names, results
with "# SKIP" directives, and diagnostic lines, at any depth.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

VERSION_RE = re.compile(r"^KTAP version 1$")
PLAN_RE = re.compile(r"^1\.\.(\d+)$")
RESULT_RE = re.compile(r"^(ok|not ok) (\d+) ([^#]*?)\s*(?:#\s*(SKIP)\b\s*(.*))?$")
SUBTEST_RE = re.compile(r"^# Subtest: (.*)$")

OK, FAILED, SKIPPED, MISSING = "ok", "failed", "skipped", "missing"


@dataclass
class Test:
    name: str
    status: str = MISSING
    skip_reason: str = ""
    diagnostics: list[str] = field(default_factory=list)
    children: list["Test"] = field(default_factory=list)
    plan: int | None = None

    def leaves(self, prefix: str = "") -> list[tuple[str, "Test"]]:
        path = f"{prefix}.{self.name}" if prefix else self.name
        if not self.children:
            return [(path, self)]
        return [leaf for c in self.children for leaf in c.leaves(path)]


@dataclass
class Result:
    root: Test
    errors: list[str]          # structural problems: no plan, missing results

    def cases(self) -> list[tuple[str, Test]]:
        return [leaf for c in self.root.children for leaf in c.leaves()]

    def counts(self) -> dict[str, int]:
        counts = {OK: 0, FAILED: 0, SKIPPED: 0, MISSING: 0}
        for _, t in self.cases():
            counts[t.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not self.errors and all(t.status in (OK, SKIPPED) for _, t in self.cases()) \
            and all(t.status != FAILED for t in self.root.children)


def _indent(line: str) -> tuple[int, str]:
    stripped = line.lstrip(" ")
    return (len(line) - len(stripped)) // 4, stripped.rstrip()


def parse(text: str) -> Result:
    """Parse the first KTAP document in ``text`` (console noise around it is ignored)."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, ln in enumerate(lines) if VERSION_RE.match(ln.strip())
                  and not ln.startswith(" ")), None)
    root = Test("(root)")
    if start is None:
        return Result(root, ["no KTAP output (no 'KTAP version 1' line)"])

    # stack[d] is the test whose children are being listed at depth d.
    stack: list[Test] = [root]
    pending: list[Test | None] = [None]      # a "# Subtest:" list awaiting its result
    diags: list[list[str]] = [[]]
    for raw in lines[start + 1:]:
        if not raw.strip():
            continue
        depth, line = _indent(raw)
        if depth > len(stack):
            continue  # deeper than any open list: not KTAP, console noise
        if VERSION_RE.match(line):
            if depth == len(stack):
                child = Test("(unnamed)")
                stack.append(child)
                pending.append(None)
                diags.append([])
            continue
        if depth >= len(stack):
            continue
        subtest = SUBTEST_RE.match(line)
        plan = PLAN_RE.match(line)
        result = RESULT_RE.match(line)
        if not (subtest or plan or result):
            # Diagnostics belong to the list at their depth; any other line
            # is console output (e.g. a misuse report) and never closes a list.
            if line.startswith("#") and depth == len(stack) - 1:
                diags[depth].append(line)
            continue
        # A KTAP line at a shallower depth closes the deeper lists still open.
        while len(stack) > depth + 1:
            closed = stack.pop()
            pending.pop()
            diags.pop()
            pending[-1] = closed
        current = stack[depth]
        if subtest and depth > 0:
            current.name = subtest.group(1).strip()
        elif plan:
            current.plan = int(plan.group(1))
        elif result:
            ok, _num, name, skip, reason = result.groups()
            test = pending[depth] or Test(name.strip())
            pending[depth] = None
            test.name = name.strip()
            test.status = SKIPPED if skip else (OK if ok == "ok" else FAILED)
            test.skip_reason = (reason or "").strip()
            test.diagnostics = diags[depth] + test.diagnostics
            diags[depth] = []
            current.children.append(test)
    # Lists still open at the end: the run stopped inside them.
    while len(stack) > 1:
        closed = stack.pop()
        pending.pop()
        diags.pop()
        stack[-1].children.append(closed)

    errors = []
    _check_plans(root, "", errors, top=True)
    return Result(root, errors)


def _check_plans(test: Test, path: str, errors: list[str], top: bool = False) -> None:
    where = path or "top level"
    if test.plan is None:
        errors.append(f"missing plan line at {where}")
    elif len(test.children) < test.plan:
        errors.append(f"{where}: {len(test.children)} of {test.plan} planned results "
                      "(the run stopped early)")
    elif len(test.children) > test.plan:
        errors.append(f"{where}: {len(test.children)} results but plan said {test.plan}")
    for child in test.children:
        if child.children or child.plan is not None:
            _check_plans(child, f"{path}.{child.name}" if path else child.name, errors)


def summary(result: Result) -> list[str]:
    """Lines for people: one per suite, the failures in detail, a total."""
    out = []
    for suite in result.root.children:
        leaves = suite.leaves()
        failed = [(p, t) for p, t in leaves if t.status == FAILED]
        skipped = sum(1 for _, t in leaves if t.status == SKIPPED)
        tag = {OK: "PASSED", FAILED: "FAILED", SKIPPED: "SKIPPED", MISSING: "CRASHED"}
        # A suite without its own result line stopped mid-way: say so first.
        status = MISSING if suite.status == MISSING else (FAILED if failed else suite.status)
        note = f"{len(leaves)} cases" + (f", {len(failed)} failed" if failed else "") + \
            (f", {skipped} skipped" if skipped else "")
        out.append(f"[{tag[status]}] {suite.name} ({note})")
        for path, t in failed:
            out.append(f"    [FAILED] {path}")
            out.extend(f"        {d}" for d in t.diagnostics)
        for path, t in leaves:
            if t.status == MISSING:
                out.append(f"    [CRASHED] {path}: no result")
    c = result.counts()
    total = sum(c.values())
    out.append(f"Ran {total} cases: passed {c[OK]}, failed {c[FAILED]}, skipped {c[SKIPPED]}"
               + (f", missing {c[MISSING]}" if c[MISSING] else ""))
    out.extend(f"KTAP error: {e}" for e in result.errors)
    return out


def failed_cases(result: Result) -> list[str]:
    return [p for p, t in result.cases() if t.status == FAILED]
