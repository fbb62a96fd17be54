"""kit/fsutil.py: a write is whole or absent, whenever it is interrupted."""
import os
from pathlib import Path

import pytest

from kit import fsutil


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_interrupt_after_the_rename_is_the_interrupt(tmp_path: Path, monkeypatch):
    """Ctrl-C between the rename and the return (the clean-clone CI run caught
    it as "No such file or directory: gen/config/.POOL_FILE_COUNT.*" instead of
    "interrupted"): the new file is in place, nothing is left beside it, and
    the KeyboardInterrupt reaches the caller."""
    target = tmp_path / "f"
    target.write_text("old\n")
    real = os.replace

    def replace_then_interrupt(src, dst):
        real(src, dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        fsutil.write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert leftovers(tmp_path) == []


def test_interrupt_before_the_rename_leaves_the_old_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "f"
    target.write_text("old\n")

    def interrupt(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fsutil.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []
