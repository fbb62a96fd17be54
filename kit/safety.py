"""The price of safety: what each slab check level (Kconfig SLAB_CHECKS_FULL,
HARDENED, OFF) costs and what it catches, side by side, from a matrix run.

Costs are the bench's instructions per operation of each cell.  What a level
catches is read from the same cell's KTAP results: each misuse class of
enum slab_misuse (core/include/slab.h) has a case of its own in the slab
suite that starts with SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_<class>), so

    the case passed                   the misuse was reported and refused
    skipped "not caught at this ..."  the level does not catch the class
    failed                            the level promises it and missed it
    skipped for another reason        not tried (e.g. misuse panics)

Which case exercises which class is read from the suites' sources (the
macro names the class), so a class or case added there joins the table by
itself; nothing here says what a level catches.  A class checked only
inside a broader case has no row of its own and is listed as such.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import paths

NOT_CAUGHT = "not caught at this SLAB_CHECKS level"   # slab_test.c's skip reason
LEVELS = ("off", "hardened", "full")                  # cheapest first
# Figures of the bench that the checks sit on: the fast-path pair, the same
# pair in a heap aged by the stress patterns, random frees (into slabs that
# are not the CPU's), and random sizes and lifetimes.
FIGURES = ("pair size=64", "pair_aged size=64", "batch_free pattern=random", "mixed")
BASE_FIGURE = "pair size=64"

SLAB_H = paths.ROOT / "core" / "include" / "slab.h"
SUITES_DIR = paths.ROOT / "tests" / "kernel"

_ENUM = re.compile(r"enum slab_misuse\s*\{(.*?)\};", re.S)
_MEMBER = re.compile(r"^\s*(SLAB_MISUSE_\w+)\s*,?\s*(?:/\*\s*(.*?)\s*\*/)?", re.M)
_FUNCTION = re.compile(r"^static void (\w+)\(struct ktest \*t\)\n\{\n(.*?)^\}", re.S | re.M)
_CAUGHT = re.compile(r"SKIP_UNLESS_CAUGHT\(t,\s*(SLAB_MISUSE_\w+)\)")
_SUITE = re.compile(r"^KTEST_SUITE(?:_WITH_HOOKS)?\((\w+),", re.M)


@dataclass(frozen=True)
class MisuseClass:
    name: str                  # SLAB_MISUSE_INTERIOR
    what: str                  # the enum's comment
    cases: tuple[str, ...]     # suite.case that exercise it alone

    @property
    def short(self) -> str:
        """'interior', 'double free later': a column heading."""
        return self.name.removeprefix("SLAB_MISUSE_").lower().replace("_", " ")


def misuse_classes(slab_h: Path = SLAB_H, suites_dir: Path = SUITES_DIR) -> list[MisuseClass]:
    """enum slab_misuse's classes in order, each with the cases that test it."""
    enum = _ENUM.search(slab_h.read_text(encoding="utf-8"))
    if not enum:
        return []
    members = [(m.group(1), m.group(2) or "") for m in _MEMBER.finditer(enum.group(1))
               if m.group(1) != "SLAB_MISUSE_CLASSES"]
    cases: dict[str, list[str]] = {name: [] for name, _ in members}
    for source in sorted(suites_dir.glob("*.c")):
        text = source.read_text(encoding="utf-8")
        suite = _SUITE.search(text)
        if not suite:
            continue
        for fn in _FUNCTION.finditer(text):
            for caught in _CAUGHT.findall(fn.group(2)):
                if caught in cases:
                    cases[caught].append(f"{suite.group(1)}.{fn.group(1)}")
    return [MisuseClass(name, what, tuple(cases[name])) for name, what in members]


def _case(cell: dict, path: str) -> dict | None:
    suite, _, case = path.partition(".")
    for s in (cell.get("tests") or {}).get("suites", []):
        if s["name"] == suite:
            return next((c for c in s["cases"] if c["name"] == case), None)
    return None


def detection(cell: dict, klass: MisuseClass) -> str:
    """What the cell's run says about one class (see the module's doc)."""
    results = [r for r in (_case(cell, p) for p in klass.cases) if r is not None]
    if not results:
        return "not run"
    if any(r["status"] == "fail" for r in results):
        return "MISSED (case failed)"
    if any(r["status"] == "missing" for r in results):
        return "not run (crashed)"
    if all(r["status"] == "pass" for r in results):
        return "detected"
    reasons = {r.get("skip_reason", "") for r in results if r["status"] == "skip"}
    if reasons == {NOT_CAUGHT}:
        return "not detected"
    return "not tried: " + "; ".join(sorted(reasons - {NOT_CAUGHT}))


def _op(cell: dict, key: str) -> dict | None:
    """Figure ``key`` of a cell; a key without its size (``batch_free
    pattern=random``) names the smallest size measured."""
    ops = (cell.get("bench") or {}).get("ops", [])
    exact = [op for op in ops if op["key"] == key]
    if exact:
        return exact[0]
    found = [op for op in ops if op["key"].startswith(key + " ")]
    return min(found, key=lambda op: op.get("size", 0)) if found else None


