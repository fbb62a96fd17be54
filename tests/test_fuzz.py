"""The allocator fuzz harness (tests/host/fuzz/, kit/fuzz.py, ./build.py fuzz).

Every fuzzed preset's core/mm runs natively under ASan and UBSan against
the shadow model: a fixed-seed stream per preset (default run: a smaller
count on the three kmalloc modes; long run: ten million operations on
every fuzzed preset), every saved regression case (tests/fuzz/*.ops) on
every preset of the run, and the planted defects, which the harness must
report and minimise.  What passing means is the model's, never a figure
the allocator produced: fuzz_model.c says what each call must do.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import fuzz

# The default run: the three modes (one page allocator each); each preset
# ~15 s of CPU at this count under ASan here, plus its build.
DEFAULT_PRESETS = ("twotier", "hybrid", "simpleheap")
DEFAULT_OPS = 1_000_000
LONG_OPS = 10_000_000
SEED = 1
BASE = ROOT / "build" / "fuzz-tests"
_programs: dict[str, Path] = {}


def program(preset: str) -> Path:
    if preset not in _programs:
        _programs[preset] = fuzz.build(preset, BASE)
    return _programs[preset]


def assert_clean(r: fuzz.Result, ops: int) -> None:
    assert r.ok, f"{r.where} at operation {r.op}: {r.message}\n{r.output[-3000:]}"
    assert r.figure("ops") == ops
    # The stream reached the calls it is made of, not only kmalloc.
    for name in ("allocs", "frees", "expected_failures", "txns", "bytes_checked"):
        assert r.figure(name) > 0, f"{name}=0: {r.message}"


@pytest.mark.parametrize("preset", DEFAULT_PRESETS)
def test_stream(preset):
    assert_clean(fuzz.run(program(preset), SEED, DEFAULT_OPS), DEFAULT_OPS)


@pytest.mark.long
@pytest.mark.parametrize("preset", fuzz.PRESETS)
def test_stream_ten_million(preset):
    assert_clean(fuzz.run(program(preset), SEED, LONG_OPS, timeout=7200), LONG_OPS)


def test_regression_cases_exist():
    assert fuzz.cases(), "tests/fuzz/ holds no regression case"


@pytest.mark.parametrize("case", fuzz.cases(), ids=lambda p: p.stem)
@pytest.mark.parametrize("preset", DEFAULT_PRESETS)
def test_regression_case(preset, case):
    r = fuzz.replay(program(preset), case)
    assert r.ok, f"{case.name} on {preset}: {r.where} at operation {r.op}: {r.message}"


@pytest.mark.parametrize("plant,words", [("leak", "kmalloc objects live"),
                                         ("stray", "byte")])
def test_planted_defect_is_found_and_minimised(tmp_path, plant, words):
    """The harness made wrong on purpose (fuzz_main.c plant=): the run
    fails, the minimised list is one allocation of a planted size (the
    defect needs nothing else) and still fails, and it passes without the
    plant."""
    exe = program("twotier")
    ops = 20_000
    r = fuzz.run(exe, SEED, ops, plant)
    assert not r.ok and words in r.message, r.message
    prefix = fuzz.operations(exe, SEED, ops if r.where == "end" else r.op + 1)
    small = fuzz.minimise(exe, prefix, r, tmp_path / "work", plant)
    case = fuzz.save_case(tmp_path / "cases", "twotier", SEED, ops, r, small)
    allocs = [line for line in small if line.split()[0] in
              ("kmalloc", "kzalloc", "kmalloc_try", "kmalloc_align", "krealloc", "kcalloc")]
    assert len(small) <= 3 and allocs, small
    sizes = [int(line.split()[2]) for line in allocs]
    assert any(s % 97 == 13 for s in sizes), small
    assert not fuzz.replay(exe, case, plant).ok
    assert fuzz.replay(exe, case).ok


def test_command_line(tmp_path):
    """./build.py fuzz: a clean run, then a planted leak written as a case."""
    out = tmp_path / "b"
    p = kit("fuzz", "--preset", "twotier", "--ops", "5000", "--seed", "3", "-O", str(out),
            timeout=1800)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"fuzz twotier: seed 3, 5000 operations: ok", p.stdout), p.stdout
    cases = tmp_path / "cases"
    p = kit("fuzz", "--preset", "twotier", "--ops", "5000", "--seed", "3", "-O", str(out),
            "--plant", "leak", "--cases", str(cases), timeout=1800)
    assert p.returncode == 1, p.stdout + p.stderr
    saved = sorted(cases.glob("twotier-seed3-op*.ops"))
    assert len(saved) == 1 and "minimised to" in p.stdout, p.stdout
    p = kit("fuzz", "--preset", "twotier", "-O", str(out), "--replay", str(saved[0]))
    assert p.returncode == 0 and "replay" in p.stdout and ": ok" in p.stdout, p.stdout


@pytest.mark.parametrize("args,message", [
    (["--ops", "0"], "argument --ops: '0' is not a positive whole number"),
    (["--ops", "many"], "argument --ops: 'many' is not a positive whole number"),
    (["--seed", "-1"], "argument --seed: '-1' is not a seed"),
    (["--seed", "x"], "argument --seed: 'x' is not a whole number"),
    (["--preset", "nope"], "unknown preset 'nope'"),
    (["--plant", "nope"], "argument --plant: invalid choice: 'nope'"),
    (["--replay", "/nonexistent.ops"], "--replay /nonexistent.ops: no such file"),
])
def test_bad_input_is_one_line(args, message):
    p = kit("fuzz", *args)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr


def test_bad_case_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.ops"
    bad.write_text("kmalloc 1 2\n")
    p = kit("fuzz", "--preset", "twotier", "-O", str(BASE), "--replay", str(bad))
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 1 and len(lines) == 1, p.stderr
    assert "bad.ops:1: not '<operation> <slot> <a> <b>'" in lines[0], p.stderr
