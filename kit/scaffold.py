"""`build.py new-allocator NAME --kind front|pages`: the files of a new
allocator, every function of its interface a stub.

A front (an allocator mode) gets core/mm/kmalloc_NAME.c and Kconfig MM_NAME
in the "Allocator mode" choice; a page strategy gets core/mm/NAME_pa.c and
NAME_pa.h, Kconfig PAGE_ALLOC_NAME in the "Page allocator" choice and an
#elif in core/mm/pa_strategy.h.  Both get their core/sources.toml line, a
preset configs/NAME.config, a row in README's table of variants and the
CI workflow regenerated with the new preset's cells.  The C comes from
kit/skeletons/ (sources to edit, not generated files: they are written
once and then belong to the user).  The new variant builds and boots, and
the conformance group names each stub until it is written
(docs/ALLOCATOR_INTERFACE.md).

A name is refused (one line, nothing written) unless it is a lowercase C
identifier that is not a C keyword, a word the kit reserves, an existing
mode, page strategy, preset or Kconfig symbol, or a file already there.
Every file is written or none is.
"""
from __future__ import annotations

import keyword
import os
import re
from pathlib import Path
from string import Template

from . import allocators, paths
from .errors import KitError

SKELETONS = paths.KIT / "skeletons"
KCONFIG_MM = paths.ROOT / "core" / "mm" / "Kconfig"
SOURCES = paths.ROOT / "core" / "sources.toml"
PA_STRATEGY = paths.ROOT / "core" / "mm" / "pa_strategy.h"
README = paths.ROOT / "README.md"
MM_DIR = paths.ROOT / "core" / "mm"

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
    "asm", "typeof", "alignas", "alignof", "noreturn", "static_assert", "thread_local",
}
# Words the kit gives a meaning already: the matrix file's "all", the kinds,
# the interface's own file names (kmalloc_front.h, kmalloc_fast.h), and the
# layers a new allocator sits between.
RESERVED = {"all", "none", "front", "pages", "fast", "kmalloc", "page", "pa", "strategy",
            "slab", "heap", "zone", "pcp", "mm"}
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
NAME_MAX = 24

# Where README's table of variants is: its header row.
README_TABLE = "| Preset | Mode | Page allocator | What it is for |"
# The line of pa_strategy.h after which a new strategy's #elif goes.
PA_MARKER = ("/* Strategies written since, one #elif each "
             "(./build.py new-allocator --kind pages). */")


def check_name(kconf, name: str) -> None:
    """A one-line KitError unless ``name`` can be a new allocator's."""
    from .fragments import presets
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise KitError(f"new-allocator: '{name}' is not a C identifier (letters, digits and _, "
                       "not starting with a digit)")
    if not NAME_RE.fullmatch(name):
        raise KitError(f"new-allocator: '{name}': use lowercase (the name is the preset's and "
                       "the file's; Kconfig gets it in capitals)")
    if len(name) > NAME_MAX:
        raise KitError(f"new-allocator: '{name}' is longer than {NAME_MAX} characters")
    if name in C_KEYWORDS or keyword.iskeyword(name):
        raise KitError(f"new-allocator: '{name}' is a reserved word")
    if name in RESERVED:
        raise KitError(f"new-allocator: '{name}' is reserved by the kit "
                       f"(reserved: {', '.join(sorted(RESERVED))})")
    for kind in allocators.KINDS:
        for a in allocators.of_kind(kconf, kind):
            if a.name == name:
                what = "an allocator mode" if kind == "front" else "a page allocator"
                raise KitError(f"new-allocator: '{name}' is {what} already "
                               f"(Kconfig {a.symbol})")
    if name in presets():
        raise KitError(f"new-allocator: '{name}' is a preset already (configs/{name}.config)")
    for prefix in (p for _, p in allocators.KINDS.values()):
        symbol = prefix + name.upper()
        if symbol in kconf.syms and kconf.syms[symbol].nodes:
            raise KitError(f"new-allocator: Kconfig has a symbol {symbol} already")
    for path in (MM_DIR / f"kmalloc_{name}.c", MM_DIR / f"kmalloc_{name}.h",
                 MM_DIR / f"{name}_pa.c", MM_DIR / f"{name}_pa.h"):
        if path.exists():
            raise KitError(f"new-allocator: {path.relative_to(paths.ROOT)} exists already")


def _title(name: str) -> str:
    return name.replace("_", " ").title().replace(" ", "")


def _kconfig_entry(kind: str, name: str, title: str, files: str) -> str:
    symbol = allocators.KINDS[kind][1] + name.upper()
    what = "kmalloc front" if kind == "front" else "page allocator strategy"
    return (f"config {symbol}\n"
            f"\tbool \"{title}: a new {what} (scaffolded)\"\n"
            f"\thelp\n"
            f"\t  Written by ./build.py new-allocator: {files}.\n"
            f"\t  Every function is a stub until filled in, so the\n"
            f"\t  conformance suites (./build.py test --group conformance)\n"
            f"\t  fail naming each one.  Say here what {title} is and what\n"
            f"\t  it is for (docs/ALLOCATOR_INTERFACE.md).\n\n")


def _insert_in_choice(text: str, prompt: str, entry: str) -> str:
    """``entry`` before the endchoice of the choice whose prompt is ``prompt``."""
    start = text.find(f'prompt "{prompt}"')
    end = text.find("endchoice", start)
    if start < 0 or end < 0:
        raise KitError(f"new-allocator: {KCONFIG_MM.relative_to(paths.ROOT)} has no choice "
                       f"\"{prompt}\"")
    return text[:end] + entry + text[end:]


