"""The boundaries docs/ARCHITECTURE.md promises, checked on the tree.

Each is a grep a reviewer would otherwise run by hand: Kconfig values reach
C only through autoconf.h, templates render data and never code, a fact
about the modes is named once, core/ never reaches into arch/, and the
repository refers to nothing outside itself.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
C_DIRS = ("core", "arch", "tests")


def sources(*suffixes: str):
    for top in C_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in suffixes and path.is_file():
                yield path


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_kconfig_value_is_defined_in_c():
    """No #define CONFIG_X, and no #ifndef CONFIG_X / #define default pair."""
    bad = []
    fallback = re.compile(r"#ifndef (CONFIG_\w+)\s*\n\s*#define \w+")
    for path in sources(".c", ".h", ".S"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*#\s*define\s+CONFIG_", text, re.M) or fallback.search(text):
            bad.append(rel(path))
    assert not bad, f"Kconfig fallbacks in C: {bad}"


def test_templates_render_no_c_function_bodies():
    """A template is data: a function definition there would be code in Jinja."""
    definition = re.compile(r"^[A-Za-z_][\w \t*]*\([^;{}]*\)\s*\{", re.M)
    bad = [p.name for p in sorted((ROOT / "templates").glob("*.j2"))
           if p.name != "build.ninja.j2" and definition.search(p.read_text(encoding="utf-8"))]
    assert not bad, f"C function bodies in templates: {bad}"


def test_the_modes_are_not_repeated_outside_kconfig():
    """'has slabs' and 'has a heap region' are Kconfig SLAB and HEAP_REGION."""
    pattern = re.compile(r"MM_TWOTIER\s*\|\|\s*MM_HYBRID|MM_SIMPLEHEAP\s*\|\|\s*MM_HYBRID"
                         r"|defined\(CONFIG_MM_TWOTIER\)\s*\|\|")
    bad = []
    for path in list(sources(".c", ".h")) + sorted(ROOT.rglob("*.toml")) + \
            sorted((ROOT / "kit").glob("*.py")):
        if "build" in path.relative_to(ROOT).parts[:1]:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            bad.append(rel(path))
    assert not bad, f"mode disjunctions outside Kconfig: {bad}"


def test_core_includes_nothing_from_arch():
    bad = [rel(p) for p in sorted((ROOT / "core").rglob("*.[ch]"))
           if re.search(r'#include\s+["<][^">]*arch/', p.read_text(encoding="utf-8"))]
    assert not bad, f"core/ includes arch/: {bad}"


def test_mm_private_headers_stay_in_core_mm():
    """mm's internals (strategies, pcp, slab layout, fronts) are not public API."""
    private = {"buddy_pa.h", "bitmap_pa.h", "pcp.h", "slab_def.h", "zone.h",
               "kmalloc_front.h", "pa_strategy.h"}
    assert not private & {p.name for p in (ROOT / "core" / "include").glob("*.h")}


def test_nothing_refers_outside_the_repository():
    # (Spelled in pieces so that this file does not match itself.)
    pattern = re.compile(r"\.\./shared|TOOLCHAIN\.md|(?<![\w.])/" + "work/")
    bad = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if not path.is_file() or parts[0] in ("build", ".git") or path.suffix in (".pyc",):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if pattern.search(text) and path != Path(__file__):
            bad.append(rel(path))
    assert not bad, f"references outside the repository: {bad}"


# Markdown the kit writes into build directories, never checked in; and
# documents of other projects, cited by name (LZ4's block format).
WRITTEN_MD = {"report.md", "reach.md", "hostbench.md", "lz4bench.md", "realbench.md"}
UPSTREAM_MD = {"lz4_Block_format.md"}
MD_NAME = re.compile(r"(?<![\w./-])([\w./-]*[\w-]\.md)\b")


def test_every_markdown_document_named_is_in_the_repository():
    """A document a file points to (a design note, a guide) is checked in."""
    files = [p for p in sorted(ROOT.rglob("*")) if p.is_file()
             and p.relative_to(ROOT).parts[0] not in ("build", ".git", ".pytest_cache")]
    names = {p.name for p in files}
    missing = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            for doc in MD_NAME.findall(line):
                if Path(doc).name in WRITTEN_MD | UPSTREAM_MD:
                    continue
                found = ((ROOT / doc).is_file() or (path.parent / doc).is_file()
                         if "/" in doc else doc in names)
                if not found:
                    missing.append(f"{rel(path)}:{lineno}: {doc}")
    assert not missing, "documents named but not in the repository:\n" + "\n".join(missing)
