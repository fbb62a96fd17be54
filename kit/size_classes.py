"""The kmalloc size-class table a TwoTier or Hybrid variant is built with.

Data for templates/kmalloc_classes.h.j2, computed here rather than in
Jinja expressions: the classes (Kconfig KMALLOC_CLASSES, checked by
kit/config.py) and the constant-time size -> class lookup.  Every class is
a multiple of GRANULE, so the smallest class holding a size is the
smallest holding the size rounded up to GRANULE: one lookup entry per
GRANULE bytes.
"""
from __future__ import annotations

from .config import KMALLOC_CLASS_GRANULE as GRANULE


def lookup_table(classes: list[int]) -> list[int]:
    """Entry k: index of the smallest class of at least k * GRANULE bytes."""
    table, index = [], 0
    for k in range(classes[-1] // GRANULE + 1):
        while classes[index] < k * GRANULE:
            index += 1
        table.append(index)
    return table


def context(classes: list[int]) -> dict:
    """What kmalloc_classes.h.j2 renders."""
    lookup = lookup_table(classes)
    return {
        "size_classes": classes,
        "granule": GRANULE,
        "index_type": "uint8_t" if len(classes) <= 256 else "uint16_t",
        "lookup": [(k * GRANULE, index, classes[index]) for k, index in enumerate(lookup)],
    }
