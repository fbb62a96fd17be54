"""Coverage: the kernel's .gcda files from its console, lcov, and the reports.

kernel-cov (Kconfig COVERAGE) is the test image with core/ and arch/
compiled with --coverage into <out>/cov/.  At the end of its run the kernel
(core/lib/gcov.c) sends every object's .gcda over the console, framed as
core/include/gcov.h describes.  This module checks the frame (lengths,
CRC-32 checksums, file count, end marker), writes each .gcda beside its
.gcno (remapping the absolute path the compiler embedded), refuses data
whose stamp does not match its .gcno, runs lcov and genhtml, and turns
lcov.info files into the summaries, the core/mm gate and the reach table
that `./build.py coverage` prints and writes.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import paths, procs, tools
from .archs import Arch
from .errors import KitError
from .fsutil import write_bytes_atomic

# Where kernel-cov's instrumented objects, .gcno and .gcda files live in <out>.
OBJ_DIR = "cov"
# Top-level source directories that are instrumented; the gcov runtime is not.
INSTRUMENTED = ("core", "arch")
RUNTIME = paths.ROOT / "core" / "lib" / "gcov.c"
# What `coverage` writes in <out> (lcov.info, html/).
REPORT_DIR = "coverage"

DUMP_PREFIX = "mmkit-gcov: "   # core/include/gcov.h GCOV_DUMP_PREFIX
DUMP_FORMAT = 1                # core/include/gcov.h GCOV_DUMP_FORMAT

GATE_DIR = "core/mm"
GATE_TARGET = 90.0

GCDA_MAGIC = 0x67636461        # "gcda"
GCNO_MAGIC = 0x67636E6F        # "gcno"

_FILE_RE = re.compile(r"^(\d+) ([0-9a-f]{8}) (.+)$")
_END_RE = re.compile(r"^(\d+)$")
_BEGIN_RE = re.compile(r"^v(\d+)$")


def instrumented(src: Path) -> bool:
    """Whether kernel-cov compiles ``src`` with --coverage."""
    try:
        rel = src.resolve().relative_to(paths.ROOT)
    except ValueError:
        return False  # generated files (<out>/gen) are built as in the test image
    # Assembly has nothing to instrument: kernel-cov links the test image's objects.
    return (rel.parts[0] in INSTRUMENTED and src.suffix == ".c"
            and src.resolve() != RUNTIME)


# --- the console dump ------------------------------------------------------------

class CaptureError(KitError):
    """The console does not hold one complete, intact coverage dump."""


@dataclass
class GcdaFile:
    path: str         # as the kernel sent it: absolute on the build machine
    data: bytes


@dataclass
class _Receiving:
    path: str
    size: int
    crc: int
    data: bytearray = field(default_factory=bytearray)


def _finish(cur: _Receiving) -> GcdaFile:
    if len(cur.data) != cur.size:
        raise CaptureError(f"coverage dump: length mismatch for {cur.path}: received "
                           f"{len(cur.data)} bytes, its header said {cur.size}")
    crc = zlib.crc32(bytes(cur.data))
    if crc != cur.crc:
        raise CaptureError(f"coverage dump: checksum mismatch for {cur.path}: CRC-32 "
                           f"{crc:08x}, its header said {cur.crc:08x}")
    return GcdaFile(cur.path, bytes(cur.data))


def parse_dump(console: str) -> list[GcdaFile]:
    """The .gcda files of the one coverage dump in ``console``, all checked.

    Lines without the dump prefix are other console output and are
    skipped; a line with the prefix that does not parse, a wrong length,
    checksum or file count, and a dump with no end marker are errors.  A
    last line without its newline was cut off and is ignored, so a capture
    cut anywhere reads as incomplete.
    """
    files: list[GcdaFile] = []
    cur: _Receiving | None = None
    begun = False
    lines = console.replace("\r\n", "\n").split("\n")
    # Text after the last newline is a line the console never finished
    # (the capture was cut there): it cannot be trusted, whatever it holds.
    lines.pop()
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.startswith(DUMP_PREFIX):
            continue
        word, _, rest = line[len(DUMP_PREFIX):].partition(" ")
        where = f"coverage dump, console line {lineno}"
        if word == "begin":
            m = _BEGIN_RE.match(rest)
            if begun:
                raise CaptureError(f"{where}: a second begin marker (two dumps in one run)")
            if not m or int(m.group(1)) != DUMP_FORMAT:
                raise CaptureError(f"{where}: dump format {rest!r} is not v{DUMP_FORMAT} "
                                   "(kernel and kit/coverage.py disagree)")
            begun = True
            continue
        if not begun:
            raise CaptureError(f"{where}: {word!r} line before the begin marker")
        if word == "error":
            raise CaptureError(f"the kernel could not send its coverage data: {rest}")
        if word == "file":
            m = _FILE_RE.match(rest)
            if not m:
                raise CaptureError(f"{where}: malformed file header {rest!r}")
            if cur is not None:
                files.append(_finish(cur))
            cur = _Receiving(m.group(3), int(m.group(1)), int(m.group(2), 16))
        elif word == "data":
            if cur is None:
                raise CaptureError(f"{where}: data line before any file header")
            try:
                chunk = base64.b64decode(rest, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise CaptureError(f"{where}: corrupt data line in {cur.path}: {exc}") from exc
            cur.data += chunk
            if len(cur.data) > cur.size:
                raise CaptureError(f"coverage dump: length mismatch for {cur.path}: more "
                                   f"than the {cur.size} bytes its header said")
        elif word == "end":
            m = _END_RE.match(rest)
            if not m:
                raise CaptureError(f"{where}: malformed end marker {rest!r}")
            if cur is not None:
                files.append(_finish(cur))
            if int(m.group(1)) != len(files):
                raise CaptureError(f"coverage dump: file count mismatch: received "
                                   f"{len(files)} files, the end marker says {m.group(1)}")
            return files
        else:
            raise CaptureError(f"{where}: unknown record {word!r}")
    if not begun:
        raise CaptureError("no coverage dump in the console (the guest did not reach the "
                           "end of its run, or the image is not kernel-cov)")
    if cur is not None:
        raise CaptureError(f"coverage capture incomplete: the console ends inside {cur.path} "
                           f"({len(cur.data)} of {cur.size} bytes, no end marker)")
    last = f" after {files[-1].path}" if files else ""
    raise CaptureError(f"coverage capture incomplete: the console ends{last} "
                       f"({len(files)} files received, no end marker)")


# --- .gcda / .gcno files -------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    version: int
    stamp: int


def read_header(data: bytes, magic: int, what: str) -> Header:
    """Magic, version and stamp of a .gcda or .gcno (either byte order)."""
    if len(data) < 12:
        raise KitError(f"{what}: too short for a gcov header ({len(data)} bytes)")
    for order in "<>":
        m, version, stamp = struct.unpack(order + "III", data[:12])
        if m == magic:
            return Header(version, stamp)
    raise KitError(f"{what}: not a {'gcda' if magic == GCDA_MAGIC else 'gcno'} file "
                   "(bad magic)")


GCDA_TAG_FUNCTION = 0x01000000
GCDA_TAG_SUMMARY = 0xA1000000
GCDA_TAG_COUNTER_BASE = 0x01A10000     # + (kind << 17), kinds 0..7


def check_gcda(data: bytes, what: str) -> None:
    """Walk a .gcda's records (GCC 12: lengths in bytes) and refuse a malformed one.

    gcov reads a malformed file as "no counts" without failing, which would
    turn a runtime bug into a report of untested code.
    """
    read_header(data, GCDA_MAGIC, what)
    if len(data) % 4 or len(data) < 20:
        raise CaptureError(f"{what}: malformed .gcda: {len(data)} bytes")
    words = struct.unpack(f"<{len(data) // 4}I", data)
    pos = 4
    while pos < len(words):
        tag = words[pos]
        if tag == 0:
            if pos != len(words) - 1:
                raise CaptureError(f"{what}: malformed .gcda: data after the end record")
            return
        if pos + 1 >= len(words):
            break
        length = struct.unpack("<i", struct.pack("<I", words[pos + 1]))[0]
        if tag == GCDA_TAG_FUNCTION:
            ok = length in (0, 12)
        elif tag == GCDA_TAG_SUMMARY:
            ok = length == 8
        elif (tag - GCDA_TAG_COUNTER_BASE) % (1 << 17) == 0 and \
                0 <= (tag - GCDA_TAG_COUNTER_BASE) >> 17 < 8:
            ok = length % 8 == 0
            length = max(length, 0)          # negative: that many zero bytes, not sent
        else:
            raise CaptureError(f"{what}: malformed .gcda: unknown tag 0x{tag:08x} at byte "
                               f"{pos * 4}")
        if not ok or pos + 2 + length // 4 > len(words):
            raise CaptureError(f"{what}: malformed .gcda: record 0x{tag:08x} at byte "
                               f"{pos * 4} has length {length}")
        pos += 2 + length // 4
    raise CaptureError(f"{what}: malformed .gcda: no end record")


def gcc_version(word: int) -> tuple[int, int] | None:
    """(major, minor) of GCC from a gcov version word such as 'B22*' (12.2)."""
    c = [(word >> s) & 0xFF for s in (24, 16, 8, 0)]
    if not (ord("A") <= c[0] <= ord("Z") and all(ord("0") <= x <= ord("9") for x in c[1:3])):
        return None
    return (c[0] - ord("A")) * 10 + c[1] - ord("0"), c[2] - ord("0")


def version_text(word: int) -> str:
    v = gcc_version(word)
    return f"GCC {v[0]}.{v[1]}" if v else f"gcov version 0x{word:08x}"


def gcno_for(embedded: str, out: Path) -> Path:
    """The .gcno in <out>/cov matching a .gcda path the compiler embedded.

    The path is absolute as it was on the build machine; the variant may
    since have moved (a CI clone lives elsewhere).  The longest tail of it
    that names an existing .gcno under <out>/cov wins.
    """
    parts = PurePosixPath(embedded).parts
    if not embedded.endswith(".gcda") or ".." in parts:
        raise CaptureError(f"coverage dump: refusing the path {embedded!r}")
    root = (out / OBJ_DIR).resolve()
    for i, part in enumerate(parts):
        if part != OBJ_DIR:
            continue
        gcno = (out / Path(*parts[i:])).with_suffix(".gcno")
        if gcno.is_file() and gcno.resolve().is_relative_to(root):
            return gcno
    raise CaptureError(f"coverage dump: no .gcno under {root} for {embedded} "
                       "(is this the variant that built the image?)")


def install_gcda(out: Path, files: list[GcdaFile]) -> list[Path]:
    """Write each .gcda beside its .gcno after checking they belong together.

    Every earlier .gcda under <out>/cov is removed first: lcov reads every
    one it finds, and one left from another run would be merged in.
    """
    targets = []
    for f in files:
        gcno = gcno_for(f.path, out)
        check_gcda(f.data, f.path)
        data_hdr = read_header(f.data, GCDA_MAGIC, f.path)
        note_hdr = read_header(gcno.read_bytes(), GCNO_MAGIC, str(gcno))
        rel = gcno.relative_to(out)
        if data_hdr.stamp != note_hdr.stamp or data_hdr.version != note_hdr.version:
            raise KitError(f"stale build: {rel} (stamp {note_hdr.stamp:08x}, "
                           f"{version_text(note_hdr.version)}) does not match the data the "
                           f"image sent (stamp {data_hdr.stamp:08x}, "
                           f"{version_text(data_hdr.version)}): the object was rebuilt after "
                           "the image ran; run the coverage command again")
        targets.append((gcno.with_suffix(".gcda"), f.data))
    seen = [t for t, _ in targets]
    if len(set(seen)) != len(seen):
        raise CaptureError("coverage dump: two files map to the same .gcda")
    for old in (out / OBJ_DIR).rglob("*.gcda"):
        old.unlink()
    for path, data in targets:
        write_bytes_atomic(path, data)
    return seen


# --- lcov and genhtml ---------------------------------------------------------------

LCOV_RC = ["--rc", "lcov_branch_coverage=1"]


def _tool_version(tool: str) -> tuple[int, int] | None:
    try:
        first = procs.run([tool, "--version"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True,
                          timeout=30).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)\.(\d+)\.\d+\s*$", first)
    return (int(m.group(1)), int(m.group(2))) if m else None


def gcov_tool(arch: Arch, version_word: int) -> str:
    """The gcov of the compiler that built the variant (same major.minor).

    Named after the compiler: riscv64-unknown-elf-gcc -> riscv64-unknown-elf-gcov,
    gcc -> gcov-<major> or gcov.
    """
    want = gcc_version(version_word)
    prefix = arch.cc[: -len("gcc")] if arch.cc.endswith("gcc") else ""
    names = ([f"{prefix}gcov-{want[0]}"] if want else []) + [f"{prefix}gcov"]
    tried = []
    for name in names:
        path = shutil.which(name)
        if path is None:
            continue
        have = _tool_version(path)
        if want is None or have == want:
            return path
        tried.append(f"{name} is {have[0]}.{have[1]}" if have else f"{name} (no version)")
    package = "gcc-riscv64-unknown-elf" if prefix.startswith("riscv64") else "gcc"
    raise KitError(f"no gcov matching the {version_text(version_word)} that built the image"
                   + (f" ({'; '.join(tried)})" if tried else f": install the Debian package "
                      f"'{package}'"))


def _run(cmd: list[str], what: str) -> None:
    proc = procs.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        detail = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.strip()), "")
        raise KitError(f"{what} failed (exit status {proc.returncode}): {detail}")


def lcov_test_name(label: str) -> str:
    """lcov test names allow letters, digits and underscores only."""
    return re.sub(r"[^A-Za-z0-9_]", "_", label)


def capture(out: Path, arch: Arch, label: str) -> Path:
    """lcov over <out>/cov -> <out>/coverage/lcov.info (with branch data)."""
    lcov = tools.require("lcov")
    gcdas = sorted((out / OBJ_DIR).rglob("*.gcda"))
    if not gcdas:
        raise KitError(f"no .gcda files under {out / OBJ_DIR}")
    tool = gcov_tool(arch, read_header(gcdas[0].read_bytes(), GCDA_MAGIC, str(gcdas[0])).version)
    dest = out / REPORT_DIR / "lcov.info"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(".lcov.info.tmp")
    _run([lcov, "--quiet", "--capture", "--directory", str(out / OBJ_DIR), "--gcov-tool", tool,
          "--test-name", lcov_test_name(label), "--output-file", str(tmp), *LCOV_RC],
         "lcov --capture")
    os.replace(tmp, dest)
    return dest


def merge(infos: list[Path], dest: Path) -> Path:
    """lcov -a: one tracefile summing ``infos`` (line, function and branch counts)."""
    lcov = tools.require("lcov")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name("." + dest.name + ".tmp")
    cmd = [lcov, "--quiet"]
    for info in infos:
        cmd += ["--add-tracefile", str(info)]
    _run(cmd + ["--output-file", str(tmp), *LCOV_RC], "lcov --add-tracefile")
    os.replace(tmp, dest)
    return dest


def html(info: Path, dest: Path, title: str) -> Path:
    """genhtml into ``dest`` (replaced only once the new report is complete)."""
    genhtml = tools.require("genhtml")
    tmp = dest.with_name("." + dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _run([genhtml, "--quiet", "--branch-coverage", *LCOV_RC, "--prefix", str(paths.ROOT),
          "--title", title, "--output-directory", str(tmp), str(info)], "genhtml")
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return dest / "index.html"


def collect(out: Path, arch: Arch, console: str, label: str) -> Path:
    """Console of a kernel-cov run -> .gcda files -> lcov.info and HTML in <out>/coverage."""
    install_gcda(out, parse_dump(console))
    info = capture(out, arch, label)
    html(info, out / REPORT_DIR / "html", f"mmkit coverage: {label}")
    return info


# --- reading lcov.info ------------------------------------------------------------

@dataclass
class FileCov:
    path: str                                   # relative to the source tree
    lines: dict[int, int] = field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)   # name -> (line, hits)
    branches: dict[tuple[int, str, str], int] = field(default_factory=dict)


def _rel(path: str) -> str:
    try:
        return Path(path).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return path


def load_info(info: Path) -> dict[str, FileCov]:
    """Per source file, from an lcov tracefile's DA, FN/FNDA and BRDA records."""
    files: dict[str, FileCov] = {}
    cur: FileCov | None = None
    fn_lines: dict[str, int] = {}
    for raw in info.read_text(encoding="utf-8").splitlines():
        key, _, val = raw.partition(":")
        if key == "SF":
            rel = _rel(val)
            cur = files.setdefault(rel, FileCov(rel))
            fn_lines = {}
        elif cur is None:
            continue
        elif key == "DA":
            line, hits = val.split(",")[:2]
            cur.lines[int(line)] = cur.lines.get(int(line), 0) + int(hits)
        elif key == "FN":
            line, name = val.split(",", 1)
            fn_lines[name] = int(line)
            cur.functions.setdefault(name, (int(line), 0))
        elif key == "FNDA":
            hits, name = val.split(",", 1)
            line, old = cur.functions.get(name, (fn_lines.get(name, 0), 0))
            cur.functions[name] = (line, old + int(hits))
        elif key == "BRDA":
            line, block, branch, taken = val.split(",")
            k = (int(line), block, branch)
            cur.branches[k] = cur.branches.get(k, 0) + (0 if taken == "-" else int(taken))
        elif key == "end_of_record":
            cur = None
    return files


