""".gcda and .gcno files: GCC 12's gcov format, as far as the kit needs it.

The kernel sends each object's .gcda (kit/gcov_dump.py); this module
checks each one's record layout (gcov reads a malformed file as "no
counts" without failing), finds the .gcno it belongs beside (remapping
the absolute path the compiler embedded: the variant may have moved since
it was built), refuses data whose stamp does not match its .gcno (a stale
build), writes the files, and finds the gcov of the compiler that built
them.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import procs
from .archs import Arch
from .errors import KitError
from .fsutil import write_bytes_atomic
from .gcov_dump import CaptureError, GcdaFile

# Where kernel-cov's instrumented objects, .gcno and .gcda files live in <out>.
OBJ_DIR = "cov"

GCDA_MAGIC = 0x67636461        # "gcda"
GCNO_MAGIC = 0x67636E6F        # "gcno"


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
