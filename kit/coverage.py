"""kernel-cov, the instrumented test image: what is instrumented, where its
files go, and how one run's console becomes a report.

kernel-cov (Kconfig COVERAGE) is the test image with core/ and arch/
compiled with --coverage into <out>/cov/ (kit/generate.py).  After its run,
collect() takes the .gcda files out of the console (kit/gcov_dump.py),
writes each beside its .gcno (kit/gcda.py), and makes
<out>/coverage/lcov.info and html/ (kit/lcov.py); kit/coverage_report.py
turns tracefiles into what people read.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from . import gcda, gcov_dump, lcov, paths
from .archs import Arch

OBJ_DIR = gcda.OBJ_DIR
# Top-level source directories that are instrumented; the gcov runtime is not.
INSTRUMENTED = ("core", "arch")
RUNTIME = paths.ROOT / "core" / "lib" / "gcov.c"
# What `coverage` writes in <out> (lcov.info, html/).
REPORT_DIR = "coverage"


def instrumented(src: Path) -> bool:
    """Whether kernel-cov compiles ``src`` with --coverage."""
    try:
        rel = src.resolve().relative_to(paths.ROOT)
    except ValueError:
        return False  # generated files (<out>/gen) are built as in the test image
    # Assembly has nothing to instrument: kernel-cov links the test image's objects.
    return (rel.parts[0] in INSTRUMENTED and src.suffix == ".c"
            and src.resolve() != RUNTIME)


def report_dir(out: Path) -> Path:
    return out / REPORT_DIR


def forget(out: Path) -> None:
    """Remove <out>/coverage (lcov.info, html/): the report of an earlier run."""
    shutil.rmtree(report_dir(out), ignore_errors=True)


def collect(out: Path, arch: Arch, console: str, label: str, title: str) -> Path:
    """Console of a kernel-cov run -> .gcda files -> lcov.info and HTML in
    <out>/coverage; ``title`` heads the HTML (it names the preset and arch)."""
    gcda.install_gcda(out, gcov_dump.parse_dump(console))
    info = lcov.capture(out / OBJ_DIR, arch, label, report_dir(out) / "lcov.info")
    lcov.html(info, report_dir(out) / "html", title)
    return info
