"""The repository stands on its own: nothing in it refers to a document or
path outside it (a design note on one machine, a sibling checkout)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import ROOT

MD_NAME = re.compile(r"(?<![\w./-])([\w./-]*[\w-]\.md)\b")
# Markdown the kit writes into build directories, never checked in.
WRITTEN = {"report.md", "reach.md", "hostbench.md"}
# Paths that leave the tree: a parent's sibling, or an absolute path into a
# workspace.  (Spelled in pieces so that this file does not match itself.)
OUTSIDE = re.compile(r"\.\./" + "shared" + r"|(?<![\w.])/" + "work/")


def tracked() -> list[Path]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    return [ROOT / name for name in out.split("\0") if name]


def texts() -> dict[str, str]:
    found = {}
    for path in tracked():
        try:
            found[path.relative_to(ROOT).as_posix()] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
    return found


def test_every_markdown_document_named_is_in_the_repository():
    files = texts()
    names = {Path(rel).name for rel in files}
    missing = []
    for rel, text in files.items():
        for lineno, line in enumerate(text.splitlines(), 1):
            for doc in MD_NAME.findall(line):
                if Path(doc).name in WRITTEN:
                    continue
                if "/" in doc:
                    here = (ROOT / rel).parent / doc
                    ok = (ROOT / doc).is_file() or here.is_file()
                else:
                    ok = doc in names
                if not ok:
                    missing.append(f"{rel}:{lineno}: {doc}")
    assert not missing, "documents named but not in the repository:\n" + "\n".join(missing)


def test_no_path_leads_outside_the_repository():
    found = [f"{rel}:{lineno}: {line.strip()}"
             for rel, text in texts().items()
             for lineno, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not found, "paths outside the repository:\n" + "\n".join(found)
