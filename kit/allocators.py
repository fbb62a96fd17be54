"""Which kmalloc fronts (allocator modes) and page-allocator strategies exist.

Read from the two Kconfig choices, never listed by hand: a mode is a
symbol MM_<NAME> of the "Allocator mode" choice, a strategy a symbol
PAGE_ALLOC_<NAME> of the "Page allocator" choice, and its name is <name>
(the preset, the C file and the report say the same).  So a fourth mode
joins generation, the conformance tests and the scaffold's clash checks by
being added to core/mm/Kconfig (docs/ALLOCATOR_INTERFACE.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import KitError

# The two kinds of allocator: the Kconfig choice's prompt and its symbols' prefix.
KINDS = {
    "front": ("Allocator mode", "MM_"),
    "pages": ("Page allocator", "PAGE_ALLOC_"),
}


@dataclass(frozen=True)
class Allocator:
    kind: str      # "front" or "pages"
    symbol: str    # MM_TWOTIER, PAGE_ALLOC_BUDDY
    name: str      # twotier, buddy
    title: str     # the choice entry's prompt: "TwoTier: slab caches over ..."


def _choice(kconf, kind: str):
    prompt, _ = KINDS[kind]
    for choice in kconf.choices:
        if any(node.prompt and node.prompt[0] == prompt for node in choice.nodes):
            return choice
    raise KitError(f"Kconfig has no choice \"{prompt}\"")


def of_kind(kconf, kind: str) -> list[Allocator]:
    """Every ``kind`` ("front" or "pages") in Kconfig order."""
    _, prefix = KINDS[kind]
    found = []
    for sym in _choice(kconf, kind).syms:
        if not sym.name.startswith(prefix):
            raise KitError(f"Kconfig: {sym.name} in the \"{KINDS[kind][0]}\" choice does not "
                           f"start with {prefix}")
        title = next((n.prompt[0] for n in sym.nodes if n.prompt), sym.name)
        found.append(Allocator(kind, sym.name, sym.name[len(prefix):].lower(), title))
    return found


def fronts(kconf) -> list[Allocator]:
    return of_kind(kconf, "front")


def strategies(kconf) -> list[Allocator]:
    return of_kind(kconf, "pages")


def table(kconf, kind: str) -> dict[str, str]:
    """{symbol: name} of a kind, as kit/generate.py names the choice."""
    return {a.symbol: a.name for a in of_kind(kconf, kind)}


def chosen(kconf, values: dict[str, object], kind: str) -> str:
    """The name of the configured ``kind``."""
    names = [name for sym, name in table(kconf, kind).items() if values.get(sym)]
    if len(names) != 1:
        raise KitError(f"configuration selects no {KINDS[kind][0].lower()}")
    return names[0]
