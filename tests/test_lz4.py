"""The LZ4 codec (core/lib/lz4.c) on the host, under ASan and UBSan.

Interoperability with liblz4 both ways over a corpus of real data at every
block size from 0 to 4096 and some larger ones, the edge cases, the decoder
against each class of bad block, the deterministic CI-sized fuzz run and
the saved fuzz regressions (tests/host/lz4/), the libFuzzer harness, and
./build.py lz4bench.  Expected results come from liblz4 or from the
original bytes, never from the code under test; the in-kernel suite is
tests/kernel/lz4_test.c.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, kit
from kit import lz4bench

SRC = ROOT / "tests" / "host" / "lz4"
REGRESSIONS = SRC / "regressions"
CFLAGS = ["-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-fno-omit-frame-pointer",
          "-iquote", str(ROOT / "core" / "include")]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
CODEC = [str(ROOT / "core" / "lib" / "lz4.c"), str(ROOT / "core" / "lib" / "kerr.c")]

# The CI-sized fuzz run: a fixed seed, and enough runs that at least ten
# million inputs are refused (about one in five mutated blocks still
# decodes, and is compared byte for byte).  About 27 s of one core here.
FUZZ_SEED = 1
FUZZ_RUNS = 14_000_000
FUZZ_MIN_REFUSED = 10_000_000


def _compile(out: Path, sources: list[str], cc: str = "gcc", flags: list[str] = SANITIZE) -> Path:
    proc = subprocess.run([cc, *CFLAGS, *flags, *sources, "-llz4", "-o", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    return out


@pytest.fixture(scope="module")
def programs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("lz4-programs")
    return {
        "interop": _compile(d / "interop", [str(SRC / "interop.c"), str(SRC / "model.c"),
                                            *CODEC]),
        # -O2: the CI-sized run decodes 14 million inputs three ways.
        "fuzz": _compile(d / "fuzz_driver", [str(SRC / "fuzz_driver.c"),
                                             str(SRC / "fuzz_decompress.c"),
                                             str(SRC / "model.c"), *CODEC],
                         flags=[*SANITIZE, "-O2"]),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """Real and synthetic data, the same on every run on the same system.

    Three executables and two shared libraries (64 KiB from the middle of
    each, spread over the sorted lists), 64 KiB of licence text, a zero
    page source, a one-repeated-byte source, 64 KiB of seeded pseudo-random
    bytes (incompressible), and a sparse "memory image" (small records in
    zeroes: short offsets and overlapping matches).
    """
    d = tmp_path_factory.mktemp("lz4-corpus")
    src = lz4bench.sources()
    files: dict[str, bytes] = {}
    for kind, count in (("executables", 3), ("libraries", 2)):
        pool = src[kind]
        assert len(pool) >= count, f"no {kind} under /usr to test with"
        for i in range(count):
            files[f"{kind}-{i}"] = lz4bench._slice(pool[i * len(pool) // count], 64 * 1024)
    licences = sorted(p for p in Path("/usr/share/common-licenses").iterdir()
                      if p.is_file() and not p.is_symlink())
    assert licences, "no /usr/share/common-licenses to test with"
    files["text"] = b"".join(p.read_bytes() for p in licences)[:64 * 1024]
    files["zero"] = bytes(8192)
    files["byte"] = b"\xa5" * 8192
    rng = random.Random(20240518)
    files["random"] = rng.randbytes(64 * 1024)
    sparse = bytearray(64 * 1024)
    for at in range(0, len(sparse), 48):
        sparse[at:at + 6] = rng.randbytes(2) * 3 if rng.random() < 0.5 else rng.randbytes(6)
    files["sparse"] = bytes(sparse)
    paths = []
    for name, data in files.items():
        assert len(data) >= 4096, f"{name}: only {len(data)} bytes"
        (d / name).write_bytes(data)
        paths.append(d / name)
    return paths


def run(cmd: list, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=ENV, timeout=timeout)


def checks_made(proc: subprocess.CompletedProcess) -> int:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = re.search(r"(\d+) checks", proc.stdout)
    assert m, proc.stdout
    return int(m.group(1))


# --- interoperability -------------------------------------------------------------------

def test_every_block_size_both_ways(programs, corpus):
    """0 .. 4096 bytes from each corpus file: mmkit -> liblz4 and mmkit, liblz4
    (default and fast, accelerations 2 .. 65537) -> mmkit, within both bounds,
    exact-size destinations work and one byte less fails cleanly."""
    proc = run([programs["interop"], "sizes", *corpus])
    assert checks_made(proc) >= len(corpus) * 4097 * 8
    m = re.search(r"compressed (\d+) -> mmkit (\d+), liblz4 (\d+)", proc.stdout)
    assert m, proc.stdout
    total, mine, theirs = map(int, m.groups())
    # Same ratio as the reference within 2% (acceleration 1 on both sides).
    assert mine <= theirs * 1.02, f"mmkit {mine} bytes vs liblz4 {theirs} for {total}"


def test_larger_blocks_and_the_size_limit(programs, corpus):
    proc = run([programs["interop"], "large", *corpus])
    assert checks_made(proc) > 0


def test_edge_cases(programs):
    """Empty input, 1 .. 13 bytes, exactly 4 KiB, incompressible data,
    accelerations out of range, NULL arguments, independence from the
    state's previous contents."""
    assert checks_made(run([programs["interop"], "edge"])) >= 40


