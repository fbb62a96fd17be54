"""lcov tracefiles: made from .gcda files (lcov --capture), merged, turned
into HTML (genhtml), and read back per source file.

The figures the kit prints (kit/coverage_report.py) come from reading the
tracefile here, so they are the ones the HTML shows.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import gcda, paths, procs, tools
from .archs import Arch
from .errors import KitError


LCOV_RC = ["--rc", "lcov_branch_coverage=1"]


def _run(cmd: list[str], what: str) -> None:
    proc = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        detail = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.strip()), "")
        raise KitError(f"{what} failed (exit status {proc.returncode}): {detail}")


def lcov_test_name(label: str) -> str:
    """lcov test names allow letters, digits and underscores only."""
    return re.sub(r"[^A-Za-z0-9_]", "_", label)


def capture(directory: Path, arch: Arch, label: str, dest: Path) -> Path:
    """lcov over the .gcda files under ``directory`` -> ``dest`` (with branch data)."""
    lcov = tools.require("lcov")
    gcdas = sorted(directory.rglob("*.gcda"))
    if not gcdas:
        raise KitError(f"no .gcda files under {directory}")
    tool = gcda.gcov_tool(arch, gcda.read_header(gcdas[0].read_bytes(), gcda.GCDA_MAGIC,
                                                 str(gcdas[0])).version)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name("." + dest.name + ".tmp")
    _run([lcov, "--quiet", "--capture", "--directory", str(directory), "--gcov-tool", tool,
          "--test-name", lcov_test_name(label), "--output-file", str(tmp), *LCOV_RC],
         "lcov --capture")
    os.replace(tmp, dest)
    return dest


def merge(infos: list[Path], dest: Path) -> Path:
    """lcov -a: one tracefile summing ``infos`` (line, function and branch counts)."""
    lcov = tools.require("lcov")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name("." + dest.name + ".tmp")
    cmd = [lcov, "--quiet"]
    for info in infos:
        cmd += ["--add-tracefile", str(info)]
    _run(cmd + ["--output-file", str(tmp), *LCOV_RC], "lcov --add-tracefile")
    os.replace(tmp, dest)
    return dest


def html(info: Path, dest: Path, title: str) -> Path:
    """genhtml into ``dest`` (replaced only once the new report is complete)."""
    genhtml = tools.require("genhtml")
    tmp = dest.with_name("." + dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _run([genhtml, "--quiet", "--branch-coverage", *LCOV_RC, "--prefix", str(paths.ROOT),
          "--title", title, "--output-directory", str(tmp), str(info)], "genhtml")
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return dest / "index.html"


# --- reading a tracefile -----------------------------------------------------------

@dataclass
class FileCov:
    path: str                                   # relative to the source tree
    lines: dict[int, int] = field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)   # name -> (line, hits)
    branches: dict[tuple[int, str, str], int] = field(default_factory=dict)


def _rel(path: str) -> str:
    try:
        return Path(path).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return path


def load_info(info: Path) -> dict[str, FileCov]:
    """Per source file, from an lcov tracefile's DA, FN/FNDA and BRDA records."""
    files: dict[str, FileCov] = {}
    cur: FileCov | None = None
    fn_lines: dict[str, int] = {}
    for raw in info.read_text(encoding="utf-8").splitlines():
        key, _, val = raw.partition(":")
        if key == "SF":
            rel = _rel(val)
            cur = files.setdefault(rel, FileCov(rel))
            fn_lines = {}
        elif cur is None:
            continue
        elif key == "DA":
            line, hits = val.split(",")[:2]
            cur.lines[int(line)] = cur.lines.get(int(line), 0) + int(hits)
        elif key == "FN":
            line, name = val.split(",", 1)
            fn_lines[name] = int(line)
            cur.functions.setdefault(name, (int(line), 0))
        elif key == "FNDA":
            hits, name = val.split(",", 1)
            line, old = cur.functions.get(name, (fn_lines.get(name, 0), 0))
            cur.functions[name] = (line, old + int(hits))
        elif key == "BRDA":
            line, block, branch, taken = val.split(",")
            k = (int(line), block, branch)
            cur.branches[k] = cur.branches.get(k, 0) + (0 if taken == "-" else int(taken))
        elif key == "end_of_record":
            cur = None
    return files


@dataclass
class Totals:
    lines: tuple[int, int] = (0, 0)         # (hit, found)
    functions: tuple[int, int] = (0, 0)
    branches: tuple[int, int] = (0, 0)

    def add(self, f: FileCov) -> None:
        def plus(a: tuple[int, int], hit: int, found: int) -> tuple[int, int]:
            return a[0] + hit, a[1] + found
        self.lines = plus(self.lines, sum(1 for h in f.lines.values() if h), len(f.lines))
        self.functions = plus(self.functions, sum(1 for _, h in f.functions.values() if h),
                              len(f.functions))
        self.branches = plus(self.branches, sum(1 for h in f.branches.values() if h),
                             len(f.branches))


def percent(pair: tuple[int, int]) -> float | None:
    return 100.0 * pair[0] / pair[1] if pair[1] else None


def fmt(pair: tuple[int, int]) -> str:
    p = percent(pair)
    return f"{p:5.1f}% ({pair[0]}/{pair[1]})" if p is not None else "  n/a"


def directory_of(rel: str) -> str:
    return PurePosixPath(rel).parent.as_posix()


def totals(files: dict[str, FileCov], under: str | None = None) -> Totals:
    t = Totals()
    for rel, f in files.items():
        if under is None or rel == under or rel.startswith(under.rstrip("/") + "/"):
            t.add(f)
    return t
