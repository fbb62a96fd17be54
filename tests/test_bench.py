"""The bench image and its figures: BENCH line parsing, derived fragmentation
figures, deterministic instruction counts on both arches, and the
host-native peer benchmark."""
import json
import re
from pathlib import Path

import pytest

from conftest import kit
from kit import bench, bench_sizes, callgrind, config, generate, hostbench, traces
from kit.errors import KitError

OP = ('BENCH {"v":1,"kind":"op","name":"pair","size":64,"reps":3,"ops":64,"failures":0,'
      '"min":90,"median":93,"max":99}')


# --- parsing ------------------------------------------------------------------------

def test_well_formed_op_line_is_parsed():
    obj = bench.parse_line(OP)
    assert obj["name"] == "pair" and obj["size"] == 64
    assert (obj["min"], obj["median"], obj["max"]) == (90, 93, 99)
    assert bench.op_key(obj) == "pair size=64"


@pytest.mark.parametrize("line, complaint", [
    ("BENCH {\"v\":1,\"kind\":\"op\"", "not valid JSON"),
    ("BENCH [1, 2]", "not a JSON object"),
    ("BENCH {\"kind\":\"end\",\"lines\":1}", "format version None"),
    (OP.replace('"v":1', '"v":2'), "format version 2"),
    (OP.replace('"v":1', '"v":true'), "format version True"),
    (OP.replace('"kind":"op"', '"kind":"opp"'), "unknown kind 'opp'"),
    (OP.replace('"median":93,', ''), "missing field(s) median"),
    (OP.replace('"median":93', '"median":"93"'), "field 'median' should be a int"),
    (OP.replace('"median":93', '"median":-93'), "field 'median' should be a int"),
    (OP.replace('"median":93', '"median":9.5'), "field 'median' should be a int"),
    (OP.replace('"failures":0', '"failures":false'), "field 'failures' should be a int"),
    (OP.replace('"size":64', '"size":64,"colour":"red"'), "unknown field(s) colour"),
    (OP.replace('"min":90', '"min":95'), "min <= median <= max"),
    ('BENCH {"v":1,"kind":"frag","pattern":"random"}', "missing field(s) ops"),
    ('BENCH {"v":1,"kind":"pgtable","page_size":4096,"mapped":1073741824}',
     "missing field(s) table_pages, first_table_pages"),
    ('BENCH {"v":1,"kind":"pgtable","page_size":4096,"mapped":0,"table_pages":1,'
     '"first_table_pages":1}', "'mapped' is 0"),
    (OP.replace('"size":64', '"page_size":"4K"'), "field 'page_size' should be a int"),
    ("KTAP version 1", "not a BENCH line"),
])
def test_malformed_lines_are_refused(line: str, complaint: str):
    with pytest.raises(bench.BenchLineError) as err:
        bench.parse_line(line)
    assert complaint in str(err.value)
    assert "\n" not in str(err.value)


META = ('BENCH {"v":1,"kind":"meta","arch":"riscv64","mode":"SimpleHeap","page_alloc":"bitmap",'
        '"reps":3,"seed":1,"counter_overhead":9,"sizes":"fixed","page_size":4096,'
        '"managed_pages":100}')


def end(lines: int, leaked: int = 0) -> str:
    return (f'BENCH {{"v":1,"kind":"end","lines":{lines},"leaked_objects":{leaked},'
            '"pages_retained":0,"misuse":0}')


def test_complete_run_has_no_errors():
    run = bench.parse("\n".join(["mmkit: boot", META, "noise", OP, end(3)]))
    assert run.ok, run.errors
    assert run.meta["arch"] == "riscv64" and len(run.ops) == 1


@pytest.mark.parametrize("lines, complaint", [
    ([META, OP], "no end line"),
    ([META, OP, end(5)], "end line counts 5 BENCH lines, 3 were received"),
    ([OP, META, end(3)], "meta line must come first"),
    ([META, OP, end(3, leaked=2)], "leaked 2 object(s)"),
    ([META, OP.replace('"v":1', '"v":7'), end(3)], "format version 7"),
    ([META, end(2), OP], "op line after the end line"),
    ([META, 'BENCH {"v":1,"kind":"error","message":"line longer than 768 bytes"}', end(3)],
     "guest harness error: line longer than 768 bytes"),
])
def test_incomplete_or_inconsistent_runs_are_reported(lines: list[str], complaint: str):
    run = bench.parse("\n".join(lines))
    assert not run.ok
    assert any(complaint in e for e in run.errors), run.errors


