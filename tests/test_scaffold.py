"""`./build.py new-allocator NAME --kind front|pages`, always in a clone.

A scaffolded allocator must build, boot on both arches and fail the
conformance group naming each function that is still a stub; bad names are
refused with one line and nothing written.  Every test works in a `git
clone` of this repository under tmp_path (the committed tree), never in the
repository itself.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

FRONT_STUBS = ["kmalloc_front_init", "kmalloc_front_alloc", "kmalloc_front_free",
               "kmalloc_front_realloc", "kmalloc_front_sizes", "kmalloc_front_usable_size",
               "kmalloc_front_stats", "kmalloc_front_shrink"]
# Called at boot, so recorded as stubs whatever the suite does.
PAGES_BOOT_STUBS = ["pa_strategy_meta_size", "pa_strategy_init", "pa_strategy_release",
                    "pa_strategy_free_pages"]
# The rest: each case names the function as a stub, or as not reached
# because a boot function is one (the strategy then has no page to give).
PAGES_LATER = ["pa_strategy_alloc", "pa_strategy_alloc_order", "pa_strategy_alloc_movable",
               "pa_strategy_free", "pa_strategy_split", "pa_strategy_largest_free_run",
               "pa_strategy_nr_free"]


def clone_of_repository(dest: Path) -> Path:
    """A clone of the repository's committed HEAD at ``dest``."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", head], check=True)
    return dest