def _insert_source(text: str, line: str, after: str) -> str:
    """``line`` after the last [conditional] line naming a file like ``after``."""
    lines = text.splitlines(keepends=True)
    last = max((i for i, ln in enumerate(lines) if re.match(after, ln)), default=None)
    if last is None:
        raise KitError(f"new-allocator: {SOURCES.relative_to(paths.ROOT)} has no line "
                       f"matching {after}")
    lines.insert(last + 1, line + "\n")
    return "".join(lines)


def _readme_row(text: str, row: str) -> str:
    """``row`` at the end of README's table of variants."""
    start = text.find(README_TABLE)
    if start < 0:
        raise KitError("new-allocator: README.md has no table of variants "
                       f"({README_TABLE})")
    end = text.find("\n\n", start)
    return text[:end] + "\n" + row + text[end:]


def plan(kconf, name: str, kind: str) -> dict[Path, str]:
    """Every file to write, with its new content: nothing is written yet."""
    check_name(kconf, name)
    title = _title(name)
    subst = {"name": name, "NAME": name.upper(), "title": title}
    fronts, strategies = allocators.fronts(kconf), allocators.strategies(kconf)
    files: dict[Path, str] = {}
    kconfig = KCONFIG_MM.read_text(encoding="utf-8")
    sources = SOURCES.read_text(encoding="utf-8")
    if kind == "front":
        c_file = MM_DIR / f"kmalloc_{name}.c"
        files[c_file] = Template((SKELETONS / "front.c.in").read_text()).substitute(subst)
        files[KCONFIG_MM] = _insert_in_choice(
            kconfig, allocators.KINDS["front"][0],
            _kconfig_entry(kind, name, title, f"core/mm/kmalloc_{name}.c"))
        files[SOURCES] = _insert_source(sources, f'"mm/kmalloc_{name}.c" = "MM_{name.upper()}"',
                                        r'"mm/kmalloc_\w+\.c"')
        pages = strategies[0]
        preset = (f"# description: {title}: a new kmalloc front (scaffolded by new-allocator) "
                  f"on the {pages.name} page allocator\n"
                  f"CONFIG_MM_{name.upper()}=y\nCONFIG_{pages.symbol}=y\n")
        row = (f"| `{name}` | {title} | {pages.name} | a new kmalloc front, being written "
               f"(`core/mm/kmalloc_{name}.c`) |")
    else:
        mode = fronts[0]
        files[MM_DIR / f"{name}_pa.h"] = Template(
            (SKELETONS / "pages.h.in").read_text()).substitute(subst)
        files[MM_DIR / f"{name}_pa.c"] = Template(
            (SKELETONS / "pages.c.in").read_text()).substitute(subst)
        files[KCONFIG_MM] = _insert_in_choice(
            kconfig, allocators.KINDS["pages"][0],
            _kconfig_entry(kind, name, title, f"core/mm/{name}_pa.c, {name}_pa.h"))
        files[SOURCES] = _insert_source(sources, f'"mm/{name}_pa.c" = "PAGE_ALLOC_{name.upper()}"',
                                        r'"mm/\w+_pa\.c"')
        header = PA_STRATEGY.read_text(encoding="utf-8")
        if PA_MARKER not in header:
            raise KitError(f"new-allocator: {PA_STRATEGY.relative_to(paths.ROOT)} has lost its "
                           "marker line for new strategies")
        files[PA_STRATEGY] = header.replace(
            PA_MARKER, f"{PA_MARKER}\n#elif defined(CONFIG_PAGE_ALLOC_{name.upper()})\n"
                       f"#include \"{name}_pa.h\"")
        preset = (f"# description: {mode.name} on {title}, a new page allocator (scaffolded by "
                  f"new-allocator)\n"
                  f"CONFIG_{mode.symbol}=y\nCONFIG_PAGE_ALLOC_{name.upper()}=y\n")
        row = (f"| `{name}` | {mode.title.split(':')[0]} | {name} | a new page allocator, "
               f"being written (`core/mm/{name}_pa.c`) |")
    files[paths.CONFIGS / f"{name}.config"] = preset
    files[README] = _readme_row(README.read_text(encoding="utf-8"), row)
    return files


def _workflow_text() -> tuple[Path, str] | None:
    """The CI workflow as the matrix now makes it (the new preset in it)."""
    from . import matrix_file, workflow
    target = workflow.DEFAULT_OUTPUT
    if not target.exists():
        return None
    return target, workflow.render(matrix_file.load(None))


def write_all(files: dict[Path, str]) -> None:
    """Write every file or none: each is staged beside its target first, then
    all are renamed into place; a failure puts back what was there."""
    staged: list[tuple[Path, Path]] = []
    done: list[tuple[Path, str | None]] = []
    try:
        for target, text in files.items():
            tmp = target.with_name(f".{target.name}.new-allocator")
            tmp.write_text(text, encoding="utf-8")
            staged.append((tmp, target))
        for tmp, target in staged:
            old = target.read_text(encoding="utf-8") if target.exists() else None
            os.replace(tmp, target)
            done.append((target, old))
        regenerated = _workflow_text()
        if regenerated:
            target, text = regenerated
            old = target.read_text(encoding="utf-8")
            if text != old:
                target.write_text(text, encoding="utf-8")
                done.append((target, old))
    except BaseException:
        for target, old in reversed(done):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(old, encoding="utf-8")
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise


def new_allocator(name: str, kind: str) -> list[Path]:
    """Scaffold allocator ``name`` of ``kind``; the files written."""
    from . import config
    if kind not in allocators.KINDS:
        raise KitError(f"new-allocator: --kind must be one of {', '.join(allocators.KINDS)}")
    files = plan(config.load_kconfig(), name, kind)
    write_all(files)
    return list(files)