@dataclass
class Totals:
    lines: tuple[int, int] = (0, 0)         # (hit, found)
    functions: tuple[int, int] = (0, 0)
    branches: tuple[int, int] = (0, 0)

    def add(self, f: FileCov) -> None:
        def plus(a: tuple[int, int], hit: int, found: int) -> tuple[int, int]:
            return a[0] + hit, a[1] + found
        self.lines = plus(self.lines, sum(1 for h in f.lines.values() if h), len(f.lines))
        self.functions = plus(self.functions, sum(1 for _, h in f.functions.values() if h),
                              len(f.functions))
        self.branches = plus(self.branches, sum(1 for h in f.branches.values() if h),
                             len(f.branches))


def percent(pair: tuple[int, int]) -> float | None:
    return 100.0 * pair[0] / pair[1] if pair[1] else None


def fmt(pair: tuple[int, int]) -> str:
    p = percent(pair)
    return f"{p:5.1f}% ({pair[0]}/{pair[1]})" if p is not None else "  n/a"


def directory_of(rel: str) -> str:
    return PurePosixPath(rel).parent.as_posix()


def totals(files: dict[str, FileCov], under: str | None = None) -> Totals:
    t = Totals()
    for rel, f in files.items():
        if under is None or rel == under or rel.startswith(under.rstrip("/") + "/"):
            t.add(f)
    return t


