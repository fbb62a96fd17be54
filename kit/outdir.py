"""A variant's output directory: made (and marked) by the kit, checked
before anything is written to it, and removed only when the kit made it.

`clean` deletes a whole directory, so what it may delete must be beyond
doubt: not "a directory holding a .config" (a home directory holds
~/.config, a Linux tree its own .config), but one holding MARKER, which
the kit writes only into a directory it created (or found empty).  A
directory the kit merely wrote into (`-O` naming an existing, non-empty
directory) is never marked, so `clean` refuses it.
"""
from __future__ import annotations

import errno
import shutil
from pathlib import Path

from .errors import KitError
from .fsutil import write_atomic

MARKER = ".mmkit-build"
MARKER_TEXT = ("This directory was created by mmkit's build.py to hold one variant's build.\n"
               "./build.py clean -O <this directory> removes it, and only a directory with\n"
               "this file.\n")


def _oserror(out: Path, exc: OSError) -> KitError:
    what = {errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted"}.get(exc.errno, exc.strerror or str(exc))
    return KitError(f"cannot use {out} as an output directory: {what}")


def prepare(out: Path) -> None:
    """Make ``out`` ready to hold a variant, or fail with one line.

    Creates it (and its parents) when missing and marks it; a directory
    that exists is checked to be writable, and marked only when empty.
    """
    for parent in [out, *out.parents]:
        if parent.exists():
            if not parent.is_dir():
                where = "is a file" if parent == out else f"is under {parent}, which is a file"
                raise KitError(f"cannot use {out} as an output directory: it {where}")
            break
    try:
        fresh = not out.exists() or not any(out.iterdir())
        out.mkdir(parents=True, exist_ok=True)
        if fresh:
            write_atomic(out / MARKER, MARKER_TEXT)
        else:
            probe = out / ".mmkit-probe"
            probe.touch()
            probe.unlink()
    except OSError as exc:
        raise _oserror(out, exc) from None


def made_by_kit(out: Path) -> bool:
    return (out / MARKER).is_file()


def remove(out: Path) -> bool:
    """Delete a directory the kit made; False when there is nothing to delete."""
    if not out.exists() and not out.is_symlink():
        return False
    if not out.is_dir() or out.is_symlink() or not made_by_kit(out):
        raise KitError(f"refusing to delete {out}: the kit did not create it (no {MARKER} "
                       "in it); remove it yourself if it is yours to remove")
    try:
        shutil.rmtree(out)
    except OSError as exc:
        raise KitError(f"could not delete all of {out}: {exc.strerror}: {exc.filename}") from None
    return True
