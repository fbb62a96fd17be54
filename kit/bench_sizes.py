"""The request sizes the bench image measures (rendered into gen/bench_sizes.c).

One list, three possible sources, in this order:

1. BENCH_SIZES in Kconfig, when the user set it ("kconfig");
2. the size classes of the mode's generated size-class table, when the
   generator has one for the variant ("classes": kit/generate.py passes
   its ``size_classes`` in, so the C never repeats them), followed by
   twice and four times the largest class, which take the large path;
3. powers of two from 8 to 16384 ("fixed"), for modes without classes
   (SimpleHeap).

Every listed size is measured, and so is the size one byte above it (up to
the next entry), where rounding up to a class costs most.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import KitError

FIXED = tuple(8 << i for i in range(12))   # 8 .. 16384


def parse_sizes(text: str) -> list[int]:
    """BENCH_SIZES: positive integers, ascending, separated by spaces or commas."""
    items = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    sizes = []
    for item in items:
        if not item.isdigit() or int(item) <= 0:
            raise KitError(f"BENCH_SIZES: '{item}' is not a positive integer")
        sizes.append(int(item))
    if sizes != sorted(set(sizes)):
        raise KitError(f"BENCH_SIZES: sizes must be ascending and distinct: {text!r}")
    return sizes


def size_list(values: dict[str, object], classes: Sequence[int] | None = None
              ) -> tuple[str, list[tuple[int, bool]]]:
    """(source, [(size, is_class)]) for the variant's resolved config ``values``."""
    text = str(values.get("BENCH_SIZES") or "")
    if text.strip():
        source, base = "kconfig", parse_sizes(text)
    elif classes:
        # The classes, then two sizes past the largest one: the large path.
        source, base = "classes", sorted(set(int(c) for c in classes))
        base += [base[-1] * 2, base[-1] * 4]
    else:
        source, base = "fixed", list(FIXED)
    out: list[tuple[int, bool]] = []
    for i, size in enumerate(base):
        out.append((size, True))
        above = size + 1
        if i + 1 == len(base) or above < base[i + 1]:
            out.append((above, False))
    return source, out


def context(values: dict[str, object], classes: Sequence[int] | None = None) -> dict:
    source, sizes = size_list(values, classes)
    return {"sizes_source": source, "sizes": sizes}
