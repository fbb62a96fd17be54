"""./build.py randconfig (kit/randconfig.py): random valid configurations,
built, booted and tested on both arches.

The draw is checked without building (deterministic, valid, the
deliberate failures left out, range ends reached); every regression case
of tests/randconfig_cases/ is configured without building (a case that no
longer applies is an error naming its file and symbol); the default run
builds and tests a fixed-seed sample and every regression case that is
neither long nor pending, each on its arch; the long run (MMKIT_LONG=1)
the long cases and twenty configurations from a fixed seed.
"""
from __future__ import annotations

import pytest

from conftest import ROOT, kit
from kit import archs, config, randconfig
from kit.errors import KitError

BASE = ROOT / "build" / "randconfig-tests"
DRAWS = range(1, 41)


@pytest.fixture(scope="module")
def drawn() -> dict[tuple[int, str], randconfig.Drawn]:
    return {(s, a): randconfig.draw(s, a) for s in DRAWS for a in archs.ARCHES}


def values(d: randconfig.Drawn) -> dict[str, str]:
    out = {}
    for line in d.fragment.splitlines():
        if line.startswith("CONFIG_"):
            name, _, value = line[len("CONFIG_"):].partition("=")
            out[name] = value
    return out


def test_draw_is_deterministic(drawn):
    for a in archs.ARCHES:
        assert randconfig.draw(7, a) == drawn[(7, a)]
    assert drawn[(1, "riscv64")].fragment != drawn[(2, "riscv64")].fragment


def test_every_draw_is_a_valid_configuration(drawn, tmp_path):
    """The fragment configures a variant as a preset does: kit/config.py
    refuses anything Kconfig would drop or change, and its cross checks."""
    for (seed, arch), d in list(drawn.items())[::4]:
        path = randconfig.write_fragment(tmp_path, d)
        kconf = config.from_preset(str(path), arch)
        assert kconf.syms["ARCH"].str_value == arch


def test_deliberate_failures_are_never_drawn(drawn):
    for d in drawn.values():
        v = values(d)
        assert not [n for n in v if n.startswith("TEST_") and v[n] == "y"], d.fragment
        cpus = int(v.get("NR_CPUS", "4" if v.get("SMP") == "y" else "1"))
        poisoned = int(v.get("RAM_MB", "128")) if v.get("DEBUG_PAGE_POISON") == "y" else 0
        assert "COVERAGE" not in v
        assert v["QEMU_TIMEOUT"] == str(randconfig.patience(cpus, poisoned))
        for names, _ in randconfig.KNOWN_FAILING:
            assert not all(v.get(n) == "y" for n in names), d.fragment


@pytest.mark.parametrize("name", ["RAM_MB", "MIN_FREE_KBYTES", "WATERMARK_SCALE_FACTOR",
                                  "TXN_MAX_RECORDS"])
def test_range_ends_are_drawn(drawn, name):
    """Options visible in every configuration reach both ends of their range."""
    kconf = config.load_kconfig()
    lo, hi = randconfig._active_range(kconf.syms[name])
    default = kconf.syms[name].str_value
    seen = {values(d).get(name, default) for d in drawn.values()}
    assert str(lo) in seen and str(hi) in seen, sorted(seen)


def _run(seeds: list[int], cases: list[randconfig.Case] = (), whole: bool = True) -> None:
    results = randconfig.run(BASE, seeds, list(archs.ARCHES), jobs=2, cases=cases, whole=whole)
    failed = [f"{r.name}: {r.step}: {r.reason}" for r in results if not r.passed]
    assert not failed, failed
    assert len(results) == 2 * len(seeds) + len(cases)
    assert all(r.tests.get("passed", 0) > 0 for r in results)


def test_sample():
    seeds = randconfig.sample_seeds()
    assert len(seeds) == randconfig.SAMPLE_COUNT
    _run(seeds)


CASES = randconfig.regression_cases()


def test_regression_cases_apply():
    """Every case configures on its arch exactly as written: Kconfig knows
    every symbol and takes every value (else a KitError naming the file,
    line and symbol), and the arch is the file name's."""
    assert CASES, "tests/randconfig_cases/ holds no case"
    for case in CASES:
        kconf = randconfig.check_case(case)
        assert kconf.syms["ARCH"].str_value == case.arch, case.path


