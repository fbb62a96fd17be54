"""Coverage: kernel-cov's gcov runtime, the console dump, lcov reports, the gate.

Two runs are made once for the module:

- `coverage --matrix --enforce-gate` over a preset of every allocator
  mode (simpleheap-debug, twotier-pools, full: Hybrid with every axis,
  tlsf-debug, and twotier-debug for guard sampling of caches and pools) on
  riscv64, every suite: the 90% core/mm line-coverage gate must hold on
  their merged report, so no mode's code escapes it;
- `coverage` alone on x86_64 with only the ktest_self suite: the command
  turns the option on, and the other arch's tools read what it sent.

Figures are checked against lcov.info as read here, never against numbers
typed into the test.
"""
from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
import zlib
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import gcda, gcov_dump
from kit.errors import KitError

FILTER = "TEST_FILTER=ktest_self"
PRESET = "simpleheap"
# One preset per allocator mode: together they hold every core/mm file a
# preset builds (Hybrid's is full, which turns every other axis on as well;
# SimpleHeap's and TLSF's are their debug presets, with every memory
# debugging option; simpleheap-debug also builds guard sampling and fault
# injection in, so debug_guard.c and fault_inject.c are under the gate).
# twotier-debug builds guard sampling with slab caches and pools, so
# slab_guard.c and pool.c's guard paths are under the gate too.
MODES = ("simpleheap-debug", "twotier-pools", "full", "tlsf-debug", "twotier-debug")
MODE_SETTINGS = ()
NO_PRESET_BUILDS: set[str] = set()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("coverage") / "m"
    # Five instrumented boots, two at a time: more than kit()'s default
    # 600 s on a loaded 2-core machine (10 min were not enough at load 13).
    matrix = kit("coverage", "--matrix", *[a for p in MODES for a in ("--preset", p)],
                 *MODE_SETTINGS, "--arch", "riscv64", "--enforce-gate", "-O", str(base),
                 timeout=1800)
    x86 = base / f"{PRESET}-x86_64"
    kit("defconfig", PRESET, "--arch", "x86_64", "--set", FILTER, "-O", str(x86), check=True)
    single = kit("coverage", "--enforce-gate", "-O", str(x86))
    return {"base": base, "single": single, "matrix": matrix}


def variant(runs: dict, arch: str, preset: str | None = None) -> Path:
    """A variant's directory: on riscv64 the matrix's (SimpleHeap's mode
    preset unless named), on x86_64 the single run's."""
    if preset is None:
        preset = MODES[0] if arch == "riscv64" else PRESET
    return runs["base"] / f"{preset}-{arch}"


# --- reading lcov.info and sources independently of kit/coverage.py -------------

def tree_path(sf: str) -> str:
    """An SF record's path relative to the tree; generated files (<out>/gen) stay absolute."""
    path = Path(sf)
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def line_counts(info: Path) -> dict[str, dict[int, int]]:
    """Source path (relative to the tree) -> line -> count, from DA records."""
    out: dict[str, dict[int, int]] = defaultdict(dict)
    current = None
    for raw in info.read_text().splitlines():
        if raw.startswith("SF:"):
            current = tree_path(raw[3:])
        elif raw.startswith("DA:") and current:
            line, count = raw[3:].split(",")[:2]
            out[current][int(line)] = out[current].get(int(line), 0) + int(count)
    return out