def run(repo: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """build.py of the clone, its build directory inside the clone's tmp_path."""
    env = {**os.environ, "MMKIT_BUILD_DIR": str(repo.parent / "build")}
    return subprocess.run([sys.executable, str(repo / "build.py"), *args], cwd=repo,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=env)


def status(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                          check=True, stdout=subprocess.PIPE, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return clone_of_repository(tmp_path_factory.mktemp("scaffold") / "mmkit")


@pytest.mark.parametrize("name,why", [
    ("9lives", "is not a C identifier"),
    ("has-dash", "is not a C identifier"),
    ("MyAlloc", "use lowercase"),
    ("int", "is a reserved word"),
    ("all", "is reserved by the kit"),
    ("twotier", "is an allocator mode already (Kconfig MM_TWOTIER)"),
    ("buddy", "is a page allocator already (Kconfig PAGE_ALLOC_BUDDY)"),
    ("full", "is a preset already"),
    ("x" * 25, "is longer than"),
])
@pytest.mark.parametrize("kind", ["front", "pages"])
def test_bad_names_are_refused_with_one_line(repo: Path, name: str, why: str, kind: str):
    before = status(repo)
    proc = run(repo, "new-allocator", name, "--kind", kind)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("build.py: error: "), \
        proc.stderr
    assert why in proc.stderr, proc.stderr
    assert proc.stdout == ""
    assert status(repo) == before


def test_unknown_kind_is_refused(repo: Path):
    proc = run(repo, "new-allocator", "mine", "--kind", "slab")
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--kind" in proc.stderr and status(repo) == ""


def test_a_failed_write_leaves_nothing(tmp_path: Path):
    """A file that cannot be staged (here: a directory in the way of
    README's staging copy) stops the scaffold before anything is replaced."""
    repo = clone_of_repository(tmp_path / "mmkit")
    staging = "." + "README.md" + ".new-allocator"   # kit/scaffold.py's name for its copy
    (repo / staging).mkdir()
    (repo / staging / "in-the-way").write_text("")
    proc = run(repo, "new-allocator", "halfway", "--kind", "pages")
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1, proc.stderr
    assert status(repo) == f"?? {staging}/\n"


def scaffolded(tmp_path: Path, name: str, kind: str) -> Path:
    repo = clone_of_repository(tmp_path / "mmkit")
    proc = run(repo, "new-allocator", name, "--kind", kind)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return repo


def test_front_writes_every_file(tmp_path: Path):
    repo = scaffolded(tmp_path, "byofront", "front")
    assert sorted(status(repo).splitlines()) == sorted([
        " M .github/workflows/mmkit.yml", " M README.md", " M core/mm/Kconfig",
        " M core/sources.toml", "?? configs/byofront.config", "?? core/mm/kmalloc_byofront.c"])
    kconfig = (repo / "core" / "mm" / "Kconfig").read_text()
    entry = kconfig[kconfig.index("config MM_BYOFRONT"):]
    assert entry.index("help") < entry.index("endchoice")  # in the mode choice, with help
    assert kconfig.index('prompt "Allocator mode"') < kconfig.index("config MM_BYOFRONT") \
        < kconfig.index('prompt "Page allocator"')
    assert '"mm/kmalloc_byofront.c" = "MM_BYOFRONT"' in (repo / "core" / "sources.toml").read_text()
    assert re.search(r"^\| `byofront` \| Byofront \| bitmap \|", (repo / "README.md").read_text(),
                     re.M)
    c_text = (repo / "core" / "mm" / "kmalloc_byofront.c").read_text()
    for fn in FRONT_STUBS:
        assert re.search(rf"^\w[\w *]*\b{fn}\(", c_text, re.M), fn
    assert c_text.count("MM_NOT_IMPLEMENTED();") == len(FRONT_STUBS)
    listed = run(repo, "list")
    assert "byofront" in listed.stdout
    assert run(repo, "workflow", "--check").returncode == 0
    again = run(repo, "new-allocator", "byofront", "--kind", "pages")
    assert again.returncode != 0 and "already" in again.stderr


def test_pages_writes_every_file(tmp_path: Path):
    repo = scaffolded(tmp_path, "byopages", "pages")
    assert sorted(status(repo).splitlines()) == sorted([
        " M .github/workflows/mmkit.yml", " M README.md", " M core/mm/Kconfig",
        " M core/mm/pa_strategy.h", " M core/sources.toml", "?? configs/byopages.config",
        "?? core/mm/byopages_pa.c", "?? core/mm/byopages_pa.h"])
    kconfig = (repo / "core" / "mm" / "Kconfig").read_text()
    assert kconfig.index('prompt "Page allocator"') < kconfig.index("config PAGE_ALLOC_BYOPAGES")
    header = (repo / "core" / "mm" / "pa_strategy.h").read_text()
    assert "#elif defined(CONFIG_PAGE_ALLOC_BYOPAGES)\n#include \"byopages_pa.h\"" in header
    c_text = (repo / "core" / "mm" / "byopages_pa.c").read_text()
    for fn in PAGES_BOOT_STUBS + PAGES_LATER:
        assert re.search(rf"^\w[\w *]*\b{fn}\(", c_text, re.M), fn


# Each kind boots on one arch in the default run, on the other in the long one.
@pytest.mark.parametrize("kind,arch", [
    ("front", "riscv64"), ("pages", "x86_64"),
    pytest.param("front", "x86_64", marks=pytest.mark.long),
    pytest.param("pages", "riscv64", marks=pytest.mark.long),
])
def test_scaffold_builds_boots_and_names_its_stubs(kind: str, arch: str, tmp_path: Path):
    name = f"byo{kind}"
    repo = scaffolded(tmp_path, name, kind)
    out = tmp_path / "variant"
    proc = run(repo, "defconfig", name, "--arch", arch, "--set", "QEMU_TIMEOUT=900",
               "-O", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = run(repo, "test", "--group", "conformance", "-O", str(out), timeout=2400)
    text = proc.stdout + proc.stderr
    # Failed cases, not a panic, hang or crash: the variant boots and runs the group.
    assert proc.returncode == 1, text
    assert f"build.py: test ({arch}): FAILED: " in text and "case(s) failed" in text, text
    assert re.search(r"^\[FAILED\] allocator_interface \(\d+ cases, \d+ failed\)", text, re.M)
    stubs = FRONT_STUBS if kind == "front" else PAGES_BOOT_STUBS
    for fn in stubs:
        assert f"[FAILED] allocator_interface.{fn}\n" in text, fn
        assert f"{fn}: not implemented" in text, fn
    if kind == "pages":
        for fn in PAGES_LATER:
            assert f"[FAILED] allocator_interface.{fn}\n" in text, fn
            assert re.search(rf"{fn}: (not implemented|not reached: pa_strategy_\w+ is not "
                             "implemented)", text), fn
    # The console says which stub was called, once each.
    log = (out / "test.log").read_text(errors="replace")
    for fn in stubs:
        assert log.count(f"mm: {fn}: not implemented") == 1, fn