PGTABLE = ('BENCH {"v":1,"kind":"pgtable","page_size":4096,"mapped":1073741824,'
           '"table_pages":512,"first_table_pages":514}')
MAP = ('BENCH {"v":1,"kind":"op","name":"map","page_size":2097152,"pattern":"empty","reps":3,'
       '"ops":1,"failures":0,"min":300,"median":300,"max":310}')


def test_page_table_lines_are_parsed_and_kept():
    run = bench.parse("\n".join([META, MAP, PGTABLE, end(4)]))
    assert run.ok, run.errors
    assert bench.op_key(run.ops[0]) == "map pattern=empty page_size=2097152"
    assert run.pgtables == [bench.parse_line(PGTABLE)]
    data = bench.summary(run)
    assert data["pgtable"][0]["derived"]["table_bytes_per_gib"] == 2 << 20
    lines = bench.table(data, "instret")
    assert any("page tables" in ln for ln in lines)
    assert any("4 KiB" in ln and "2.0 MiB" in ln for ln in lines)


WORST = ('BENCH {"v":1,"kind":"worst","name":"kmalloc","pattern":"random","ops":4,'
         '"max":700,"total":1000}')


def test_worst_case_lines_are_parsed_kept_and_printed_next_to_the_bound():
    run = bench.parse("\n".join([META, WORST, end(3)]))
    assert run.ok, run.errors
    assert run.worsts == [bench.parse_line(WORST)]
    data = bench.summary(run)
    assert data["worst"] == run.worsts
    lines = bench.table(data, "instret")
    assert any(f"published TLSF bound: {bench.TLSF_PUBLISHED_BOUND}" in ln for ln in lines)
    row = next(ln for ln in lines if ln.strip().startswith("kmalloc"))
    assert row.split()[1:] == ["random", "700", "250", "4"]     # max, mean = 1000 / 4, calls
    with pytest.raises(bench.BenchLineError, match="missing field"):
        bench.parse_line(WORST.replace(',"total":1000', ""))


# --- derived figures, against values worked out by hand ----------------------------------

def test_page_table_bytes_per_gib():
    # 4 KiB leaves: 512 leaf tables per GiB, 4 KiB each; the first GiB also
    # needed a table at each of two levels above them.
    d = bench.derive_pgtable({"page_size": 4096, "mapped": 1 << 30, "table_pages": 512,
                              "first_table_pages": 514}, 4096)
    assert d == {"table_bytes_per_gib": 2 << 20, "first_gib_table_bytes": 514 * 4096}
    # 2 MiB leaves over 2 GiB: one table per GiB.
    d = bench.derive_pgtable({"page_size": 2 << 20, "mapped": 2 << 30, "table_pages": 2,
                              "first_table_pages": 3}, 4096)
    assert d["table_bytes_per_gib"] == 4096

def test_linux_fragmentation_indices():
    # Free blocks: two of order 0, one of order 1, one of order 3: 2 + 2 + 8 = 12 pages.
    nr_free = [2, 1, 0, 1]
    assert bench.unusable_index(nr_free, 12, 0) == 0
    assert bench.unusable_index(nr_free, 12, 1) == pytest.approx(2 / 12)
    assert bench.unusable_index(nr_free, 12, 2) == pytest.approx(4 / 12)
    assert bench.unusable_index(nr_free, 12, 4) == pytest.approx(1.0)
    assert bench.fragmentation_index(nr_free, 12, 3) == -1.0   # an order-3 block is free
    # Four free pages in three blocks, none of order 2: 1 - (1 + 4/4) / 3.
    assert bench.fragmentation_index([2, 1, 0], 4, 2) == pytest.approx(1 / 3)
    assert bench.unusable_index([0, 0], 0, 0) is None