def function_counts(info: Path) -> dict[str, dict[str, int]]:
    """Source path -> function -> calls, from FNDA records."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    current = None
    for raw in info.read_text().splitlines():
        if raw.startswith("SF:"):
            current = tree_path(raw[3:])
        elif raw.startswith("FNDA:") and current:
            count, name = raw[5:].split(",", 1)
            out[current][name] = out[current].get(name, 0) + int(count)
    return out


def line_of(rel: str, text: str, after: str | None = None) -> int:
    """Line number of the first line containing ``text`` (after a line containing ``after``)."""
    lines = (ROOT / rel).read_text().splitlines()
    start = 0
    if after is not None:
        start = next(i for i, ln in enumerate(lines) if after in ln)
    return next(i + 1 for i, ln in enumerate(lines) if i >= start and text in ln)


# --- the command and the instrumented images -------------------------------------

def test_coverage_command_turns_the_option_on_and_reports(runs: dict):
    proc = runs["single"]
    x86 = variant(runs, "x86_64")
    assert "COVERAGE was off" in proc.stdout, proc.stdout + proc.stderr
    assert "CONFIG_COVERAGE=y" in (x86 / ".config").read_text()
    assert "build.py: coverage run (x86_64): PASSED" in proc.stdout
    assert (x86 / "coverage" / "lcov.info").is_file()
    assert (x86 / "coverage" / "html" / "index.html").is_file()
    for word in ("lines", "functions", "branches"):
        assert re.search(rf"coverage: x86_64: .*{word} +\d+\.\d%", proc.stdout)
    for directory in ("core/mm", "core/init", "core/kernel", "arch/x86_64"):
        assert re.search(rf"^  {re.escape(directory)} +\d+\.\d% \(\d+/\d+\)", proc.stdout, re.M)


def test_gate_figure_and_exit_status(runs: dict):
    """The printed core/mm figure is the one lcov.info gives; --enforce-gate acts on it
    (here on a run of one suite, which leaves most of core/mm unreached)."""
    counts = line_counts(variant(runs, "x86_64") / "coverage" / "lcov.info")
    mm = [c for rel, lines in counts.items() if rel.startswith("core/mm/") for c in lines.values()]
    hit, found = sum(1 for c in mm if c), len(mm)
    pct = 100.0 * hit / found
    proc = runs["single"]
    m = re.search(r"coverage gate: core/mm line coverage (\d+\.\d)% \((\d+)/(\d+)\), "
                  r"target 90%: (met|NOT MET)", proc.stdout)
    assert m, proc.stdout
    assert (int(m.group(2)), int(m.group(3))) == (hit, found)
    assert m.group(1) == f"{pct:.1f}"
    assert m.group(4) == ("met" if pct >= 90 else "NOT MET")
    assert proc.returncode == (0 if pct >= 90 else 1), proc.stdout + proc.stderr
    if pct < 90:
        # Lines no test reached are listed, not excluded.
        missed = next(rel for rel, lines in sorted(counts.items())
                      if rel.startswith("core/mm/") and 0 in lines.values())
        assert re.search(rf"^    {re.escape(missed)}: \d", proc.stdout, re.M)


@pytest.mark.parametrize("arch, start", [("riscv64", "arch/riscv/start.c"),
                                         ("x86_64", "arch/x86_64/start.c")])
def test_known_lines_hit_and_dead_lines_not(runs: dict, arch: str, start: str):
    proc = runs["matrix"] if arch == "riscv64" else runs["single"]
    assert "PASS" in proc.stdout, proc.stdout + proc.stderr
    out = variant(runs, arch)
    counts = line_counts(out / "coverage" / "lcov.info")
    main = "core/init/main.c"
    # kmain runs once, and so does each line of it up to the image.
    assert counts[main][line_of(main, "init_array_run();", after="void kmain(void)")] == 1
    assert counts[main][line_of(main, "mm_init();", after="void kmain(void)")] == 1
    assert counts[start][line_of(start, "kmain();")] == 1
    # Every instrumented object came back (from .gcov_info: no constructors).
    gcnos = sorted(p.with_suffix("") for p in (out / "cov").rglob("*.gcno"))
    assert gcnos and sorted(p.with_suffix("") for p in (out / "cov").rglob("*.gcda")) == gcnos
    # ktest_self's checks ran (it calls ktest_check_int itself).
    assert function_counts(out / "coverage" / "lcov.info")["core/lib/ktest.c"][
        "ktest_check_int"] > 0
    # panic() is never called in a passing run: its lines and itself stay at 0.
    panic = "core/kernel/panic.c"
    assert counts[panic][line_of(panic, 'raw_puts("\\n" PANIC_PREFIX);')] == 0
    assert function_counts(out / "coverage" / "lcov.info")[panic]["panic"] == 0
    # Not instrumented: the gcov runtime and the test suites.
    assert "core/lib/gcov.c" not in counts
    assert not [rel for rel in counts if rel.startswith("tests/")]


def test_gcda_files_are_gcc_format(runs: dict):
    """GCC's own gcov-dump reads what the kernel sent (riscv64 and x86_64 tools)."""
    for arch, tool in (("riscv64", "riscv64-unknown-elf-gcov-dump"), ("x86_64", "gcov-dump")):
        gcda = variant(runs, arch) / "cov" / "core" / "init" / "main.c.gcda"
        proc = subprocess.run([tool, "-l", str(gcda)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        assert proc.returncode == 0, proc.stdout
        # (No object summary, runs=: libgcov's __gcov_info_to_gcda() writes
        # none, and gcov and lcov need none.)
        assert "magic `gcda'" in proc.stdout
        assert "FUNCTION ident=" in proc.stdout and "COUNTERS arcs" in proc.stdout
        for complaint in ("error", "mismatch", "invalid", "overread"):
            assert complaint not in proc.stdout.lower(), proc.stdout


def test_version_word_matches_the_compiler(runs: dict):
    for arch, cc in (("riscv64", "riscv64-unknown-elf-gcc"), ("x86_64", "gcc")):
        gcno = next((variant(runs, arch) / "cov").rglob("*.gcno"))
        header = gcda.read_header(gcno.read_bytes(), gcda.GCNO_MAGIC, str(gcno))
        major, minor = subprocess.run([cc, "-dumpfullversion"], stdout=subprocess.PIPE,
                                      text=True, check=True).stdout.split(".")[:2]
        assert gcda.gcc_version(header.version) == (int(major), int(minor))


def test_gate_holds_on_every_mode_merged(runs: dict):
    """The 90% core/mm line-coverage gate, on the full runs of every mode's
    preset merged: enforced, so a miss fails the suite."""
    proc = runs["matrix"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    merged = line_counts(runs["base"] / "lcov.info")
    mm = {rel: lines for rel, lines in merged.items() if rel.startswith("core/mm/")}
    hit = sum(1 for lines in mm.values() for c in lines.values() if c)
    found = sum(len(lines) for lines in mm.values())
    assert 100.0 * hit / found >= 90.0
    assert re.search(rf"coverage gate: core/mm line coverage {100.0 * hit / found:.1f}% "
                     rf"\({hit}/{found}\), target 90%: met", proc.stdout), proc.stdout
    # Every mode's own code is in the figure: each core/mm source is built
    # into one of the modes, and each was reached.
    sources = {p.relative_to(ROOT).as_posix()
               for p in (ROOT / "core" / "mm").glob("*.c")} - NO_PRESET_BUILDS
    assert sources <= set(mm), sorted(sources - set(mm))
    assert all(any(lines.values()) for lines in mm.values())


def test_matrix_merges_and_writes_the_reach_table(runs: dict):
    proc = runs["matrix"]
    base = runs["base"]
    assert f"coverage: merged {len(MODES)} variants" in proc.stdout, proc.stdout + proc.stderr
    for preset in MODES:
        assert re.search(rf"^\[\d/{len(MODES)}\] PASS {preset}-riscv64: tests \d+ passed", proc.stdout,
                         re.M), proc.stdout
    merged = line_counts(base / "lcov.info")
    per_variant = [line_counts(variant(runs, "riscv64", p) / "coverage" / "lcov.info")
                   for p in MODES]
    # lcov -a sums the counts of every variant and keeps every variant's files.
    main = "core/init/main.c"
    line = line_of(main, "init_array_run();", after="void kmain(void)")
    assert merged[main][line] == sum(v[main][line] for v in per_variant) == len(MODES)
    assert "core/mm/heap.c" in merged and "core/mm/slab.c" in merged
    assert (base / "html" / "index.html").is_file()
    reach = (base / "reach.md").read_text()
    never = reach.split("## Reached by no variant", 1)[1]
    assert "`panic`" in never and "`core/kernel/panic.c`" in never
    assert "`kmain`" not in never
    row = next(ln for ln in reach.splitlines() if "`kmain`" in ln)
    assert row.count("| yes") == len(MODES)
    # The slab is not built into SimpleHeap: its cell says so.
    header = next(ln for ln in reach.splitlines() if ln.startswith("| file |"))
    column = [c.strip() for c in header.split("|")].index(f"{MODES[0]}-riscv64")
    slab_row = next(ln for ln in reach.splitlines() if ln.startswith("| `core/mm/slab.c`"))
    assert [c.strip() for c in slab_row.split("|")][column] == "-"


def test_unknown_matrix_preset_is_refused():
    proc = kit("coverage", "--matrix", "--preset", "no-such-preset", "-O", "/nonexistent")
    assert proc.returncode != 0 and "unknown preset 'no-such-preset'" in proc.stderr


def test_option_off_means_no_coverage_image(tmp_path: Path):
    out = tmp_path / "plain"
    kit("defconfig", PRESET, "-O", str(out), check=True)
    kit("generate", "-O", str(out), check=True)
    assert "kernel-cov" not in (out / "build.ninja").read_text()
    kit("olddefconfig", "-O", str(out), "--set", "COVERAGE=y", check=True)
    kit("generate", "-O", str(out), check=True)
    ninja = (out / "build.ninja").read_text()
    kernel = next(ln for ln in ninja.splitlines() if ln.startswith("build kernel: phony"))
    assert "kernel-cov.elf" in kernel
    assert "obj/core/lib/gcov.c.o" in ninja and "cov/core/lib/gcov.c.o" not in ninja
    assert "cov/core/mm/heap.c.o: cov_cc" in ninja


# --- the dump parser ---------------------------------------------------------------

def frame(files: list[tuple[str, bytes]], count: int | None = None, crc_of=None) -> str:
    """A dump as core/lib/gcov.c frames it, built here from the format."""
    lines = ["mmkit: some console prose", "mmkit-gcov: begin v1"]
    for path, data in files:
        crc = zlib.crc32(crc_of(data) if crc_of else data)
        lines.append(f"mmkit-gcov: file {len(data)} {crc:08x} {path}")
        for off in range(0, len(data), 48):
            lines.append("mmkit-gcov: data " + base64.b64encode(data[off:off + 48]).decode())
    lines.append(f"mmkit-gcov: end {len(files) if count is None else count}")
    lines.append("mmkit: exit status=0 (pass)")
    return "\n".join(lines) + "\n"


FILES = [("/build/a/cov/core/x.c.gcda", bytes(range(200))),
         ("/build/a/cov/core/y.c.gcda", b"\x01\x02\x03")]


def test_parser_round_trip():
    got = gcov_dump.parse_dump(frame(FILES))
    assert [(g.path, g.data) for g in got] == FILES


def test_dump_cut_in_a_file_is_incomplete_and_names_it():
    text = frame(FILES)
    cut = text[: text.index("mmkit-gcov: data") + 40]     # inside x.c's first data line
    with pytest.raises(gcov_dump.CaptureError, match=r"coverage capture incomplete.*x\.c\.gcda"):
        gcov_dump.parse_dump(cut)


def test_dump_without_end_marker_is_incomplete():
    text = frame(FILES)
    cut = text[: text.index("mmkit-gcov: end")]
    with pytest.raises(gcov_dump.CaptureError, match=r"coverage capture incomplete.*y\.c\.gcda"):
        gcov_dump.parse_dump(cut)


def test_real_capture_cut_in_the_middle(runs: dict):
    log = (variant(runs, "riscv64") / "cov.log").read_text()
    lines = log.splitlines()
    data = [i for i, ln in enumerate(lines) if ln.startswith("mmkit-gcov: data")]
    middle = data[len(data) // 2]
    header = next(lines[i] for i in range(middle, -1, -1)
                  if lines[i].startswith("mmkit-gcov: file"))
    path = header.split(" ", 4)[4]
    with pytest.raises(gcov_dump.CaptureError,
                       match=r"coverage capture incomplete: .*" + re.escape(path)):
        gcov_dump.parse_dump("\n".join(lines[:middle]) + "\n" + lines[middle][:30])


def test_bad_checksum_length_and_count_are_refused():
    with pytest.raises(gcov_dump.CaptureError, match=r"checksum mismatch for .*y\.c\.gcda"):
        gcov_dump.parse_dump(frame(FILES, crc_of=lambda d: d + b"!" if len(d) == 3 else d))
    short = frame(FILES).replace("mmkit-gcov: file 200 ", "mmkit-gcov: file 201 ")
    with pytest.raises(gcov_dump.CaptureError, match=r"length mismatch for .*x\.c\.gcda"):
        gcov_dump.parse_dump(short)
    with pytest.raises(gcov_dump.CaptureError, match="file count mismatch"):
        gcov_dump.parse_dump(frame(FILES, count=3))
    with pytest.raises(gcov_dump.CaptureError, match="no coverage dump"):
        gcov_dump.parse_dump("mmkit: boot\nmmkit: exit status=0 (pass)\n")
    with pytest.raises(gcov_dump.CaptureError, match="could not send.*do not fit"):
        gcov_dump.parse_dump("mmkit-gcov: begin v1\nmmkit-gcov: error 9 bytes do not fit\n")
    with pytest.raises(gcov_dump.CaptureError, match="not v1"):
        gcov_dump.parse_dump(frame(FILES).replace("begin v1", "begin v2"))


# --- reconstruction: remapped paths, stale builds ----------------------------------

def test_gcda_lands_beside_gcno_in_a_moved_tree(runs: dict, tmp_path: Path):
    """A CI clone builds in one place and collects in another: paths are remapped."""
    src = variant(runs, "riscv64")
    moved = tmp_path / "elsewhere"
    shutil.copytree(src / "cov", moved / "cov", ignore=shutil.ignore_patterns("*.gcda"))
    files = gcov_dump.parse_dump((src / "cov.log").read_text())
    assert all(f.path.startswith(str(src / "cov")) for f in files)
    written = gcda.install_gcda(moved, files)
    assert len(written) == len(files)
    for f, path in zip(files, written):
        assert path.is_relative_to(moved / "cov") and path.with_suffix(".gcno").is_file()
        assert path.read_bytes() == f.data


def test_stale_gcno_stamp_is_an_error(runs: dict, tmp_path: Path):
    src = variant(runs, "riscv64")
    moved = tmp_path / "stale"
    shutil.copytree(src / "cov", moved / "cov", ignore=shutil.ignore_patterns("*.gcda"))
    gcno = moved / "cov" / "core" / "init" / "main.c.gcno"
    data = bytearray(gcno.read_bytes())
    data[8] ^= 0xFF                      # the stamp word: as if main.c was compiled again
    gcno.write_bytes(bytes(data))
    with pytest.raises(KitError, match=r"stale build: cov/core/init/main\.c\.gcno"):
        gcda.install_gcda(moved, gcov_dump.parse_dump((src / "cov.log").read_text()))
    assert not list((moved / "cov").rglob("*.gcda"))   # nothing half-written


def test_malformed_gcda_is_refused(runs: dict):
    """gcov would read a bad record layout as zero counts: the host refuses it instead."""
    data = (variant(runs, "riscv64") / "cov" / "core" / "init" / "main.c.gcda").read_bytes()
    gcda.check_gcda(data, "main.c.gcda")        # the kernel's own output passes
    words = list(struct.unpack(f"<{len(data) // 4}I", data))
    at = words.index(0x01000000)                     # the first FUNCTION record
    assert words[at + 1] == 12                        # GCC 12: length in bytes
    words[at + 1] = 3                                 # as if in words (GCC 11 and older)
    with pytest.raises(gcov_dump.CaptureError, match="malformed .gcda"):
        gcda.check_gcda(struct.pack(f"<{len(words)}I", *words), "main.c.gcda")
    with pytest.raises(gcov_dump.CaptureError, match="no end record"):
        gcda.check_gcda(data[:-4], "main.c.gcda")


def test_kernel_and_host_agree_on_the_framing():
    header = (ROOT / "core" / "include" / "gcov.h").read_text()
    prefix = re.search(r'#define GCOV_DUMP_PREFIX "([^"]*)"', header).group(1)
    version = int(re.search(r"#define GCOV_DUMP_FORMAT (\d+)", header).group(1))
    assert (prefix, version) == (gcov_dump.DUMP_PREFIX, gcov_dump.DUMP_FORMAT)


def test_failed_capture_leaves_no_old_report(tmp_path: Path, monkeypatch):
    """A run whose capture fails must not leave the last run's lcov.info and
    HTML in place, where they would read as this run's."""
    from kit import qemu
    from kit.variant import Variant
    out = tmp_path / "cov"
    kit("defconfig", PRESET, "--set", "COVERAGE=y", "-O", str(out), check=True)
    kit("generate", "-O", str(out), check=True)
    old = out / "coverage"
    (old / "html").mkdir(parents=True)
    (old / "lcov.info").write_text("SF:core/mm/heap.c\nDA:1,1\nend_of_record\n")
    (old / "html" / "index.html").write_text("<html>an earlier run</html>\n")
    crashed = qemu.Boot(qemu.CRASH, "crash: QEMU exited (rc 1) without the end-of-run marker",
                        1, "mmkit: boot\n", 0.1)
    monkeypatch.setattr(Variant, "boot", lambda self, image, **kw: crashed)
    run = Variant(out).coverage("riscv64")
    assert run.info is None and "no coverage dump" in run.error
    assert not old.exists()
