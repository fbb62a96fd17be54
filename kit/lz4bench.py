"""Host benchmark of the LZ4 codec: mmkit's core/lib/lz4.c against liblz4.

Both codecs are compiled into one program (tests/host/lz4/lz4bench.c) at
-O2, without sanitizers, and timed in the same run on the same corpus of
blocks (4 KiB by default, the compressed store's page size), rounds
interleaved so that a change in the machine's speed during the run falls
on both.  Compression: lz4_compress(acceleration 1) against
LZ4_compress_default().  Decompression: both decoders on the same blocks
(liblz4's output), so that the figure compares decoders only.  The program
checks every block both ways before and after timing.

The corpus is real data read from this machine, in a fixed order so that
it is the same from run to run on the same system: slices of executables
(/usr/bin), shared libraries (/usr/lib) and text (licences, C headers),
in about equal shares.  Compressed files (.gz and the like) are left out: they
would only measure copying.

Figures are MB/s (10^6 bytes of uncompressed data per second, host wall
clock): min, median and max over the rounds, the median over rounds of
mmkit's speed over liblz4's in the same round (steadier when the machine's
load changes), and the compression ratio (bytes in / bytes out) of each
codec.  The targets of issue 18 are
judged on the medians and reported as met or not met with the numbers;
nothing here decides a test's outcome.
"""
from __future__ import annotations

import json
import platform
import subprocess
from pathlib import Path

from . import paths, procs, tools
from .errors import KitError
from .fsutil import write_atomic, write_bytes_atomic

SRC = paths.ROOT / "tests" / "host" / "lz4"
CODEC = paths.ROOT / "core" / "lib" / "lz4.c"
HEADERS = [paths.ROOT / "core" / "include" / n for n in ("lz4.h", "kerrno.h", "compiler.h")]
CFLAGS = ["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-fno-omit-frame-pointer"]

MIN_ROUNDS, MAX_ROUNDS = 7, 101
SLICE = 64 * 1024            # bytes taken from one file before moving to the next
SKIP_SUFFIXES = (".gz", ".xz", ".bz2", ".zst", ".lz4", ".zip", ".jpg", ".png")

# The issue's targets: speed as a fraction of liblz4's (medians), and the
# ratio no more than this fraction below liblz4's.
SPEED_TARGET = 0.70
RATIO_TOLERANCE = 0.02


# --- the corpus ----------------------------------------------------------------------

def _files(pattern_roots: list[tuple[Path, str]], min_size: int) -> list[Path]:
    found: list[Path] = []
    for root, pattern in pattern_roots:
        if not root.is_dir():
            continue
        for p in sorted(root.glob(pattern)):
            try:
                if p.is_symlink() or not p.is_file() or p.suffix in SKIP_SUFFIXES:
                    continue
                if p.stat().st_size >= min_size:
                    found.append(p)
            except OSError:
                continue
    return found


def sources() -> dict[str, list[Path]]:
    """The system files the corpus is cut from, by kind, in a fixed order."""
    usr = Path("/usr")
    return {
        "executables": _files([(usr / "bin", "*")], SLICE),
        "libraries": _files([(usr / "lib", "*/*.so*"), (usr / "lib", "*.so*")], SLICE),
        "text": _files([(usr / "share" / "common-licenses", "*"), (usr / "include", "*.h"),
                        (usr / "include", "*/*.h")], 1024),
    }


