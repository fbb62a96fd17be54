"""Shared helpers for the kit's pytest suites."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def kit(*args: str, check: bool = False, timeout: float = 600,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as a user would, capturing output as text (``env``: added
    to the environment)."""
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"build.py {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A fresh variant directory for one test."""
    return tmp_path / "variant"


# Long runs (the full fuzz budget, the full lists, the whole matrix) are
# marked @pytest.mark.long and skipped unless MMKIT_LONG=1: .ci/run stays
# within its budget, and the workflow's "long" job runs them
# (MMKIT_LONG=1 pytest -m long tests).
LONG = os.environ.get("MMKIT_LONG", "0") not in ("", "0")


def pytest_configure(config):
    config.addinivalue_line("markers", "long: a long run, only with MMKIT_LONG=1 (README: "
                                       "Test budget)")


def pytest_collection_modifyitems(config, items):
    if LONG or config.getoption("--real-programs-full"):
        return
    skip = pytest.mark.skip(reason="long run: set MMKIT_LONG=1 to include it")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser) -> None:
    # tests/test_preload.py: the default run is a few real programs on one
    # variant; the full one is every workload and CPython test module under
    # every preset (tens of minutes).
    parser.addoption("--real-programs-full", action="store_true",
                     help="run every real-program workload and CPython test module "
                          "under every preset (slow)")
