"""The coverage dump on the console: kernel-cov's .gcda files, framed.

At the end of its run the kernel (core/lib/gcov.c) sends every object's
.gcda over the console as core/include/gcov.h describes:

    mmkit-gcov: begin v1
    mmkit-gcov: file <length> <crc32> <path as compiled>
    mmkit-gcov: data <base64>          (as many as the file needs)
    ...
    mmkit-gcov: end <number of files>

This module reads that frame back and checks it (lengths, CRC-32
checksums, file count, end marker): a capture cut short or damaged is an
error, never a quietly wrong report.  What the files hold is kit/gcda.py's
business.
"""
from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field

from .errors import KitError

DUMP_PREFIX = "mmkit-gcov: "   # core/include/gcov.h GCOV_DUMP_PREFIX
DUMP_FORMAT = 1                # core/include/gcov.h GCOV_DUMP_FORMAT

_FILE_RE = re.compile(r"^(\d+) ([0-9a-f]{8}) (.+)$")
_END_RE = re.compile(r"^(\d+)$")
_BEGIN_RE = re.compile(r"^v(\d+)$")


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
                                   "(kernel and kit/gcov_dump.py disagree)")
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
