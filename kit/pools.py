"""The typed object pools a variant is built with (Kconfig "Object pools").

Data for templates/pool_types.h.j2, computed here rather than in Jinja:
the pools (kit/config.py parses and checks them: the four built-in ones,
then POOL_EXTRA's entries) and each one's alignment.  The Kconfig menu
asks no alignment: a pool's objects are aligned to the largest power of
two dividing their size, at least a word and at most a cache line - the
kmalloc classes' rule (mm.h), capped where more alignment only wastes.
"""
from __future__ import annotations

from .config import PoolSpec, pool_specs

WORD = 8
CACHE_LINE = 64


def alignment(size: int) -> int:
    """Largest power of two dividing ``size``, clamped to [WORD, CACHE_LINE]."""
    return max(WORD, min(CACHE_LINE, size & -size))


def _row(p: PoolSpec) -> dict:
    return {"name": p.name, "size": p.size, "align": alignment(p.size), "count": p.count,
            "reserve": p.reserve}


def context(values: dict[str, object]) -> dict:
    """What pool_types.h.j2 renders, for a configuration's resolved values."""
    rows = [_row(p) for p in pool_specs(values)]
    total = sum(r["count"] * r["size"] for r in rows)
    return {"pools": rows, "total_objects": sum(r["count"] for r in rows),
            "total_kib": -(-total // 1024)}
