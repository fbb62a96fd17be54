"""The conformance group against every kmalloc front and every page strategy.

The fronts and strategies are read from the Kconfig choices
(kit/allocators.py), so a mode or strategy added to core/mm/Kconfig joins
this file without an edit.  Each cell is a fragment selecting one front and
one strategy and nothing else (Kconfig's defaults for the rest), tested with
`./build.py test --group conformance`: every suite of the group that the
variant builds must pass, with cases.

The default run keeps one cell per front x strategy pair, the arches
alternating so that every front and every strategy boots on both, and a
host run (ASan+UBSan) per front, each on a strategy in turn; the whole
cross product on both arches and the host, and on 2 CPUs (SMP, where the
group adds mm_smp), is a long run (MMKIT_LONG=1).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import allocators, archs, config, sources

KCONF = config.load_kconfig()
FRONTS = allocators.fronts(KCONF)
STRATEGIES = allocators.strategies(KCONF)
ARCHES = list(archs.ARCHES)
# A QEMU run under the shared machine's load can take minutes.
TIMEOUT = ("--set", "QEMU_TIMEOUT=900")


def _cell_id(front, strategy, where, smp=False) -> str:
    return f"{front.name}-{strategy.name}-{where}" + ("-smp" if smp else "")


def _cells():
    default, long = [], []
    for i, front in enumerate(FRONTS):
        for j, strategy in enumerate(STRATEGIES):
            for k, where in enumerate(ARCHES + ["host"]):
                if where == "host":
                    short = j == i % len(STRATEGIES)
                else:
                    short = k == (i + j) % len(ARCHES)
                cell = (front, strategy, where, False)
                (default if short else long).append(cell)
        long.append((front, STRATEGIES[i % len(STRATEGIES)], ARCHES[i % len(ARCHES)], True))
    params = [pytest.param(*c, id=_cell_id(*c)) for c in default]
    params += [pytest.param(*c, id=_cell_id(*c), marks=pytest.mark.long) for c in long]
    return params


def _fragment(tmp_path: Path, front, strategy, smp: bool) -> Path:
    lines = [f"CONFIG_{front.symbol}=y", f"CONFIG_{strategy.symbol}=y"]
    if smp:
        lines += ["CONFIG_SMP=y", "CONFIG_NR_CPUS=2"]
    path = tmp_path / f"{front.name}-{strategy.name}.config"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("front,strategy,where,smp", _cells())
def test_conformance(front, strategy, where, smp, tmp_path: Path):
    out = tmp_path / "variant"
    arch = ARCHES[0] if where == "host" else where
    kit("defconfig", str(_fragment(tmp_path, front, strategy, smp)), "--arch", arch,
        "-O", str(out), *TIMEOUT, check=True)
    expected = [s.name for s in sources.suites(config.load(out)[0]) if s.group == "conformance"]
    assert "allocator_interface" in expected and "kmalloc" in expected
    if smp:
        assert "mm_smp" in expected
    host = ["--host"] if where == "host" else []
    proc = kit("test", *host, "--group", "conformance", "-O", str(out), timeout=2400)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    ran = re.findall(r"^\[PASSED\] (\w+) \((\d+) cases", proc.stdout, re.M)
    assert sorted(name for name, _ in ran) == sorted(expected), text
    assert all(int(n) > 0 for _, n in ran), text


def test_the_lists_are_the_kconfig_choices():
    """Every entry of the two choices in core/mm/Kconfig, in order, and nothing else."""
    text = (ROOT / "core" / "mm" / "Kconfig").read_text(encoding="utf-8")

    def entries(prompt: str, prefix: str) -> list[str]:
        body = text[text.index(f'prompt "{prompt}"'):]
        body = body[:body.index("endchoice")]
        return re.findall(rf"^config {prefix}(\w+)$", body, re.M)

    assert [f.name.upper() for f in FRONTS] == entries("Allocator mode", "MM_")
    assert [s.name.upper() for s in STRATEGIES] == entries("Page allocator", "PAGE_ALLOC_")
    assert {"simpleheap", "twotier", "hybrid"} <= {f.name for f in FRONTS}
    assert {"bitmap", "buddy"} <= {s.name for s in STRATEGIES}


def test_every_front_and_strategy_has_a_default_cell_on_each_arch():
    default = [p.values for p in _cells() if not p.marks]
    for a in FRONTS + STRATEGIES:
        where = {c[2] for c in default if a in c[:2]}
        assert set(ARCHES) <= where, f"{a.name} boots only on {where}"
    assert {c[0] for c in default if c[2] == "host"} == set(FRONTS)


def test_unknown_group_is_one_line():
    proc = kit("test", "--group", "no_such_group")
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "no suite group 'no_such_group'" in proc.stderr and "conformance" in proc.stderr


def test_group_and_filter_together_are_refused():
    proc = kit("test", "--group", "conformance", "--filter", "kmalloc")
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--group and --filter" in proc.stderr
