"""Writing files so that nothing is ever left half-written.

A file is written to a temporary name beside its target and renamed over
it.  The temporary file comes from mkstemp, which creates it 0600; it gets
the mode an ordinary open() would have given (0666 less the umask) before
it is renamed, so .config, build.ninja and gen/* read like any other file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _read_umask() -> int:
    """The process umask, read without changing it where Linux allows.

    os.umask() can only be read by setting it, which would race with other
    threads creating files (the matrix runs cells in threads); so read
    /proc/self/status once, and fall back to set-and-restore at import time.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_read_umask()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        # A Ctrl-C can land after the rename: then there is nothing to
        # remove, and the interrupt, not a missing file, is what to report.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(path: Path, data: str) -> None:
    """Write text (UTF-8, LF line ends) atomically; see write_bytes_atomic."""
    write_bytes_atomic(path, data.encode("utf-8"))


def write_if_changed(path: Path, data: str) -> bool:
    """Write only when the content differs, so Ninja sees no change otherwise.

    Returns True when the file was (re)written.
    """
    try:
        if path.read_bytes() == data.encode("utf-8"):
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True
