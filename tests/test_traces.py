"""Real programs' allocation traces (kit/traces.py): the recorded files are
well formed, and recording one gives a trace the bench image can replay."""
from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from kit import preload_programs, traces, workloads
from kit.errors import KitError


def consistent(t: traces.Trace) -> None:
    """Slots are used as the replay assumes: an allocation takes a free slot,
    a free or realloc names a live one."""
    live: set[int] = set()
    for i, (kind, slot, size) in enumerate(t.ops):
        if kind == "a":
            assert slot not in live, f"{t.name}: op {i} allocates into live slot {slot}"
            live.add(slot)
        else:
            assert slot in live, f"{t.name}: op {i} ({kind}) names free slot {slot}"
            if kind == "f":
                live.remove(slot)
        assert size < 1 << 32   # the table's size field


def test_recorded_traces_are_consistent():
    found = traces.load()
    assert {t.name for t in found} == {w.name for w in workloads.WORKLOADS}
    for t in found:
        assert 0 < len(t.ops) <= 20000
        consistent(t)


@pytest.mark.parametrize("text, complaint", [
    ("a 0 1\n", "no '# mmkit allocation trace v1' header"),
    (traces.HEADER + "\n", "no operations"),
    (traces.HEADER + "\na 0\n", "line 2: not an operation"),
    (traces.HEADER + "\nx 0 1\n", "line 2: not an operation"),
])
def test_malformed_traces_are_refused(text: str, complaint: str):
    with pytest.raises(KitError, match=complaint):
        traces.parse("t", text)


def test_recording_a_workload_gives_a_replayable_trace(tmp_path: Path):
    w = workloads.BY_NAME["sqlite3"]
    workloads.require([w])
    gen_lib = preload_programs.build_library("twotier", tmp_path / "variants")
    inputs = workloads.prepare(tmp_path / "inputs", 0.02, gen_lib.parent.parent / "gen")
    written = traces.record([w], inputs, tmp_path, 0.02, directory=tmp_path / "out")
    assert written == [tmp_path / "out" / f"sqlite3{traces.SUFFIX}"]
    header = lzma.decompress(written[0].read_bytes()).decode().splitlines()[0]
    assert header.startswith(f"{traces.HEADER}: sqlite3 (/usr/bin/sqlite3, input scale 0.02)")
    (t,) = traces.load(tmp_path / "out")
    assert len(t.ops) > 100
    consistent(t)
    ctx = traces.context([t])
    assert ctx["max_slots"] == t.slots and len(ctx["traces"][0]["ops"]) == len(t.ops)