def test_derived_heap_and_overhead_figures():
    frag = {"pattern": "random", "ops": 10, "attempts": 40, "failures": 2, "live": 5,
            "requested": 300, "granted": 400, "peak_requested": 1000, "peak_footprint": 8192,
            "heap_free": 2000, "heap_largest": 500, "page_total": 100, "page_free": 50,
            "page_largest_run": 30, "page_meta": 4096, "front_meta": 4096, "nr_free": [50],
            "largest_kmalloc": 480}
    d = bench.derive_frag(frag, 4096)
    assert d["failure_rate"] == pytest.approx(0.05)
    assert d["internal_frag"] == pytest.approx(0.25)
    assert d["jw4"] == pytest.approx(8.192)
    assert d["heap_external_frag"] == pytest.approx(0.75)
    assert d["meta_overhead"] == pytest.approx(8192 / 409600)
    assert d["largest_free_pages"] == 30 * 4096 and d["largest_kmalloc"] == 480
    assert d["jw4_parts"] is None   # a line without the peak's parts


def test_jw4_taken_apart():
    """The peak's parts over the peak requested bytes; the rest is "other"."""
    frag = {"pattern": "random", "ops": 10, "attempts": 40, "failures": 0, "live": 5,
            "requested": 300, "granted": 400, "peak_requested": 1000, "peak_footprint": 1300,
            "heap_free": 0, "heap_largest": 0, "page_total": 100, "page_free": 50,
            "page_largest_run": 30, "page_meta": 0, "front_meta": 0, "nr_free": [50],
            "peak_slab_live": 1050, "peak_slab_free": 100, "peak_slab_empty": 50,
            "peak_slab_tail": 40, "peak_pcp": 20}
    parts = bench.derive_frag(frag, 4096)["jw4_parts"]
    assert parts["slab_live"] == pytest.approx(1.05) and parts["pcp"] == pytest.approx(0.02)
    assert parts["other"] == pytest.approx(0.04)
    assert sum(parts.values()) == pytest.approx(bench.derive_frag(frag, 4096)["jw4"])


# --- the size list ---------------------------------------------------------------------

def test_sizes_fixed_classes_and_kconfig():
    source, sizes = bench_sizes.size_list({"BENCH_SIZES": ""})
    assert source == "fixed"
    assert (8, True) in sizes and (9, False) in sizes and (16384, True) in sizes
    source, sizes = bench_sizes.size_list({"BENCH_SIZES": ""}, [16, 8, 24])
    assert source == "classes"
    assert sizes == [(8, True), (9, False), (16, True), (17, False), (24, True), (25, False),
                     (48, True), (49, False), (96, True), (97, False)]
    source, sizes = bench_sizes.size_list({"BENCH_SIZES": "100, 101 300"})
    assert source == "kconfig"
    assert sizes == [(100, True), (101, True), (102, False), (300, True), (301, False)]
    with pytest.raises(KitError, match="ascending"):
        bench_sizes.size_list({"BENCH_SIZES": "64 32"})
    with pytest.raises(KitError, match="'x' is not a positive integer"):
        bench_sizes.size_list({"BENCH_SIZES": "8 x"})


# --- the bench image in QEMU ---------------------------------------------------------------

SMALL = ["--set", "BENCH_REPS=3", "--set", "BENCH_STRESS_OPS=4000", "--set", "BENCH_MIXED_OPS=256"]