def _figure(cell: dict, key: str) -> int | None:
    op = _op(cell, key)
    return None if op is None else op["median"]


def figure_label(cells: list[dict], key: str) -> str:
    """A figure column's heading: its full key where it was measured."""
    return next((op["key"] for op in (_op(c, key) for c in cells) if op), key)


def cells_with_levels(cells: list[dict]) -> list[dict]:
    """Cells with slab caches, by arch, then level (cheapest first), then name."""
    have = [c for c in cells if (c.get("variant") or {}).get("slab_checks") in LEVELS]
    return sorted(have, key=lambda c: (c["arch"], LEVELS.index(c["variant"]["slab_checks"]),
                                       c["name"]))


def _over_off(cell: dict, cells: list[dict]) -> str:
    """BASE_FIGURE above the same mode and page allocator at level off, same arch
    (what the checks and debug options cost; '-' without such a cell)."""
    mine = _figure(cell, BASE_FIGURE)
    v = cell["variant"]
    off = [_figure(c, BASE_FIGURE) for c in cells
           if c["arch"] == cell["arch"] and c["variant"].get("slab_checks") == "off"
           and c["variant"]["mode"] == v["mode"] and c["variant"]["page_alloc"] == v["page_alloc"]]
    off = [x for x in off if x is not None]
    if mine is None or not off:
        return "-"
    return f"{mine - min(off):+d}"


def table(cells: list[dict], classes: list[MisuseClass]) -> tuple[list[str], list[list[str]]]:
    """The price-of-safety table of one arch's cells: a column per cell with a
    check level (cheapest level first), a row per figure, then a row per
    misuse class that has a case of its own."""
    columns = cells_with_levels(cells)
    if not columns:
        return [], []
    head = [""] + [c["name"] for c in columns]
    rows = [["check level"] + [c["variant"]["slab_checks"] for c in columns],
            ["mode / pages"] + [f"{c['variant']['mode']} / {c['variant']['page_alloc']}"
                                for c in columns],
            ["debug options"] + [", ".join(c["variant"].get("debug", [])) or "-"
                                 for c in columns]]
    for key in FIGURES:
        values = [_figure(c, key) for c in columns]
        rows.append([figure_label(columns, key)] + ["-" if x is None else str(x) for x in values])
    rows.append([f"{BASE_FIGURE} above level off"] + [_over_off(c, columns) for c in columns])
    rows += [[f"detects: {k.short}"] + [detection(c, k) for c in columns]
             for k in classes if k.cases]
    return head, rows


def classes_rows(classes: list[MisuseClass]) -> tuple[list[str], list[list[str]]]:
    """What each class is and which case tests it (the legend of table())."""
    return (["class", "misuse", "case"],
            [[k.short, k.what, ", ".join(k.cases) or "none of its own: checked inside "
              "broader cases, not reported apart"] for k in classes])


def _cost_range(values: list[int]) -> str:
    """'59' for one value or all equal, '59–64 (4 cells)' for a spread."""
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    if lo == hi:
        return f"{lo}" if len(values) == 1 else f"{lo} ({len(values)} cells)"
    return f"{lo}–{hi} ({len(values)} cells)"


def summary(cells: list[dict], classes: list[MisuseClass]) -> tuple[list[str], list[list[str]]]:
    """One row per check level, cheapest first: BASE_FIGURE per arch over the
    level's cells without debug options (their range when the modes or
    options around the level differ), and which classes the level's cells
    detected, did not detect, or missed, over every arch.  A class whose
    cells disagree (detected in one, not in another) is listed under each
    outcome it had, with the cells, so nothing is averaged away."""
    levelled = cells_with_levels(cells)
    arches = list(dict.fromkeys(c["arch"] for c in levelled))
    head = ["check level"] + [f"{BASE_FIGURE}: {a}" for a in arches] + \
        ["detects", "does not detect", "missed or not run"]
    rows = []
    for level in LEVELS:
        mine = [c for c in levelled if c["variant"]["slab_checks"] == level]
        if not mine:
            continue
        row = [level]
        for arch in arches:
            plain = [c for c in mine if c["arch"] == arch and not c["variant"].get("debug")]
            row.append(_cost_range([x for x in (_figure(c, BASE_FIGURE) for c in plain)
                                    if x is not None]))
        outcome: dict[str, list[str]] = {"detected": [], "not detected": [], "other": []}
        for k in classes:
            if not k.cases:
                continue
            seen = {c["name"]: detection(c, k) for c in mine}
            kinds = set(seen.values())
            if kinds == {"detected"}:
                outcome["detected"].append(k.short)
            elif kinds == {"not detected"}:
                outcome["not detected"].append(k.short)
            else:
                bad = sorted(n for n, d in seen.items() if d not in ("detected", "not detected"))
                mixed = sorted(kinds - {"detected", "not detected"})
                outcome["other"].append(f"{k.short}: {', '.join(mixed) or 'mixed'}"
                                        + (f" ({', '.join(bad)})" if bad else ""))
        row += [", ".join(outcome[k]) or "none" for k in ("detected", "not detected", "other")]
        rows.append(row)
    return head, rows