@pytest.mark.parametrize("body,message", [
    ("CONFIG_NO_SUCH_OPTION=y\n", "7-riscv64.config:2: unknown symbol NO_SUCH_OPTION"),
    ("CONFIG_RAM_MB=1\n", "7-riscv64.config:2: RAM_MB=1 not applied: 1 is out of range"),
    ("CONFIG_ARCH_X86_64=y\n", "7-riscv64.config:2: ARCH_X86_64=y not applied"),
])
def test_stale_case_is_an_error(tmp_path, body, message):
    """A case Kconfig no longer takes as written is an error, never a
    silently different configuration."""
    path = tmp_path / "7-riscv64.config"
    path.write_text("# description: a case\n" + body)
    with pytest.raises(KitError, match=message.replace("(", r"\(")):
        randconfig.check_case(randconfig.load_case(path))


@pytest.mark.parametrize("name,text,message", [
    ("7.config", "", "named <seed>-<arch>"),
    ("x-riscv64.config", "", "named <seed>-<arch>"),
    ("7-m68k-what.config", "", "named <seed>-<arch>"),
    ("7-riscv64.config", "# long:\n", "'# long:' says no reason"),
    ("7-riscv64.config", "# pending: a\n# pending: b\n", "'# pending:' given 2 times"),
])
def test_case_files_are_checked(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(KitError, match=message):
        randconfig.load_case(path)


def test_case_headers(tmp_path):
    path = tmp_path / "12-x86_64-zone.config"
    path.write_text("# description: d\n# long: slow\nCONFIG_ARCH_X86_64=y\n")
    case = randconfig.load_case(path)
    assert (case.seed, case.arch, case.long, case.pending, case.suites, case.name) == \
        (12, "x86_64", "slow", "", "", "12-x86_64-zone")
    assert randconfig.case_cells([case], whole=False)[0].settings == ()
    path.write_text("# suites: zone,slab\nCONFIG_ARCH_X86_64=y\n")
    cell = randconfig.case_cells([randconfig.load_case(path)], whole=False)[0]
    assert (cell.name, cell.arch, cell.settings) == \
        ("case-12-x86_64-zone", "x86_64", ("TEST_FILTER=zone,slab",))
    assert randconfig.case_cells([randconfig.load_case(path)])[0].settings == ()


def test_failing_draw_is_kept_as_its_configuration(tmp_path):
    """What randconfig offers to keep is the drawn fragment itself, with a
    header saying what failed, and it configures as the draw did."""
    drawn = randconfig.draw(5, "x86_64")
    randconfig.write_fragment(tmp_path, drawn)
    path = randconfig.keep_case(tmp_path, 5, "x86_64", "test", "tests 3 failed:\n zone.x")
    text = path.read_text()
    assert path.name == "5-x86_64.config"
    assert text.startswith("# description: randconfig seed 5 (x86_64) failed at test: "
                           "tests 3 failed: zone.x\n# found by: ./build.py randconfig "
                           "--seed 5 -n 1 --arch x86_64")
    assert text.splitlines()[2:] == drawn.fragment.splitlines()[1:]
    case = randconfig.load_case(path)
    kept = randconfig.check_case(case)
    again = config.from_preset(str(randconfig.write_fragment(tmp_path, drawn)), "x86_64")
    assert {n: s.str_value for n, s in kept.syms.items()} == \
        {n: s.str_value for n, s in again.syms.items()}


def test_failing_cell_report(tmp_path, monkeypatch, capsys):
    """What a run prints for a failing draw: its log, its configuration and
    the command that keeps it; for a failing case, its name and log."""
    import argparse
    from kit import fuzz_cli, matrix
    drawn = randconfig.draw(5, "x86_64")
    randconfig.write_fragment(tmp_path, drawn)

    def fake_run(base, seeds, arches, jobs, cases=(), whole=True):
        return [matrix.CellResult("5/x86_64", "", "x86_64", [], step="test",
                                  reason="tests 1 failed: zone.x", log="test.log"),
                matrix.CellResult("case-16-x86_64-zone", "", "x86_64", [], step="build",
                                  reason="ninja exit status 1", log="build.log")]
    monkeypatch.setattr(randconfig, "run", fake_run)
    args = argparse.Namespace(out=str(tmp_path), seed=5, n=1, arch=["x86_64"], jobs=None,
                              regressions=False)
    assert fuzz_cli.cmd_randconfig(args) == 1
    out = capsys.readouterr().out.splitlines()
    kept = tmp_path / "5" / "5-x86_64.config"
    assert out[0] == "randconfig: seed 5 on x86_64 FAILS at test: tests 1 failed: zone.x"
    assert out[1] == f"  log: {tmp_path / '5/x86_64/test.log'}"
    assert out[2] == f"  configuration ({kept}):"
    body = drawn.fragment.splitlines()[1:]
    assert out[3:3 + len(body)] == [f"    {line}" for line in body]
    assert out[3 + len(body)] == (f"  keep it as a regression case: cp {kept} "
                                  "tests/randconfig_cases/5-x86_64.config")
    assert "randconfig: regression case 16-x86_64-zone FAILS at build: ninja exit status 1" in out
    assert out[-1].startswith("randconfig: 0 of 2 cells passed")


def test_regression_cases():
    """Each configuration that failed once, on the arch it failed on, with
    the suites it failed in (its '# suites:'); those that cost minutes
    (randconfig.costly()) and the pending ones are left to the long run."""
    cases = [c for c in CASES if not c.pending and not randconfig.costly(c)]
    if not cases:
        pytest.skip("every case of tests/randconfig_cases/ is costly or pending")
    _run([], cases, whole=False)


def test_costly_cases_are_named():
    """The cost rule reads the configuration: CPUs, RAM, page poisoning."""
    costs = {c.name: randconfig.costly(c) for c in CASES}
    assert costs["16-riscv64-smp-txn"] == "4 CPUs"
    assert costs["1000-x86_64"].startswith("8 vCPUs under TCG")   # its own # long:
    assert costs["20-riscv64-zstore-pressure"] == ""
    assert costs["20-x86_64-smp1"] == ""         # SMP=y, one CPU
    assert costs["1002-x86_64-zstore-handles"].startswith("the same zstore fix")


@pytest.mark.parametrize("body,why", [
    ("CONFIG_RAM_MB=2048\n", "RAM_MB=2048"),
    ("CONFIG_RAM_MB=512\nCONFIG_DEBUG_PAGE_POISON=y\n", "page poisoning of RAM_MB=512"),
    ("CONFIG_RAM_MB=128\nCONFIG_DEBUG_PAGE_POISON=y\n", ""),
    ("CONFIG_SMP=y\nCONFIG_NR_CPUS=2\n", "2 CPUs"),
])
def test_cost_rule(tmp_path, body, why):
    path = tmp_path / "7-riscv64.config"
    path.write_text(body)
    assert randconfig.costly(randconfig.load_case(path)) == why


@pytest.mark.long
def test_every_regression_case_whole():
    """Every case that is not pending, long ones too, with every suite."""
    cases = [c for c in CASES if not c.pending]
    _run([], cases)


@pytest.mark.parametrize("case", [c for c in CASES if c.pending], ids=lambda c: c.name)
def test_pending_case(case):
    """A case whose failure is not fixed yet: said, not run (it would fail)."""
    pytest.skip(f"{case.name} fails until fixed: {case.pending}")


@pytest.mark.long
def test_twenty_configurations():
    _run([randconfig.LONG_SEED + i for i in range(randconfig.LONG_COUNT)])


def test_patience():
    """The timeout grows with CPUs and poisoned RAM, up to 3600 s."""
    assert randconfig.patience(1) == randconfig.patience(2) == 900
    assert randconfig.patience(3) == randconfig.patience(4) == 1800
    assert randconfig.patience(1, 4762) == 1800
    assert randconfig.patience(8) == randconfig.patience(8, 8192) == 3600


@pytest.mark.parametrize("args,message", [
    (["-n", "0"], "argument -n: '0' is not a positive whole number"),
    (["--seed", "x"], "argument --seed: 'x' is not a whole number"),
    (["--arch", "m68k"], "argument --arch: invalid choice: 'm68k'"),
])
def test_bad_input_is_one_line(args, message):
    p = kit("randconfig", *args)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and message in lines[0], p.stderr