def test_decoder_refuses_bad_blocks(programs):
    """Offset 0, offsets before the output, truncation at every position,
    literal and match lengths past either buffer, endless length
    extensions, the end-of-block rules, overlapping matches at every
    offset 1 .. 20, and garbage judged against model.c."""
    assert checks_made(run([programs["interop"], "misuse"])) >= 20000


# --- fuzzing ------------------------------------------------------------------------------

def test_fuzz_regressions_replay(programs):
    """Every input a fuzz run ever flagged, against today's decoder."""
    saved = sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.name != "README")
    assert saved, "tests/host/lz4/regressions/ is empty"
    proc = run([programs["fuzz"], "replay", *saved])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"replayed {len(saved)} input(s)" in proc.stdout


def test_fuzz_ci_run(programs, tmp_path):
    """The deterministic CI-sized run: >= 10 million refused inputs derived
    from valid blocks, three decoders compared on each, zero findings."""
    proc = subprocess.run([str(programs["fuzz"]), "mutate", str(FUZZ_SEED), str(FUZZ_RUNS)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                          cwd=tmp_path, timeout=900)
    crashes = sorted(tmp_path.glob("crash-*"))
    assert proc.returncode == 0 and not crashes, (
        f"finding: {proc.stderr[-2000:]}\nsaved: {[c.name for c in crashes]} (copy them "
        "into tests/host/lz4/regressions/)")
    counts = dict(re.findall(r"(\w+)=([\d.]+)", proc.stdout))
    refused = int(counts["inputs"]) - int(counts["accepted"])
    assert refused >= FUZZ_MIN_REFUSED, proc.stdout
    assert int(counts["accepted"]) > 0, proc.stdout  # the valid paths ran too
    print(proc.stdout.strip())


@pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed (ci/setup.sh)")
def test_libfuzzer_harness_runs(tmp_path):
    """The libFuzzer build of the same harness, a short fixed run from the seeds."""
    exe = _compile(tmp_path / "fuzz_lf", [str(SRC / "fuzz_decompress.c"), str(SRC / "model.c"),
                                          *CODEC],
                   cc="clang", flags=["-fsanitize=fuzzer,address,undefined",
                                      "-fno-sanitize-recover=all"])
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    driver = _compile(tmp_path / "driver", [str(SRC / "fuzz_driver.c"),
                                            str(SRC / "fuzz_decompress.c"),
                                            str(SRC / "model.c"), *CODEC])
    assert run([driver, "seeds", seeds]).returncode == 0
    work = tmp_path / "corpus"
    shutil.copytree(seeds, work)
    proc = subprocess.run([str(exe), "-seed=1", "-runs=20000", "-max_len=4098", str(work)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=ENV, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Done 20000 runs" in proc.stdout


# --- lz4bench ---------------------------------------------------------------------------------

def test_lz4bench_reports_both_codecs(tmp_path):
    """The command runs on a tiny corpus and writes the figures; speeds are
    whatever they are (figures come only from the benchmark)."""
    out = tmp_path / "zb"
    proc = kit("lz4bench", "-O", str(out), "--corpus-kib", "64", "--rounds", "7")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "lz4bench.json").read_text())
    assert doc["corpus"]["blocks"] == 16 and doc["corpus"]["block_size"] == 4096
    assert doc["rounds"] == 7 and doc["cpu"]
    for op in ("compress", "decompress"):
        for codec in ("mmkit", "liblz4"):
            fig = doc["results"][op][codec]
            assert 0 < fig["min"] <= fig["median"] <= fig["max"]
            assert len(fig["rounds"]) == 7
        assert doc["results"][op]["paired"] > 0
    assert set(doc["ratio"]) == {"mmkit", "liblz4"} and all(r > 0 for r in doc["ratio"].values())
    assert len(doc["targets"]) == 3
    assert {t["status"] for t in doc["targets"]} <= {"met", "not met"}
    md = (out / "lz4bench.md").read_text()
    assert "## Targets" in md and doc["cpu"] in md
    assert "MET" in proc.stdout


@pytest.mark.parametrize("args, complaint", [
    (["--rounds", "3"], "--rounds must be 7..101"),
    (["--block", "0"], "--block must be 1..65536"),
    (["--corpus-kib", "0"], "holds no block"),
])
def test_lz4bench_refuses_bad_arguments(tmp_path, args, complaint):
    proc = kit("lz4bench", "-O", str(tmp_path / "zb"), *args)
    assert proc.returncode != 0
    assert proc.stderr.startswith("build.py: error: ") and complaint in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
