"""The coverage runtime: libgcov's own __gcov_info_to_gcda() serialises
(-fprofile-info-section), core/lib/gcov.c only frames; a test image that
panics still sends its coverage; the report's title names preset and arch.
(The capture, the .gcda format and the gate: tests/test_coverage.py.)"""
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import config, lcov


@pytest.fixture(scope="module")
def panicked(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gcov") / "v"
    kit("defconfig", "simpleheap", "--set", "COVERAGE=y", "--set", "TEST_PANIC=y",
        "-O", str(out), check=True)
    proc = kit("coverage", "-O", str(out))
    (out / "coverage-run.txt").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 1, proc.stdout + proc.stderr      # the run panicked
    return out


def test_a_panicking_image_still_sends_its_coverage(panicked: Path):
    text = (panicked / "coverage-run.txt").read_text()
    assert "panic: deliberate panic (CONFIG_TEST_PANIC)" in text
    console = (panicked / "cov.log").read_text().splitlines()
    order = [i for i, ln in enumerate(console)
             if ln.startswith(("PANIC: ", "mmkit-gcov: begin", "mmkit-gcov: end",
                               "mmkit: exit status=2"))]
    assert [console[i].split()[0:2] for i in order] == [
        ["PANIC:", "deliberate"], ["mmkit-gcov:", "begin"], ["mmkit-gcov:", "end"],
        ["mmkit:", "exit"]]
    files = lcov.load_info(panicked / "coverage" / "lcov.info")
    panic_c = files["core/kernel/panic.c"]
    # panic() itself ran up to the dump: its lines are counted.
    assert any(hits > 0 for hits in panic_c.lines.values())


def test_title_names_preset_and_arch(panicked: Path):
    index = (panicked / "coverage" / "html" / "index.html").read_text()
    assert "mmkit coverage: simpleheap on riscv64" in index


@pytest.mark.parametrize("arch", config.ARCHES)
def test_the_image_uses_libgcov_and_no_structure_copy(panicked: Path, arch: str, tmp_path: Path):
    if arch == "riscv64":
        elf = panicked / "kernel-cov.elf"
        nm = "riscv64-unknown-elf-nm"
    else:
        out = tmp_path / "x86"
        kit("defconfig", "simpleheap", "--arch", "x86_64", "--set", "COVERAGE=y",
            "-O", str(out), check=True)
        kit("build", "-O", str(out), check=True)
        elf = out / "kernel-cov.elf"
        nm = "nm"
    symbols = set(subprocess.run([nm, str(elf)], stdout=subprocess.PIPE, text=True,
                                 check=True).stdout.split())
    assert "__gcov_info_to_gcda" in symbols and "__gcov_info_start" in symbols
    assert "__gcov_init" not in symbols          # no constructors: -fprofile-info-section
    runtime = (ROOT / "core" / "lib" / "gcov.c").read_text()
    assert not re.search(r"offsetof\(struct gcov_info|GCOV_TAG_", runtime)
