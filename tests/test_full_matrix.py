"""The full matrix (every preset of ci/matrix.toml on both arches): a long
run, only with MMKIT_LONG=1 (the workflow's weekly "long" job; README: Test
budget).  How long it takes is measured, not tested (README: Benchmarks and
the matrix)."""
import pytest

from conftest import kit
from kit import matrix_file


@pytest.mark.long
def test_full_matrix_passes_and_a_rerun_reuses_every_cell(tmp_path):
    cells = matrix_file.load().cells
    out = tmp_path / "matrix"
    proc = kit("matrix", "-O", str(out), timeout=7200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    passed = [ln for ln in proc.stdout.splitlines() if " PASS " in ln]
    assert len(passed) == len(cells), proc.stdout
    again = kit("matrix", "-O", str(out), timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("(cached)") == len(cells), again.stdout
