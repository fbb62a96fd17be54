"""Writing files so that nothing is ever left half-written."""
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_if_changed(path: Path, data: str) -> bool:
    """Write only when the content differs, so Ninja sees no change otherwise.

    Returns True when the file was (re)written.
    """
    try:
        if path.read_text(encoding="utf-8") == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True
