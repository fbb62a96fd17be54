"""Compare a matrix run with an earlier results.json: flag regressions.

Instruction counts under -icount repeat exactly, so any growth is real; the
threshold only decides how much growth is worth failing a run for.

  - op figures: the median instructions per operation; a regression when
    new > old * (1 + threshold / 100);
  - fragmentation figures (ratios): failure rate, internal fragmentation,
    heap external fragmentation, metadata overhead; a regression when
    new - old > threshold percentage points.

Cells or figures missing on either side are not compared (a new cell has
no baseline yet); cells that failed are already reported as failures.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import KitError

RATIO_FIGURES = ("failure_rate", "internal_frag", "heap_external_frag", "meta_overhead")


def load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KitError(f"cannot read baseline {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise KitError(f"baseline {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("cells"), list):
        raise KitError(f"baseline {path} is not a results.json of `build.py matrix` (version 1)")
    return data


def _ops(cell: dict) -> dict[str, int]:
    bench = cell.get("bench") or {}
    return {op["key"]: op["median"] for op in bench.get("ops", [])}


def _frags(cell: dict) -> dict[str, float]:
    bench = cell.get("bench") or {}
    out = {}
    for f in bench.get("frag", []):
        for name in RATIO_FIGURES:
            value = f.get("derived", {}).get(name)
            if value is not None:
                out[f"{f['pattern']} {name}"] = value
    return out


def compare(cells: list[dict], baseline: dict, threshold: float) -> list[dict]:
    """Regressions of ``cells`` (results.json cell dicts) against ``baseline``."""
    old_cells = {c["name"]: c for c in baseline["cells"]}
    found = []
    for cell in cells:
        old = old_cells.get(cell["name"])
        if old is None or cell.get("status") != "pass":
            continue
        new_ops, old_ops = _ops(cell), _ops(old)
        for key in sorted(set(new_ops) & set(old_ops)):
            before, after = old_ops[key], new_ops[key]
            if after > before * (1 + threshold / 100):
                change = (after - before) / before * 100 if before else float("inf")
                found.append({"cell": cell["name"], "figure": key, "unit": "instructions/op",
                              "old": before, "new": after, "change": f"+{change:.1f}%"})
        new_fr, old_fr = _frags(cell), _frags(old)
        for key in sorted(set(new_fr) & set(old_fr)):
            before, after = old_fr[key], new_fr[key]
            if after - before > threshold / 100:
                found.append({"cell": cell["name"], "figure": key, "unit": "ratio",
                              "old": round(before, 6), "new": round(after, 6),
                              "change": f"+{(after - before) * 100:.1f} points"})
    return found