def _slice(path: Path, size: int) -> bytes:
    """Up to @size bytes from the middle of the file (past headers, into code or prose)."""
    try:
        with path.open("rb") as f:
            total = f.seek(0, 2)
            start = max(0, (total // 2 - size // 2)) & ~4095
            f.seek(start)
            return f.read(size)
    except OSError:
        return b""


def build_corpus(size: int) -> tuple[bytes, dict[str, int]]:
    """@size bytes of real data, in equal shares of each kind as far as the
    files allow (the kind with the fewest bytes so far goes next); and the
    bytes taken per kind."""
    by_kind = sources()
    empty = [k for k, v in by_kind.items() if not v]
    if empty:
        raise KitError(f"lz4bench: no {' or '.join(empty)} files found under /usr to build "
                       "the corpus from")
    taken = {k: 0 for k in by_kind}
    cursor = {k: 0 for k in by_kind}
    parts: list[bytes] = []
    have = 0
    while have < size:
        left = [k for k in by_kind if cursor[k] < len(by_kind[k])]
        if not left:
            break
        kind = min(left, key=lambda k: (taken[k], list(by_kind).index(k)))
        data = _slice(by_kind[kind][cursor[kind]], min(SLICE, size - have))
        cursor[kind] += 1
        parts.append(data)
        taken[kind] += len(data)
        have += len(data)
    if have < size:
        raise KitError(f"lz4bench: only {have} bytes of corpus data found under /usr, "
                       f"{size} wanted: ask for a smaller --corpus-kib")
    return b"".join(parts)[:size], taken


# --- building and running ---------------------------------------------------------------

def build(out: Path) -> Path:
    exe = out / "lz4bench"
    cmd = [tools.require("gcc"), *CFLAGS, "-iquote", str(paths.ROOT / "core" / "include"),
           str(SRC / "lz4bench.c"), str(CODEC), "-llz4", "-o", str(exe)]
    out.mkdir(parents=True, exist_ok=True)
    proc = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        lines = proc.stdout.strip().splitlines()
        first = next((ln for ln in lines if "error" in ln), lines[-1] if lines else "")
        hint = " (is the Debian package 'liblz4-dev' installed? ci/setup.sh installs it)" \
            if "lz4" in first and ("No such file" in first or "cannot find" in first) else ""
        raise KitError(f"lz4bench: building the benchmark failed: {first}{hint}")
    return exe


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _gcc_version() -> str:
    proc = procs.run([tools.require("gcc"), "-dumpfullversion"], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)
    return proc.stdout.strip() or "?"


def evaluate(results: dict, ratio: dict) -> list[dict]:
    """The issue's three targets, from the medians and the ratios."""
    rows = []
    for op in ("compress", "decompress"):
        mine, ref = results[op]["mmkit"]["median"], results[op]["liblz4"]["median"]
        share = mine / ref if ref else 0.0
        rows.append({
            "target": f"{op} at least {SPEED_TARGET:.0%} of liblz4's speed",
            "status": "met" if share >= SPEED_TARGET else "not met",
            "measured": f"mmkit {mine:.0f} MB/s, liblz4 {ref:.0f} MB/s: {share:.0%}",
        })
    floor = ratio["liblz4"] * (1 - RATIO_TOLERANCE)
    rows.append({
        "target": f"ratio within {RATIO_TOLERANCE:.0%} of liblz4's (no more than that below it)",
        "status": "met" if ratio["mmkit"] >= floor else "not met",
        "measured": f"mmkit {ratio['mmkit']:.3f}, liblz4 {ratio['liblz4']:.3f} "
                    f"({(ratio['mmkit'] / ratio['liblz4'] - 1):+.2%})",
    })
    return rows


def run(out: Path, corpus_kib: int, rounds: int, block: int, timeout: float = 1800) -> dict:
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise KitError(f"lz4bench: --rounds must be {MIN_ROUNDS}..{MAX_ROUNDS}, not {rounds}")
    if not 1 <= block <= 65536:
        raise KitError(f"lz4bench: --block must be 1..65536 bytes, not {block}")
    if corpus_kib < 1 or corpus_kib * 1024 < block:
        raise KitError(f"lz4bench: --corpus-kib {corpus_kib} holds no block of {block} bytes")
    if corpus_kib > 1024 * 1024:
        raise KitError(f"lz4bench: --corpus-kib {corpus_kib} is more than 1 GiB")
    exe = build(out)
    data, kinds = build_corpus(corpus_kib * 1024)
    corpus = out / "corpus.bin"
    write_bytes_atomic(corpus, data)
    try:
        proc = procs.run([str(exe), str(corpus), str(rounds), str(block)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise KitError(f"lz4bench: the benchmark did not finish within {timeout:g} s") from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise KitError(f"lz4bench: the benchmark failed (status {proc.returncode}): {detail}")
    try:
        raw = json.loads(proc.stdout)
    except ValueError as exc:
        raise KitError(f"lz4bench: unreadable output from the benchmark: {exc}") from exc

    results: dict[str, dict] = {"compress": {}, "decompress": {}}
    for fig in raw["figures"]:
        results[fig["op"]][fig["codec"]] = {k: fig[k] for k in
                                            ("min", "median", "max", "rounds", "passes")}
    for op, r in results.items():
        # The two codecs of one round ran back to back: their ratio is
        # steadier under a changing load than the ratio of the medians.
        pairs = sorted(m / t for m, t in zip(r["mmkit"]["rounds"], r["liblz4"]["rounds"]) if t)
        r["paired"] = pairs[(len(pairs) - 1) // 2] if pairs else 0.0
    ratio = {codec: raw["bytes"] / raw["compressed"][codec] for codec in ("mmkit", "liblz4")}
    doc = {
        "v": 1,
        "unit": "MB/s (10^6 bytes of uncompressed data per second), host wall clock",
        "cpu": cpu_model(),
        "compiler": f"gcc {_gcc_version()}",
        "cflags": CFLAGS,
        "liblz4_version": raw["liblz4_version"],
        "corpus": {"bytes": raw["bytes"], "blocks": raw["blocks"],
                   "block_size": raw["block_size"], "kinds": kinds},
        "rounds": raw["rounds"],
        "order": "interleaved: each round times both codecs back to back, mmkit first in "
                 "even rounds and liblz4 first in odd ones",
        "compress": "mmkit lz4_compress(acceleration 1) vs liblz4 LZ4_compress_default()",
        "decompress": "mmkit lz4_decompress() vs liblz4 LZ4_decompress_safe(), both on "
                      "liblz4's compressed blocks",
        "results": results,
        "compressed_bytes": raw["compressed"],
        "ratio": ratio,
        "targets": evaluate(results, ratio),
    }
    write_atomic(out / "lz4bench.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    write_atomic(out / "lz4bench.md", "\n".join(markdown(doc)) + "\n")
    corpus.unlink()
    return doc


def markdown(doc: dict) -> list[str]:
    c = doc["corpus"]
    kinds = ", ".join(f"{k} {v // 1024} KiB" for k, v in c["kinds"].items())
    lines = ["# LZ4: mmkit against liblz4 (host)", "",
             f"CPU: {doc['cpu']}; {doc['compiler']} {' '.join(doc['cflags'])}; "
             f"liblz4 {doc['liblz4_version']}.", "",
             f"Corpus: {c['blocks']} blocks of {c['block_size']} bytes ({kinds}); "
             f"{doc['rounds']} rounds, {doc['order']}.", "",
             f"{doc['unit']}.", "",
             "| operation | codec | min | median | max |",
             "|---|---|---|---|---|"]
    for op in ("compress", "decompress"):
        for codec in ("mmkit", "liblz4"):
            r = doc["results"][op][codec]
            lines.append(f"| {op} | {codec} | {r['min']:.0f} | {r['median']:.0f} | "
                         f"{r['max']:.0f} |")
    lines += ["", "mmkit / liblz4 speed, median of the rounds' ratios (each round runs "
                  "both back to back): compress "
                  f"{doc['results']['compress']['paired']:.0%}, decompress "
                  f"{doc['results']['decompress']['paired']:.0%}."]
    lines += ["", f"Ratio (bytes in / bytes out): mmkit {doc['ratio']['mmkit']:.3f}, "
                  f"liblz4 {doc['ratio']['liblz4']:.3f}.", "",
              f"Compress: {doc['compress']}.  Decompress: {doc['decompress']}.", "",
              "## Targets", "", "| target | status | measured |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['status'].upper()} | {t['measured']} |"
              for t in doc["targets"]]
    return lines