@pytest.mark.parametrize("arch", config.ARCHES)
def test_two_bench_runs_count_the_same_instructions(arch: str, tmp_path: Path):
    out = tmp_path / arch
    kit("defconfig", "simpleheap", "--arch", arch, "-O", str(out), *SMALL, check=True)
    first = kit("bench", "-O", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    one = json.loads((out / "bench.json").read_text())
    second = kit("bench", "-O", str(out))
    assert second.returncode == 0, second.stdout + second.stderr
    two = json.loads((out / "bench.json").read_text())

    assert one["errors"] == [] and one["meta"]["arch"] == arch
    assert one["counter"] == ("rdtsc" if arch == "x86_64" else "instret")
    names = {op["name"] for op in one["ops"]}
    assert {"pair", "batch_alloc", "batch_free", "page_alloc", "page_free", "mixed"} <= names
    recorded = [t.name for t in traces.load()]
    assert recorded, "no trace in tests/bench/traces/"
    assert {f["pattern"] for f in one["frag"]} == (
        {"fixed", "increasing", "random", "pages"} | {f"trace-{n}" for n in recorded})
    # Every recorded trace is replayed: one figure each, over all its operations.
    replayed = {op["pattern"]: op for op in one["ops"] if op["name"] == "trace"}
    assert sorted(replayed) == sorted(recorded)
    assert all(replayed[t.name]["ops"] == len(t.ops) for t in traces.load())
    assert all(op["median"] > 0 for op in one["ops"])
    # Under -icount the counts repeat exactly: every figure, not just the medians.
    differ = [(x, y) for x, y in zip(one["ops"] + one["frag"], two["ops"] + two["frag"]) if x != y]
    assert not differ and len(one["ops"]) == len(two["ops"]), \
        "figures that differ between the runs:\n" + "\n".join(f"{x}\n{y}" for x, y in differ[:5])
    assert "pair size=64" in first.stdout and "after aging" in first.stdout
    # The kernel page tables are measured in every variant.
    assert {"map", "unmap", "map_gib"} <= names
    assert {p["page_size"] for p in one["pgtable"]} >= {4096, 2 << 20}
    assert one["pgtable"] == two["pgtable"]


@pytest.mark.parametrize("arch", config.ARCHES)
def test_vmap_bench_measures_mapping_per_page_size(arch: str, tmp_path: Path):
    out = tmp_path / arch
    kit("defconfig", "twotier-vmap", "--arch", arch, "-O", str(out), *SMALL, check=True)
    proc = kit("bench", "-O", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((out / "bench.json").read_text())
    assert data["errors"] == []
    ops = {op["key"]: op for op in data["ops"]}
    sizes = (4096, 2 << 20, 1 << 30)   # qemu64,+pdpe1gb and Sv39 have all three
    for ps in sizes:
        for name in ("map pattern=empty", "unmap pattern=empty", "map pattern=populated",
                     "unmap pattern=populated"):
            op = ops[f"{name} page_size={ps}"]
            assert op["failures"] == 0 and op["median"] > 0
    assert ops["vmap_alloc size=2097152"]["failures"] == 0
    assert ops["vmap_free size=2097152"]["median"] > 0
    # 512-entry tables: a table of leaves of size ps spans 512 * ps, so one
    # GiB needs 1 GiB / (512 * ps) tables of leaves (4 KiB: 512) and, above
    # them, the tables spanning 2 MiB .. 1 GiB down from 1 GiB (4 KiB: one
    # more, the table spanning the GiB itself; 2 MiB: just that one; 1 GiB:
    # none of its own - the GiB beside it shares the table above).
    per_gib = {p["page_size"]: p for p in data["pgtable"]}
    for ps in sizes:
        spans = [ps * 512 ** k for k in range(1, 4) if ps * 512 ** k <= 1 << 30]
        tables = sum((1 << 30) // span for span in spans)
        assert (ps, per_gib[ps]["table_pages"]) == (ps, tables)
        assert per_gib[ps]["derived"]["table_bytes_per_gib"] == tables * 4096
        assert per_gib[ps]["first_table_pages"] >= tables


@pytest.mark.parametrize("arch", config.ARCHES)
def test_smp_bench_runs_on_one_cpu_and_repeats(arch: str, tmp_path: Path):
    """An SMP variant's bench boots one CPU (under -icount a second one could
    spin forever) with the tick stopped: its counts still repeat exactly."""
    out = tmp_path / arch
    kit("defconfig", "twotier-smp", "--arch", arch, "-O", str(out), *SMALL, check=True)
    runs = []
    for _ in range(2):
        proc = kit("bench", "-O", str(out))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert re.search(r"^mmkit: smp: 1 of \d+ CPUs online$",
                         (out / "bench.log").read_text(), re.M)
        runs.append(json.loads((out / "bench.json").read_text()))
    assert runs[0]["errors"] == []
    assert runs[0]["ops"] == runs[1]["ops"] and runs[0]["frag"] == runs[1]["frag"]


def test_bench_sizes_follow_the_generated_class_table(tmp_path: Path):
    """A mode with size classes measures those, not the fixed list (no boot needed)."""
    with_classes = []
    for name, preset in config.presets().items():
        kconf = config.load_kconfig()
        config.apply(kconf, config.parse_fragment(preset.path))
        if str(config.resolved(kconf).get("KMALLOC_CLASSES") or "").strip():
            with_classes.append(name)
    if not with_classes:
        pytest.skip("no preset has kmalloc size classes")
    out = tmp_path / "classes"
    kit("defconfig", with_classes[0], "-O", str(out), check=True)
    generate.generate(out)
    classes = config.kmalloc_classes(json.loads(
        (out / "gen" / "config.json").read_text())["config"]["KMALLOC_CLASSES"])
    text = (out / "gen" / "bench_sizes.c").read_text()
    assert 'bench_sizes_source[] = "classes"' in text
    for c in classes:
        assert f"{{ {c}, true }}" in text


# --- host-native peers ------------------------------------------------------------------------

def test_hostbench_reports_every_peer_and_mode(tmp_path: Path):
    """Few iterations and the fewest rounds: the shape of a run, not its figures
    (the full run: ./build.py hostbench with its defaults)."""
    out = tmp_path / "hb"
    proc = kit("hostbench", "-O", str(out), "--iterations", "300", "--reps", "1",
               "--rounds", str(hostbench.MIN_ROUNDS), "--count-iterations", "1000")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "hostbench.json").read_text())
    for peer in ("glibc", "jemalloc", "mimalloc", "tcmalloc"):
        assert "pair size=64" in doc["results"][peer]["figures"], peer
        assert peer in proc.stdout
    modes = {hostbench.resolve(p).mode for p in config.presets()}
    assert {v["mode"] for v in doc["variants"]} == modes   # every mode with a preset
    for v in doc["variants"]:
        figures = doc["results"][v["peer"]]["figures"]
        assert "pair size=64" in figures and "page_alloc order=0" in figures
        assert figures["page_alloc order=0"]["what"] == hostbench.what(
            "page_alloc order=0", hostbench.resolve(v["preset"]))
        assert set(doc["ratios"][v["peer"]]["pair size=64"]) == {"glibc", "jemalloc",
                                                                "mimalloc", "tcmalloc"}
    assert len(doc["targets"]) == len(hostbench.TARGETS)
    assert {t["status"] for t in doc["targets"]} <= {"met", "not met", "absent"}
    md = (out / "hostbench.md").read_text()
    assert "## Targets" in md and "## What mmkit's own figures measure" in md

    # Interleaved: every round runs every program once, and no program is
    # always first; each figure has one value per round, with its spread.
    names = [v["peer"] for v in doc["variants"]] + doc["peers"]
    assert len(doc["schedule"]) == doc["rounds"] == hostbench.MIN_ROUNDS
    assert all(sorted(r) == sorted(names) for r in doc["schedule"])
    assert len({r[0] for r in doc["schedule"]}) > 1
    for name in names:
        for key, fig in doc["results"][name]["figures"].items():
            assert len(fig["rounds_ns"]) == hostbench.MIN_ROUNDS, (name, key)
            assert fig["min_ns"] <= fig["median_ns"] <= fig["max_ns"]
            assert fig["median_ns"] in fig["rounds_ns"]
    for r in range(1, hostbench.MIN_ROUNDS + 1):
        assert f"round {r}/{hostbench.MIN_ROUNDS} timed" in proc.stdout    # progress
    # The host CPU is recorded and shown.
    assert doc["cpu"] and doc["cpu"] != "unknown" and doc["cpu"] in md
    # Instructions for mmkit and every peer, counted by callgrind; the
    # instruction target is judged on them (not absent).
    for name in names:
        pair = doc["results"][name]["instructions"]["pair size=64"]
        assert pair["ops"] == 1000 and pair["per_op"] > pair["loop_per_op"] > 0
        assert pair["instructions"] > 1000 * pair["per_op"]
    assert f"instructions counted {len(names)}/{len(names)}" in proc.stdout
    counted = [t for t in doc["targets"] if "callgrind" in t["target"]]
    assert counted and all(t["status"] in ("met", "not met") for t in counted), counted
    assert "## Instructions per operation (callgrind)" in md
    fig = doc["results"]["glibc"]["figures"]["pair size=64"]
    assert f"{fig['median_ns']:.1f} ({fig['min_ns']:.1f}–{fig['max_ns']:.1f})" in md
    html = (out / "hostbench.html").read_text()
    assert '<td class="num">' in html and "<h2>Targets</h2>" in html
    # The stress patterns, Johnstone-Wilson #4 of every allocator: by
    # resident pages for all (each object is written whole, so at least
    # most of its bytes are new resident pages), by its own account for
    # all but mimalloc (whose release library keeps none); mmkit's own
    # account is the kernel bench's footprint, which holds every live byte.
    assert doc["frag_patterns"] == list(hostbench.FRAG_PATTERNS)
    for name in names:
        frag = doc["results"][name]["frag"]
        assert set(frag) == set(hostbench.FRAG_PATTERNS), name
        for pattern, fig in frag.items():
            assert fig["peak_requested"] > 0, (name, pattern)
            # A region of fixed size (SimpleHeap's, TLSF's) may refuse some.
            assert fig["failures"] == 0 or name.startswith("mmkit-"), (name, pattern)
            assert fig["rss"] > 0.9, (name, pattern, fig)
            assert (fig["held"] is None) == (name == "mimalloc"), (name, pattern, fig)
            if name.startswith("mmkit-"):
                assert fig["held"] >= 0.99, (name, pattern, fig)
    assert f"stress patterns {len(names)}/{len(names)}" in proc.stdout
    assert "## Fragmentation on the stress patterns" in md


@pytest.mark.parametrize("args, complaint", [
    (["--rounds", "6"], "--rounds must be 7..101, not 6"),
    (["--rounds", "102"], "--rounds must be 7..101, not 102"),
    (["--reps", "102"], "--reps must be 1..101, not 102"),
])
def test_hostbench_refuses_bad_rounds_and_reps(tmp_path: Path, args: list[str], complaint: str):
    proc = kit("hostbench", "-O", str(tmp_path / "hb"), "--no-count", *args)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [f"build.py: error: hostbench: {complaint}"]
    assert not (tmp_path / "hb").exists()            # nothing built, nothing half-written


def test_hostbench_rounds_interleave_and_combine():
    order = hostbench.schedule(["A", "B", "C", "D"], 7)
    assert order[:3] == [["A", "B", "C", "D"], ["B", "C", "D", "A"], ["C", "D", "A", "B"]]
    assert all(sorted(r) == ["A", "B", "C", "D"] for r in order)
    # A round's value is its fastest repetition (load only ever slows one).
    runs = [{"version": "1", "figures": {"pair size=64": {
        "median_ns": ns + 100, "min_ns": ns, "max_ns": ns + 200, "reps": 5, "ops": 10,
        "failures": f}}}
        for ns, f in ((5.0, 0), (1.0, 0), (3.0, 1), (2.0, 0), (4.0, 0), (7.0, 0), (6.0, 2))]
    fig = hostbench.combine_rounds(runs)["figures"]["pair size=64"]
    assert (fig["min_ns"], fig["median_ns"], fig["max_ns"]) == (1.0, 4.0, 7.0)
    assert fig["rounds_ns"] == [5.0, 1.0, 3.0, 2.0, 4.0, 7.0, 6.0] and fig["failures"] == 3
    # An even count takes the lower middle value: one that was measured.
    fig = hostbench.combine_rounds(runs[:4])["figures"]["pair size=64"]
    assert fig["median_ns"] == 2.0


def test_callgrind_dumps_are_read_by_their_trigger():
    dump = ("# callgrind format\nversion: 1\npart: 3\n\ndesc: I1 cache: \n"
            "desc: Trigger: Client Request: pair size=64\n\npositions: line\nevents: Ir\n"
            "summary: 142037\n\nfl=(1) x.c\n0 5\ntotals: 142037\n")
    assert callgrind.parse_dump(dump) == ("pair size=64", 142037)
    assert callgrind.parse_dump(dump.replace("Client Request: pair size=64",
                                             "Program termination")) is None
    assert callgrind.parse_dump("desc: Trigger: Client Request: loop\n") is None


def test_instruction_targets_are_judged_on_counts():
    target = next(t for t in hostbench.TARGETS if t.instructions is not None)
    v = hostbench.Measured("twotier", "twotier", "buddy", True, 3)

    def results(per_op: float | None) -> dict:
        r = {"figures": {target.figure: {"median_ns": 1.0}}}
        if per_op is not None:
            r["instructions"] = {target.figure: {"per_op": per_op}}
        peers = {p.name: {"figures": {target.figure: {"median_ns": 0.5}},
                          "instructions": {target.figure: {"per_op": 76.0}}}
                 for p in hostbench.PEERS}
        return {"mmkit-twotier": r, **peers}

    met = hostbench.evaluate(target, results(target.instructions), [v])
    assert met["status"] == "met" and "jemalloc 76" in met["detail"]
    assert hostbench.evaluate(target, results(target.instructions + 1),
                              [v])["status"] == "not met"
    absent = hostbench.evaluate(target, results(None), [v])
    assert absent["status"] == "absent" and "--no-count" in absent["detail"]


def test_hostbench_figures_say_what_they_measure():
    """Order 0 goes through the per-CPU page list when the variant has one,
    and '2 MiB' is a buddy order-9 block: the labels and targets say so."""
    texts = {t.figure: t.text for t in hostbench.TARGETS}
    assert "per-CPU page list" in texts["page_alloc order=0"]
    assert "buddy order-9 block" in texts["page_alloc order=9"]
    assert "hugepage-sized" not in texts["page_alloc order=9"]
    with_pcp = hostbench.Measured("twotier", "twotier", "buddy", True, 3)
    without = hostbench.Measured("x", "twotier", "buddy", False, 3)
    bitmap = hostbench.Measured("y", "simpleheap", "bitmap", True, 3)
    assert "per-CPU page list" in hostbench.what("page_alloc order=0", with_pcp)
    assert "no PCP" in hostbench.what("page_alloc order=0", without)
    assert hostbench.what("page_alloc order=9", with_pcp) == \
        "alloc_pages(9): 2 MiB, a buddy order-9 block (no hugepage pool)"
    assert "512 pages from the bitmap" in hostbench.what("page_free order=9", bitmap)
    assert hostbench.what("pair size=64", with_pcp) is None
    # A target about the list is not met by a variant without one.
    target = next(t for t in hostbench.TARGETS if t.figure == "page_alloc order=0")
    results = {"x": {"figures": {"page_alloc order=0": {"median_ns": 1.0}}}}
    without = hostbench.Measured("x", "twotier", "buddy", False, 3)
    assert hostbench.evaluate(target, {"mmkit-x": results["x"]}, [without])["status"] == "absent"


# --- object pools against kmalloc ----------------------------------------------------------

def pool_op(name: str, pool: str, size: int, median: int) -> dict:
    line = (f'BENCH {{"v":1,"kind":"op","name":"{name}","pool":"{pool}","size":{size},'
            f'"reps":3,"ops":64,"failures":0,"min":{median},"median":{median},'
            f'"max":{median}}}')
    return bench.parse_line(line)


def test_pool_figures_carry_their_pool():
    op = pool_op("pool_pair", "proc", 1024, 37)
    assert op["pool"] == "proc"
    assert bench.op_key(op) == "pool_pair pool=proc size=1024"
    with pytest.raises(bench.BenchLineError, match="field 'pool' should be a str"):
        bench.parse_line(OP.replace('"size":64', '"size":64,"pool":7'))


def test_pool_pairs_are_compared_with_kmalloc_of_their_size():
    ops = [pool_op("pool_pair", "proc", 1024, 37), pool_op("kmalloc_pair", "proc", 1024, 59),
           pool_op("pool_pair", "file", 256, 45), pool_op("kmalloc_pair", "file", 256, 59),
           pool_op("pool_pair", "lone", 64, 30), bench.parse_line(OP)]
    ratios = bench.pool_ratios(ops)
    assert [(r["pool"], r["size"], r["pool_pair"], r["kmalloc_pair"], r["met"])
            for r in ratios] == [("proc", 1024, 37, 59, True), ("file", 256, 45, 59, False)]
    assert ratios[0]["ratio"] == pytest.approx(37 / 59)
    lines = bench.table({"meta": None, "ops": [], "frag": [], "pools": ratios, "errors": []},
                        "instret")
    assert any("proc" in line and "0.63x" in line and line.endswith(" MET") for line in lines)
    assert any("file" in line and "NOT MET" in line for line in lines)
