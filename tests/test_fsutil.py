"""kit/fsutil.py: a write is whole or absent, whenever it is interrupted."""
import os
from pathlib import Path

import pytest

from kit import fsutil


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("renamed, content", [
    # Ctrl-C between the rename and the return (the clean-clone CI run caught
    # it as "No such file or directory: gen/config/.POOL_FILE_COUNT.*" instead
    # of "interrupted"): the new file is in place.
    (True, "new\n"),
    (False, "old\n"),
], ids=["after-the-rename-the-new-file", "before-the-rename-the-old-file"])
def test_interrupt_is_the_interrupt_and_leaves_one_whole_file(
        tmp_path: Path, monkeypatch, renamed: bool, content: str):
    """Nothing is left beside the file, and the KeyboardInterrupt reaches the caller."""
    target = tmp_path / "f"
    target.write_text("old\n")
    real = os.replace

    def interrupt(src, dst):
        if renamed:
            real(src, dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fsutil.write_atomic(target, "new\n")
    assert target.read_text() == content
    assert leftovers(tmp_path) == []