def summary(files: dict[str, FileCov], label: str) -> list[str]:
    """A few lines: the totals, then lines / functions / branches per directory."""
    all_ = totals(files)
    out = [f"coverage: {label}: lines {fmt(all_.lines).strip()}, functions "
           f"{fmt(all_.functions).strip()}, branches {fmt(all_.branches).strip()}"]
    dirs = sorted({directory_of(rel) for rel in files})
    width = max([len(d) for d in dirs] + [9])
    out.append(f"  {'directory':<{width}}  {'lines':<20}  {'functions':<20}  branches")
    for d in dirs:
        t = Totals()
        for rel, f in files.items():
            if directory_of(rel) == d:
                t.add(f)
        out.append(f"  {d:<{width}}  {fmt(t.lines):<20}  {fmt(t.functions):<20}  "
                   f"{fmt(t.branches)}")
    return out


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    start = prev = None
    for n in sorted(numbers) + [None]:
        if start is not None and (n is None or n != prev + 1):
            spans.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(spans)


def gate(files: dict[str, FileCov], directory: str = GATE_DIR,
         target: float = GATE_TARGET) -> tuple[bool, list[str]]:
    """Line coverage of ``directory`` against ``target``; lines left uncovered are listed.

    Nothing is excluded with markers: a line no test can reach stays in
    the figure and in the list, so the list says what the tests miss.
    """
    t = totals(files, directory)
    p = percent(t.lines)
    if p is None:
        return False, [f"coverage gate: {directory}: no instrumented lines in this report: "
                       "NOT MET"]
    met = p >= target
    out = [f"coverage gate: {directory} line coverage {p:.1f}% ({t.lines[0]}/{t.lines[1]}), "
           f"target {target:g}%: {'met' if met else 'NOT MET'}"]
    uncovered = {rel: [n for n, h in f.lines.items() if not h] for rel, f in sorted(files.items())
                 if rel.startswith(directory + "/")}
    uncovered = {rel: ns for rel, ns in uncovered.items() if ns}
    if uncovered:
        out.append(f"  lines in {directory} no test reached:")
        out.extend(f"    {rel}: {_ranges(ns)}" for rel, ns in uncovered.items())
    return met, out


# --- the matrix's reach table --------------------------------------------------------

def reach_table(variants: dict[str, dict[str, FileCov]], failed: dict[str, str]) -> str:
    """Markdown: which files and functions each variant reached, and which none did.

    A cell is "yes" (reached), "no" (built into the variant but never run)
    or "-" (not built into the variant: another arch or another option).
    """
    names = list(variants)
    rels = sorted({rel for v in variants.values() for rel in v})
    head = "| " + " | ".join(["file"] + names) + " |"
    rule = "|" + "---|" * (len(names) + 1)
    lines = ["# Coverage reach", "",
             "Generated by `./build.py coverage --matrix` (kit/coverage.py) -- do not edit.", "",
             "Variants: " + ", ".join(f"`{n}`" for n in names) + ".", ""]
    if failed:
        lines += ["Left out (their run or capture failed): "
                  + "; ".join(f"`{n}`: {why}" for n, why in failed.items()) + ".", ""]
    lines += ["A cell is **yes** (reached), **no** (built in, never run) or **-** (not built in);",
              "a file cell gives its line coverage in that variant.  What runs after the",
              "kernel has sent its counters (the end-of-run marker, `arch_exit`) is never",
              "counted.", "",
              "## Files", "", head, rule]
    for rel in rels:
        cells = []
        for n in names:
            f = variants[n].get(rel)
            if f is None:
                cells.append("-")
            else:
                hit = any(f.lines.values())
                p = percent(Totals(lines=(sum(1 for h in f.lines.values() if h), len(f.lines)))
                            .lines)
                cells.append(("yes" if hit else "no") + (f" {p:.0f}%" if p is not None else ""))
        lines.append("| " + " | ".join([f"`{rel}`"] + cells) + " |")

    lines += ["", "## Functions", "", "| " + " | ".join(["function"] + names) + " |", rule]
    never: list[str] = []
    for rel in rels:
        fns = sorted({(f.functions[name][0], name) for v in variants.values()
                      for f in [v.get(rel)] if f for name in f.functions})
        for line, name in fns:
            cells = []
            for n in names:
                f = variants[n].get(rel)
                if f is None or name not in f.functions:
                    cells.append("-")
                else:
                    cells.append("yes" if f.functions[name][1] else "no")
            lines.append("| " + " | ".join([f"`{rel}:{line}` `{name}`"] + cells) + " |")
            if "yes" not in cells:
                never.append(f"- `{rel}:{line}` `{name}`")
    unreached_files = [f"- `{rel}`" for rel in rels
                       if not any(any(v[rel].lines.values()) for v in variants.values()
                                  if rel in v)]
    lines += ["", "## Reached by no variant", "", "Files:", ""]
    lines += unreached_files or ["- (none)"]
    lines += ["", "Functions:", ""]
    lines += never or ["- (none)"]
    return "\n".join(lines) + "\n"
